/* Charts of the public pages (ECharts, served locally). The data comes from a
   <script type="application/json"> block written by Django's json_script, so that the page needs
   no inline script (Content-Security-Policy: script-src 'self'); its labels are already in the
   page's language. Every chart has a table with the same figures beside it, and its colours
   pass WCAG AA against white (text 4.5:1, bars and lines 3:1). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var red = "#b71c1c", grey = "#57606a", ink = "#1f2328", line = "#d0d7de";
  var text = { color: ink, fontSize: 13 };

  function data(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function valueAxis(d, extra) {
    var axis = { type: "value", min: 0, max: d.max, name: d.value_label, nameTextStyle: text,
                 axisLabel: text, splitLine: { lineStyle: { color: line } } };
    for (var key in extra) { axis[key] = extra[key]; }
    return axis;
  }

  var builders = {
    /* Wide: one column per region, highest first. Narrow (a phone): one bar per line, so that
       every region's name stays readable. */
    bar: function (d, el) {
      var narrow = el.clientWidth < 640;
      var category = { type: "category", data: d.labels, axisLabel: text,
                       axisTick: { alignWithLabel: true } };
      var series = [{ type: "bar", data: d.totals, itemStyle: { color: red },
                      label: { show: narrow, position: "right", color: ink, fontSize: 11 } }];
      if (narrow) {
        el.style.height = Math.max(360, d.labels.length * 22 + 60) + "px";
        category.inverse = true;
        return { grid: { left: 8, right: 48, top: 30, bottom: 10, containLabel: true },
                 yAxis: category, xAxis: valueAxis(d, { nameLocation: "end" }), series: series,
                 tooltip: { trigger: "axis" }, animation: false };
      }
      category.axisLabel = { color: ink, fontSize: 12, rotate: 45, interval: 0 };
      return { grid: { left: 8, right: 16, top: 40, bottom: 10, containLabel: true },
               xAxis: category, yAxis: valueAxis(d, {}), series: series,
               tooltip: { trigger: "axis" }, animation: false };
    },
    radar: function (d) {
      return {
        legend: { data: [d.region_label, d.median_label], bottom: 0, textStyle: text },
        radar: { indicator: d.indicators, radius: "62%", axisName: { color: ink, fontSize: 13 },
                 splitLine: { lineStyle: { color: line } } },
        series: [{ type: "radar", data: [
          { value: d.region, name: d.region_label, itemStyle: { color: red },
            lineStyle: { width: 2 }, areaStyle: { opacity: 0.15 } },
          { value: d.median, name: d.median_label, itemStyle: { color: grey },
            lineStyle: { type: "dashed", width: 2 } }
        ] }],
        tooltip: {}, animation: false
      };
    },
    line: function (d) {
      return {
        grid: { left: 8, right: 24, top: 40, bottom: 10, containLabel: true },
        xAxis: { type: "category", data: d.history_years, axisLabel: text },
        yAxis: valueAxis(d, {}),
        series: [{ type: "line", data: d.history_totals, itemStyle: { color: red },
                   lineStyle: { width: 2 }, symbolSize: 8,
                   label: { show: true, color: ink, fontSize: 12 } }],
        tooltip: { trigger: "axis" }, animation: false
      };
    }
  };

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var build = builders[el.getAttribute("data-chart")], d = data(el);
    if (!build || !d) { return; }
    var option = build(d, el);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    el.setAttribute("data-rendered", "true");
    window.addEventListener("resize", function () { chart.resize(); });
    window.addEventListener("beforeprint", function () { chart.resize(); });
  });
}());
