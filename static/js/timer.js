// The phase timer. The server sends its own clock (data-server-now-ms) and the
// end time (data-ends-at-ms); each screen works out how far its clock is off
// and counts down from the server's time, so every screen shows the same.
(function () {
  "use strict";

  function format(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var ss = s < 10 ? "0" + s : String(s);
    if (h) return h + ":" + (m < 10 ? "0" + m : m) + ":" + ss;
    return m + ":" + ss;
  }

  var offsets = new WeakMap();

  function tick() {
    var now = Date.now();
    var timers = document.querySelectorAll("[data-timer]");
    for (var i = 0; i < timers.length; i++) {
      var el = timers[i];
      if (!offsets.has(el)) offsets.set(el, Number(el.getAttribute("data-server-now-ms")) - now);
      if (el.getAttribute("data-state") !== "running") continue;
      var endsAt = Number(el.getAttribute("data-ends-at-ms"));
      var left = Math.max(0, Math.ceil((endsAt - (now + offsets.get(el))) / 1000));
      var out = el.querySelector(".timer-value");
      var text = format(left);
      if (out && out.textContent !== text) out.textContent = text;
      el.classList.toggle("timer-low", left > 0 && left <= 60);
      el.classList.toggle("timer-done", left === 0);
    }
  }

  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:load", tick);
  window.setInterval(tick, 250);
})();
