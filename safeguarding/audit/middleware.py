"""django-auditlog's middleware, with the client's address by our one rule.

auditlog's own middleware takes the first address of ``X-Forwarded-For`` from any client, so
anyone could write any address into the audit. This one records
:func:`safeguarding.proxies.client_address` (the header is believed only from
``settings.TRUSTED_PROXIES``), and ``X-Forwarded-Port`` only from a trusted proxy.
"""

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings

from safeguarding.proxies import client_address, from_trusted_proxy, trusted_proxies

from .origin import current_request


class AuditlogMiddleware(BaseAuditlogMiddleware):
    def __init__(self, get_response=None):
        super().__init__(get_response)
        trusted_proxies()  # a TRUSTED_PROXIES entry that is not an address stops the app here

    def __call__(self, request):
        # Which page or endpoint each audit row of this request was written on
        # (safeguarding/audit/origin.py).
        token = current_request.set(request)
        try:
            return super().__call__(request)
        finally:
            current_request.reset(token)

    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_address(request)

    @staticmethod
    def _get_remote_port(request):
        if not from_trusted_proxy(request):
            return None
        return BaseAuditlogMiddleware._get_remote_port(request)
