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
        if (d.running && d.total) { p.max = d.total; p.value = d.value || 0; }
        else if (d.running) { p.max = 1; p.removeAttribute("value"); }
        else { p.max = 1; p.value = d.done ? 1 : 0; }
      }
      el.dataset.running = d.running ? "true" : "false";
    });
  });
});

// The expression editor (mappings page): a form with data-evaluate posts
// its expression and user to that URL as they are typed (debounced) and
// shows the value, or the error with a caret under its position (the
// server computes the line and the caret). Without JavaScript the form's
// Evaluate button does the same with a page load.
document.addEventListener("DOMContentLoaded", function () {
  function el(tag, cls, txt, id) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (id) { n.id = id; }
    if (txt !== undefined) { n.textContent = txt; }
    return n;
  }
  document.querySelectorAll("form[data-evaluate]").forEach(function (f) {
    var expr = f.querySelector("textarea[name=expression]");
    var user = f.querySelector("input[name=user]");
    var out = f.querySelector("#eval-result");
    if (!expr || !out || !window.fetch || !window.URLSearchParams) { return; }
    var timer = null, seq = 0;
    function show(d) {
      out.textContent = "";
      if (d.ok) {
        var p = el("p", "ok");
        p.append("Value (", el("span", "", d.type, "eval-type"), "): ", el("code", "", d.value, "eval-value"));
        if (d.scope) { p.append(" · scope: " + d.scope); }
        out.append(p);
      } else if (d.error) {
        var box = el("div", "problem");
        box.append(el("p", "", d.error, "eval-error"));
        if (d.line !== undefined && d.caret) {
          var pre = el("pre", "caret", d.line + "\n" + d.caret);
          pre.setAttribute("aria-label", "Where the error is");
          box.append(pre);
        }
        out.append(box);
      }
    }
    function run() {
      var n = ++seq;
      var body = new URLSearchParams();
      body.append("csrf", f.elements.csrf.value);
      body.append("expression", expr.value);
      body.append("user", user ? user.value : "");
      out.setAttribute("aria-busy", "true");
      fetch(f.dataset.evaluate, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (d) { if (n === seq) { show(d); } })
        .catch(function () { if (n === seq) { show({ error: "The expression could not be evaluated (reload the page)." }); } })
        .finally(function () { if (n === seq) { out.removeAttribute("aria-busy"); } });
    }
    function later() { clearTimeout(timer); timer = setTimeout(run, 300); }
    expr.addEventListener("input", later);
    if (user) { user.addEventListener("input", later); user.addEventListener("change", later); }
  });
});
