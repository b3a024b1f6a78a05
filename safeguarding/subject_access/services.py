"""Subject access request services: record a request, its identity check, an extension, a
refusal; compile the bundle, review its redactions, mark it reviewed, sent and closed.

Only the data protection officer of the request's authority (``visibility.protects_data``,
the request read through the rule with ``ACCOUNT``) does any of it: anyone else is refused
with ``NotAllowed``, and a request of another authority is ``RecordNotFound``. Every problem
with the input is an ``ApplicationError`` by field. Compiling is audited (the audit's export
row: who, which request, how many items).
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from cases.models import YoungPerson
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.audit.registry import record_export
from safeguarding.errors import ApplicationError, NotAllowed

from . import dates
from .compile import compile_bundle
from .models import Bundle, SubjectAccessRequest

Status = SubjectAccessRequest.Status


def _officer(by: User) -> None:
    if not visibility.protects_data(by):
        raise NotAllowed("Only the data protection officer handles subject access requests.")


def _locked(request: SubjectAccessRequest, by: User, *statuses) -> SubjectAccessRequest:
    """The request, locked and read again through the rule (ACCOUNT), in one of
    ``statuses`` (any, if none given)."""
    _officer(by)
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    visibility.require(by, request, visibility.ACCOUNT)
    if statuses and request.status not in statuses:
        raise ApplicationError(
            f"This request is {request.get_status_display().lower()}: it cannot be changed so."
        )
    return request


def _text(value) -> str:
    return (value or "").strip()


@transaction.atomic
def request_record(
    *,
    by: User,
    young_person: YoungPerson,
    requester_name: str,
    requester_relationship: str,
    requester_contact: str,
    received_on: date | None,
    scope: str = SubjectAccessRequest.Scope.EVERYTHING,
    scope_from: date | None = None,
    scope_to: date | None = None,
    scope_notes: str = "",
) -> SubjectAccessRequest:
    """Record a request received on ``received_on`` (today or before) about ``young_person``
    (one of the officer's authority's): due one calendar month later
    (:func:`dates.one_calendar_month_after`). ``scope``: everything, or the records dated
    ``scope_from`` to ``scope_to`` (inclusive)."""
    _officer(by)
    young_person = visibility.require(by, young_person, visibility.ACCOUNT)
    errors = {}
    requester_name = " ".join(_text(requester_name).split())
    if not requester_name:
        errors["requester_name"] = "Enter the requester's name."
    if requester_relationship not in SubjectAccessRequest.Relationship.values:
        errors["requester_relationship"] = "Say who is asking."
    if not _text(requester_contact):
        errors["requester_contact"] = "Enter how to reach the requester."
    if received_on is None:
        errors["received_on"] = "Enter the day the request was received."
    elif received_on > timezone.localdate():
        errors["received_on"] = "The day it was received cannot be in the future."
    if scope not in SubjectAccessRequest.Scope.values:
        errors["scope"] = "Say what the request asks for."
    elif scope == SubjectAccessRequest.Scope.DATE_RANGE:
        if scope_from is None:
            errors["scope_from"] = "Enter the first day of the records asked for."
        if scope_to is None:
            errors["scope_to"] = "Enter the last day of the records asked for."
        if scope_from and scope_to and scope_to < scope_from:
            errors["scope_to"] = "The last day must be on or after the first."
    else:
        scope_from = scope_to = None
    if errors:
        raise ApplicationError(errors)
    return SubjectAccessRequest.objects.create(
        authority_id=by.organisation_id,
        young_person=young_person,
        requester_name=requester_name,
        requester_relationship=requester_relationship,
        requester_contact=_text(requester_contact),
        scope=scope,
        scope_from=scope_from,
        scope_to=scope_to,
        scope_notes=_text(scope_notes),
        received_on=received_on,
        due_on=dates.one_calendar_month_after(received_on),
        created_by=by,
    )


@transaction.atomic
def identity_record(
    *, request: SubjectAccessRequest, by: User, method: str, checked_on: date | None, notes=""
) -> SubjectAccessRequest:
    """Record how the requester's identity (and a representative's authority) was checked,
    and when: the request moves to *identity checked*. The officer is recorded as who
    checked."""
    request = _locked(request, by, Status.RECEIVED, Status.IDENTITY_CHECKED)
    errors = {}
    if method not in SubjectAccessRequest.IdentityMethod.values:
        errors["method"] = "Say how identity was checked."
    if checked_on is None:
        errors["checked_on"] = "Enter the day identity was checked."
    elif checked_on > timezone.localdate():
        errors["checked_on"] = "The day it was checked cannot be in the future."
    if method == SubjectAccessRequest.IdentityMethod.OTHER and not _text(notes):
        errors["notes"] = "Say how identity was checked."
    if errors:
        raise ApplicationError(errors)
    request.identity_method = method
    request.identity_notes = _text(notes)
    request.identity_checked_by = by
    request.identity_checked_on = checked_on
    request.status = Status.IDENTITY_CHECKED
    request.save()
    return request


@transaction.atomic
def request_extend(
    *,
    request: SubjectAccessRequest,
    by: User,
    new_due_on: date | None,
    reason: str,
    today: date | None = None,
) -> SubjectAccessRequest:
    """Extend a request that is complex, or one of several, by up to two further months
    (UK GDPR Article 12(3)): ``new_due_on`` after the current due date and no later than three
    calendar months after receipt; ``reason`` (what the requester is told) required. The
    requester must be told of an extension within the first month, so a request whose first
    due date has passed (``today``, default the local date) can no longer be extended."""
    request = _locked(request, by)
    if request.finished:
        raise ApplicationError("This request is finished: it cannot be extended.")
    today = today or timezone.localdate()
    if today > request.due_on and request.extended_due_on is None:
        raise ApplicationError(
            {
                "new_due_on": (
                    f"It is too late to extend: the requester had to be told by "
                    f"{request.due_on:%-d %B %Y}, one month after the request came "
                    "(UK GDPR Article 12(3))."
                )
            }
        )
    errors = {}
    latest = dates.latest_extended_due(request.received_on)
    if new_due_on is None:
        errors["new_due_on"] = "Enter the new due date."
    elif new_due_on <= request.current_due_on:
        errors["new_due_on"] = f"The new due date must be after {request.current_due_on:%-d %B %Y}."
    elif new_due_on > latest:
        errors["new_due_on"] = (
            f"An extension is at most two further months: by {latest:%-d %B %Y} at the latest."
        )
    if not _text(reason):
        errors["reason"] = "Say why the request needs longer (the requester is told)."
    if errors:
        raise ApplicationError(errors)
    request.extended_due_on = new_due_on
    request.extension_reason = _text(reason)
    request.save()
    return request


@transaction.atomic
def request_refuse(*, request: SubjectAccessRequest, by: User, reason: str):
    """Refuse a request (manifestly unfounded or excessive, Article 12(5); or an exemption
    applies to all of it), with the reason the requester is told."""
    request = _locked(request, by)
    if request.finished:
        raise ApplicationError("This request is finished: it cannot be refused.")
    if not _text(reason):
        raise ApplicationError({"reason": "Say why the request is refused."})
    request.status = Status.REFUSED
    request.refusal_reason = _text(reason)
    request.closed_on = timezone.localdate()
    request.save()
    return request


@transaction.atomic
def bundle_compile(*, request: SubjectAccessRequest, by: User) -> Bundle:
    """Gather the bundle (:func:`safeguarding.subject_access.compile.compile_bundle`) once
    identity is checked; compiling again replaces it, and it must be reviewed again. Audited:
    who compiled which request, and how many items."""
    request = _locked(request, by, Status.IDENTITY_CHECKED, Status.COMPILED, Status.REVIEWED)
    items, redactions = compile_bundle(by, request)
    bundle, _ = Bundle.objects.update_or_create(
        request=request,
        defaults={
            "items": items,
            "redactions": redactions,
            "compiled_at": timezone.now(),
            "compiled_by": by,
            "reviewed_at": None,
            "reviewed_by": None,
        },
    )
    request.status = Status.COMPILED
    request.save(update_fields=["status"])
    record_export(
        user=by,
        model=SubjectAccessRequest,
        name="Subject access bundle compiled",
        rows=len(items),
        filters={"request": request.reference, "redactions": len(redactions)},
        subjects=[request.young_person.subject_id],
    )
    return bundle


def _bundle(request, by) -> tuple[SubjectAccessRequest, Bundle]:
    request = _locked(request, by, Status.COMPILED, Status.REVIEWED)
    bundle = Bundle.objects.select_for_update().get(request=request)
    return request, bundle


def _reopened(request, bundle) -> None:
    """A change to the redactions of a reviewed bundle: it must be reviewed again."""
    bundle.reviewed_at, bundle.reviewed_by = None, None
    bundle.save()
    if request.status != Status.COMPILED:
        request.status = Status.COMPILED
        request.save(update_fields=["status"])


@transaction.atomic
def redaction_withdraw(*, request: SubjectAccessRequest, by: User, redaction_id: str, reason):
    """Un-redact: the value is shown as written from now on (the person may have it: they
    gave it, or the other person consented, Article 15(4)), with the officer's reason."""
    request, bundle = _bundle(request, by)
    found = next((x for x in bundle.redactions if x["id"] == redaction_id), None)
    if found is None or not found.get("active", True):
        raise ApplicationError("That redaction is not in force.")
    if not _text(reason):
        raise ApplicationError({"reason": "Say why this may be disclosed."})
    found.update(
        active=False,
        withdrawn_reason=_text(reason),
        by=by.get_full_name() or by.username,
        at=timezone.now().isoformat(),
    )
    _reopened(request, bundle)
    return bundle


