// Starts Swagger UI or ReDoc on the API documentation pages (no inline script: the CSP forbids it).
(function () {
  "use strict";
  var root = document.getElementById("apidocs");
  if (!root) return;
  var spec = root.getAttribute("data-openapi");
  if (root.getAttribute("data-viewer") === "redoc") {
    window.Redoc.init(spec, { hideDownloadButton: false }, root);
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: spec,
    dom_id: "#apidocs",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
