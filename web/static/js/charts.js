// The ranking page's charts, drawn with the vendored Apache ECharts from JSON embedded in the page.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels || {};
  function SCformat(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = window.echarts.init(el);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("chart-distribution", {
    aria: { enabled: true },
    tooltip: { confine: true },
    xAxis: { type: "category", data: data.distribution.map(function (d) { return d.bin; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: labels.count, type: "bar", data: data.distribution.map(function (d) { return d.count; }) }],
  });
  // Each expert's deviation from the panel: diverging bars around 0, outliers (|z| >= 2) in red.
  var cal = data.calibration;
  draw("chart-calibration", {
    aria: { enabled: true },
    tooltip: { trigger: "axis", confine: true, axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 44, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: "value", name: labels.unit, nameLocation: "end" },
    yAxis: { type: "category", inverse: true, data: cal.map(function (c) { return c.expert; }) },
    series: [{
      name: labels.difference, type: "bar",
      data: cal.map(function (c) {
        var far = c.mean_z !== null && c.mean_z !== undefined && Math.abs(Number(c.mean_z)) >= 2;
        return { value: Number(c.difference), itemStyle: { color: far ? "#b71c1c" : "#1565c0" } };
      }),
      label: { show: true, position: "right", formatter: function (p) { return (p.value > 0 ? "+" : "") + p.value; } },
      markLine: { silent: true, symbol: "none", data: [{ xAxis: 0 }], lineStyle: { color: "#1f2933" }, label: { show: false } },
    }],
  });
  if (data.profile) {
    var sections = data.profile.sections;
    var points = sections.map(function (s) { return Number(s.points || 0); });
    var medians = sections.map(function (s) { return s.median === null || s.median === undefined ? null : Number(s.median); });
    var hasMedian = data.profile.compared_with > 1 && medians.every(function (m) { return m !== null; });
    var medianName = SCformat(labels.median, { count: data.profile.compared_with });
    if (sections.length >= 3) {
      var series = [{ name: data.profile.applicant, value: points, symbolSize: 6,
        label: { show: true, formatter: function (p) { return p.value; } } }];
      if (hasMedian) {
        series.push({ name: medianName, value: medians, symbol: "rect", symbolSize: 5,
          lineStyle: { type: "dashed", color: "#6b7280" }, itemStyle: { color: "#6b7280" },
          areaStyle: { opacity: 0 }, label: { show: true, position: "bottom", color: "#4b5563", fontSize: 11 } });
      }
      draw("chart-profile", {
        aria: { enabled: true },
        tooltip: { confine: true },
        legend: { bottom: 0 },
        // each axis names its maximum; a scale of four rings, the values printed at the points
        radar: {
          radius: "58%",
          splitNumber: 4,
          axisName: { color: "#1f2933" },
          indicator: sections.map(function (s) { return { name: s.title + "\n(" + labels.scale_max.replace("%(max)s", Number(s.max)) + ")", max: Number(s.max) }; }),
        },
        series: [{ type: "radar", data: series }],
      });
    } else {
      // A radar needs three axes: fewer sections are drawn as bars of points against the maximum.
      var bars = [
        { name: data.profile.applicant, type: "bar", data: points, label: { show: true, position: "top" } },
        { name: labels.max, type: "bar", data: sections.map(function (s) { return Number(s.max); }) },
      ];
      if (hasMedian) { bars.splice(1, 0, { name: medianName, type: "bar", data: medians, label: { show: true, position: "top" } }); }
      draw("chart-profile", {
        tooltip: { trigger: "axis", confine: true },
        legend: { bottom: 0 },
        xAxis: { type: "category", data: sections.map(function (s) { return s.title; }) },
        yAxis: { type: "value", name: labels.unit },
        series: bars,
      });
    }
  }
})();
