// manualgen serve: drag and drop onto the upload boxes. Everything else works without it.
(function () {
  "use strict";
  function wire(form) {
    if (form.dataset.wired) { return; }
    form.dataset.wired = "1";
    var input = form.querySelector("input[type=file][name=files]");
    if (!input) { return; }
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("dragging"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      input.files = event.dataTransfer.files;
      form.requestSubmit();
    });
  }
  function wireAll() { document.querySelectorAll("form[data-drop]").forEach(wire); }
  document.addEventListener("DOMContentLoaded", wireAll);
  document.addEventListener("htmx:load", wireAll);
})();
