/* Publication pages: each block's chart drawn by the vendored Chart.js from its data-chart attribute (the CSP
   allows no inline script). Without JavaScript the charts stay hidden and the tables beside them carry the same
   figures; the summary sentence is text. */
(function () {
  "use strict";
  var locale = document.documentElement.lang === "en" ? "en-GB" : "ru-RU";
  var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  var colour = document.documentElement.classList.contains("low-vision") ? "#000000" : "#0b5cad";

  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart") || "{}");
    var figure = canvas.closest("figure");
    var horizontal = spec.type !== "bar" || spec.labels.length > 6;
    if (horizontal) { canvas.parentNode.style.height = Math.max(160, 34 * spec.labels.length + 60) + "px"; }
    figure.hidden = false;
    canvas.chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: [{ label: spec.title, data: spec.values, backgroundColor: colour }] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, indexAxis: horizontal ? "y" : "x",
        locale: locale,
        plugins: { legend: { display: false },
                   tooltip: { callbacks: { label: function (ctx) {
                     var v = horizontal ? ctx.parsed.x : ctx.parsed.y;
                     return v === null ? "—" : number.format(v);
                   } } } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true, ticks: { autoSkip: false } } }
      }
    });
    canvas.dataset.rendered = "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.Chart === "undefined") { return; }
    Array.prototype.forEach.call(document.querySelectorAll("canvas.public-chart[data-chart]"), draw);
  });
})();
