"""The outbox: what someone must be told, recorded in the transaction of the event itself.

A row names a reference and a link, never a child's details. Delivery (email, webhooks,
retries) reads these rows; until a channel is configured they wait as ``pending``.
"""

import uuid

from django.conf import settings
from django.db import models


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=64)
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
    reference = models.CharField(max_length=32, help_text="The record's reference, not a name.")
    link = models.CharField(max_length=200, help_text="A path in the app; it needs sign-in.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient_user__isnull=False)
                | models.Q(recipient_organisation__isnull=False),
                name="notification_has_a_recipient",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.event_type} {self.reference}"
