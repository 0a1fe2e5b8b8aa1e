// Small page actions without inline handlers (the CSP forbids onclick= and javascript: links):
// [data-print] opens the print dialog, [data-back] goes back in the history.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-back]").forEach(function (el) {
    el.addEventListener("click", function (event) { event.preventDefault(); history.back(); });
  });
})();
