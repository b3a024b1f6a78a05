"""The outbox and where it is delivered.

``Notification`` is one delivery: an event (``event_type``, a stable ``event_id``) for one
recipient over one channel (an email address, or an organisation's webhook endpoint). The row is
written in the transaction of the event itself, so it exists exactly when the event does; Celery
workers deliver it afterwards (``delivery.py``). A row names a reference and a link that needs
sign-in, never a child's details.

``Channel`` is where an organisation asks to be told, and about which events: administrators of
the authority manage them (the admin site); a partner agency may register its own webhook
endpoints through the API.
"""

import base64
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from safeguarding.encryption import EncryptedTextField


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class RotationInProgress(Exception):
    """The secret was rotated and the old one still signs until ``until``."""

    def __init__(self, until):
        super().__init__(
            "The secret was rotated recently: try again after the old one stops signing "
            f"({until:%d %b %Y %H:%M} UTC)."
        )
        self.until = until


class Channel(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="notification_channels"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    email = models.EmailField(blank=True, help_text="For email: a team mailbox, not a person's.")
    url = models.URLField(
        max_length=500,
        blank=True,
        help_text="For a webhook: the https address of the organisation's receiving system.",
    )
    # Encrypted at rest (safeguarding/encryption.py): the database holds a Fernet token. The
    # secret is shown once, to whoever makes or rotates it, and never read back on a page.
    secret = EncryptedTextField(
        blank=True,
        editable=False,
        help_text="Signs every webhook (Standard Webhooks); given once to the receiving system.",
    )
    previous_secret = EncryptedTextField(blank=True, editable=False)
    secret_set_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the signing secret was made."
    )
    previous_secret_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="After a rotation, deliveries are signed with the old secret too until then.",
    )
    event_types = models.JSONField(
        default=list, blank=True, help_text="The kinds of notification sent on this channel."
    )
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="email") & ~models.Q(email="") & models.Q(url=""))
                | (models.Q(kind="webhook") & ~models.Q(url="") & models.Q(email="")),
                name="channel_has_its_address",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.email or self.url}"

    def clean(self):
        from .webhooks import UnsafeURL, check_url

        if self.kind == self.Kind.EMAIL and (not self.email or self.url):
            raise ValidationError({"email": "An email channel needs an email address (no URL)."})
        if self.kind == self.Kind.WEBHOOK:
            if not self.url or self.email:
                raise ValidationError({"url": "A webhook channel needs a URL (no email address)."})
            try:
                check_url(self.url)
            except UnsafeURL as e:
                raise ValidationError({"url": str(e)}) from e
        from .services import EVENT_TYPES

        unknown = set(self.event_types or ()) - set(EVENT_TYPES)
        if unknown:
            raise ValidationError({"event_types": f"Unknown events: {', '.join(sorted(unknown))}"})

    def save(self, *args, **kwargs):
        if self.kind == self.Kind.WEBHOOK and not self.secret:
            self.secret = new_webhook_secret()
            self.secret_set_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "secret", "secret_set_at"}
        super().save(*args, **kwargs)

    def rotate_secret(self, *, overlap=timedelta(hours=24)) -> str:
        """A new signing secret. For ``overlap`` every delivery is signed with the old one as
        well (Standard Webhooks allows several signatures), so the receiving system can switch
        over without refusing anything. Refused (``RotationInProgress``) while an earlier
        rotation's overlap runs: the secret before it would stop signing at once."""
        with transaction.atomic():
            row = Channel.objects.select_for_update().get(pk=self.pk)
            now = timezone.now()
            if row.previous_secret_expires_at and row.previous_secret_expires_at > now:
                raise RotationInProgress(row.previous_secret_expires_at)
            row.previous_secret = row.secret
            row.previous_secret_expires_at = now + overlap
            row.secret = new_webhook_secret()
            row.secret_set_at = now
            row.save(
                update_fields=[
                    "secret",
                    "previous_secret",
                    "previous_secret_expires_at",
                    "secret_set_at",
                ]
            )
        self.secret = row.secret
        self.secret_set_at = row.secret_set_at
        self.previous_secret = row.previous_secret
        self.previous_secret_expires_at = row.previous_secret_expires_at
        return self.secret

    def signing_secrets(self, now) -> list[str]:
        secrets_ = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and now < (self.previous_secret_expires_at)
        ):
            secrets_.append(self.previous_secret)
        return secrets_

    def receives(self, event_type: str) -> bool:
        return self.is_active and event_type in (self.event_types or ())


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"
        DEAD = "dead", "Failed: gave up"

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=64)
    authority = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The local authority whose event this is: its managers see the delivery.",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    email = models.EmailField(blank=True, help_text="Where an email notification goes.")
    reference = models.CharField(max_length=32, help_text="The record's reference, not a name.")
    link = models.CharField(max_length=200, help_text="A path in the app; it needs sign-in.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    swept_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the sweep last queued it."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient_user__isnull=False)
                | models.Q(recipient_organisation__isnull=False),
                name="notification_has_a_recipient",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="email") & ~models.Q(email=""))
                | (models.Q(kind="webhook") & models.Q(email="")),
                name="notification_email_has_an_address",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["authority", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.event_type} {self.reference}"

    @property
    def recipient(self):
        return self.recipient_user or self.recipient_organisation

    @property
    def destination(self) -> str:
        if self.kind == self.Kind.EMAIL:
            return self.email
        return self.channel.url if self.channel else "(endpoint removed)"
