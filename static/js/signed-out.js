// An htmx request (a poll, a lease heartbeat) that finds the session ended gets a 401,
// which htmx does not swap in: this says so once, at the top of the page, with a way to
// sign in again that comes back here. Forms marked data-keep give back what was typed.
(function () {
  "use strict";

  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status !== 401 || document.getElementById("signed-out")) return;
    var here = window.location.pathname + window.location.search;
    var note = document.createElement("p");
    note.id = "signed-out";
    note.className = "message error";
    note.setAttribute("role", "alert");
    note.append("You were signed out, so this page no longer saves or updates. ");
    var link = document.createElement("a");
    link.href = document.body.dataset.loginUrl + "?next=" + encodeURIComponent(here);
    link.textContent = "Sign in again";
    note.append(link, " to carry on here; what you typed in this page's form is kept.");
    document.querySelector("main").prepend(note);
  });
})();
