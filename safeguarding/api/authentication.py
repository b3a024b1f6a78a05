"""Partner systems authenticate with ``Authorization: Bearer <token>``.

A token acts as its organisation: the request's user is the organisation's API user (a
partner-role account that cannot sign in), so the visibility rule, the audit and the
idempotency keys work exactly as they do for a person. ``request.auth`` is the
:class:`~safeguarding.api.models.ApiToken` (throttling counts per token).

A refused token is logged as a warning with why and the client address (never the token, nor
any part of it), and counted per address (:class:`~safeguarding.api.throttling.
FailedTokenThrottle`): past ``settings.API_FAILED_TOKEN_RATE`` the address is answered 429
(``rate-limited`` problem, ``Retry-After``) without its token being looked at.
"""

import logging

from rest_framework import authentication, exceptions

from safeguarding.accounts.middleware import client_ip

from . import services
from .throttling import FailedTokenThrottle

logger = logging.getLogger(__name__)

KEYWORD = "Bearer"


class PartnerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None  # not ours: session authentication may still apply
        throttle = FailedTokenThrottle()
        wait = throttle.wait(request)
        if wait is not None:
            logger.warning("API token not checked: too many refused from %s", client_ip(request))
            raise exceptions.Throttled(wait=wait)
        if len(parts) != 2:
            self._refused(request, throttle, "malformed header")
            raise exceptions.AuthenticationFailed(
                "Send the token as `Authorization: Bearer <token>`, with no spaces in it."
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeError:
            self._refused(request, throttle, "not ASCII")
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        try:
            token = services.api_token_authenticate(raw)
        except services.TokenRefused as refused:
            self._refused(request, throttle, str(refused))
            raise exceptions.AuthenticationFailed(str(refused)) from None
        return token.service_user, token

    @staticmethod
    def _refused(request, throttle: FailedTokenThrottle, reason: str) -> None:
        throttle.record_failure(request)
        logger.warning("API token refused from %s: %s", client_ip(request), reason)

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when credentials are missing or wrong.
        return f'{KEYWORD} realm="api"'
