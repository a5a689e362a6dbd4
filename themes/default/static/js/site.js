// khao default theme: the only script. Everything works without it; with it
// the menu folds behind a button on phones and an open submenu closes when
// another opens, on Escape, or on a click elsewhere.
(function () {
  var doc = document.documentElement;
  doc.className += " js";
  var toggle = document.querySelector(".nav-toggle");
  var menu = document.getElementById("k-menu");
  if (toggle && menu) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = menu.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
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
