// Finance page: each line's in-kind fields show only when its kind is in-kind.
// Without JavaScript they simply stay in view (the server checks every combination). Hidden
// fields are disabled too, so a value typed before the kind changed is not sent.
(function () {
  "use strict";

  function sync(group, kind) {
    var inKind = kind.value === "in_kind";
    group.hidden = !inKind;
    group.querySelectorAll("input, select, textarea").forEach(function (field) {
      field.disabled = !inKind;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-in-kind-for]").forEach(function (group) {
      var kind = document.getElementById(group.getAttribute("data-in-kind-for"));
      if (!kind) {
        return;
      }
      sync(group, kind);
      kind.addEventListener("change", function () {
        sync(group, kind);
      });
    });
  });
})();