@transaction.atomic
def redaction_add(*, request: SubjectAccessRequest, by: User, phrase: str, reason: str):
    """Redact a further phrase (a name, an address, anything the person may not have)
    wherever it appears in the bundle, with the reason the bundle's list of redactions
    gives."""
    request, bundle = _bundle(request, by)
    phrase = " ".join(_text(phrase).split())
    errors = {}
    if len(phrase) < 2:
        errors["phrase"] = "Enter the words to redact."
    elif any(
        x["value"].casefold() == phrase.casefold() and x.get("active", True)
        for x in bundle.redactions
    ):
        errors["phrase"] = "Those words are already redacted."
    if not _text(reason):
        errors["reason"] = "Say why it may not be disclosed."
    if errors:
        raise ApplicationError(errors)
    added = sum(1 for x in bundle.redactions if x.get("source") == "added") + 1
    bundle.redactions = [
        *bundle.redactions,
        {
            "id": f"R{len(bundle.redactions) + 1}",
            "value": phrase,
            "label": f"Redacted {added}",
            "reason": _text(reason),
            "source": "added",
            "active": True,
            "withdrawn_reason": "",
            "by": by.get_full_name() or by.username,
            "at": timezone.now().isoformat(),
        },
    ]
    _reopened(request, bundle)
    return bundle


