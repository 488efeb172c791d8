// Evidence upload: drag-and-drop or choose files; each file is posted on its own with a progress bar,
// and the server answers with the refreshed file list (or a clear error for that file).
(function () {
  var form = document.getElementById("evidence-form");
  if (!form) return;
  var zone = document.getElementById("dropzone"), input = document.getElementById("evidence-input");
  var bar = document.getElementById("upload-progress");
  var token = form.querySelector("[name=csrfmiddlewaretoken]").value;

  function send(files, i) {
    if (i >= files.length) { bar.hidden = true; return; }
    var data = new FormData();
    data.append("file", files[i]);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    bar.hidden = false; bar.value = 0;
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(e.loaded * 100 / e.total); };
    xhr.onload = function () {
      var list = document.getElementById("evidence-list");
      if (xhr.responseText && list) list.outerHTML = xhr.responseText;
      send(files, i + 1);
    };
    xhr.onerror = function () { bar.hidden = true; alert(form.dataset.networkError || "Upload failed"); };
    xhr.send(data);
  }
  input.addEventListener("change", function () { send(Array.from(input.files), 0); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (t) { zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); }); });
  ["dragleave", "drop"].forEach(function (t) { zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("over"); }); });
  zone.addEventListener("drop", function (e) { send(Array.from(e.dataTransfer.files), 0); });
})();
