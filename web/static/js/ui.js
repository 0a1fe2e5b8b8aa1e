// Site-wide behaviour: a table wider than its box scrolls on its own and can be scrolled by keyboard.
(function () {
  "use strict";
  function mark() {
    Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
        table.setAttribute("role", "region");
        var heading = table.closest("section, .card");
        var title = heading && heading.querySelector("h1, h2, h3");
        table.setAttribute("aria-label", (table.caption && table.caption.textContent) || (title && title.textContent) || document.title);
      } else if (!scrolls && table.getAttribute("role") === "region") {
        table.removeAttribute("tabindex");
        table.removeAttribute("role");
        table.removeAttribute("aria-label");
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);

  // A form (or the button that submits it, when a form has several) with data-confirm states its
  // consequences and goes ahead only when the user agrees.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var text = (button && button.getAttribute("data-confirm")) ||
      (event.target.getAttribute && event.target.getAttribute("data-confirm"));
    if (text && !window.confirm(text)) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);
})();
