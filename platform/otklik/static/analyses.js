/* Analysis pages: charts drawn by Chart.js from the figures of the page (the progress bar of a run is progress.js).
   Without JavaScript the tables carry the same figures and a link refreshes the progress. */
(function () {
  "use strict";
  var locale = document.documentElement.lang === "en" ? "en-GB" : "ru-RU";
  var fmts = {
    share: new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    int: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    num: new Intl.NumberFormat(locale, { maximumFractionDigits: 2 })
  };
  var palette = ["#0b5cad", "#e07b00", "#1e7b34", "#b3261e", "#6a3fa0", "#008b8b", "#9a6200", "#c2185b",
                 "#546e7a", "#7cb342", "#3949ab", "#8d6e63", "#00897b", "#f4511e"];

  function show(fmt, v) {
    if (fmt === "share" && v > 1) { v = v / 100; }
    return (fmts[fmt] || fmts.num).format(v);
  }

  function drawCharts() {
    var holder = document.getElementById("charts-data");
    if (!holder || typeof window.Chart === "undefined") { return; }
    var specs = JSON.parse(holder.textContent || "[]");
    specs.forEach(function (spec) {
      var canvas = document.getElementById(spec.id);
      if (!canvas) { return; }
      var box = canvas.parentNode;
      if (box.dataset.height) { box.style.height = box.dataset.height + "px"; }  // a horizontal bar per label
      var pie = spec.kind === "pie";
      var horizontal = spec.kind === "bar";
      var values = spec.values.map(function (v) { return spec.fmt === "share" && v > 1 ? v / 100 : v; });
      var chart = new window.Chart(canvas, {
        type: pie ? "doughnut" : "bar",
        data: {
          labels: spec.labels,
          datasets: [{
            label: spec.series || spec.title,
            data: values,
            backgroundColor: pie ? palette : palette[0],
            borderWidth: pie ? 1 : 0
          }]
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          indexAxis: horizontal ? "y" : "x",
          locale: locale,
          plugins: {
            legend: { display: pie, position: "bottom" },
            tooltip: { callbacks: { label: function (ctx) {
              var v = pie ? ctx.parsed : (horizontal ? ctx.parsed.x : ctx.parsed.y);
              return (pie ? ctx.label + ": " : "") + show(spec.fmt, v);
            } } }
          },
          scales: pie ? {} : {
            x: { ticks: horizontal ? { callback: function (v) { return show(spec.fmt, v); } } : { autoSkip: false } },
            y: { beginAtZero: true, ticks: horizontal ? { autoSkip: false } : { callback: function (v) { return show(spec.fmt, v); } } }
          }
        }
      });
      canvas.dataset.rendered = "1";
      canvas.chart = chart;
    });
  }

  document.addEventListener("DOMContentLoaded", drawCharts);
})();
