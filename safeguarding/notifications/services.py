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

A partner agency's own webhook endpoints (webhook ``Channel``s it registers through the partner
API, ``api.py``) are registered, changed, deleted and given new secrets by the
``webhook_endpoint_*`` services at the end of this module.
"""

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from safeguarding import versions
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound

from .models import Channel, Notification, RotationInProgress

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
    def attachments(cls, notification) -> list[tuple[str, str, str]]:
        """Files the email carries, as ``(filename, content, mimetype)``: none unless the kind
        says (a meeting's calendar invitation). Never a child's details."""
        return []

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


def queue_name(kind: str) -> str:
    """The Celery queue a notification of ``kind`` (``email`` or ``webhook``) is delivered
    from: each channel has its own (``settings.NOTIFICATION_QUEUES``), consumed by its own
    worker, so a partner's endpoint that hangs until its timeout holds up only webhooks."""
    return settings.NOTIFICATION_QUEUES[kind]


def queue(ids: Sequence[int]) -> list[int]:
    """Hand notifications to the workers, each on its channel's queue (:func:`queue_name`);
    return the ids handed over. If the broker is down the rest stay due in the database and the
    beat sweep sends them later: a failure here never undoes or delays the event."""
    from .tasks import deliver_notification

    kinds = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "kind"))
    queued = []
    for pk in ids:
        if pk not in kinds:
            continue  # deleted since (a channel removed with its organisation)
        try:
            deliver_notification.apply_async((pk,), queue=queue_name(kinds[pk]))
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


class CaseClosureRequested(NotificationType):
    event_type = "work.closure_requested"
    title = "Case closure to sign off"
    summary = "You are asked to sign off the closure of a case held by your team."


class CaseClosureDecided(NotificationType):
    event_type = "work.closure_decided"
    title = "Case closure decided"
    summary = "The closure of a case you asked to close has been signed off or returned to you."


class ApprovalRequested(NotificationType):
    event_type = "approval.requested"
    title = "Waiting for your sign-off"
    summary = "You are asked to sign off work about a subject your team holds."


class ApprovalDecided(NotificationType):
    event_type = "approval.decided"
    title = "Sign-off decided"
    summary = "Work you asked to be signed off has been approved or returned with comments."


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


class _MeetingNotification(NotificationType):
    """A meeting's invitation, change, cancellation or minutes: the email carries a calendar
    invitation (``cases.meetings.calendar``: the meeting's kind and reference, when and where,
    no child's details)."""

    method = "REQUEST"

    @classmethod
    def attachments(cls, notification) -> list[tuple[str, str, str]]:
        from cases.meetings.calendar import invitation_for

        return invitation_for(notification, method=cls.method)


class MeetingInvited(_MeetingNotification):
    event_type = "meeting.invited"
    title = "Meeting invitation"
    summary = "You (or your organisation) are invited to a meeting. Sign in to see it."


class MeetingChanged(_MeetingNotification):
    event_type = "meeting.changed"
    title = "Meeting changed"
    summary = "The time or place of a meeting you are invited to has changed."


class MeetingCancelled(_MeetingNotification):
    event_type = "meeting.cancelled"
    title = "Meeting cancelled"
    summary = "A meeting you were invited to has been cancelled."
    method = "CANCEL"


class MeetingMinutesCirculated(NotificationType):
    event_type = "meeting.minutes_circulated"
    title = "Meeting minutes circulated"
    summary = "The approved minutes of a meeting you were invited to are ready to read."


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


class RestrictionBreakGlass(NotificationType):
    """An out-of-hours manager opened a young person's record they are not named on
    (``cases/restrictions/breakglass.py``): the authority's data protection officers and the
    managers of the team holding the record are told, by the record's reference and a link to
    it (which opens only for those who may see it). Staff only: never on an organisation's
    channels, so not among the events channels and the API offer."""

    event_type = "restriction.break_glass"
    title = "Emergency access to a restricted record"
    summary = (
        "An out-of-hours manager used emergency (break-glass) access to open a record they are "
        "not named on, giving a reason. Check the access log and whether they should be named."
    )
    subscribable = False


