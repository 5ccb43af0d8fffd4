// Live character counters: <span class="counter" data-counter-for="id" data-min data-max>.
// Counts the trimmed text in code points, as the server's checks do (an emoji is one
// character there, two UTF-16 units in a JavaScript string's length).
(function () {
  "use strict";

  var SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

  function codePoints(text) {
    var pairs = text.match(SURROGATE_PAIR);
    return text.length - (pairs ? pairs.length : 0);
  }

  function update(counter) {
    var field = document.getElementById(counter.dataset.counterFor);
    if (!field) return;
    var n = codePoints(field.value.trim());
    var min = parseInt(counter.dataset.min, 10);
    var max = parseInt(counter.dataset.max, 10);
    var text = n.toLocaleString("en") + " / " + max.toLocaleString("en");
    if (n > max) text += " · " + (n - max).toLocaleString("en") + " over";
    else if (n > 0 && n < min) text += " · at least " + min.toLocaleString("en");
    counter.textContent = text;
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
  window.handwrittenCounters = { updateAll: updateAll, codePoints: codePoints };
})();
