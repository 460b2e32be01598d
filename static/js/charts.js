/* Charts of the public pages (ECharts, served locally). The data comes from a
   <script type="application/json"> block written by Django's json_script, so that the page needs
   no inline script (Content-Security-Policy: script-src 'self'). Every chart has a table beside
   it with the same figures. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var red = "#b71c1c", grey = "#8c959f";

  function data(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  var builders = {
    bar: function (d) {
      return {
        grid: { left: 40, right: 10, top: 10, bottom: 80 },
        xAxis: { type: "category", data: d.labels, axisLabel: { rotate: 60 } },
        yAxis: { type: "value", min: 0, max: d.max },
        series: [{ type: "bar", data: d.totals, itemStyle: { color: red } }],
        tooltip: { trigger: "axis" }, animation: false
      };
    },
    radar: function (d) {
      return {
        legend: { data: [d.region_label, d.median_label], bottom: 0 },
        radar: { indicator: d.indicators, radius: "65%" },
        series: [{ type: "radar", data: [
          { value: d.region, name: d.region_label, itemStyle: { color: red }, areaStyle: { opacity: 0.15 } },
          { value: d.median, name: d.median_label, itemStyle: { color: grey } }
        ] }],
        tooltip: {}, animation: false
      };
    },
    line: function (d) {
      return {
        grid: { left: 40, right: 10, top: 10, bottom: 30 },
        xAxis: { type: "category", data: d.history_years },
        yAxis: { type: "value", min: 0, max: d.max },
        series: [{ type: "line", data: d.history_totals, itemStyle: { color: red } }],
        tooltip: { trigger: "axis" }, animation: false
      };
    }
  };

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var build = builders[el.getAttribute("data-chart")], d = data(el);
    if (!build || !d) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(d));
    el.setAttribute("data-rendered", "true");
    window.addEventListener("resize", function () { chart.resize(); });
    window.addEventListener("beforeprint", function () { chart.resize(); });
  });
}());
