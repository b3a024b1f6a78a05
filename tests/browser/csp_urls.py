"""The site's URLs plus one page that breaks the Content-Security-Policy, served through the
real middleware (tests/browser/test_csp.py)."""

from django.http import HttpResponse
from django.urls import include, path

BREAKS_THE_POLICY = """<!DOCTYPE html>
<html lang="en"><head><title>Breaks the policy</title></head>
<body>
<main><h1 style="color: red">Inline style and script</h1></main>
<script>document.title = "ran";</script>
</body></html>"""


def breaks_the_policy(request):
    return HttpResponse(BREAKS_THE_POLICY)


urlpatterns = [
    path("csp-test/", breaks_the_policy),
    path("", include("safeguarding.urls")),
]
