// The ranking page's charts, drawn with the vendored Apache ECharts from JSON embedded in the page.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
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
    series: [{ type: "bar", data: data.distribution.map(function (d) { return d.count; }) }],
  });
  draw("chart-calibration", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { bottom: 72 },
    xAxis: { type: "category", data: data.calibration.map(function (c) { return c.expert; }), axisLabel: { rotate: 30 } },
    yAxis: { type: "value" },
    series: [
      { name: "expert", type: "bar", data: data.calibration.map(function (c) { return Number(c.mean); }) },
      { name: "panel", type: "line", data: data.calibration.map(function (c) { return Number(c.panel_mean); }) },
    ],
  });
  if (data.profile) {
    draw("chart-profile", {
      tooltip: {},
      radar: {
        indicator: data.profile.sections.map(function (s) { return { name: s.title, max: Number(s.max) }; }),
      },
      series: [{
        type: "radar",
        data: [{ name: data.profile.applicant, value: data.profile.sections.map(function (s) { return Number(s.points || 0); }) }],
      }],
    });
  }
})();
