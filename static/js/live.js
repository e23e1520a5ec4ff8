// Live screens: conditional polling, drafts that survive reloads and phase
// switches, and readable messages when a post cannot be sent.
// No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  // --- Polling: send the last ETag back, so "nothing new" costs a 304 ---------
  // Elements marked data-poll poll with hx-trigger="every 2s". Their answers
  // are never cached by the browser (Cache-Control: no-store); we keep the tag
  // ourselves, keyed by the polled URL, because the element is replaced on
  // every fresh answer. htmx-config (base.html) makes a 304 swap nothing.
  var etags = {};

  function isPoll(elt) {
    return !!(elt && elt.hasAttribute && elt.hasAttribute("data-poll"));
  }

  function pollUrl(elt) {
    return elt.getAttribute("hx-get") || "";
  }

  function setOffline(offline) {
    document.documentElement.classList.toggle("is-offline", offline);
    var notes = document.querySelectorAll("[data-offline-note]");
    for (var i = 0; i < notes.length; i++) notes[i].hidden = !offline;
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    // A hidden tab (phone in a pocket) does not poll; it catches up when shown.
    if (isPoll(evt.detail.elt) && document.hidden) evt.preventDefault();
  });

  document.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!isPoll(elt)) return;
    // Until its first answer, a poller starts from the tag of the page it is on
    // (data-etag): the first poll is then a 304 or a delta, not the board again.
    var url = pollUrl(elt);
    var tag = Object.prototype.hasOwnProperty.call(etags, url) ? etags[url] : elt.getAttribute("data-etag");
    if (tag) evt.detail.headers["If-None-Match"] = tag;
  });

  // beforeSwap, not afterRequest: a fresh answer replaces the poller, and events
  // on a detached element never reach the document. It fires for 304s too.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var elt = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    var xhr = evt.detail.xhr;
    if (!isPoll(elt) || !xhr) return;
    if (xhr.status === 200 || xhr.status === 304) {
      var tag = xhr.getResponseHeader("ETag");
      if (tag) etags[pollUrl(elt)] = tag;
      setOffline(false);
    }
  });

  // --- Deltas: only what changed since the revision our tag names ------------
  // When the room only added or edited items since our last answer, the server
  // sends just those (X-Live-Delta: 1). Each names its container (data-into):
  // it replaces its old copy, or goes at the end of that container. Something
  // we cannot place (a column that did not exist yet) asks for the whole board.
  function place(item) {
    var old = item.id ? document.getElementById(item.id) : null;
    if (old) {
      // Someone is using this item's controls (a merge number half typed): leave
      // it; the next whole-board answer brings it up to date.
      if (old.contains(document.activeElement)) return true;
      var open = old.querySelectorAll("details[open]");
      for (var i = 0; i < open.length; i++) {
        var same = open[i].id ? item.querySelector("#" + CSS.escape(open[i].id)) : item.querySelector("details");
        if (same) same.open = true;
      }
      old.replaceWith(item);
      return true;
    }
    var into = document.getElementById(item.getAttribute("data-into") || "");
    if (!into) return false;
    var empty = into.querySelector(":scope > [data-live-empty]");
    if (empty) empty.remove();
    into.appendChild(item);
    var scope = into.closest("[data-live-scope]");
    var count = scope ? scope.querySelector("[data-live-count]") : null;
    if (count) count.textContent = String(into.querySelectorAll(":scope > [data-live-item]").length);
    return true;
  }

  function applyDelta(html) {
    var template = document.createElement("template");
    template.innerHTML = html;  // an inert document fragment: nothing in it loads or runs
    var items = template.content.querySelectorAll("[data-live-item]");
    var complete = true;
    for (var i = 0; i < items.length; i++) {
      if (place(items[i])) htmx.process(items[i]);
      else complete = false;
    }
    return complete;
  }

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var elt = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    var xhr = evt.detail.xhr;
    if (!isPoll(elt) || !xhr || xhr.status !== 200 || xhr.getResponseHeader("X-Live-Delta") !== "1") return;
    evt.detail.shouldSwap = false;
    if (!applyDelta(xhr.responseText)) {
      // Send no tag: the next poll, at once, brings the whole board.
      etags[pollUrl(elt)] = "";
      setTimeout(function () { htmx.trigger(document.body, "live-refresh"); }, 0);
    }
  });

  // A whole-board answer replaces the region: panels the facilitator had open
  // (an item's "Move or merge") are opened again, so a busy room does not keep
  // closing them.
  var reopen = [];
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var elt = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    if (!isPoll(elt) || !evt.detail.shouldSwap) return;
    var open = document.querySelectorAll("[data-poll] details[open][id]");
    reopen = [];
    for (var i = 0; i < open.length; i++) reopen.push(open[i].id);
  });
  document.addEventListener("htmx:afterSwap", function () {
    for (var i = 0; i < reopen.length; i++) {
      var details = document.getElementById(reopen[i]);
      if (details) details.open = true;
    }
    reopen = [];
  });

  // --- Drafts: what people type is kept in localStorage until it is saved ----
  var PREFIX = "facilitator-draft:";
  var TEXTUAL = { text: 1, textarea: 1, search: 1, url: 1, email: 1, number: 1, date: 1 };

  function isDraftField(field) {
    return !!(field && field.name && field.form && field.form.hasAttribute("data-draft") &&
      TEXTUAL[field.type] && field.name !== "csrf_token");
  }

  function draftKey(field) {
    return PREFIX + (field.form.getAttribute("action") || window.location.pathname) + "#" + field.name;
  }

  function store(key, value) {
    try {
      if (value) window.localStorage.setItem(key, value);
      else window.localStorage.removeItem(key);
    } catch (e) { /* private mode or full: drafts are a nicety */ }
  }

  function fieldsOf(form) {
    var out = [];
    for (var i = 0; i < form.elements.length; i++) {
      if (isDraftField(form.elements[i])) out.push(form.elements[i]);
    }
    return out;
  }

  function restoreDrafts(root) {
    if (!root || !root.querySelectorAll) return;
    var forms = root.querySelectorAll("form[data-draft]");
    for (var i = 0; i < forms.length; i++) {
      var fields = fieldsOf(forms[i]);
      for (var j = 0; j < fields.length; j++) {
        var saved = null;
        try { saved = window.localStorage.getItem(draftKey(fields[j])); } catch (e) { saved = null; }
        if (saved && !fields[j].value) fields[j].value = saved;
      }
    }
  }

  function clearDrafts(form) {
    var fields = fieldsOf(form);
    for (var i = 0; i < fields.length; i++) store(draftKey(fields[i]), "");
  }

  document.addEventListener("input", function (evt) {
    if (isDraftField(evt.target)) store(draftKey(evt.target), evt.target.value);
  });

  document.addEventListener("DOMContentLoaded", function () { restoreDrafts(document); });
  document.addEventListener("htmx:load", function (evt) { restoreDrafts(evt.detail.elt); });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    // Saved (200): the draft is done. Refused or invalid (409/422): keep it.
    var form = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    if (form && form.hasAttribute && form.hasAttribute("data-draft") && evt.detail.xhr.status === 200) {
      clearDrafts(form);
    }
  });

  // --- The room moved on: follow, unless that would hide unsent text ----------
  function hasUnsentText() {
    var forms = document.querySelectorAll("form[data-draft]");
    for (var i = 0; i < forms.length; i++) {
      var fields = fieldsOf(forms[i]);
      for (var j = 0; j < fields.length; j++) {
        if (fields[j].value.trim()) return true;
      }
    }
    return false;
  }

  // Once: a poll's answer settles more than one swap (the items and, out of
  // band, the status), and a second assign() would abort the first navigation.
  var following = false;

  function followTheRoom() {
    if (following) return;
    var link = document.querySelector("[data-room-moved] [data-room-link]");
    if (!link) return;
    if (hasUnsentText()) {
      var note = document.querySelector("[data-room-moved] [data-unsent-note]");
      if (note) note.hidden = false;
      return;
    }
    following = true;
    window.location.assign(link.href);
  }

  document.addEventListener("htmx:afterSettle", followTheRoom);

  // --- Posts that fail: say so, keep the form as it is ----------------------
  function messageSlot(elt) {
    var form = elt && elt.closest ? elt.closest("form") : null;
    var slot = form ? form.querySelector("[data-send-error]") : null;
    if (slot) return slot;
    slot = document.getElementById("live-error");
    if (!slot) {
      slot = document.createElement("p");
      slot.id = "live-error";
      slot.className = "flash flash-error live-error";
      slot.setAttribute("role", "alert");
      var main = document.getElementById("content") || document.body;
      main.insertBefore(slot, main.firstChild);
    }
    return slot;
  }

  function showError(elt, message) {
    var slot = messageSlot(elt);
    slot.textContent = message;
    slot.hidden = false;
  }

  document.addEventListener("htmx:sendError", function (evt) {
    if (isPoll(evt.detail.elt)) { setOffline(true); return; }
    showError(evt.detail.elt, "We could not reach the server, so nothing was sent. " +
      "What you typed is still here: check your connection and try again.");
  });

  document.addEventListener("htmx:responseError", function (evt) {
    if (isPoll(evt.detail.elt)) return;
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    var text = "";
    if (evt.detail.xhr && /text\/html/.test(evt.detail.xhr.getResponseHeader("Content-Type") || "")) {
      // Our error fragments are one short sentence; show it as text.
      // (DOMParser makes an inert document: nothing in it loads or runs.)
      var doc = new DOMParser().parseFromString(evt.detail.xhr.responseText, "text/html");
      text = (doc.body.textContent || "").trim().slice(0, 300);
    }
    showError(evt.detail.elt, (text || "That did not work (error " + status + ").") +
      " What you typed is still here.");
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var form = evt.detail.elt && evt.detail.elt.closest ? evt.detail.elt.closest("form") : null;
    var slot = form ? form.querySelector("[data-send-error]") : null;
    if (slot) slot.hidden = true;
  });
})();
