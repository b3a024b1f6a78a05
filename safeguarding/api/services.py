"""Services for the API's own records: tokens and idempotency keys."""

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.errors import ApplicationError

from .models import TOKEN_PREFIX, ApiToken, IdempotencyKey, hash_token

#: The longest a token may live: partners rotate keys at least once a year.
MAX_LIFETIME = timedelta(days=366)
DEFAULT_LIFETIME = timedelta(days=365)
#: ``last_used_at`` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    #: The token to give the partner. It is not stored anywhere: show it once.
    secret: str


def _service_username(organisation: Organisation) -> str:
    return f"api-client-{organisation.pk}"


def api_service_user_for(organisation: Organisation) -> User:
    """The organisation's API user, created on first use.

    A partner-role account of the organisation with no usable password, so nobody can sign in
    as it; every token of the organisation authenticates as it. Deactivating it (in the users
    admin) stops all the organisation's tokens at once.
    """
    user = User.objects.filter(username=_service_username(organisation)).first()
    if user is not None:
        if user.organisation_id != organisation.pk or user.role != User.Role.PARTNER:
            raise ApplicationError(
                {"organisation": "The organisation's API user has been changed: ask support."}
            )
        return user
    user = User(
        username=_service_username(organisation),
        first_name="API client",
        last_name=organisation.name[:150],
        role=User.Role.PARTNER,
        organisation=organisation,
        job_title="Partner system (API)",
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def api_token_problems(
    *, organisation: Organisation | None, name: str, expires_at: datetime | None
) -> dict[str, str]:
    """What is wrong with a token about to be issued (the admin form asks too), by field."""
    now = timezone.now()
    errors = {}
    if organisation is not None:
        if organisation.is_local_authority or not organisation.authority_id:
            errors["organisation"] = "Tokens are for partner agencies that work with an authority."
        elif not organisation.is_active:
            errors["organisation"] = "The organisation is not active."
    if not (name or "").strip():
        errors["name"] = "Say what the token is for."
    if expires_at is not None:
        if expires_at <= now:
            errors["expires_at"] = "The expiry must be in the future."
        elif expires_at > now + MAX_LIFETIME:
            errors["expires_at"] = "A token can last at most a year: issue a new one to renew it."
    return errors


@transaction.atomic
def api_token_issue(
    *,
    organisation: Organisation,
    name: str,
    issued_by: User,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Issue a token for a partner organisation. The secret is returned once and never stored.

    ``issued_by`` must issue tokens (``visibility.issues_tokens``: an administrator) and may
    change the organisation (under the rule, an administrator of the authority the partner
    works with).
    """
    if not visibility.issues_tokens(issued_by) or not visibility.can(
        issued_by, organisation, visibility.CHANGE
    ):
        raise ApplicationError({"organisation": "Choose a partner organisation you look after."})
    now = timezone.now()
    expires_at = expires_at or now + DEFAULT_LIFETIME
    errors = api_token_problems(organisation=organisation, name=name, expires_at=expires_at)
    if errors:
        raise ApplicationError(errors)
    service_user = api_service_user_for(organisation)
    if not service_user.is_active:
        raise ApplicationError(
            {"organisation": "The organisation's API user is deactivated: reactivate it first."}
        )
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name.strip(),
        service_user=service_user,
        prefix=prefix,
        hashed_key=hash_token(secret),
        created_at=now,
        created_by=issued_by,
        expires_at=expires_at,
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, revoked_by: User) -> ApiToken:
    """Revoke a token at once; it stays listed (with who revoked it and when) for the record."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not visibility.can(revoked_by, token, visibility.CHANGE):
        raise ApplicationError("You cannot revoke this token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = revoked_by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


class TokenRefused(Exception):
    """The token does not authenticate; the message is safe to show to its holder."""


def api_token_authenticate(raw: str) -> ApiToken:
    """The token ``raw`` belongs to, if it may be used now; records when it was last used.

    Raises :class:`TokenRefused`. Why a token is refused (revoked, expired) is told only to
    someone who holds the real token: a wrong or unknown token is just "not valid".
    """
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1]:
        raise TokenRefused("The token is not valid.")
    token = (
        ApiToken.objects.select_related("service_user", "organisation")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.hashed_key, hash_token(raw)):
        raise TokenRefused("The token is not valid.")
    now = timezone.now()
    if token.is_revoked:
        raise TokenRefused("The token has been revoked.")
    if token.is_expired(now):
        raise TokenRefused("The token has expired.")
    if not token.organisation.is_active or not token.service_user.is_active:
        raise TokenRefused("The organisation's API access is suspended.")
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        # An update, not a save: no audit row and no race with a concurrent revocation.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete idempotency keys older than their retention (24 hours). Returns how many."""
    cutoff = (now or timezone.now()) - IdempotencyKey.RETENTION
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
