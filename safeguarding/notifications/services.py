"""Recording what must be told. One small class per kind of notification."""

from dataclasses import dataclass

from django.db import transaction

from .models import Notification


@dataclass(frozen=True)
class NotificationType:
    """A kind of event people are told about. Subclasses name the event; callers give the
    recipients, the record's reference and a link (never personal details)."""

    event_type = ""

    @classmethod
    def record(cls, *, reference: str, link: str, users=(), organisations=()) -> list[Notification]:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Notifications are recorded in the transaction of their event")
        rows = [
            Notification(
                event_type=cls.event_type, recipient_user=u, reference=reference, link=link
            )
            for u in users
            if u is not None
        ] + [
            Notification(
                event_type=cls.event_type, recipient_organisation=o, reference=reference, link=link
            )
            for o in organisations
            if o is not None
        ]
        return Notification.objects.bulk_create(rows)


class WorkAllocated(NotificationType):
    event_type = "work.allocated"


class TransferRequested(NotificationType):
    event_type = "work.transfer_requested"


class ReferralDecided(NotificationType):
    event_type = "referral.decided"
