// The ranking page's charts, drawn with the vendored Apache ECharts from JSON embedded in the page.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels || {};
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = window.echarts.init(el);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("chart-distribution", {
    tooltip: {},
    xAxis: { type: "category", data: data.distribution.map(function (d) { return d.bin; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: labels.count, type: "bar", data: data.distribution.map(function (d) { return d.count; }) }],
  });
  draw("chart-calibration", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { bottom: 72 },
    xAxis: { type: "category", data: data.calibration.map(function (c) { return c.expert; }), axisLabel: { rotate: 30 } },
    yAxis: { type: "value" },
    series: [
      { name: labels.expert, type: "bar", data: data.calibration.map(function (c) { return Number(c.mean); }) },
      { name: labels.panel, type: "line", data: data.calibration.map(function (c) { return Number(c.panel_mean); }) },
    ],
  });
  if (data.profile) {
    var sections = data.profile.sections;
    var points = sections.map(function (s) { return Number(s.points || 0); });
    if (sections.length >= 3) {
      draw("chart-profile", {
        tooltip: {},
        radar: { indicator: sections.map(function (s) { return { name: s.title, max: Number(s.max) }; }) },
        series: [{ type: "radar", data: [{ name: data.profile.applicant, value: points }] }],
      });
    } else {
      // A radar needs three axes: fewer sections are drawn as bars of points against the maximum.
      draw("chart-profile", {
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        xAxis: { type: "category", data: sections.map(function (s) { return s.title; }) },
        yAxis: { type: "value" },
        series: [
          { name: labels.points, type: "bar", data: points },
          { name: labels.max, type: "bar", data: sections.map(function (s) { return Number(s.max); }) },
        ],
      });
    }
  }
})();
