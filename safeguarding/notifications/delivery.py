"""Delivering notifications: at least once, with retries driven by the database.

``attempt(pk)`` first *claims* the row with one conditional UPDATE (pending, due now): it counts
the attempt and moves ``next_attempt_at`` a lease ahead. Only one worker can win the claim, so a
task queued twice (after commit, and by the sweep) sends once. Then it sends:

* success: ``sent``;
* failure: ``next_attempt_at`` moves to an exponential backoff with jitter, and the task is
  queued again for that time; after ``NOTIFICATION_MAX_ATTEMPTS`` the row is ``dead`` (dead
  letter), shown on the delivery log with a manual retry;
* the worker dies mid-send: nothing is marked; the lease runs out and the sweep
  (``dispatch_due``) queues the row again.

Every attempt carries the same event id (webhook ``webhook-id``, email ``Message-ID``), so a
receiver that was sent an event twice can tell. Log lines name the notification's id, event type
and outcome, never the recipient's address or a record's content.
"""

import logging
import smtplib
from datetime import UTC, timedelta
from functools import partial

from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from safeguarding.accounts.disclosure import notification_part

from .models import Notification
from .notify import NotifyRefused
from .services import kind_of, queue_name
from .webhooks import UnsafeURL, payload, post, signed_headers

logger = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The receiver did not take the notification; the message says why, without content."""


class PermanentFailure(DeliveryFailed):
    """Trying again cannot help (the endpoint was removed, or answered 410 Gone): dead at once."""


def absolute(link: str) -> str:
    return settings.SITE_URL.rstrip("/") + link


def backoff_seconds(attempts: int) -> int:
    """Seconds before attempt ``attempts + 1``: exponential, capped, with full jitter."""
    return max(
        1,
        get_exponential_backoff_interval(
            factor=settings.NOTIFICATION_RETRY_BASE_SECONDS,
            retries=attempts - 1,
            maximum=settings.NOTIFICATION_RETRY_MAX_SECONDS,
            full_jitter=True,
        ),
    )


def send_email(notification: Notification) -> None:
    # Only the parts of a notification that may leave the council (accounts/disclosure.py).
    part = partial(notification_part, notification)
    kind = kind_of(part("event_type"))
    context = {
        "title": kind.title if kind else part("event_type"),
        "summary": kind.summary if kind else "",
        "reference": part("reference"),
        # A password reset's one-time link is made now, from the recipient (never stored).
        "link": absolute(kind.link_for(notification) if kind else part("link")),
        # How long a password reset link works (PASSWORD_RESET_TIMEOUT).
        "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
    }
    message = EmailMessage(
        subject=(
            kind.email_subject(notification)
            if kind
            else f"{context['title']}: {context['reference']}"
        ),
        body=render_to_string(kind.email_template if kind else "notifications/email.txt", context),
        to=[notification.email],
        headers={
            "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies
            # The same on every attempt: mail clients and systems drop repeats of a Message-ID.
            "Message-ID": f"<{notification.event_id}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>",
            "X-Safeguarding-Event": notification.event_type,
        },
    )
    for filename, content, mimetype in kind.attachments(notification) if kind else ():
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as e:
        codes = sorted({code for code, _ in e.recipients.values()})
        failure = PermanentFailure if all(c >= 500 for c in codes) else DeliveryFailed
        raise failure(f"The mail server refused the address ({', '.join(map(str, codes))}).") from e
    except smtplib.SMTPResponseException as e:
        # The server's own problem (credentials, our sender address, a relay refusing us) hits
        # every email alike and is put right on our side: retried, never given up at once.
        logger.error("The mail server answered %s to notification %s", e.smtp_code, notification.pk)
        raise DeliveryFailed(f"The mail server answered {e.smtp_code}.") from e
    except (smtplib.SMTPException, OSError) as e:
        raise DeliveryFailed(f"The mail server could not be reached: {type(e).__name__}") from e
    except NotifyRefused as e:
        raise (PermanentFailure if e.permanent else DeliveryFailed)(str(e)) from e


def send_webhook(notification: Notification) -> None:
    channel = notification.channel
    if channel is None:
        raise PermanentFailure("The endpoint was removed.")
    if not channel.is_active:  # paused: tried again later, in case it is switched back on
        raise DeliveryFailed("The endpoint is switched off.")
    body = payload(notification, absolute(notification.link))
    now = _now_utc()
    headers = signed_headers(channel.signing_secrets(now), str(notification.event_id), body, now)
    try:
        status = post(channel.url, body, headers)
    except UnsafeURL as e:
        raise DeliveryFailed(str(e)) from e
    except Exception as e:  # urllib3: refused, timed out, TLS...
        raise DeliveryFailed(f"No response: {type(e).__name__}") from e
    if status == 410:
        raise PermanentFailure("The endpoint answered HTTP 410 (gone).")
    if not 200 <= status < 300:
        raise DeliveryFailed(f"The endpoint answered HTTP {status}.")


def _now_utc():
    return timezone.now().astimezone(UTC)


EARLY_TOLERANCE = timedelta(seconds=2)
SWEEP_REQUEUE_AFTER = timedelta(minutes=5)

SENDERS = {Notification.Kind.EMAIL: send_email, Notification.Kind.WEBHOOK: send_webhook}


def attempt(pk: int) -> str | None:
    """Try to deliver one notification; return its new status, or None if it was not due."""
    now = timezone.now()
    # A retry queued with a countdown may be run a moment before its time: it still counts.
    claimed = Notification.objects.filter(
        pk=pk,
        status=Notification.Status.PENDING,
        next_attempt_at__lte=now + EARLY_TOLERANCE,
        attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS,
    ).update(
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        next_attempt_at=now + timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS),
    )
    if not claimed:
        logger.debug("Notification %s is not due, or another worker has it", pk)
        return None
    notification = Notification.objects.select_related("channel").get(pk=pk)
    try:
        SENDERS[notification.kind](notification)
    except Exception as e:
        error = str(e) if isinstance(e, DeliveryFailed) else f"{type(e).__name__}"
        return _failed(notification, error[:300], permanent=isinstance(e, PermanentFailure))
    _still_ours(notification).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    logger.info(
        "Notification %s (%s, %s) sent on attempt %s",
        pk,
        notification.event_type,
        notification.kind,
        notification.attempts,
    )
    return Notification.Status.SENT


def _still_ours(notification: Notification):
    """The row, if this attempt's claim on it still holds (a worker so slow that its lease ran
    out and another attempt began must not overwrite what that attempt records)."""
    return Notification.objects.filter(
        pk=notification.pk,
        status=Notification.Status.PENDING,
        attempts=notification.attempts,
    )


def _failed(notification: Notification, error: str, *, permanent: bool = False) -> str:
    pk = notification.pk
    if permanent or notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        _still_ours(notification).update(status=Notification.Status.DEAD, last_error=error)
        logger.error(
            "Notification %s (%s, %s) failed %s times; gave up: %s",
            pk,
            notification.event_type,
            notification.kind,
            notification.attempts,
            error,
        )
        return Notification.Status.DEAD
    delay = backoff_seconds(notification.attempts)
    _still_ours(notification).update(
        next_attempt_at=timezone.now() + timedelta(seconds=delay), last_error=error
    )
    logger.warning(
        "Notification %s (%s, %s) failed on attempt %s (%s); next try in %ss",
        pk,
        notification.event_type,
        notification.kind,
        notification.attempts,
        error,
        delay,
    )
    _queue_retry(pk, delay, kind=notification.kind)
    return Notification.Status.PENDING


def _queue_retry(pk: int, delay: int, *, kind: str) -> None:
    """Queue the retry for its time when that is soon; the sweep sends it otherwise (and when
    tasks run in-process, where a countdown would be ignored and the retry would be at once)."""
    from .tasks import deliver_notification

    if settings.CELERY_TASK_ALWAYS_EAGER or delay > settings.NOTIFICATION_QUEUE_RETRY_WITHIN:
        return
    try:
        deliver_notification.apply_async((pk,), countdown=delay, queue=queue_name(kind))
    except Exception as e:
        logger.warning("Could not queue the retry of notification %s (%s)", pk, type(e).__name__)


def dispatch_due(limit: int = 500) -> int:
    """The sweep: queue every pending notification whose time has come. Returns how many."""
    from .services import queue

    # A row whose every attempt was claimed by a worker that then died (it never recorded the
    # outcome) is given up once its last claim has run out, like any other that failed.
    exhausted = Notification.objects.filter(
        status=Notification.Status.PENDING,
        next_attempt_at__lte=timezone.now(),
        attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS,
    )
    for pk in list(exhausted.values_list("pk", flat=True)[:limit]):
        Notification.objects.filter(pk=pk, status=Notification.Status.PENDING).update(
            status=Notification.Status.DEAD,
            last_error="The worker sending it stopped on every attempt.",
        )
        logger.error("Notification %s: its worker stopped on every attempt; gave up", pk)
    # What the sweep queued a moment ago is not queued again each minute while it waits for a
    # worker (after an outage, or with no worker running); if it is still due a while later
    # (the message was lost with a broker), it is.
    now = timezone.now()
    due = list(
        Notification.objects.filter(
            Q(swept_at__isnull=True) | Q(swept_at__lt=now - SWEEP_REQUEUE_AFTER),
            status=Notification.Status.PENDING,
            next_attempt_at__lte=now,
            attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for pk in due:
            attempt(pk)
        return len(due)
    queued = queue(due)
    Notification.objects.filter(pk__in=queued).update(swept_at=now)
    return len(queued)


def retry(notification: Notification, *, by=None) -> bool:
    """A manager's manual retry of a dead-lettered notification: a fresh round of attempts.

    Only a ``dead`` row is retried; returns False for any other (it was sent, or someone retried
    it a moment ago). The row is locked and changed with ``save()`` (not ``update()``), so the
    change is written to the audit (django-auditlog) with who retried it; it is queued once the
    transaction commits (if the broker is down, the sweep sends it: it is due now).
    ``notification`` is updated in place.
    """
    from .services import queue

    with transaction.atomic():
        row = (
            Notification.objects.select_for_update()
            .filter(pk=notification.pk, status=Notification.Status.DEAD)
            .first()
        )
        if row is None:
            return False
        row.status = Notification.Status.PENDING
        row.attempts = 0
        row.next_attempt_at = timezone.now()
        row.save(update_fields=["status", "attempts", "next_attempt_at"])
        pk = row.pk
        transaction.on_commit(partial(queue, [pk]))
    for field in ("status", "attempts", "next_attempt_at"):
        setattr(notification, field, getattr(row, field))
    logger.info(
        "Notification %s (%s, %s) retried by hand by user %s",
        pk,
        row.event_type,
        row.kind,
        getattr(by, "pk", None),
    )
    return True
