/* Evidence upload per indicator with a progress bar: XMLHttpRequest (fetch has no upload
   progress) to POST /api/v1/applications/{id}/attachments. Without JS the plain form posts. */
(function () {
  "use strict";
  if (!window.SC) { return; }
  var SC = window.SC;
  var S = SC.strings();
  var blocks = Array.prototype.slice.call(document.querySelectorAll("[data-upload-url]"));

  function humanSize(bytes) {
    if (bytes < 1024) { return bytes + " B"; }
    if (bytes < 1024 * 1024) { return (bytes / 1024).toFixed(1) + " KB"; }
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function upload(block, file) {
    var code = block.getAttribute("data-indicator");
    var bar = block.querySelector("progress");
    var label = block.querySelector(".upload-status");
    var list = block.querySelector(".files");
    var body = new FormData();
    body.append("indicator_code", code);
    body.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", block.getAttribute("data-upload-url"));
    xhr.setRequestHeader("X-CSRF-Token", SC.csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    bar.hidden = false;
    bar.value = 0;
    label.className = "upload-status";
    label.textContent = SC.format(S.uploading, { name: file.name }) + " 0%";
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.floor((event.loaded / event.total) * 100);
      bar.value = percent;
      label.textContent = SC.format(S.uploading, { name: file.name }) + " " + percent + "%";
    });
    xhr.addEventListener("load", function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status >= 200 && xhr.status < 300 && data) {
        bar.value = 100;
        label.className = "upload-status ok";
        label.textContent = SC.format(S.uploaded, { name: file.name });
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = data.id !== undefined ? "/files/" + data.id : (data.url || "#");
        link.textContent = data.original_name || data.name || file.name;
        item.appendChild(link);
        var size = document.createElement("span");
        size.className = "muted";
        size.textContent = " (" + humanSize(data.size_bytes || data.size || file.size) + ")";
        item.appendChild(size);
        list.appendChild(item);
        var empty = block.querySelector(".no-files");
        if (empty) { empty.hidden = true; }
      } else {
        bar.hidden = true;
        label.className = "upload-status error";
        label.textContent = SC.errorMessage({ data: data }, S.upload_failed) || S.upload_failed;
        var fields = (data && data.error && data.error.fields) || {};
        var extra = Object.keys(fields).map(function (k) { return fields[k]; }).join("; ");
        if (extra) { label.textContent += " " + extra; }
      }
    });
    xhr.addEventListener("error", function () {
      bar.hidden = true;
      label.className = "upload-status error";
      label.textContent = S.upload_failed;
    });
    xhr.send(body);
  }

  blocks.forEach(function (block) {
    var input = block.querySelector("input[type=file]");
    var button = block.querySelector("button.upload-button");
    if (!input) { return; }
    if (button) { button.hidden = true; }  // with JS the file uploads as soon as it is chosen
    input.addEventListener("change", function () {
      Array.prototype.slice.call(input.files).forEach(function (file) { upload(block, file); });
      input.value = "";
    });
  });
})();
