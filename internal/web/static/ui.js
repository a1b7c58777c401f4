// Provisio admin UI: progressive enhancement only; every page works
// without it. No inline script (the Content-Security-Policy forbids it).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Forms with data-confirm ask before they submit.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.dataset.confirm)) { e.preventDefault(); }
    });
  });
  // An element with data-events follows a server-sent events stream whose
  // "status" events carry {text: {id: text}, hidden: {id: bool}, running}.
  document.querySelectorAll("[data-events]").forEach(function (el) {
    if (!window.EventSource) { return; }
    var src = new EventSource(el.dataset.events);
    src.addEventListener("status", function (e) {
      var d = JSON.parse(e.data);
      Object.keys(d.text || {}).forEach(function (id) {
        var n = document.getElementById(id);
        if (n && n.textContent !== d.text[id]) { n.textContent = d.text[id]; }
      });
      Object.keys(d.hidden || {}).forEach(function (id) {
        var n = document.getElementById(id);
        if (n) { n.hidden = d.hidden[id]; }
      });
      var p = el.querySelector("progress");
      if (p) {
        if (d.running) { p.removeAttribute("value"); } else { p.value = d.done ? 1 : 0; }
      }
      el.dataset.running = d.running ? "true" : "false";
    });
  });
});
