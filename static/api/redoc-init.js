// Starts ReDoc on the schema named by the page (no inline script: the site's CSP).
(function () {
  "use strict";
  var element = document.getElementById("redoc-container");
  Redoc.init(element.dataset.schemaUrl, {}, element);
})();
