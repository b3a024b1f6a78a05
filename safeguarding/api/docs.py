"""The API's documentation pages, Swagger UI and Redoc, under the site's strict
Content-Security-Policy (settings.CONTENT_SECURITY_POLICY: no inline script or style).

* Swagger UI: drf-spectacular's split view, whose start-up script is a separate request to the
  same URL (``?script``) instead of an inline ``<script>``; the page's own few styles are a file.
* Redoc draws its styles by adding ``<style>`` elements at run time, which a strict policy
  refuses unless they carry the page's nonce. So this page (only this one) has a nonce in its
  ``style-src``; Redoc is given it through its ``nonce`` option by a static start-up script that
  reads it from its own ``<script nonce>``. No font or anything else comes from elsewhere.
"""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


@method_decorator(csp_update({"style-src": [NONCE]}), name="dispatch")
class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
