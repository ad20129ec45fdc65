// The inbox's "select all on this page": shown only when this script runs.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("select-all-reports");
    if (!box) return;
    var reports = function () {
      return document.querySelectorAll("#inbox-accept input[name='report']");
    };
    box.closest("[data-select-all]").hidden = false;
    box.addEventListener("change", function () {
      reports().forEach(function (report) {
        report.checked = box.checked;
      });
    });
    document.getElementById("inbox-accept").addEventListener("change", function (event) {
      if (event.target.name !== "report") return;
      var all = Array.prototype.every.call(reports(), function (report) { return report.checked; });
      box.checked = all;
    });
  });
})();
