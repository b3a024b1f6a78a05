"""Partner systems authenticate with ``Authorization: Bearer <token>``.

A token acts as its organisation: the request's user is the organisation's API user (a
partner-role account that cannot sign in), so the visibility rule, the audit and the
idempotency keys work exactly as they do for a person. ``request.auth`` is the
:class:`~safeguarding.api.models.ApiToken` (throttling counts per token).
"""

from rest_framework import authentication, exceptions

from . import services

KEYWORD = "Bearer"


class PartnerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None  # not ours: session authentication may still apply
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as `Authorization: Bearer <token>`, with no spaces in it."
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        try:
            token = services.api_token_authenticate(raw)
        except services.TokenRefused as refused:
            raise exceptions.AuthenticationFailed(str(refused)) from None
        return token.service_user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when credentials are missing or wrong.
        return f'{KEYWORD} realm="api"'
