// The report form: "this period's change" follows the cumulative value as it is typed.
(function () {
  var input = document.getElementById("id_value"), cell = document.querySelector("[data-testid=change]");
  if (!input || !cell || cell.dataset.previous === "") return;
  var previous = parseFloat(cell.dataset.previous), unit = cell.dataset.unit || "";
  input.addEventListener("input", function () {
    var value = parseFloat(input.value);
    if (isNaN(value)) { cell.textContent = "—"; return; }
    var change = Math.round((value - previous) * 10000) / 10000;
    cell.textContent = (change > 0 ? "+" : "") + change + unit;
  });
})();
