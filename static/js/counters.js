// Live character counters: <span class="counter" data-counter-for="id" data-min data-max>.
// Counts the trimmed text, as the submit checks do.
(function () {
  "use strict";

  function update(counter) {
    var field = document.getElementById(counter.dataset.counterFor);
    if (!field) return;
    var n = field.value.trim().length;
    var min = parseInt(counter.dataset.min, 10);
    var max = parseInt(counter.dataset.max, 10);
    counter.textContent = n + " / " + max;
    counter.classList.toggle("over", n > max);
    counter.classList.toggle("under", n > 0 && n < min);
  }

  function updateAll(root) {
    (root || document).querySelectorAll(".counter[data-counter-for]").forEach(update);
  }

  document.addEventListener("input", function (event) {
    var id = event.target && event.target.id;
    if (!id) return;
    document.querySelectorAll('.counter[data-counter-for="' + id + '"]').forEach(update);
  });
  document.addEventListener("DOMContentLoaded", function () { updateAll(); });
  document.addEventListener("htmx:load", function (event) { updateAll(event.target); });
  window.handwrittenCounters = { updateAll: updateAll };
})();
