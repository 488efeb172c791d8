// Behaviour that used to sit in inline handlers (onsubmit, onclick), so the Content-Security-Policy can
// forbid inline script. <form data-confirm="…"> asks before submitting; <input type="checkbox"
// data-select-all="NAME"> ticks or clears every checkbox named NAME.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("change", function (event) {
    var name = event.target.getAttribute && event.target.getAttribute("data-select-all");
    if (!name) return;
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  });
})();
