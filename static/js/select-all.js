// "Select all on this page": a header checkbox <input data-select-all="<name>" hidden>
// ticks or clears every checkbox of that name in its form, and shows "some" when only some
// are ticked. The HTML hides it, so without JavaScript pairs are ticked one at a time.
// Listeners are on the document and set-up runs on every htmx load, because the list is
// swapped in whole when a filter or the page changes.
(function () {
  "use strict";

  function boxes(all) {
    var name = all.dataset.selectAll;
    return all.form ? all.form.querySelectorAll("input[type=checkbox][name='" + name + "']") : [];
  }

  function sync(all) {
    var list = boxes(all);
    var ticked = 0;
    list.forEach(function (box) { if (box.checked) ticked += 1; });
    all.checked = list.length > 0 && ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
    all.form.querySelectorAll("[data-ticked-count='" + all.dataset.selectAll + "']").forEach(function (out) {
      out.textContent = ticked + " of " + list.length + " ticked";
      out.hidden = false;
    });
  }

  function setUp(root) {
    root.querySelectorAll("input[data-select-all]").forEach(function (all) {
      all.hidden = false;
      sync(all);
    });
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.form) return;
    if (box.dataset.selectAll) {
      boxes(box).forEach(function (other) { other.checked = box.checked; });
    }
    box.form.querySelectorAll("input[data-select-all]").forEach(sync);
  });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  setUp(document);
})();
