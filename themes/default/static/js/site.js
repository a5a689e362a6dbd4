// khao default theme. Everything works without scripts. base.html's one-line
// script marks <html class="js"> (so the phone menu folds behind its button
// without flashing open) and runs that button; this file only closes an open
// submenu when another opens, on Escape, or on a click elsewhere.
(function () {
  var subs = Array.prototype.slice.call(document.querySelectorAll(".site-nav details"));
  function closeAll(except) {
    subs.forEach(function (d) { if (d !== except) d.open = false; });
  }
  subs.forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open) closeAll(d); });
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest(".site-nav details")) closeAll(null);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = subs.filter(function (d) { return d.open; })[0];
    if (open) { open.open = false; open.querySelector("summary").focus(); }
  });
})();
