/* Charts of the statistical audit page (ECharts, served locally): the correlation heat map,
   the rank-interval plot and the box plots of the normalised scores. The data come from the
   <script type="application/json" id="chart-data"> block (json_script), so the page needs no
   inline script (Content-Security-Policy: script-src 'self'); every chart has a table with
   the same figures beside it. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var red = "#b71c1c", blue = "#0a5bb5", grey = "#8c959f";

  function data() {
    var source = document.getElementById("chart-data");
    return source ? JSON.parse(source.textContent) : null;
  }

  var builders = {
    heatmap: function (d) {
      var n = d.codes.length;
      var short = function (text) { return text.length > 9 ? text.slice(0, 8) + "…" : text; };
      return {
        grid: { left: 130, right: 20, top: 10, bottom: 150 },
        tooltip: {
          formatter: function (p) {
            var v = p.value[2];
            return d.names[p.value[1]] + " × " + d.names[p.value[0]] + "<br>r = " +
              (v === null ? "—" : v.toFixed(2));
          }
        },
        xAxis: { type: "category", data: d.names, axisLabel: { rotate: 90, interval: 0, formatter: short },
                 splitArea: { show: true } },
        yAxis: { type: "category", data: d.names, inverse: true, axisLabel: { interval: 0, formatter: short },
                 splitArea: { show: true } },
        visualMap: { min: -1, max: 1, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                     itemHeight: 200, text: ["1", "−1"], inRange: { color: [blue, "#ffffff", red] } },
        series: [{ type: "heatmap", data: d.values.filter(function (v) { return v[2] !== null; }),
                   progressive: n * n }],
        animation: false
      };
    },
    intervals: function (d) {
      var span = d.high.map(function (h, i) { return h - d.low[i]; });
      return {
        grid: { left: 40, right: 20, top: 40, bottom: 80 },
        legend: { data: [d.labels.interval, d.labels.median, d.labels.rank], top: 0 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (items) {
            var i = items[0].dataIndex;
            return d.regions[i] + "<br>" + d.labels.rank + " " + d.rank[i] + "<br>" +
              d.labels.median + " " + d.median[i] + "<br>" + d.labels.interval + " " +
              d.low[i] + "–" + d.high[i];
          } },
        xAxis: { type: "category", data: d.regions, axisLabel: { rotate: 60, interval: 0 } },
        yAxis: { type: "value", inverse: true, min: 1, max: Math.max(d.count, 1) },
        series: [
          { type: "bar", stack: "interval", data: d.low, itemStyle: { color: "transparent" },
            emphasis: { disabled: true }, silent: true },
          { name: d.labels.interval, type: "bar", stack: "interval", data: span, barWidth: "55%",
            itemStyle: { color: "rgba(183, 28, 28, 0.35)" } },
          { name: d.labels.median, type: "scatter", data: d.median, symbol: "rect", symbolSize: [14, 3],
            itemStyle: { color: red } },
          { name: d.labels.rank, type: "scatter", data: d.rank, symbolSize: 7, itemStyle: { color: "#1f2328" } }
        ],
        animation: false
      };
    },
    boxes: function (d) {
      return {
        grid: { left: 50, right: 20, top: 40, bottom: 130 },
        tooltip: { trigger: "item",
          formatter: function (p) {
            if (p.seriesType === "boxplot") {
              return d.names[p.dataIndex] + "<br>" +
                p.data.map(function (x) { return x.toFixed(1); }).join(" / ");
            }
            return d.names[p.data[0]] + "<br>" + p.data[1];
          } },
        xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, rotate: 60,
                 formatter: function (t) { return t.length > 9 ? t.slice(0, 8) + "…" : t; } } },
        yAxis: { type: "value", name: d.labels.box, nameTextStyle: { align: "left" }, min: 0, max: 100 },
        series: [
          { name: d.labels.box, type: "boxplot", data: d.boxes.map(function (b) { return b || [0, 0, 0, 0, 0]; }),
            itemStyle: { color: "#fde0dc", borderColor: red } },
          { name: d.labels.outlier, type: "scatter", data: d.outliers, itemStyle: { color: grey } }
        ],
        animation: false
      };
    }
  };

  var all = data();
  if (!all) { return; }
  document.querySelectorAll("[data-audit-chart]").forEach(function (el) {
    var kind = el.getAttribute("data-audit-chart"), build = builders[kind];
    if (!build || !all[kind]) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(all[kind]));
    el.setAttribute("data-rendered", "true");
    window.addEventListener("resize", function () { chart.resize(); });
    window.addEventListener("beforeprint", function () { chart.resize(); });
  });
}());
