// The API tokens page: a "Copy to clipboard" button for the token shown once after creation.
// Without JavaScript (or without clipboard access) the token stays selectable in its field.
(function () {
  "use strict";

  var button = document.querySelector("[data-copy]");
  if (!button || !navigator.clipboard) {
    return;
  }
  var field = document.getElementById(button.getAttribute("data-copy"));
  var done = document.querySelector("[data-copied]");
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(function () {
      done.hidden = false;
    });
  });
  field.addEventListener("focus", function () {
    field.select();
  });
})();
