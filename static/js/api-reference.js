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
