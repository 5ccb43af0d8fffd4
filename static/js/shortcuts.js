// Keyboard shortcuts, declared in the templates with data-attributes:
//   data-shortcut="a"            the key (one character, or "ctrl+enter")
//   data-shortcut-label="..."    what it does, for the "?" help
//   data-shortcut-needs="#id"    a field that must be filled first; if it is empty the
//                                key moves the focus there instead (a reject needs a reason)
// A <details> element opens and focuses its first field; anything else is clicked.
// Single keys never fire while the focus is in a field (typing an "a" is not an approve);
// ctrl+enter (or cmd+enter) does, as it is how a writer submits from the text itself.
(function () {
  "use strict";

  function typing(el) {
    if (!el || el === document.body) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function visible(el) { return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length); }

  function targets() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-shortcut]"), function (el) {
      return !el.disabled && (visible(el) || el.tagName === "DETAILS");
    });
  }

  function keyOf(event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) return "ctrl+enter";
    if (event.ctrlKey || event.metaKey || event.altKey) return null;
    return event.key.length === 1 ? event.key.toLowerCase() : null;
  }

  function firstField(root) {
    return root.querySelector("textarea, input:not([type=hidden]), select");
  }

  function fire(el) {
    var needs = el.dataset.shortcutNeeds && document.querySelector(el.dataset.shortcutNeeds);
    if (needs && !needs.value.trim()) {
      needs.focus();
      return;
    }
    if (el.tagName === "DETAILS") {
      el.open = true;
      var field = firstField(el);
      if (field) field.focus();
      return;
    }
    el.click();
  }

  var dialog = null;
  function help() {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "shortcuts";
      dialog.setAttribute("aria-labelledby", "shortcuts-title");
      document.body.appendChild(dialog);
    }
    dialog.textContent = "";
    var title = document.createElement("h2");
    title.id = "shortcuts-title";
    title.textContent = "Keyboard shortcuts";
    dialog.appendChild(title);
    var list = document.createElement("dl");
    var rows = [["?", "Show this help"]];
    targets().forEach(function (el) {
      rows.push([el.dataset.shortcut, el.dataset.shortcutLabel || el.textContent.trim()]);
    });
    rows.forEach(function (row) {
      var dt = document.createElement("dt");
      var kbd = document.createElement("kbd");
      kbd.textContent = row[0] === "ctrl+enter" ? "Ctrl + Enter" : row[0];
      dt.appendChild(kbd);
      var dd = document.createElement("dd");
      dd.textContent = row[1];
      list.appendChild(dt);
      list.appendChild(dd);
    });
    dialog.appendChild(list);
    var note = document.createElement("p");
    note.className = "muted small";
    note.textContent = "Letters do nothing while you type in a field. Esc closes this.";
    dialog.appendChild(note);
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", function () { dialog.close(); });
    dialog.appendChild(close);
    dialog.showModal();
    close.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    var key = keyOf(event);
    if (!key) return;
    if (dialog && dialog.open) return;
    if (key !== "ctrl+enter" && typing(document.activeElement)) return;
    if (key === "?") {
      event.preventDefault();
      help();
      return;
    }
    var match = targets().filter(function (el) { return el.dataset.shortcut === key; })[0];
    if (!match) return;
    event.preventDefault();
    fire(match);
  });
})();
