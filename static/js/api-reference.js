// The API reference (/api/docs/): Swagger UI draws the OpenAPI schema the portal serves, with a
// "Try it out" panel. Our CSP allows no inline script, so the set-up lives here and reads the
// page's data-* attributes.
(function () {
  "use strict";

  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var csrfToken = root.getAttribute("data-csrf-token");
  var unsafe = { POST: true, PUT: true, PATCH: true, DELETE: true };

  // Each operation's heading is a button holding the operation's deep link: a link inside a
  // button (axe: nested-interactive), which a keyboard user would meet twice per operation and a
  // screen reader as a control inside a control. The button opens the operation and, with deep
  // linking on, sets the same address, so the link loses its href and is plain text.
  new MutationObserver(function () {
    var links = root.querySelectorAll(".opblock-summary-control a[href]");
    for (var i = 0; i < links.length; i += 1) {
      links[i].removeAttribute("href");
    }
  }).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["href"] });

  window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    domNode: root,
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    filter: true,
    // A token pasted into "Authorize" lives in this page only, never in the browser's storage.
    persistAuthorization: false,
    // No call to the public validator service: the page talks to the portal only.
    validatorUrl: null,
    requestInterceptor: function (request) {
      // A signed-in user's session also authenticates the calls; Django then asks writes for
      // the CSRF token (a Bearer token needs none, and wins over the session).
      if (csrfToken && unsafe[String(request.method).toUpperCase()]) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    },
  });
})();
