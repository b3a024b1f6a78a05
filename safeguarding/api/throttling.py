"""Rate limits: per token for partner systems, per person for signed-in staff.

Counts live in the Django cache (Redis when configured, so every worker shares them; if it is
unreachable, requests are let through and a warning is logged). The
rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``: ``api`` for authenticated callers and
``anon`` for the public schema and documentation pages.
"""

import logging

from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from safeguarding.proxies import client_address

from .models import ApiToken

logger = logging.getLogger(__name__)


class _FreshRateThrottle(SimpleRateThrottle):
    def allow_request(self, request, view):
        # If the cache (Redis) is down, a referral must still get in: the limit is lifted until
        # it is back, loudly, rather than every partner's request failing.
        try:
            return super().allow_request(request, view)
        except RedisError as e:
            logger.warning(
                "Rate limit not applied: the cache is unreachable (%s)", type(e).__name__
            )
            return True

    def get_rate(self):
        # Read the rates now, not at import (DRF's default), so settings overrides apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class PerTokenThrottle(_FreshRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None  # unauthenticated requests are refused before they count
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousThrottle(_FreshRateThrottle):
    scope = "anon"

    def get_ident(self, request):
        # DRF's own reads X-Forwarded-For from anyone: a caller could name a new address on
        # every request and never be limited. The one rule believes only trusted proxies.
        return client_address(request) or "unknown"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
