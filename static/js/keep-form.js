// A form marked data-keep="<key>" keeps what is typed into it in this tab's storage, so
// that a session ending before it is sent (the server then asks to sign in first, and
// comes back to this page) loses nothing: the page, shown afresh (data-keep-restore),
// puts the text back. Kept per tab only, and only until the tab is closed.
(function () {
  "use strict";

  var PREFIX = "handwritten:keep:";
  var FIELDS = "textarea, input[type=text], input[type=url], select";

  document.querySelectorAll("form[data-keep]").forEach(function (form) {
    var key = PREFIX + form.dataset.keep;
    var fields = form.querySelectorAll(FIELDS);

    if (form.hasAttribute("data-keep-restore")) {
      var kept = null;
      try { kept = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { kept = null; }
      var restored = false;
      fields.forEach(function (field) {
        if (kept && field.name in kept && kept[field.name] !== field.value) {
          field.value = kept[field.name];
          restored = true;
          // An edit put back inside a closed section would go unseen until it ships.
          var section = field.closest("details");
          if (section) section.open = true;
        }
      });
      if (restored) {
        var note = document.createElement("p");
        note.className = "hint kept";
        note.setAttribute("role", "status");
        note.textContent = "What you typed here before is back; nothing has been sent yet.";
        form.prepend(note);
      }
    }

    form.addEventListener("input", function () {
      var values = {};
      fields.forEach(function (field) { values[field.name] = field.value; });
      try { sessionStorage.setItem(key, JSON.stringify(values)); } catch (e) { /* full */ }
    });
  });
})();
