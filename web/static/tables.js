// A table or bracket wider than its box scrolls inside it; keyboard users must reach that scroll too, so a box
// that actually scrolls becomes focusable and named (WCAG 2.1.1). Checked again when the window resizes.
(function () {
  var suffix = (document.currentScript && document.currentScript.getAttribute("data-scrolls")) || "";
  function mark() {
    document.querySelectorAll(".table-wrap, .bracket").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var named = box.querySelector("caption") || (box.closest("section") && box.closest("section").querySelector("h2, h3"))
          || document.querySelector("h1");
        var title = named ? named.textContent.trim() : "";
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-box", "");
        if (!box.hasAttribute("role")) box.setAttribute("role", "region");
        // Not the section's own name: two landmarks must not share one.
        if (!box.hasAttribute("aria-label")) {
          box.setAttribute("aria-label", (title + " " + suffix).trim());
          box.setAttribute("data-scroll-box", "named");
        }
      } else if (!scrolls && box.hasAttribute("data-scroll-box")) {
        if (box.getAttribute("data-scroll-box") === "named") box.removeAttribute("aria-label");
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-box");
        if (box.getAttribute("role") === "region") box.removeAttribute("role");
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();
