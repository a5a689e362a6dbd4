// The search page: asks pagefind's index (/pagefind/, written by `khao build`)
// in the browser. The words come from the theme (data-* on the form), so the
// page speaks the site's language; results are a list and the count is read
// out by screen readers (role=status on #k-search-status).
(function () {
  "use strict";
  var form = document.getElementById("k-search");
  var input = document.getElementById("k-search-input");
  var status = document.getElementById("k-search-status");
  var list = document.getElementById("k-search-results");
  if (!form || !input || !status || !list) return;
  var words = form.dataset;
  var pagefind = null;
  var latest = 0;

  function load() {
    if (!pagefind) {
      // The index is split into shards (src/search.rs): the primary one is
      // /pagefind/, the others are listed in khao-shards.json and merged.
      pagefind = import("/pagefind/pagefind.js").then(function (pf) {
        return Promise.resolve(pf.options ? pf.options({ excerptLength: 30 }) : null).then(function () {
          return fetch("/pagefind/khao-shards.json").then(function (r) {
            return r.ok ? r.json() : [];
          });
        }).then(function (shards) {
          return Promise.all(shards.map(function (dir) {
            return pf.mergeIndex("/pagefind/" + dir, { excerptLength: 30 });
          }));
        }).then(function () {
          return pf;
        });
      });
    }
    return pagefind;
  }

  // pagefind's excerpt is escaped text with <mark> around the matches: keep
  // only those marks, as text nodes and elements (never raw HTML).
  function excerpt(into, html) {
    var parts = String(html || "").split(/(<mark>|<\/mark>)/);
    var inMark = false;
    var tmp = document.createElement("textarea");
    parts.forEach(function (part) {
      if (part === "<mark>") { inMark = true; return; }
      if (part === "</mark>") { inMark = false; return; }
      tmp.innerHTML = part; // decodes &amp; etc. without running anything
      var text = document.createTextNode(tmp.value);
      if (inMark) {
        var m = document.createElement("mark");
        m.appendChild(text);
        into.appendChild(m);
      } else {
        into.appendChild(text);
      }
    });
  }

  function run(query) {
    var mine = ++latest;
    var total = 0;
    list.textContent = "";
    if (!query.trim()) { status.textContent = ""; return; }
    status.textContent = words.loading || "";
    load().then(function (pf) {
      return pf.search(query);
    }).then(function (search) {
      if (mine !== latest) return null;
      total = search.results.length;
      return Promise.all(search.results.slice(0, 30).map(function (r) { return r.data(); }));
    }).then(function (pages) {
      if (pages === null || mine !== latest) return;
      status.textContent = total
        ? (words.count || "{n}").replace("{n}", String(total))
        : (words.none || "");
      pages.forEach(function (page) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = page.url;
        a.textContent = (page.meta && page.meta.title) || page.url;
        li.appendChild(a);
        var p = document.createElement("p");
        excerpt(p, page.excerpt);
        li.appendChild(p);
        list.appendChild(li);
      });
    }).catch(function () {
      if (mine === latest) status.textContent = words.unavailable || "";
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value;
    if (window.history && history.replaceState) {
      history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : location.pathname);
    }
    run(q);
  });
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; run(q); }
})();
