// The top bar's two <details>: the phone Menu (details.menu, which shows the links and the
// account where the bar has no room for them) and the Admin entry (details.navgroup).
// Escape closes the open one (Admin first, as it lies inside the open Menu's list) and gives
// the focus back to its summary; a click outside it, or the focus leaving it, closes it;
// opening the Menu closes the Admin entry. The Admin entry opening leaves the Menu open:
// it is one of the things the Menu shows. Without this file both are plain <details>,
// opened and closed by their summary.
(function () {
  "use strict";

  function bar() { return document.querySelector(".topbar"); }

  function openOnes(selector) {
    var topbar = bar();
    return topbar ? Array.prototype.slice.call(topbar.querySelectorAll(selector + "[open]")) : [];
  }

  // What counts as inside an open one: the Admin entry itself; for the Menu, the whole bar,
  // since the links and the account it shows are the bar's, not the <details>'s own.
  function region(details) {
    return details.classList.contains("menu") ? details.closest(".topbar") : details;
  }

  function close(details, refocus) {
    var summary = details.querySelector("summary");
    var within = region(details).contains(document.activeElement);
    details.open = false;
    if (refocus && summary && (within || document.activeElement === document.body)) {
      summary.focus();
    }
  }

  // "toggle" does not bubble: it is heard on the way down.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.open || !details.matches || !details.matches(".topbar .menu, .topbar .navgroup")) {
      return;
    }
    openOnes(".navgroup").forEach(function (other) {
      if (other !== details) close(other, false);
    });
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    if (document.querySelector("dialog[open]")) return; // the dialog's own Escape
    var open = openOnes(".navgroup").concat(openOnes(".menu"));
    if (open.length) close(open[0], true);
  });

  document.addEventListener("click", function (event) {
    openOnes(".navgroup").concat(openOnes(".menu")).forEach(function (details) {
      if (!region(details).contains(event.target)) close(details, false);
    });
  });

  // Tabbing on past an open one's last link leaves it open behind the page otherwise.
  document.addEventListener("focusout", function (event) {
    var next = event.relatedTarget;
    if (!next) return;
    openOnes(".navgroup").concat(openOnes(".menu")).forEach(function (details) {
      var inside = region(details);
      if (inside.contains(event.target) && !inside.contains(next)) close(details, false);
    });
  });
})();
