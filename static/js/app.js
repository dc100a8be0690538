// Progressive enhancement only: every page works without this file.
//
// - Forms or buttons with data-confirm="message" ask before submitting.
// - Escape closes an open menu (<details data-menu>: the user menu, the menu's "Manage" group);
//   so does a click elsewhere.
// - At phone width the main menu folds behind its "Menu" button (.nav-toggle).
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
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector("details[data-menu][open]");
    if (open) {
      open.removeAttribute("open");
      open.querySelector("summary").focus();
      return;
    }
    var unfolded = document.querySelector('.nav-toggle[aria-expanded="true"]');
    if (unfolded) {
      unfolded.setAttribute("aria-expanded", "false");
      unfolded.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var inside = event.target.closest && event.target.closest("details[data-menu]");
    closeMenus(inside);
  });

  var toggle = document.querySelector(".nav-toggle");
  var phone = window.matchMedia("(max-width: 40rem)");
  function fold() {
    if (toggle) {
      toggle.hidden = !phone.matches;
      toggle.setAttribute("aria-expanded", "false");
    }
  }
  if (toggle) {
    fold();
    phone.addEventListener("change", fold);
    toggle.addEventListener("click", function () {
      toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
    });
  }

  // At phone width a list's filters fold behind their heading, turned into a button, so that the
  // first rows show without scrolling past every filter; a form with errors stays open.
  document.querySelectorAll("form.filters").forEach(function (form, index) {
    var heading = form.querySelector(".card__header h2");
    var body = form.querySelector(".card__body");
    if (!heading || !body || !phone.matches || form.querySelector(".field-error")) {
      return;
    }
    body.id = body.id || "filters-body-" + index;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "filters-toggle";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", body.id);
    button.textContent = heading.textContent;
    heading.textContent = "";
    heading.appendChild(button);
    body.hidden = true;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      body.hidden = !open;
    });
  });
})();
