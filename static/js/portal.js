// The portal's only script of its own: after a form is sent back with errors, the focus moves
// to the error summary, so a screen reader reads it first and a keyboard user starts there.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
})();