@transaction.atomic
def bundle_mark_reviewed(*, request: SubjectAccessRequest, by: User) -> SubjectAccessRequest:
    """The officer has read the bundle and its redactions: it may be downloaded and sent."""
    request, bundle = _bundle(request, by)
    bundle.reviewed_at, bundle.reviewed_by = timezone.now(), by
    bundle.save()
    request.status = Status.REVIEWED
    request.save(update_fields=["status"])
    return request


@transaction.atomic
def request_mark_sent(*, request: SubjectAccessRequest, by: User, sent_on: date | None):
    """The reviewed bundle was sent to the requester on ``sent_on`` (today or before)."""
    request = _locked(request, by, Status.REVIEWED)
    if sent_on is None:
        raise ApplicationError({"sent_on": "Enter the day it was sent."})
    if sent_on > timezone.localdate():
        raise ApplicationError({"sent_on": "The day it was sent cannot be in the future."})
    request.status, request.sent_on = Status.SENT, sent_on
    request.save(update_fields=["status", "sent_on"])
    return request


@transaction.atomic
def request_close(*, request: SubjectAccessRequest, by: User) -> SubjectAccessRequest:
    """Close a request that was sent (nothing more to do)."""
    request = _locked(request, by, Status.SENT)
    request.status, request.closed_on = Status.CLOSED, timezone.localdate()
    request.save(update_fields=["status", "closed_on"])
    return request
