"""Recording what must be told. One small class per kind of notification.

A service that causes an event calls ``SomeEvent.record(...)`` inside its own transaction with
the recipients, the record's reference and a link (never personal details). ``record`` writes
one ``Notification`` per destination:

* a member of staff (``users``) is emailed at their work address;
* an organisation (``organisations``) is told on each of its active channels that asked for this
  kind of event (its ``Channel.event_types``);
* ``emails`` are addresses typed into the record itself, e.g. the referrer's, each with the
  organisation the person spoke for.

After the transaction commits, each row is queued for a Celery worker
(``tasks.deliver_notification``); the beat sweep (``tasks.dispatch_due_notifications``) sends
whatever was not queued or not finished. Adding a kind of notification is a subclass here with
an ``event_type`` and a ``title``, and one call from the service where the event happens.
"""

import logging
from collections.abc import Iterable, Sequence
from functools import partial

from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

EVENT_TYPES: dict[str, type["NotificationType"]] = {}
#: Events about a person's own account (a password reset link): sent to that person only, never
#: on an organisation's channels, so not among the events channels and the API offer.
ACCOUNT_EVENT_TYPES: dict[str, type["NotificationType"]] = {}


def kind_of(event_type: str) -> type["NotificationType"] | None:
    """The notification type of an event type (channel events and account events)."""
    return EVENT_TYPES.get(event_type) or ACCOUNT_EVENT_TYPES.get(event_type)


class NotificationType:
    """A kind of event people are told about."""

    event_type = ""
    title = ""  # what the email subject and the admin's choices call it
    summary = ""  # one sentence for the email body: what happened, with no personal details
    #: Organisations may ask for it on their channels; False for account events.
    subscribable = True
    #: The email's body (``summary``, ``reference`` and ``link`` in its context).
    email_template = "notifications/email.txt"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.event_type:
            if kind_of(cls.event_type) is not None:
                raise TypeError(f"Two notification types for {cls.event_type}")
            registry = EVENT_TYPES if cls.subscribable else ACCOUNT_EVENT_TYPES
            registry[cls.event_type] = cls

    @classmethod
    def email_subject(cls, notification) -> str:
        return f"{cls.title}: {notification.reference}"

    @classmethod
    def link_for(cls, notification) -> str:
        """The path an email links to (made absolute by the sender); webhooks link to the
        row's own ``link``."""
        return notification.link

    @classmethod
    def record(
        cls,
        *,
        authority,
        reference: str,
        link: str,
        users: Iterable = (),
        organisations: Iterable = (),
        emails: Sequence[tuple[object, str]] = (),
    ) -> list[Notification]:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Notifications are recorded in the transaction of their event")
        common = {"event_type": cls.event_type, "authority": authority}
        common |= {"reference": reference, "link": link, "next_attempt_at": timezone.now()}
        rows, emailed = [], set()

        def email(address, **recipient):
            if address and address.lower() not in emailed:
                emailed.add(address.lower())
                rows.append(Notification(kind="email", email=address, **recipient, **common))

        for user in users:
            if user is not None and user.is_active:
                email(user.email, recipient_user=user)
        for organisation in {o.pk: o for o in organisations if o is not None}.values():
            for channel in organisation.notification_channels.all():
                if not channel.receives(cls.event_type):
                    continue
                if channel.kind == channel.Kind.EMAIL:
                    email(channel.email, recipient_organisation=organisation, channel=channel)
                else:
                    rows.append(
                        Notification(
                            kind="webhook",
                            recipient_organisation=organisation,
                            channel=channel,
                            **common,
                        )
                    )
        for organisation, address in emails:
            email(address, recipient_organisation=organisation)
        if not rows:
            return []
        rows = Notification.objects.bulk_create(rows)
        ids = [row.pk for row in rows]
        transaction.on_commit(partial(queue, ids))
        return rows


def queue(ids: Sequence[int]) -> list[int]:
    """Hand notifications to the workers; return the ids handed over. If the broker is down
    the rest stay due in the database and the beat sweep sends them later: a failure here never
    undoes or delays the event."""
    from .tasks import deliver_notification

    queued = []
    for pk in ids:
        try:
            deliver_notification.apply_async((pk,))
        except Exception as e:  # the broker is unreachable: the sweep will find the rows
            logger.warning(
                "Could not queue notification %s (%s); the sweep will send it",
                pk,
                type(e).__name__,
            )
            break
        queued.append(pk)
    return queued


# --- the kinds of notification ---------------------------------------------------------------


class ReferralReceived(NotificationType):
    event_type = "referral.received"
    title = "Referral received"
    summary = "Your referral has been received by the local authority's front door."


class ReferralDecided(NotificationType):
    event_type = "referral.decided"
    title = "Referral decided"
    summary = "A decision has been made on a referral."


class WorkAllocated(NotificationType):
    event_type = "work.allocated"
    title = "Work allocated to you"
    summary = "A case has been allocated to you."


class TransferRequested(NotificationType):
    event_type = "work.transfer_requested"
    title = "Transfer requested"
    summary = "Another team asks your team to take on a case."


class WorkTransferred(NotificationType):
    event_type = "work.transferred"
    title = "Case transferred"
    summary = (
        "A case has moved to another team: it is no longer yours, or it is now in your "
        "team's queue."
    )


class TransferDecided(NotificationType):
    event_type = "work.transfer_decided"
    title = "Transfer decided"
    summary = "The team you asked to take on a case has accepted or rejected the transfer."


class TransferWithdrawn(NotificationType):
    event_type = "work.transfer_withdrawn"
    title = "Transfer withdrawn"
    summary = "A team that asked yours to take on a case has withdrawn the request."


class ConcernAtContext(NotificationType):
    event_type = "context.concern_logged"
    title = "Concern logged at a place"
    summary = "A concern has been logged about a place your organisation asked to hear about."


class ActionAssigned(NotificationType):
    event_type = "action.assigned"
    title = "Action assigned"
    summary = "An action has been assigned to you (or to your organisation)."


class ActionOverdue(NotificationType):
    event_type = "action.overdue"
    title = "Action overdue"
    summary = "An action assigned to your organisation is past its due date."


class PasswordReset(NotificationType):
    """A link to choose a new password (``safeguarding/accounts/passwords.py``). The row holds
    no secret: the link's one-time token is made when the email is sent, from the recipient's
    account as it is then, so the delivery log and the audit never hold a working link, and a
    link sent earlier stops working once the password is set."""

    event_type = "account.password_reset"
    title = "Choose a new password"
    summary = "Use the link to choose a new password for your account."
    subscribable = False
    email_template = "notifications/password_reset_email.txt"

    @classmethod
    def email_subject(cls, notification) -> str:
        return cls.title

    @classmethod
    def link_for(cls, notification) -> str:
        from django.contrib.auth.tokens import default_token_generator
        from django.urls import reverse
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        user = notification.recipient_user
        return reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )


class EmailAddressChanged(NotificationType):
    """Sent to an account's *old* address when someone else changes it
    (``safeguarding/accounts/separation.py``): the person learns of it even if the change was
    a way to take over their account. No link to act on and no personal details."""

    event_type = "account.email_changed"
    title = "The email address of your account was changed"
    summary = (
        "Someone changed the email address of your Contextual Safeguarding account. If you "
        "did not expect this, tell your manager and your council's system administrators now."
    )
    subscribable = False
    email_template = "notifications/email_changed_email.txt"

    @classmethod
    def email_subject(cls, notification) -> str:
        return cls.title

    @classmethod
    def link_for(cls, notification) -> str:
        return notification.link
