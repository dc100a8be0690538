// Progressive enhancement only: every page works without this file.
//
// - Forms or buttons with data-confirm="message" ask before submitting.
// - Escape closes the open user menu (<details class="user-menu">); so does a click elsewhere.
// - A form's error summary ([data-error-summary]) takes the focus when the page loads, and each
//   of its links moves the focus to the field it names (a jump alone would only scroll there).
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) {
        return;
      }
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message =
      (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  function closeMenus(except) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector("details.user-menu[open]");
    if (open) {
      open.removeAttribute("open");
      open.querySelector("summary").focus();
    }
  });

  document.addEventListener("click", function (event) {
    var inside = event.target.closest && event.target.closest("details.user-menu");
    closeMenus(inside);
  });
})();
