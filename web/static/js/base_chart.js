// Year-on-year figures of a base as a line chart (percentages on the left axis, counts on the right).
(function () {
  "use strict";
  var holder = document.getElementById("base-chart");
  var source = document.getElementById("base-chart-data");
  if (!holder || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var en = data.locale === "en";
  var years = data.figures.years.map(String);
  var series = data.figures.series.map(function (s) {
    return {
      name: en ? s.name_en : s.name_zh,
      type: "line",
      yAxisIndex: s.type === "percent" ? 0 : 1,
      connectNulls: false,  // a year without figures is a gap, not a line drawn through it
      data: s.points.map(function (p) { return p.value === null ? null : Number(p.value); }),
    };
  });
  var hasPercent = data.figures.series.some(function (s) { return s.type === "percent"; });
  var hasCount = data.figures.series.some(function (s) { return s.type !== "percent"; });
  var chart = window.echarts.init(holder);
  chart.setOption({
    aria: { enabled: true },
    tooltip: { trigger: "axis", confine: true },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 48, right: 48, top: 24, bottom: 56 },
    xAxis: { type: "category", data: years },
    // percentages on the left axis (in %), counts on the right (in units): never a count against "%"
    yAxis: [
      { type: "value", show: hasPercent, name: hasPercent ? "%" : "", axisLabel: { formatter: "{value}%" } },
      { type: "value", show: hasCount, minInterval: 1, name: hasCount ? (data.count_unit || (en ? "count" : "个")) : "" },
    ],
    series: series,
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
