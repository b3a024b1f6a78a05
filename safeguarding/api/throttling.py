"""Rate limits: per token for partner systems, per person for signed-in staff.

Counts live in the Django cache (Redis when configured, so every worker shares them; if it is
unreachable, requests are let through and a warning is logged). The
rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``: ``api`` for authenticated callers and
``anon`` for the public schema and documentation pages. :class:`FailedTokenThrottle` counts
refused bearer tokens per client address (``settings.API_FAILED_TOKEN_RATE``): past it, the
address gets 429 before any token it sends is looked at. The client address follows the one
rule (safeguarding.proxies.client_address): X-Forwarded-For only from a trusted proxy.
"""

import logging

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from safeguarding.accounts.middleware import client_ip

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

    def get_ident(self, request):
        # DRF's own get_ident believes X-Forwarded-For from anyone: a caller could name a new
        # address on every request and never be limited. The one rule believes only trusted
        # proxies (safeguarding.proxies).
        return client_ip(request) or "unknown"


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

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class FailedTokenThrottle(_FreshRateThrottle):
    """Refused bearer tokens per client address. Not a DRF throttle class of any view: the
    token authentication asks :meth:`wait` before it looks at a token (a number of seconds
    means 429) and calls :meth:`record_failure` when it refuses one. Successes are not counted.
    """

    scope = "failed_token"

    def get_rate(self):
        return settings.API_FAILED_TOKEN_RATE

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _recent(self, request) -> list[float]:
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        history = self.cache.get(self.key, [])
        return [t for t in history if t > self.now - self.duration]

    def wait(self, request) -> float | None:
        """Seconds until this address may try a token again, or None if it may now."""
        try:
            self.history = self._recent(request)
        except RedisError as e:
            logger.warning(
                "Failed-token limit not applied: cache unreachable (%s)", type(e).__name__
            )
            return None
        if len(self.history) < self.num_requests:
            return None
        return max(1.0, self.duration - (self.now - self.history[-1]))

    def record_failure(self, request) -> None:
        try:
            history = self._recent(request)
            history.insert(0, self.now)
            self.cache.set(self.key, history, self.duration)
        except RedisError as e:
            logger.warning(
                "Failed-token attempt not counted: cache unreachable (%s)", type(e).__name__
            )
