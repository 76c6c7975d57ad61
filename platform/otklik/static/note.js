/* The information note: the Print button prints the page (a script file: the CSP allows no inline handlers). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    [].forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
