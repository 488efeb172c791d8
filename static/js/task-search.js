// Search-as-you-type task pickers (plans/widgets/task_search.html): a ticked search result moves to
// the chosen list, so the next search does not take it away; unticking a chosen task drops it.
if (!window.luoshiTaskSearch) {
window.luoshiTaskSearch = true;
document.addEventListener("change", function (e) {
  var box = e.target;
  if (box.type !== "checkbox") return;
  var results = box.closest(".task-results");
  if (results && box.checked) {
    var chosen = document.getElementById(results.id.replace(/-results$/, "-chosen"));
    var label = box.closest("label");
    label.className = "chip";
    chosen.appendChild(label);
  }
  var picked = box.closest(".task-chosen");
  if (picked && !box.checked) box.closest("label").remove();
});
}
