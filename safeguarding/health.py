"""The health check, for load balancers, the compose healthcheck and CI's smoke test.

It says only whether the app can reach its database: no data, no versions, no login. Production
settings exempt ``healthz`` from the HTTPS redirect, because checks arrive over plain HTTP.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # Whatever went wrong, the answer is "not ready" (503), never a 500 page.
        logger.exception("Health check failed: the database did not answer")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
