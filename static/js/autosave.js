// The editor around htmx's autosave (the form posts itself 1 s after the last keystroke):
// - a copy of the text in localStorage on every keystroke, so nothing typed is lost when
//   a save fails (signed out, offline, server error); restored after the next page load;
//   text larger than the server takes (data-max-bytes) is neither sent nor kept, so a
//   reload can never replay a draft the server refuses;
// - authoring signals: active seconds, typed and pasted characters, sent with each save;
// - the save notes htmx would not swap on its own (401, 409, 422) or cannot (no network).
(function () {
  "use strict";

  var FIELDS = ["instruction", "context", "source_url", "response"];
  // Time counts as active while a field has focus and a key was pressed this recently.
  var ACTIVE_WINDOW_MS = 30000;

  function form() { return document.getElementById("pair-form"); }
  if (!form()) return;
  var pairId = form().dataset.pair;
  var loginUrl = form().dataset.loginUrl;
  // Room left in a request for the token, the version and the signals.
  var maxBytes = (parseInt(form().dataset.maxBytes, 10) || Infinity) - 2048;
  // One copy per pair; it remembers the draft version it was typed on top of.
  var storageKey = "handwritten:draft:" + pairId;

  var typed = 0;
  var pasted = 0;
  var activeMs = 0;
  var lastInput = 0;
  var inFlight = null; // {elt, version, values, active, typed, pasted} of the save under way
  var restoring = false; // text from localStorage was put back and is being saved

  function inForm(el) {
    var f = form();
    return !!(f && el && el.nodeType === 1 && (el === f || f.contains(el)));
  }
  function field(name) { var f = form(); return f ? f.querySelector('[name="' + name + '"]') : null; }
  function values() {
    var out = {};
    FIELDS.forEach(function (name) { var el = field(name); if (el) out[name] = el.value; });
    return out;
  }
  function sameText(a, b) {
    return FIELDS.every(function (name) { return (a[name] || "") === (b[name] || ""); });
  }
  function version() { var el = field("version"); return el ? parseInt(el.value, 10) || 0 : 0; }

  // The size of the form as the browser will send it (url-encoded UTF-8).
  function bytesOf(text) {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) { params.append(name, text[name] || ""); });
    return params.toString().length;
  }
  function tooLarge(text) { return bytesOf(text || values()) > maxBytes; }
  function refuseLarge() {
    var kb = function (n) { return Math.ceil(n / 1024); };
    note("Too large to save: " + kb(bytesOf(values())) + " KB, and a draft takes at most " +
      kb(maxBytes) + " KB. Shorten the text; the saved draft is unchanged.", "error");
  }

  function readLocal() {
    try { return JSON.parse(window.localStorage.getItem(storageKey)); } catch (e) { return null; }
  }
  function writeLocal() {
    if (tooLarge()) return; // never keep what the server would refuse
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({ version: version(), values: values(), at: Date.now() }));
    } catch (e) { /* storage full or disabled: the server copy is all there is */ }
  }
  function dropLocal() { try { window.localStorage.removeItem(storageKey); } catch (e) { /* nothing kept */ } }

  function note(text, state, link) {
    var box = document.getElementById("savestate");
    if (!box) return null;
    box.className = "savestate " + state;
    box.dataset.state = state;
    box.textContent = text + " ";
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      box.appendChild(a);
    }
    return box;
  }
  function signedOut() {
    var back = window.location.pathname + window.location.search;
    note("You were signed out; your text is kept in this browser.", "signedout",
      { href: loginUrl + "?next=" + encodeURIComponent(back), text: "Sign in again" });
  }
  function saveSoon() { var f = form(); if (f) window.htmx.trigger(f, "input"); }
  function apply(text) {
    FIELDS.forEach(function (name) { var el = field(name); if (el && name in text) el.value = text[name]; });
    if (window.handwrittenCounters) window.handwrittenCounters.updateAll(form());
  }

  // A resized textarea carries an inline height; htmx would copy it onto the swapped-in
  // form, which the strict CSP (no inline styles) refuses with a console error.
  // (Deferred like htmx and loaded after it, so htmx is there.)
  if (window.htmx) window.htmx.config.attributesToSettle = ["class", "width", "height"];

  // Signals and the local copy.
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!inForm(el) || FIELDS.indexOf(el.name) < 0) return;
    lastInput = Date.now();
    if (tooLarge()) refuseLarge();
    var kind = event.inputType || "";
    if (kind.indexOf("insert") === 0 && kind !== "insertFromPaste" && kind !== "insertFromDrop") {
      typed += event.data ? event.data.length : 1;
    }
    writeLocal();
  });
  document.addEventListener("paste", function (event) {
    if (!inForm(event.target) || !event.clipboardData) return;
    pasted += event.clipboardData.getData("text").length;
  });
  window.setInterval(function () {
    if (document.hasFocus() && inForm(document.activeElement) && Date.now() - lastInput < ACTIVE_WINDOW_MS) {
      activeMs += 1000;
    }
  }, 1000);

  // Nothing too large leaves the browser: the writer is told at once instead.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (inForm(event.detail.elt) && tooLarge()) {
      event.preventDefault();
      // configRequest already ran for it; no afterRequest will come to clear this.
      if (inFlight && inFlight.elt === event.detail.elt) inFlight = null;
      refuseLarge();
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!inForm(elt)) return;
    var params = event.detail.parameters;
    // Only one request at a time carries the signals, so none are counted twice.
    var sent = inFlight ? { active: 0, typed: 0, pasted: 0 }
      : { active: Math.floor(activeMs / 1000), typed: typed, pasted: pasted };
    params.active_seconds = sent.active;
    params.typed_chars = sent.typed;
    params.pasted_chars = sent.pasted;
    if (!inFlight) {
      inFlight = { elt: elt, version: version(), values: values(), active: sent.active, typed: sent.typed, pasted: sent.pasted };
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!inForm(detail.elt) || detail.xhr.status < 400) return;
    var status = detail.xhr.status;
    // The editor's own answers: signed out, conflict, refused text, failed checks.
    var ours = status === 401 || status === 409 || status === 422 ||
      (status === 403 && detail.xhr.getResponseHeader("HX-Retarget"));
    if (ours) {
      detail.shouldSwap = true;
      detail.isError = false;
      return;
    }
    detail.shouldSwap = false;
    if (status === 413) {
      note(detail.xhr.getResponseHeader("Content-Type").indexOf("text/plain") === 0
        ? detail.xhr.responseText : "Not saved: the text is larger than this site accepts.", "error");
    } else if (status === 403) {
      signedOut(); // e.g. a CSRF failure after signing out and in elsewhere
    } else {
      note("Not saved (error " + status + "). Your text is kept in this browser; it saves with your next change.", "error");
    }
  });

  // Under DEBUG, django-htmx replaces the whole page with any 403/404 response; the editor
  // answers those itself (signed out, licence), so they must not reach its document listener.
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 403 || status === 404) && inForm(event.detail.elt)) event.stopPropagation();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail;
    if (!inFlight || detail.elt !== inFlight.elt) return;
    var sent = inFlight;
    inFlight = null;
    if (detail.xhr && detail.xhr.getResponseHeader("HX-Redirect")) {
      dropLocal(); // submitted (or skipped): the server has it all
      return;
    }
    // A newer version in the page means the server stored the text (and the signals).
    if (version() > sent.version) {
      activeMs = Math.max(0, activeMs - sent.active * 1000);
      typed = Math.max(0, typed - sent.typed);
      pasted = Math.max(0, pasted - sent.pasted);
      if (sameText(values(), sent.values)) dropLocal(); else writeLocal();
      if (restoring) {
        restoring = false;
        var box = document.getElementById("savestate");
        if (box) box.appendChild(document.createTextNode(" · restored from this browser"));
      }
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (!inForm(event.detail.elt) && !(inFlight && event.detail.elt === inFlight.elt)) return;
    note("Not saved: no connection. Your text is kept in this browser; it saves when you are back online.", "error");
  });
  window.addEventListener("online", function () {
    var box = document.getElementById("savestate");
    if (box && box.dataset.state === "error") saveSoon();
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-discard-local]");
    if (link) dropLocal();
  });

  // Server times in the save note, shown in the writer's own time zone.
  document.addEventListener("htmx:load", function (event) {
    event.target.querySelectorAll("#savestate time[datetime], time[datetime].local").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      // The site's one time format: 24-hour, whatever the browser's locale says.
      if (!isNaN(when)) el.textContent = when.toLocaleTimeString("en-GB", { hourCycle: "h23" });
    });
  });

  // After a reload or a new sign-in: text typed here that never reached the server.
  function restore() {
    var kept = readLocal();
    if (!kept || !kept.values) return;
    if (tooLarge(kept.values)) { dropLocal(); return; } // a copy an older page kept
    if (sameText(kept.values, values())) { dropLocal(); return; }
    if (kept.version === version()) {
      apply(kept.values);
      restoring = true;
      note("Restored text from this browser that had not been saved yet; saving it now.", "restored");
      saveSoon();
      return;
    }
    // The server moved on since (another tab or device): let the writer choose.
    var box = note("This browser holds text for this pair that differs from the saved draft.", "conflict");
    if (!box) return;
    var take = document.createElement("button");
    take.type = "button";
    take.textContent = "Use this browser's text";
    take.addEventListener("click", function () { apply(kept.values); saveSoon(); });
    var drop = document.createElement("button");
    drop.type = "button";
    drop.textContent = "Keep the saved draft";
    drop.addEventListener("click", function () { dropLocal(); note("Keeping the saved draft.", "idle"); });
    var row = document.createElement("div");
    row.className = "row";
    row.appendChild(take);
    row.appendChild(drop);
    box.appendChild(row);
  }
  // htmx fires load on the body once it has wired up the page; only then can it save.
  var restored = false;
  document.addEventListener("htmx:load", function (event) {
    if (restored || event.target !== document.body) return;
    restored = true;
    restore();
  });
})();
