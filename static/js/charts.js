// ECharts helpers shared by pages (ECharts is served from static/vendor, never a CDN).
window.LuoshiCharts = {
  trajectory: function (id, data, labels) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var series = [{ name: labels.planned, type: "line", data: data.planned, symbolSize: 7,
                    lineStyle: { type: "dashed" }, itemStyle: { color: "#1f5fa8" } }];
    if (data.actual) series.push({ name: labels.actual, type: "line", data: data.actual, itemStyle: { color: "#2e7d32" } });
    if (data.projection) series.push({ name: labels.projection, type: "line", data: data.projection,
                                       lineStyle: { type: "dotted" }, itemStyle: { color: "#c99a00" } });
    chart.setOption({
      animation: false,
      grid: { left: 50, right: 20, top: 30, bottom: 30 },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      xAxis: { type: "time" },
      yAxis: { type: "value", name: data.unit || "", max: data.target ? function (v) { return Math.max(v.max, data.target); } : null },
      series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  },
};
