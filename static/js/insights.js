// Draws the insights charts with the vendored Chart.js from the page's one JSON endpoint.
// Every chart repeats a table on the page, which is what shows without this script.
(function () {
  "use strict";
  var root = document.querySelector("[data-insights-url]");
  if (!root || !window.Chart) return;
  var figures = null;
  var charts = new Map();

  // Text and grid lines in the page's own colours, which follow its light or dark scheme:
  // Chart.js's grey defaults are dim on the dark card. Not through defaults.borderColor,
  // whose change turns off the plugin that colours the bars.
  var page = getComputedStyle(document.documentElement);
  var text = page.getPropertyValue("--muted").trim();
  var line = page.getPropertyValue("--line").trim();
  if (text) window.Chart.defaults.color = text;
  if (line) {
    window.Chart.defaults.scale.grid.color = line;
    window.Chart.defaults.scale.border.color = line;
  }

  function names(f) { return f.categories.map(function (c) { return c.name; }); }

  // A label in lines of about ``width`` characters (Chart.js draws an array as lines): a
  // horizontal bar chart gives its labels at most half a phone's width and cut the rest.
  function lines(label, width) {
    var out = [""];
    label.split(" ").forEach(function (word) {
      var last = out.length - 1;
      if (out[last] && (out[last] + " " + word).length > width) out.push(word);
      else out[last] = out[last] ? out[last] + " " + word : word;
    });
    return out;
  }

  var builders = {
    composition: function (f) {
      var total = f.approved;
      return {
        type: "bar",
        data: {
          labels: names(f),
          datasets: [
            { label: "Approved", data: f.categories.map(function (c) { return c.approved; }) },
            {
              label: "Target (share of approved so far)",
              data: f.categories.map(function (c) { return Math.round(c.target_share * total); }),
            },
          ],
        },
      };
    },
    cumulative: function (f) {
      // A line needs two days; one day's figure is drawn as a dot.
      var dot = f.per_day.days.length < 2 ? 4 : 0;
      var sets = [{ label: "Approved so far", data: f.per_day.cumulative, pointRadius: dot }];
      if (f.goal) {
        sets.push({
          label: "Goal", data: f.per_day.days.map(function () { return f.goal; }),
          pointRadius: dot, borderDash: [6, 4],
        });
      }
      return {
        type: "line",
        options: { scales: { y: { beginAtZero: true } } },
        data: { labels: f.per_day.days, datasets: sets },
      };
    },
    daily: function (f) {
      return {
        type: "bar",
        data: {
          labels: f.per_day.days,
          datasets: [
            { label: "Submitted", data: f.per_day.submitted },
            { label: "Reviews", data: f.per_day.reviewed },
            { label: "Approved", data: f.per_day.approved },
          ],
        },
      };
    },
    reasons: function (f) {
      return {
        type: "bar",
        options: { indexAxis: "y", scales: { y: { ticks: { autoSkip: false } } } },
        data: {
          labels: f.rejection_reasons.map(function (r) { return lines(r.label, 16); }),
          datasets: [{ label: "Rejections", data: f.rejection_reasons.map(function (r) { return r.count; }) }],
        },
      };
    },
    scores: function (f) {
      return {
        type: "bar",
        options: { scales: { y: { min: 0, max: 5 } } },
        data: {
          labels: names(f),
          datasets: ["helpfulness", "correctness", "writing"].map(function (s) {
            return {
              label: s.charAt(0).toUpperCase() + s.slice(1),
              data: f.categories.map(function (c) { return c.scores[s]; }),
            };
          }),
        },
      };
    },
    alpha: function (f) {
      return {
        type: "bar",
        options: { scales: { y: { suggestedMin: 0, max: 1 } } },
        data: {
          labels: names(f),
          datasets: [{ label: "Alpha", data: f.categories.map(function (c) { return c.alpha; }) }],
        },
      };
    },
    lengths: function (f, canvas) {
      var category = f.categories.find(function (c) { return c.slug === canvas.dataset.category; });
      var unit = canvas.dataset.unit;
      if (!category || !category.lengths) return null;
      return {
        type: "bar",
        data: {
          labels: f.length_bins[unit],
          datasets: ["instruction", "context", "response"].map(function (field) {
            return { label: field.charAt(0).toUpperCase() + field.slice(1), data: category.lengths[field][unit] };
          }),
        },
      };
    },
  };

  function draw(scope) {
    charts.forEach(function (chart, canvas) {
      if (!canvas.isConnected) { chart.destroy(); charts.delete(canvas); }
    });
    scope.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (charts.has(canvas)) return;
      var build = builders[canvas.dataset.chart];
      var config = build && build(figures, canvas);
      if (!config) return;
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
      charts.set(canvas, new window.Chart(canvas, config));
    });
  }

  fetch(root.dataset.insightsUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error("insights: HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      figures = data;
      root.classList.add("charts-on");
      draw(root);
    })
    .catch(function (error) { console.error(error); });

  // The lengths section is swapped by htmx when another category or unit is chosen.
  document.body.addEventListener("htmx:afterSwap", function () {
    if (figures) draw(root);
  });
})();
