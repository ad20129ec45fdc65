// Small behaviours every page shares. No inline scripts or style attributes are
// allowed under the Content-Security-Policy, so widths that depend on data
// (progress bars) come from data-bar-width="<0-100>" and are set here.
(function () {
  "use strict";

  function setBarWidths(root) {
    root.querySelectorAll("[data-bar-width]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, parseFloat(bar.dataset.barWidth) || 0));
      bar.style.width = value + "%";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setBarWidths(document);
  });
  // Content swapped in by htmx (the export progress, the matrix rows).
  document.addEventListener("htmx:load", function (event) {
    setBarWidths(event.target.parentNode || document);
  });
})();