# --- webhook endpoints: a partner agency's own channels (the partner API) ---------------------
#
# Each change is one transaction; the channel's row changes are audited by django-auditlog
# (``notifications.Channel`` is registered, its secrets excluded), with the acting user of the
# request. A caller that may not register endpoints is refused (NotAllowed); an endpoint
# it may not change is missing (RecordNotFound), as the API answers for one that does not exist.

#: What a caller who may not register webhook endpoints is told (the API's 403).
ONLY_PARTNERS_REGISTER = (
    "Webhook endpoints are registered by partner agencies' systems. The council's "
    "administrators manage every organisation's notifications in the admin site."
)
#: Why a waiting delivery to a deleted endpoint was given up (the delivery log shows it).
ENDPOINT_REMOVED = "The endpoint was removed by its organisation."


class SecretRotationInProgress(ApplicationError):
    """A rotation refused: the secret was rotated recently, and the one before it still signs
    deliveries until ``until`` (a datetime, UTC): rotating now would stop it at once. The API
    answers 409 with ``Retry-After``."""

    def __init__(self, message: str, *, until: datetime):
        super().__init__(message, code="rotation_in_progress")
        self.until = until


def webhook_endpoints_per_organisation() -> int:
    """The most webhook endpoints an organisation may have
    (``WEBHOOK_ENDPOINTS_PER_ORGANISATION``)."""
    return settings.WEBHOOK_ENDPOINTS_PER_ORGANISATION


def _require_registrant(by: User) -> None:
    if not visibility.registers_webhook_endpoints(by):
        raise NotAllowed(ONLY_PARTNERS_REGISTER)


def _clean_event_types(event_types: Sequence[str]) -> list[str]:
    """Names of ``EVENT_TYPES``, each once, in the order given (ApplicationError otherwise)."""
    chosen = list(dict.fromkeys(event_types))
    if not chosen:
        raise ApplicationError({"event_types": "Choose at least one event type."})
    unknown = [name for name in chosen if name not in EVENT_TYPES]
    if unknown:
        raise ApplicationError(
            {
                "event_types": f"Not event types: {', '.join(unknown)}. Choose from: "
                f"{', '.join(EVENT_TYPES)}."
            }
        )
    return chosen


#: What a webhook endpoint's version (its API ``ETag``) is made of: the fields its
#: representation shows (``safeguarding.notifications.api.WebhookEndpointSerializer``).
WEBHOOK_ENDPOINT_VERSION_FIELDS = ("url", "event_types", "description", "is_active", "created_at")


def _endpoint(endpoint: Channel, by: User) -> Channel:
    """``endpoint`` read again and locked, if ``by`` may change it (the rule: its own
    organisation's); RecordNotFound otherwise, as for a missing one."""
    _require_registrant(by)
    endpoints = Channel.objects.filter(kind=Channel.Kind.WEBHOOK)
    try:
        return (
            visibility.restrict(by, endpoints, visibility.CHANGE)
            .select_for_update()
            .get(pk=endpoint.pk)
        )
    except Channel.DoesNotExist:
        raise RecordNotFound("No such webhook endpoint") from None


