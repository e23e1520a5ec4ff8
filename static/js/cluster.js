// Drag and drop for clustering stories into themes (progressive enhancement).
//
// Without this file the page works with its checkboxes and Save buttons. With it,
// dragging a story onto a theme ticks that theme in the story's own form and
// submits that form, so the drop posts exactly what a click on Save would
// (htmx swaps the board). Dragging a story out of one theme onto another moves
// it; dropping it on the stories list takes it out of the theme it came from.
// Listeners sit on the document, so they keep working after htmx swaps.
(function () {
  "use strict";

  var TYPE = "application/x-facilitator-story";

  function zoneOf(node) {
    return node instanceof Element ? node.closest("[data-cluster] [data-theme]") : null;
  }

  function boxFor(form, themeId) {
    var boxes = form.querySelectorAll('input[type="checkbox"]');
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].value === themeId) return boxes[i];
    }
    return null;
  }

  document.addEventListener("dragstart", function (event) {
    var source = event.target instanceof Element ? event.target.closest("[data-example][draggable]") : null;
    if (!source || !source.closest("[data-cluster]")) return;
    var payload = source.getAttribute("data-example") + ":" + (source.getAttribute("data-from-theme") || "");
    event.dataTransfer.setData(TYPE, payload);
    event.dataTransfer.setData("text/plain", source.textContent.trim());
    event.dataTransfer.effectAllowed = "move";
    source.classList.add("dragging");
  });

  document.addEventListener("dragend", function (event) {
    if (event.target instanceof Element) event.target.classList.remove("dragging");
  });

  document.addEventListener("dragover", function (event) {
    var zone = zoneOf(event.target);
    if (!zone || event.dataTransfer.types.indexOf(TYPE) === -1) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    zone.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    var zone = zoneOf(event.target);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("drop-target");
  });

  document.addEventListener("drop", function (event) {
    var zone = zoneOf(event.target);
    if (!zone) return;
    var payload = event.dataTransfer.getData(TYPE);
    if (!payload) return;
    event.preventDefault();
    zone.classList.remove("drop-target");
    var parts = payload.split(":");
    var exampleId = parts[0];
    var fromTheme = parts[1];
    var toTheme = zone.getAttribute("data-theme");
    var card = document.getElementById("story-" + exampleId);
    var form = card ? card.querySelector("form.cluster-form") : null;
    if (!form || toTheme === fromTheme) return;

    var changed = false;
    if (toTheme) {
      var target = boxFor(form, toTheme);
      if (target && !target.checked) {
        target.checked = true;
        changed = true;
      }
    }
    if (fromTheme) {
      var origin = boxFor(form, fromTheme);
      if (origin && origin.checked) {
        origin.checked = false;
        changed = true;
      }
    }
    if (!changed) return;
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });
})();
