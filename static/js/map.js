// The district map (maps app, wall screen): the vendored outline, block polygons coloured by share of red,
// points coloured by light. Positions arrive already in the outline's datum (the server converts).
window.LuoshiMap = (function () {
  var COLOURS = { green: "#2e7d32", yellow: "#e6b800", red: "#c62828", "": "#607d8b" };
  var outlines = {};

  function loadOutline(url) {
    if (!outlines[url]) outlines[url] = fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
    return outlines[url];
  }

  function combined(outline, zones) {
    var features = outline.features.map(function (f) {
      return { type: "Feature", properties: { name: f.properties.name }, geometry: f.geometry };
    });
    zones.forEach(function (z) {
      features.push({ type: "Feature", properties: { name: "zone:" + z.id }, geometry: z.geometry });
    });
    return { type: "FeatureCollection", features: features };
  }

  function districtBox(outline, name) {
    var box = null;
    outline.features.forEach(function (f) {
      if (f.properties.name !== name) return;
      var polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      polys.forEach(function (p) { p[0].forEach(function (c) {
        if (!box) box = [[c[0], c[1]], [c[0], c[1]]];
        box[0][0] = Math.min(box[0][0], c[0]); box[1][0] = Math.max(box[1][0], c[0]);
        box[0][1] = Math.max(box[0][1], c[1]); box[1][1] = Math.min(box[1][1], c[1]);
      }); });
    });
    return box;
  }

  function option(data, outline, opts) {
    var big = opts.big || 1;
    var regions = [{ name: data.district, itemStyle: { areaColor: opts.dark ? "#20324a" : "#f3f6f9", borderColor: opts.dark ? "#8fb3d9" : "#607d8b", borderWidth: 2 * big },
                     label: { show: false } }];
    data.zones.forEach(function (z) {
      // A block with no items is drawn hatched-grey on the light map, muted blue-grey on the dark wall.
      var fill = z.total ? z.colour : (opts.dark ? "#3d4f66" : z.colour);
      regions.push({ name: "zone:" + z.id, itemStyle: { areaColor: fill, opacity: opts.dark ? 0.75 : 0.85, borderColor: opts.dark ? "#ffcc80" : "#8d6e63", borderWidth: big },
                     label: { show: true, formatter: z.name + (z.total ? " " + Math.round((z.red_share || 0) * 100) + "%" : ""), fontSize: 12 * big,
                              color: opts.dark ? "#fff" : "#222", textBorderColor: opts.dark ? "#0b1420" : "#fff", textBorderWidth: 2 } });
    });
    var byLight = { green: [], yellow: [], red: [], "": [] };
    data.points.forEach(function (p, i) { (byLight[p.light] || byLight[""]).push({ value: [p.x, p.y], idx: i, name: p.title }); });
    var series = ["green", "yellow", "red", ""].map(function (light) {
      return { type: "scatter", coordinateSystem: "geo", name: (opts.labels && opts.labels[light]) || light, data: byLight[light],
               symbolSize: 10 * big, itemStyle: { color: COLOURS[light], borderColor: "#fff", borderWidth: big }, z: 3 };
    });
    return {
      animation: false,
      geo: { map: opts.mapName, roam: !opts.fixed, boundingCoords: districtBox(outline, data.district), silent: false,
             itemStyle: { areaColor: opts.dark ? "#111c2b" : "#fafafa", borderColor: opts.dark ? "#3c5470" : "#b0bec5" },
             label: { show: false }, emphasis: { label: { show: false } }, regions: regions },
      tooltip: { trigger: "item", formatter: function (p) { return p.data && p.data.name ? p.data.name : (p.name || ""); } },
      series: series,
    };
  }

  function create(el, opts) {
    opts = opts || {};
    opts.mapName = opts.mapName || "luoshi-map";
    var chart = echarts.init(el);
    el.luoshiChart = chart;
    var current = null;
    var zoneKey = null;
    chart.on("click", function (p) {
      if (!current || !opts.onPick) return;
      if (p.componentType === "series" && p.data) opts.onPick({ point: current.points[p.data.idx] });
      else if (p.componentType === "geo" && String(p.name).indexOf("zone:") === 0) {
        var id = Number(p.name.slice(5));
        opts.onPick({ zone: current.zones.filter(function (z) { return z.id === id; })[0] });
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    return {
      chart: chart,
      update: function (data) {
        current = data;
        return loadOutline(data.outline).then(function (outline) {
          var key = JSON.stringify(data.zones.map(function (z) { return [z.id, z.geometry.coordinates.length]; }));
          if (key !== zoneKey) { echarts.registerMap(opts.mapName, combined(outline, data.zones)); zoneKey = key; }
          chart.setOption(option(data, outline, opts), { notMerge: false, replaceMerge: ["series"] });
        });
      },
    };
  }

  // The location picker: a click puts the clicked position (outline datum) in the form's hidden fields.
  function picker(el, data, fields) {
    var chart = echarts.init(el);
    el.luoshiChart = chart;
    loadOutline(data.outline).then(function (outline) {
      echarts.registerMap("luoshi-picker", outline);
      function draw(point) {
        chart.setOption({ animation: false,
          geo: { map: "luoshi-picker", roam: true, boundingCoords: districtBox(outline, data.district),
                 regions: [{ name: data.district, itemStyle: { areaColor: "#eef3f8", borderColor: "#1f5fa8", borderWidth: 2 } }],
                 label: { show: true, fontSize: 11, color: "#607d8b" } },
          series: [{ type: "scatter", coordinateSystem: "geo", symbolSize: 14, itemStyle: { color: "#c62828" }, data: point ? [point] : [] }] });
      }
      draw(data.point);
      chart.getZr().on("click", function (e) {
        var c = chart.convertFromPixel({ geoIndex: 0 }, [e.offsetX, e.offsetY]);
        if (!c) return;
        fields.x.value = c[0].toFixed(6); fields.y.value = c[1].toFixed(6);
        if (fields.lat) fields.lat.value = ""; if (fields.lng) fields.lng.value = "";
        if (fields.shown) fields.shown.textContent = c[1].toFixed(5) + ", " + c[0].toFixed(5);
        draw(c);
      });
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  return { create: create, picker: picker, colours: COLOURS };
})();
