// Small progressive enhancements. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  // Plain (non-htmx) forms that ask for confirmation; htmx forms use hx-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !form.hasAttribute("hx-post") && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
