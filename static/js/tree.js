// Expand/collapse for tree tables. Rows carry data-path (the node's materialised path): a row is
// shown when none of its ancestors (rows whose path is a prefix of its own) is collapsed.
(function () {
  function refresh(table) {
    var rows = Array.from(table.querySelectorAll("tr[data-path]"));
    var closed = rows.filter(function (r) { return r.dataset.open === "0"; }).map(function (r) { return r.dataset.path; });
    rows.forEach(function (r) {
      var p = r.dataset.path;
      r.hidden = closed.some(function (c) { return c !== p && p.startsWith(c); });
      var b = r.querySelector(".tree-toggle");
      if (b) { var open = r.dataset.open !== "0"; b.textContent = open ? "▾" : "▸"; b.setAttribute("aria-expanded", String(open)); }
    });
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".tree-toggle");
    if (btn) {
      var row = btn.closest("tr");
      row.dataset.open = row.dataset.open === "0" ? "1" : "0";
      refresh(btn.closest("table"));
      return;
    }
    var all = ev.target.closest("[data-tree-all]");
    if (all) {
      var table = document.getElementById(all.dataset.treeAll);
      table.querySelectorAll("tr[data-path]").forEach(function (r) {
        // "Collapse all" keeps the top level open so the paths and areas stay in view.
        r.dataset.open = all.dataset.open === "1" || r.dataset.depth === "0" ? "1" : "0";
      });
      refresh(table);
    }
  });
})();
