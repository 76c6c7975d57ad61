/* The Analytical Centre's charts, drawn by Chart.js from the figures of the page (no inline script: CSP).
   Funnel plots: each authority's share against its volume, with the 95 % and 99.8 % limits around the pooled
   share; trends: the pooled share and the authorities over the last periods. Each chart has its data table. */
(function () {
  "use strict";
  var locale = document.documentElement.lang === "en" ? "en-GB" : "ru-RU";
  var pct = new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var int = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  var palette = ["#0b5cad", "#e07b00", "#1e7b34", "#b3261e", "#6a3fa0", "#008b8b", "#9a6200", "#c2185b",
                 "#546e7a", "#7cb342", "#3949ab", "#8d6e63"];
  var verdictColour = { above: "#b3261e", below: "#0b5cad", consistent: "#546e7a" };

  function line(label, data, colour, dash) {
    return { type: "line", label: label, data: data, borderColor: colour, borderWidth: 1.5, borderDash: dash || [],
             pointRadius: 0, fill: false, tension: 0 };
  }

  function funnel(canvas, spec) {
    var limits = spec.limits;
    var points = spec.points.map(function (p) { return { x: p.x, y: p.y, label: p.label }; });
    var colours = spec.points.map(function (p) { return verdictColour[p.verdict] || "#9e9e9e"; });
    return new window.Chart(canvas, {
      type: "scatter",
      data: { datasets: [
        { type: "scatter", label: spec.title, data: points, backgroundColor: colours, pointRadius: 4 },
        line("99,8 %", limits.map(function (l) { return { x: l.n, y: l.hi998 }; }), "#b3261e", [6, 3]),
        line("95 %", limits.map(function (l) { return { x: l.n, y: l.hi95 }; }), "#e07b00", [2, 2]),
        line("p0", limits.map(function (l) { return { x: l.n, y: spec.pooled }; }), "#333333"),
        line("95 % ", limits.map(function (l) { return { x: l.n, y: l.lo95 }; }), "#e07b00", [2, 2]),
        line("99,8 % ", limits.map(function (l) { return { x: l.n, y: l.lo998 }; }), "#b3261e", [6, 3])
      ] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, locale: locale,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (ctx) {
            var name = ctx.raw && ctx.raw.label ? ctx.raw.label + ": " : "";
            return name + pct.format(ctx.parsed.y) + " (n = " + int.format(ctx.parsed.x) + ")";
          } } }
        },
        scales: {
          x: { type: "logarithmic", title: { display: true, text: "n" },
               ticks: { callback: function (v) { return int.format(v); } } },
          y: { min: 0, max: 1, ticks: { callback: function (v) { return pct.format(v); } } }
        }
      }
    });
  }

  function trend(canvas, spec) {
    var datasets = [line(spec.pooled_label, spec.pooled, "#333333")];
    datasets[0].borderWidth = 3;
    spec.series.forEach(function (s, i) {
      var d = line(s.label, s.values, palette[i % palette.length]);
      d.pointRadius = 3;
      d.spanGaps = false;
      datasets.push(d);
    });
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, locale: locale,
        plugins: { legend: { position: "bottom" },
                   tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + pct.format(ctx.parsed.y); } } } },
        scales: { y: { min: 0, max: 1, ticks: { callback: function (v) { return pct.format(v); } } } }
      }
    });
  }

  function draw() {
    var holder = document.getElementById("centre-charts");
    if (!holder || typeof window.Chart === "undefined") { return; }
    JSON.parse(holder.textContent || "[]").forEach(function (spec) {
      var canvas = document.getElementById(spec.id);
      if (!canvas) { return; }
      canvas.chart = spec.kind === "funnel" ? funnel(canvas, spec) : trend(canvas, spec);
      canvas.dataset.rendered = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
