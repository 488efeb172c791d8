// The indicator chart: finals as solid bars, preliminary values as hatched-looking light bars, estimates
// as a dashed line of hollow points, so an estimate is never mistaken for a final; the target is a line.
window.LuoshiIndicators = {
  chart: function (id, data, labels) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    el.luoshiChart = chart;  // read by the browser tests
    var series = [
      { name: labels.final, type: "bar", data: data.kinds.final, itemStyle: { color: "#1f5fa8" }, barGap: "-100%" },
      { name: labels.preliminary, type: "bar", data: data.kinds.preliminary,
        itemStyle: { color: "rgba(31,95,168,.35)", borderColor: "#1f5fa8", borderType: "dotted", borderWidth: 1 } },
      { name: labels.estimate, type: "line", data: data.kinds.estimate, connectNulls: true, symbol: "emptyCircle",
        symbolSize: 9, lineStyle: { type: "dashed" }, itemStyle: { color: "#c99a00" } },
      { name: labels.derived, type: "bar", data: data.derived || [],
        itemStyle: { color: "#fff", borderColor: "#1f5fa8", borderType: "dashed", borderWidth: 1.5 } },
      { name: labels.target, type: "line", step: "middle", data: data.target, connectNulls: false,
        symbol: "diamond", lineStyle: { color: "#c62828" }, itemStyle: { color: "#c62828" } },
    ];
    chart.setOption({
      animation: false,
      grid: { left: 10, right: 20, top: 40, bottom: 10, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      xAxis: { type: "category", data: data.periods },
      yAxis: { type: "value", name: data.unit || "" },
      series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  },
};
