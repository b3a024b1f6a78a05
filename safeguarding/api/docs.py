"""The API's documentation page, Swagger UI, under the site's strict Content-Security-Policy
(settings.CONTENT_SECURITY_POLICY: no inline script or style).

* drf-spectacular's split view: its start-up script is a separate request to the same URL
  (``?script``) instead of an inline ``<script>``, and the page's own few styles are a file
  (static/css/api-docs.css). Swagger UI's icons are ``data:`` images in its script, so this page
  (only this one) allows ``data:`` images.
* Redoc is not served: its bundle adds ``<style>`` elements as it loads, before any nonce can be
  given to it, starts its search in a ``blob:`` worker and loads its logo from the vendor's
  site. It would need ``style-src 'unsafe-inline'``. ``/api/v1/redoc/`` sends people to the
  Swagger UI page, which documents the same schema.
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
