// The moderation bulk bar: a field that only some actions use carries
// data-action-for="<action> …" (rendered from review.moderation.BULK_NEEDS, the rule the
// server refuses by) and is hidden while any other action, or none, is chosen. Without
// JavaScript every field stays shown and the server says what an action lacks.
// Listeners are on the document and set-up runs on every htmx load, because the list
// (bar included) is swapped in whole when a filter or the page changes.
(function () {
  "use strict";

  function sync(form) {
    var action = form.elements.namedItem("action");
    if (!action) return;
    form.querySelectorAll("[data-action-for]").forEach(function (field) {
      field.hidden = field.dataset.actionFor.split(" ").indexOf(action.value) === -1;
    });
  }

  function setUp(root) {
    var forms = Array.prototype.slice.call(root.querySelectorAll("form"));
    if (root instanceof HTMLFormElement) forms.push(root);
    forms.forEach(function (form) {
      if (form.querySelector("[data-action-for]")) sync(form);
    });
  }

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.name === "action" && field.form) {
      sync(field.form);
    }
  });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  // A page brought back by the back button may have its choice restored without a change.
  window.addEventListener("pageshow", function () { setUp(document); });
  setUp(document);
})();
