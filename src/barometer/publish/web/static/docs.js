// The API reference on /docs: Swagger UI from the site's own files, reading /openapi.json.
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("swagger-ui");
    if (!el || typeof SwaggerUIBundle === "undefined") return;
    SwaggerUIBundle({
      domNode: el,
      url: el.dataset.spec,
      deepLinking: false,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      defaultModelsExpandDepth: 0,
      tryItOutEnabled: true,
      onComplete: function () { el.dataset.ready = "1"; }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
