// The decomposition review page: highlights ↔ rows, "check all", and adding a missed item by selecting text.
// Offsets are counted in Unicode code points, as the server (Python) counts them.
(function () {
  var doc = document.getElementById("doc");
  if (!doc) return;

  // A refused edit (422) carries its message for the row: let htmx show it instead of dropping it.
  if (window.htmx) {
    htmx.config.responseHandling.unshift({ code: "422", swap: true, error: false });
  }

  // Task names grow to their text (one line for most quotes).
  function fit(area) { area.style.height = "auto"; area.style.height = area.scrollHeight + 2 + "px"; }
  document.querySelectorAll("textarea.title-input").forEach(fit);
  document.addEventListener("input", function (e) { if (e.target.matches("textarea.title-input")) fit(e.target); });

  function flash(el) {
    if (!el) return;
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("flash");
  }

  // Open the document at the first commitment still to review (the top of a news text is headline and byline).
  var first = doc.querySelector("mark.hl-commitment") || doc.querySelector("mark.hl-achievement") ||
    doc.querySelector("mark.hl-accepted");
  if (first && !location.hash) {
    doc.scrollTop = first.getBoundingClientRect().top - doc.getBoundingClientRect().top - 60;
  }

  // A highlight in the document → its row in the table.
  doc.addEventListener("click", function (e) {
    var mark = e.target.closest("mark[data-row]");
    if (!mark || String(window.getSelection()).length) return;
    var row = document.getElementById("row-" + mark.dataset.row);
    if (row) { row.scrollIntoView({ behavior: "smooth", block: "center" }); flash(row); }
  });

  // A row's number → its highlight, scrolled into view inside the document pane.
  document.addEventListener("click", function (e) {
    var link = e.target.closest("[data-goto]");
    if (!link) return;
    var mark = document.getElementById(link.dataset.goto);
    if (!mark) return;
    e.preventDefault();
    doc.scrollTop += mark.getBoundingClientRect().top - doc.getBoundingClientRect().top - doc.clientHeight / 3;
    flash(mark);
  });

  // A row's 配合单位 boxes are made when it is opened, checked from the row's hidden values (which
  // carry the current co-units in every 三定 save until then).
  var boxes = document.getElementById("co-unit-boxes");
  document.addEventListener("toggle", function (e) {
    var details = e.target;
    if (!details.matches || !details.matches("details[data-co-units]") || !details.open) return;
    if (details.querySelector(".checks")) return;
    var chosen = Array.from(details.querySelectorAll("input[type=hidden][name=co_units]")).map(function (i) {
      i.remove();
      return i.value;
    });
    var list = document.createElement("div");
    list.className = "checks";
    list.appendChild(boxes.content.cloneNode(true));
    list.querySelectorAll("input").forEach(function (box) { box.checked = chosen.indexOf(box.value) >= 0; });
    details.appendChild(list);
  }, true);

  // "Check all" in the table header.
  document.addEventListener("change", function (e) {
    var all = e.target.closest("[data-check-all]");
    if (!all) return;
    document.querySelectorAll("input[type=checkbox][name=" + all.dataset.checkAll + "]").forEach(function (box) {
      if (!box.disabled) box.checked = all.checked;
    });
  });

  // Selecting text in the document offers "+ commitment / + achievement" for it.
  var bar = document.getElementById("add-bar");
  function codePoints(text) { return Array.from(text).length; }
  function position(node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      var holder = node.parentElement;
      if (!holder || holder.dataset.s === undefined) return null;
      return parseInt(holder.dataset.s, 10) + codePoints(node.data.slice(0, offset));
    }
    if (node === doc) {
      if (offset >= doc.childNodes.length) return parseInt(doc.dataset.length, 10);
      var child = doc.childNodes[offset];
      return child.dataset ? parseInt(child.dataset.s, 10) : null;
    }
    if (node.dataset && node.dataset.s !== undefined) {
      return parseInt(node.dataset.s, 10) + (offset > 0 ? codePoints(node.textContent) : 0);
    }
    return null;
  }
  function hideBar() { bar.hidden = true; }
  document.addEventListener("mouseup", function (e) {
    if (bar.contains(e.target)) return;
    window.setTimeout(function () {
      var selection = window.getSelection();
      if (!selection.rangeCount || selection.isCollapsed) { hideBar(); return; }
      var range = selection.getRangeAt(0);
      if (!doc.contains(range.startContainer) || !doc.contains(range.endContainer)) { hideBar(); return; }
      var start = position(range.startContainer, range.startOffset);
      var end = position(range.endContainer, range.endOffset);
      if (start === null || end === null || end <= start) { hideBar(); return; }
      bar.elements.start.value = start;
      bar.elements.end.value = end;
      var box = range.getBoundingClientRect();
      bar.hidden = false;
      // Just below the selection, kept on screen.
      bar.style.top = Math.min(Math.max(box.bottom + 6, 52), window.innerHeight - bar.offsetHeight - 8) + "px";
      bar.style.left = Math.max(8, Math.min(box.left, window.innerWidth - bar.offsetWidth - 12)) + "px";
    }, 0);
  });
  doc.addEventListener("scroll", hideBar);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hideBar(); });
})();
