// ECharts helpers shared by pages (ECharts is served from static/vendor, never a CDN).
window.LuoshiCharts = {
  trajectory: function (id, data, labels) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var series = [{ name: labels.planned, type: "line", data: data.planned, symbolSize: 7,
                    lineStyle: { type: "dashed" }, itemStyle: { color: "#1f5fa8" } }];
    if (data.actual && data.actual.length) series.push({ name: labels.actual, type: "line", data: data.actual, itemStyle: { color: "#2e7d32" } });
    if (data.projection && data.projection.length) series.push({ name: labels.projection, type: "line", data: data.projection,
                                       lineStyle: { type: "dotted" }, itemStyle: { color: "#c99a00" } });
    if (data.as_of) series[0].markLine = { symbol: "none", label: { formatter: labels.asOf || "" },
                                           lineStyle: { color: "#999" }, data: [{ xAxis: data.as_of }] };
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
  areaLights: function (id, data, labels, listUrl) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    // Every area gets a labelled row: the chart grows with the number of areas (the page scrolls),
    // rather than ECharts hiding every other label.
    el.style.height = Math.max(260, 30 + 26 * data.areas.length) + "px";
    var chart = echarts.init(el);
    el.luoshiChart = chart;  // read by the browser tests (every label shown)
    function bar(name, key, color) {
      return { name: labels[key], type: "bar", stack: "lights", data: data[key], itemStyle: { color: color }, light: key };
    }
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 10, right: 20, top: 30, bottom: 10, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.areas, inverse: true,
               axisLabel: { interval: 0, width: 220, overflow: "truncate" } },
      series: [bar("green", "green", "#2e7d32"), bar("yellow", "yellow", "#e6b800"), bar("red", "red", "#c62828")],
    });
    // Every figure links to the rows behind it.
    chart.on("click", function (p) {
      var key = ["green", "yellow", "red"][p.seriesIndex];
      if (data.area_ids[p.dataIndex] == null) return;  // tasks outside any area: no list to show
      window.location = listUrl + "?" + data.plan_query + "&light=" + key + "&node=" + data.area_ids[p.dataIndex];
    });
    window.addEventListener("resize", function () { chart.resize(); });
  },
  // Planned vs completed cumulative investment by month (major projects): bars of the plan, a line of
  // the approved actuals; months not yet reported have no point.
  investment: function (id, data, labels) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var chart = echarts.init(el);
    el.luoshiChart = chart;  // read by the browser tests (the actual line moves after an approval)
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 10, right: 20, top: 30, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: labels.unit || "" },
      series: [
        { name: labels.planned, type: "bar", data: data.planned, itemStyle: { color: "#9bb7da" } },
        { name: labels.actual, type: "line", data: data.actual, itemStyle: { color: "#2e7d32" }, connectNulls: false },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  },
};
