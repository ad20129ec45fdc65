// Starts Redoc on the schema named by its container; the nonce lets Redoc's own
// <style> elements through the page's Content-Security-Policy.
(function () {
  const container = document.getElementById("redoc-container");
  Redoc.init(container.dataset.schemaUrl, { nonce: container.dataset.nonce }, container);
})();
