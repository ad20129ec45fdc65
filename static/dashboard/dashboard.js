// The dashboard's charts (Chart.js) and the matrix rows that open on demand.
(function () {
  "use strict";

  function drawCharts() {
    var source = document.getElementById("chart-data");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var colours = ["#b02a37", "#0d6efd", "#198754"];
    var percentAxis = { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } } };
    var line = function (dataset, i) {
      return { label: dataset.label, data: dataset.data, borderColor: colours[i], backgroundColor: colours[i], spanGaps: true, tension: 0.2 };
    };
    new Chart(document.getElementById("chart-rates"), {
      type: "line",
      data: { labels: data.labels, datasets: data.datasets.slice(0, 2).map(line) },
      options: { scales: percentAxis, animation: false, maintainAspectRatio: false },
    });
    new Chart(document.getElementById("chart-progress"), {
      type: "bar",
      data: { labels: data.labels, datasets: [line(data.datasets[2], 2)] },
      options: { scales: percentAxis, animation: false, maintainAspectRatio: false },
    });
  }

  function setRows(className, show) {
    document.querySelectorAll("tr." + className).forEach(function (row) {
      row.hidden = !show;
      var inner = row.querySelector(".matrix-toggle[aria-expanded='true']");
      if (inner && !show) setRows(inner.dataset.children, false);
      if (inner && show) setRows(inner.dataset.children, true);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".matrix-toggle");
    if (!button) return;
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    button.querySelector(".bi").className = open ? "bi bi-plus-square" : "bi bi-dash-square";
    if (button.dataset.loaded) setRows(button.dataset.children, !open);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var button = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (button && button.classList.contains("matrix-toggle")) button.dataset.loaded = "1";
  });

  document.addEventListener("DOMContentLoaded", drawCharts);
})();