@transaction.atomic
def webhook_endpoint_create(
    *, by: User, url: str, event_types: Sequence[str], description: str = ""
) -> Channel:
    """Register a webhook endpoint of ``by``'s organisation, to be sent ``event_types`` (names
    of :data:`EVENT_TYPES`; repeats count once) at ``url``, and make its signing secret.

    ``by``: a partner agency's API user or person (``visibility.registers_webhook_endpoints``),
    otherwise ``NotAllowed``. ``url`` is checked for its form here (``https://``, a host,
    no user name or password: ``webhooks.check_url`` without resolving); the caller's field has
    checked where the host resolves (only public addresses), and every delivery checks it again.
    An organisation has at most :func:`webhook_endpoints_per_organisation` endpoints: one more
    is an ``ApplicationError`` not about a field. Registrations of one organisation are made one
    at a time (its row is locked), so two at once cannot pass the limit.

    Returns the new channel; its ``secret`` (made by ``Channel.save``) is shown to whoever
    registered it, once, and never again.
    """
    from .webhooks import UnsafeURL, check_url

    _require_registrant(by)
    try:
        check_url(url, resolve=False)
    except UnsafeURL as e:
        raise ApplicationError({"url": str(e)}) from e
    event_types = _clean_event_types(event_types)
    limit = webhook_endpoints_per_organisation()
    # One registration at a time per organisation, so two at once cannot pass the limit.
    organisation = Organisation.objects.select_for_update().get(pk=by.organisation_id)
    if (
        Channel.objects.filter(organisation=organisation, kind=Channel.Kind.WEBHOOK).count()
        >= limit
    ):
        raise ApplicationError(
            f"Your organisation has {limit} webhook endpoints, the most it may have: delete "
            "one it no longer uses first."
        )
    return Channel.objects.create(
        organisation=organisation,
        kind=Channel.Kind.WEBHOOK,
        url=url,
        event_types=event_types,
        description=description,
        created_by=by,
    )


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: Channel,
    by: User,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
    if_match: str | None = None,
) -> Channel:
    """Set the given fields of one of ``by``'s organisation's webhook endpoints (``None``: as it
    is): the events it is sent (names of :data:`EVENT_TYPES`, at least one; repeats count once),
    its description, whether it is on. The address cannot change (a new endpoint, with a new
    secret, is registered instead). Setting values, not adding to them: safe to repeat.

    Returns the endpoint as saved. ``NotAllowed`` for a caller who does not register
    endpoints, ``RecordNotFound`` for an endpoint ``by`` may not change, ``ApplicationError`` for
    event types that are not. ``if_match`` (an ``If-Match`` header's value) is compared under
    the row lock with the endpoint's entity tag over :data:`WEBHOOK_ENDPOINT_VERSION_FIELDS`:
    ``StaleRecord`` (nothing saved) if it changed since it was read; ``None``: not checked.
    """
    channel = _endpoint(endpoint, by)
    versions.check_etag(channel, WEBHOOK_ENDPOINT_VERSION_FIELDS, if_match)
    changes = {}
    if event_types is not None:
        changes["event_types"] = _clean_event_types(event_types)
    if description is not None:
        changes["description"] = description
    if is_active is not None:
        changes["is_active"] = is_active
    if changes:
        for name, value in changes.items():
            setattr(channel, name, value)
        channel.save(update_fields=list(changes))
    return channel


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: Channel, by: User) -> None:
    """Delete one of ``by``'s organisation's webhook endpoints and its secrets: nothing more is
    sent to it. Deliveries to it still waiting (pending, or being retried) are given up at once
    (*dead*, :data:`ENDPOINT_REMOVED`); the delivery log keeps them, without the endpoint.
    ``NotAllowed``/``RecordNotFound`` as for :func:`webhook_endpoint_update`."""
    channel = _endpoint(endpoint, by)
    Notification.objects.filter(channel=channel, status=Notification.Status.PENDING).update(
        status=Notification.Status.DEAD, last_error=ENDPOINT_REMOVED
    )
    channel.delete()


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: Channel, by: User) -> Channel:
    """Give one of ``by``'s organisation's webhook endpoints a new signing secret
    (``Channel.rotate_secret``): for 24 hours deliveries are signed with the old one as well.

    Returns the endpoint with its new ``secret`` and ``previous_secret_expires_at``: shown to
    whoever rotated it, once. :class:`SecretRotationInProgress` while an earlier rotation's
    24 hours run; ``NotAllowed``/``RecordNotFound`` as for :func:`webhook_endpoint_update`.
    """
    channel = _endpoint(endpoint, by)
    try:
        channel.rotate_secret()
    except RotationInProgress as e:
        raise SecretRotationInProgress(str(e), until=e.until) from e
    return channel
