// 大屏: draws once, then refreshes in place: fetch the JSON, set texts, setOption on the two charts,
// replace table rows. No reload (no flicker), no new chart instances, no growing DOM.
window.LuoshiWall = (function () {
  var areaChart, map, labels, rollTimer;

  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }

  function areaOption(areas, box) {
    var n = Math.max(areas.names.length, 1);
    // Every area's label shown: the font shrinks with the number of areas rather than labels being skipped.
    var font = Math.max(10, Math.min(box.clientWidth / 28, (box.clientHeight - 40) / (n * 1.7)));
    function bar(key, color) {
      return { name: labels[key], type: "bar", stack: "lights", data: areas[key], itemStyle: { color: color }, barMaxWidth: font * 1.4,
               label: { show: true, position: "inside", fontSize: font * 0.8, color: "#0b1420", formatter: function (p) { return p.value || ""; } } };
    }
    return { animation: false,
      legend: { top: 0, textStyle: { color: "#e6edf5", fontSize: font }, itemWidth: font, itemHeight: font * 0.7 },
      grid: { left: 4, right: 12, top: font * 2, bottom: 4, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { color: "#9fb4c8", fontSize: font * 0.8 }, splitLine: { lineStyle: { color: "#1d3350" } } },
      yAxis: { type: "category", data: areas.names, inverse: true,
               axisLabel: { interval: 0, color: "#e6edf5", fontSize: font, width: box.clientWidth * 0.55, overflow: "truncate" } },
      series: [bar("green", "#66bb6a"), bar("yellow", "#ffd54f"), bar("red", "#ef5350")] };
  }

  function leagueRows(body, rows) {
    body.replaceChildren.apply(body, rows.map(function (r) {
      var tr = el("tr");
      tr.append(el("td", "num", r.rank), el("td", "", r.name), el("td", "num", r.completion.toFixed(1) + "%"), el("td", "num", r.red));
      tr.title = r.name;
      return tr;
    }));
  }

  function redRows(box, rows) {
    if (!rows.length) { box.replaceChildren(el("p", "w-empty", labels.none)); return; }
    box.replaceChildren.apply(box, rows.map(function (r) {
      var row = el("div", "w-red-row");
      row.append(el("span", "c", r.code), el("span", "t", r.title), el("span", "u", r.unit + (r.why ? " · " + r.why : "")));
      return row;
    }));
  }

  function panels(box, list) {
    box.replaceChildren.apply(box, list.map(function (p) {
      var wrap = el("div", "w-extra"); wrap.dataset.key = p.key;
      var table = el("table", "w-table");
      // r = [label, value, light]: the value takes the light's colour.
      p.rows.forEach(function (r) { var tr = el("tr"); tr.append(el("td", "", r[0]), el("td", "num" + (r[2] ? " w-light-" + r[2] : ""), r[1])); table.append(tr); });
      wrap.append(el("h3", "", p.title), table);
      return wrap;
    }));
  }

  function update(data) {
    document.getElementById("w-asof").textContent = data.as_of;
    document.getElementById("w-generated").textContent = data.generated;
    data.kpis.forEach(function (k) { var n = document.querySelector('.w-n[data-key="' + k.key + '"]'); if (n) n.textContent = k.value; });
    // The registered panels first: they take room under the area chart, which is then fitted to what is left.
    panels(document.getElementById("w-more"), data.panels);
    areaChart.resize();
    areaChart.setOption(areaOption(data.areas, document.getElementById("w-area-chart")), { replaceMerge: ["series"] });
    leagueRows(document.getElementById("w-top"), data.league_top);
    leagueRows(document.getElementById("w-bottom"), data.league_bottom);
    redRows(document.getElementById("w-red"), data.red);
    return map.update(data.map);
  }

  function refresh(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(update)
      .catch(function () { /* keep showing the last figures; the next refresh tries again */ });
  }

  function roll() {
    // The red list rolls: the first row moves to the end (moved, not copied).
    var box = document.getElementById("w-red");
    if (box.scrollHeight > box.clientHeight + 2 && box.firstElementChild) box.appendChild(box.firstElementChild);
  }

  function start(data, opts) {
    labels = opts.labels;
    areaChart = echarts.init(document.getElementById("w-area-chart"));
    document.getElementById("w-area-chart").luoshiChart = areaChart;
    var big = Math.max(1, window.innerWidth / 1920);
    map = LuoshiMap.create(document.getElementById("w-map"), { dark: true, fixed: true, big: big * 1.4, labels: labels, mapName: "luoshi-wall" });
    update(data);
    setInterval(function () { refresh(opts.url); }, opts.seconds * 1000);
    rollTimer = setInterval(roll, 4000);
    window.addEventListener("resize", function () { areaChart.resize(); });
    LuoshiWall.url = opts.url;
  }

  return { start: start, update: update, refresh: function () { return refresh(LuoshiWall.url); } };
})();
