"""Partner API tokens and idempotency keys."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguarding.encryption import EncryptedTextField

#: Every token starts with this, so a leaked one is easy to recognise (secret scanners, logs).
TOKEN_PREFIX = "sgp"  # noqa: S105 (a public marker, not a secret)


def hash_token(raw: str) -> str:
    """The stored form of a token: SHA-256 of the whole token.

    A slow password hash is not needed: the secret part is 256 random bits, so the hash cannot
    be reversed by guessing, and a fast hash keeps every API request cheap.
    """
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A partner organisation's key to the API, issued and revoked by an administrator.

    The token itself is shown once, when it is issued, and stored only as a hash. It looks like
    ``sgp_<prefix>_<secret>``: the prefix (not secret) finds the row, the hash of the whole
    token proves it. A token authenticates as its organisation's API user (``service_user``):
    a partner-role account that cannot sign in, shared by all the organisation's tokens, so the
    visibility rule, the audit and the idempotency keys treat the organisation as one caller.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="api_tokens",
        limit_choices_to={"authority__isnull": False},
        help_text="The partner agency whose system will use the token.",
    )
    name = models.CharField(
        max_length=200, help_text="What the token is for, e.g. 'Police case system (live)'."
    )
    service_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["organisation__name", "-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({TOKEN_PREFIX}_{self.prefix}_…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def state(self) -> str:
        if self.is_revoked:
            return "revoked"
        return "expired" if self.is_expired() else "active"


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` a caller sent, and the response it got (IETF draft
    ``draft-ietf-httpapi-idempotency-key-header``).

    Keys are scoped to the caller (a partner organisation's API user, or a signed-in person), so
    two organisations can use the same key without meeting. The row is inserted, committed, and
    then locked for the length of the request; the response is stored in the same transaction
    as the work it describes, so either both are saved or neither is. A row without a response
    is a request that is being processed (its row is locked) or one that failed and saved
    nothing (its row is not locked, and the key can be used again). Rows are kept for
    :data:`RETENTION` and then purged by ``api.tasks.purge_idempotency_keys``.
    """

    RETENTION = timedelta(hours=24)

    caller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The caller's organisation, for the administrators' view of the rows.
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    # SHA-256 of the method, the path and the canonical JSON of the body.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    # The body as JSON text, not jsonb: a replay has the same keys in the same order.
    # Encrypted at rest: an answer may carry a webhook signing secret (shown once, and again
    # only to a retry with the same key within 24 hours).
    response_body = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="idempotency_key_per_caller")
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return f"Idempotency key {self.key[:40]}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    def has_expired(self, now=None) -> bool:
        return self.created_at <= (now or timezone.now()) - self.RETENTION
