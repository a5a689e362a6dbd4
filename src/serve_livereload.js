// khao serve: reload the page after every rebuild; show a build error on top
// of the page until the next good build. Injected by `khao serve` only.
(function () {
  "use strict";
  var generation = null;
  function overlay(error) {
    var box = document.getElementById("khao-error-overlay");
    if (!error) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "khao-error-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0 0 auto 0;max-height:70vh;overflow:auto;margin:0;padding:1rem;" +
        "background:#7f1d1d;color:#fff;font:14px/1.5 monospace;white-space:pre-wrap;z-index:2147483647";
      document.body.appendChild(box);
    }
    box.textContent = "khao: " + error;
  }
  function poll() {
    var url = "/_khao/wait?since=" + (generation === null ? 0 : generation);
    fetch(url, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (generation !== null && s.generation > generation && !s.error) { location.reload(); return; }
        generation = s.generation;
        overlay(s.error);
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  fetch("/_khao/status", { cache: "no-store" })
    .then(function (r) { return r.json(); })
    .then(function (s) { generation = s.generation; overlay(s.error); poll(); })
    .catch(function () { setTimeout(poll, 1000); });
})();
