/*
 * Draws the admin's charts with the vendored Chart.js: every <canvas data-chart="ID"> from the JSON that Django's
 * json_script filter wrote into <script id="ID" type="application/json">. The JSON is described in
 * dropship_central/charts.py; nothing on the page is evaluated as code.
 */
"use strict";

(function () {
  function toNumber(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function dataset(series, horizontal) {
    var set = {
      label: series.label,
      data: series.data.map(toNumber),
      stepped: series.stepped ? "after" : false,
      pointRadius: 2,
      borderWidth: 2,
    };
    if (series.kind) {
      set.type = series.kind;
    }
    if (series.fill_to_previous) {
      set.fill = "-1";
    }
    if (!horizontal) {
      set.yAxisID = series.axis;
    }
    return set;
  }

  function axisTitle(text) {
    return { display: Boolean(text), text: text };
  }

  function scales(spec) {
    if (spec.horizontal) {
      return { x: { title: axisTitle(spec.y_title) } };
    }
    var result = { y: { position: "left", title: axisTitle(spec.y_title) } };
    var usesSecond = spec.series.some(function (series) {
      return series.axis === "y2";
    });
    if (usesSecond) {
      result.y2 = {
        position: "right",
        beginAtZero: true,
        grid: { drawOnChartArea: false },
        title: axisTitle(spec.y2_title),
      };
    }
    return result;
  }

  function config(spec) {
    return {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series) {
          return dataset(series, spec.horizontal);
        }),
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: scales(spec),
        plugins: { title: { display: Boolean(spec.title), text: spec.title } },
      },
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    new window.Chart(canvas, config(JSON.parse(source.textContent)));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
