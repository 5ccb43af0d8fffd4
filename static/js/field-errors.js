// A field's error message says what was wrong with the text that was sent. Once the person
// changes that text, the message no longer describes it: it goes, with the field's error
// marks, so that a corrected field does not keep saying "too short". The server checks the
// text again when it is sent. Fields name their message with aria-describedby.
(function () {
  "use strict";

  function clear(event) {
    var field = event.target;
    if (!field.getAttribute || field.getAttribute("aria-invalid") !== "true") return;
    (field.getAttribute("aria-describedby") || "").split(/\s+/).forEach(function (id) {
      var message = id && document.getElementById(id);
      if (message && message.classList.contains("field-error")) message.remove();
    });
    field.removeAttribute("aria-invalid");
    field.removeAttribute("aria-describedby");
    var marked = field.closest(".has-error");
    if (marked) marked.classList.remove("has-error");
  }

  document.addEventListener("input", clear);
  document.addEventListener("change", clear);
})();
