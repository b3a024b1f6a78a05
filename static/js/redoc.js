// Starts Redoc on the API's documentation page (templates/api/redoc.html). Redoc adds <style>
// elements as it draws; the Content-Security-Policy lets them in only with this response's
// nonce, which this script's own <script nonce> carries (safeguarding/api/docs.py).
const container = document.getElementById("redoc-container");
const nonce = document.currentScript.nonce;
window.Redoc.init(container.dataset.schemaUrl, { nonce }, container);
