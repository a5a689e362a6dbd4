// The search page (theme: static/js/search.js): asks khao's search index
// (/khao-search/, written by `khao build`) with /js/khao-search.js, loaded
// on first use. The words come from the theme (data-* on the form), so the
// page speaks the site's language; results are a list and the count is read
// out by screen readers (role=status on #k-search-status). Text from the
// index only ever becomes text nodes (no innerHTML).
(function () {
  "use strict";
  var form = document.getElementById("k-search");
  var input = document.getElementById("k-search-input");
  var status = document.getElementById("k-search-status");
  var list = document.getElementById("k-search-results");
  if (!form || !input || !status || !list) return;
  var words = form.dataset;
  var PAGE = 10;
  var me = document.currentScript && document.currentScript.src;
  var jsDir = me ? me.replace(/[^/]*$/, "") : "/js/";
  var engine = null;
  var latest = 0;

  function load() {
    if (!engine) {
      engine = new Promise(function (resolve, reject) {
        if (window.KhaoSearch) return resolve(window.KhaoSearch);
        var s = document.createElement("script");
        s.src = jsDir + "khao-search.js";
        s.onload = function () { resolve(window.KhaoSearch); };
        s.onerror = reject;
        document.head.appendChild(s);
      }).then(function (ks) {
        return ks.create({ base: new URL("../khao-search/", jsDir).pathname });
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  function say(template, n) { return (template || "{n}").replace("{n}", String(n)); }

  function item(r) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = r.url;
    a.textContent = r.title || r.url;
    li.appendChild(a);
    var p = document.createElement("p");
    r.excerpt.forEach(function (part) {
      var t = document.createTextNode(part.text);
      if (part.mark) {
        var m = document.createElement("mark");
        m.appendChild(t);
        p.appendChild(m);
      } else {
        p.appendChild(t);
      }
    });
    li.appendChild(p);
    return li;
  }

  // "ไม่พบ…" and, when the site has a close word, a link searching it.
  function none(suggestion) {
    status.textContent = words.none || "";
    if (!suggestion) return;
    var p = document.createElement("p");
    p.className = "search-suggestion";
    p.appendChild(document.createTextNode((words.suggest || "?") + " "));
    var a = document.createElement("a");
    a.href = "?q=" + encodeURIComponent(suggestion);
    a.textContent = suggestion;
    a.addEventListener("click", function (e) {
      e.preventDefault();
      input.value = suggestion;
      go(suggestion);
    });
    p.appendChild(a);
    status.appendChild(document.createTextNode(" "));
    status.appendChild(p);
  }

  function more(answer, shown, mine) {
    if (shown >= answer.total) return;
    var li = document.createElement("li");
    li.className = "search-more";
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button";
    b.textContent = words.more || "…";
    b.addEventListener("click", function () {
      b.disabled = true;
      answer.more(shown, PAGE).then(function (rs) {
        if (mine !== latest) return;
        list.removeChild(li);
        rs.forEach(function (r) { list.appendChild(item(r)); });
        more(answer, shown + rs.length, mine);
      }).catch(function () { b.disabled = false; });
    });
    li.appendChild(b);
    list.appendChild(li);
  }

  function run(query) {
    var mine = ++latest;
    list.textContent = "";
    if (!query.trim()) { status.textContent = ""; return; }
    status.textContent = words.loading || "";
    load().then(function (e) {
      return e.search(query, { limit: PAGE });
    }).then(function (answer) {
      if (mine !== latest) return;
      if (!answer.total) return none(answer.suggestion);
      status.textContent = say(words.count, answer.total);
      answer.results.forEach(function (r) { list.appendChild(item(r)); });
      more(answer, answer.results.length, mine);
    }).catch(function () {
      if (mine === latest) status.textContent = words.unavailable || "";
    });
  }

  function go(q) {
    if (window.history && history.replaceState) {
      history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : location.pathname);
    }
    run(q);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    go(input.value);
  });
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; run(q); }
})();
