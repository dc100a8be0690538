// Activity form: "Add a country" / "Add a partner" append a fresh formset row from the <template>.
// Without JavaScript the form still works: it always renders a few empty rows.
(function () {
  "use strict";

  function addRow(prefix) {
    var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    var container = document.querySelector('[data-formset="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!template || !container || !total) {
      return;
    }
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) {
      return;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    container.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var rows = container.querySelectorAll("[data-formset-row]");
    var first = rows[rows.length - 1].querySelector("select, input");
    if (first) {
      first.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-formset-add]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        addRow(button.getAttribute("data-formset-add"));
      });
    });
  });
})();
