"""Sign-in rules enforced on every request, in one place each.

* :class:`SessionTimeoutMiddleware`: a session is signed out after
  ``settings.SESSION_IDLE_TIMEOUT_MINUTES`` without a request, and ``settings.SESSION_COOKIE_AGE``
  seconds after signing in however busy it has been. The person is sent to the sign-in page
  with a message saying why (an API request is simply no longer signed in: 401).
* :class:`SecondFactorRequiredMiddleware`: a signed-in session that has not passed its second
  factor (``request.user.is_verified()``, from ``django_otp.middleware.OTPMiddleware`` before it)
  reaches only the sign-in and sign-out pages, the second-factor pages, static files and
  ``/healthz``. Every other page, the admin included, redirects to setting up an authenticator
  app (no device yet: the first sign-in) or to entering its code; an API request made with the
  session is refused with a 403 problem. Bearer-token API requests are not sessions and are
  left to ``safeguarding.api.authentication``.

Demo users of ``make run`` (``User.mfa_exempt_demo``, set only by ``seed_borough``) skip the
second factor in development mode only: :func:`second_factor_exempt` is False in production.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from safeguarding.proxies import client_address

#: Session keys: when this session signed in, and when it was last seen (Unix seconds).
SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
#: The last-seen time is written at most this often (seconds), not on every request.
ACTIVITY_RESOLUTION = 60


def client_ip(request: HttpRequest) -> str:
    """The client's address for lockouts and throttles, by the one rule
    (:func:`safeguarding.proxies.client_address`: ``REMOTE_ADDR``, or X-Forwarded-For only
    from a trusted proxy), never a header any client can write; "" if there is none."""
    return client_address(request) or ""


def stamp_sign_in(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: the session's clocks start now."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = self._expired(request.session)
            if reason:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)  # no longer signed in: DRF says 401
                messages.info(request, reason)
                return redirect_to_login(
                    request.get_full_path() if request.method == "GET" else "/"
                )
        return self.get_response(request)

    @staticmethod
    def _expired(session) -> str:
        now = time.time()
        signed_in = session.get(SIGNED_IN_AT)
        last_seen = session.get(LAST_SEEN_AT)
        if signed_in is None or last_seen is None:
            # A session from before these limits: its clocks start now.
            session[SIGNED_IN_AT] = signed_in or now
            session[LAST_SEEN_AT] = now
            return ""
        if now - signed_in > settings.SESSION_COOKIE_AGE:
            hours = settings.SESSION_COOKIE_AGE / 3600
            return (
                f"You have been signed out because you signed in more than {hours:g} hours ago. "
                "Sign in again to continue."
            )
        idle = settings.SESSION_IDLE_TIMEOUT_MINUTES
        if now - last_seen > idle * 60:
            return (
                f"You have been signed out because you did nothing for {idle} minutes. "
                "Sign in again to continue."
            )
        if now - last_seen >= ACTIVITY_RESOLUTION:
            session[LAST_SEEN_AT] = now
        return ""


def second_factor_exempt(user) -> bool:
    """A demo user of ``make run`` in development mode: never in production."""
    return bool(getattr(user, "mfa_exempt_demo", False)) and not settings.PRODUCTION


def second_factor_passed(user) -> bool:
    """Whether this signed-in session may use the service: it passed its second factor (or is
    a demo user in development mode)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified()) or second_factor_exempt(user)


def _open_paths() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(exact paths, path prefixes) an unverified session may reach."""
    exact = (
        reverse("login"),
        reverse("logout"),
        reverse("admin:logout"),
        reverse("healthz"),
        reverse("accounts:mfa-enrol"),
        reverse("accounts:mfa-verify"),
        reverse("accounts:mfa-recovery"),
    )
    static = (
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    )
    return exact, (static,)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not second_factor_passed(user):
            if self._open is None:
                self._open = _open_paths()
            exact, prefixes = self._open
            path = request.path
            if path not in exact and not path.startswith(prefixes):
                return self._refuse(request, user)
        return self.get_response(request)

    def _refuse(self, request, user):
        if request.path.startswith("/api/"):
            auth = request.META.get("HTTP_AUTHORIZATION", "")
            if auth.lower().startswith("bearer "):
                # A partner system's token, not this session, authenticates the request.
                return self.get_response(request)
            from safeguarding.api.errors import PROBLEM_CONTENT_TYPE, PROBLEMS

            problem = PROBLEMS["forbidden"]
            body = {
                "type": problem.uri,
                "title": problem.title,
                "status": problem.status,
                "detail": "Finish signing in: enter the code from your authenticator app first.",
                "instance": request.path,
                "errors": [],
            }
            return JsonResponse(body, status=problem.status, content_type=PROBLEM_CONTENT_TYPE)
        from . import mfa

        target = reverse(
            "accounts:mfa-verify" if mfa.has_second_factor(user) else "accounts:mfa-enrol"
        )
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
