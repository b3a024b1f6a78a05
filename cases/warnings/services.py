"""Warning note services: propose, authorise or decline, review, end. Each writes the warning
and a row of its history (``WarningNoteEvent``, an entry in the subject's chronology) in one
transaction.

Who may do what (the rule's CHANGE on the subject or the warning, then the role):

* **propose**: a practitioner (``visibility.proposes_warnings``: social worker or team manager)
  who may change the subject;
* **authorise, decline, review, end**: a team manager (``visibility.authorises_warnings``) who
  may change the warning, i.e. whose team holds the subject (a manager of another team finds
  no such warning: ``RecordNotFound``). A warning is never authorised or declined by the
  manager who proposed it (sign-off by someone other than the requester: the practice notes'
  rule for sign-off, as for case closures).

Refusals: ``RecordNotFound`` (not visible, or not for this user to change), ``NotAllowed`` (the
role may not take this step at all), ``ApplicationError`` (a message per field).
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from cases.models import WarningNote, WarningNoteEvent
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError, NotAllowed
from safeguarding.subjects.models import Subject

from .models import SUMMARY_MAX_LENGTH


def _review_date_error(review_on: date | None) -> str | None:
    """A warning's review date is required and in the future (after today, in London)."""
    if review_on is None:
        return "Enter the review date."
    if review_on <= timezone.localdate():
        return "The review date must be in the future."
    return None


def _manager_step(warning: WarningNote, by: User, *statuses: str) -> WarningNote:
    """The warning, locked and read again through the rule (CHANGE) for a team manager, in one
    of ``statuses``."""
    if not visibility.authorises_warnings(by):
        raise NotAllowed("Only a team manager can authorise, review or end a warning note.")
    warning = WarningNote.objects.select_for_update().get(pk=warning.pk)
    visibility.require(by, warning, visibility.CHANGE)
    if warning.status not in statuses:
        raise ApplicationError(
            f"This warning note is {warning.get_status_display().lower()}: it cannot be changed."
        )
    return warning


@transaction.atomic
def warning_propose(
    *,
    subject: Subject,
    category: str,
    summary: str,
    review_on: date | None,
    told: str,
    proposed_by: User,
) -> WarningNote:
    """Propose a warning note on a young person, a place or a peer group. It waits for a team
    manager's authorisation and shows as no banner until then.

    ``summary``: at most ``SUMMARY_MAX_LENGTH`` characters (the details go in a case note);
    ``review_on``: a date in the future; ``told``: a ``WarningNote.Told`` value ("does not
    apply" only for a place or a group). Every problem is raised at once, by field.
    """
    if not visibility.proposes_warnings(proposed_by):
        raise NotAllowed("Only a social worker or a team manager can propose a warning note.")
    visibility.require(proposed_by, subject.concrete, visibility.CHANGE)
    summary = " ".join((summary or "").split())
    errors = {}
    if category not in WarningNote.Category.values:
        errors["category"] = "Choose the kind of warning."
    if not summary:
        errors["summary"] = "Enter a summary of the warning."
    elif len(summary) > SUMMARY_MAX_LENGTH:
        errors["summary"] = (
            f"The summary must be {SUMMARY_MAX_LENGTH} characters or fewer: "
            "put the details in a case note."
        )
    if error := _review_date_error(review_on):
        errors["review_on"] = error
    if told not in WarningNote.Told.values:
        errors["told"] = "Say whether they were told of the warning."
    elif told == WarningNote.Told.NOT_APPLICABLE and subject.kind == Subject.Kind.YOUNG_PERSON:
        errors["told"] = "Say whether the young person or their family were told."
    if errors:
        raise ApplicationError(errors)
    now = timezone.now()
    warning = WarningNote.objects.create(
        subject=subject,
        category=category,
        summary=summary,
        review_on=review_on,
        told=told,
        proposed_by=proposed_by,
        proposed_at=now,
    )
    WarningNoteEvent.objects.create(
        warning=warning,
        kind=WarningNoteEvent.Kind.PROPOSED,
        at=now,
        by=proposed_by,
        review_on=review_on,
    )
    return warning


def _not_the_proposer(warning: WarningNote, by: User) -> None:
    if warning.proposed_by_id == by.pk:
        raise ApplicationError(
            "You proposed this warning note: another team manager must authorise or decline it."
        )


@transaction.atomic
def warning_authorise(
    *, warning: WarningNote, by: User, review_on: date | None = None, note: str = ""
) -> WarningNote:
    """Authorise a proposed warning note: from now it is in force, the banner on its subject's
    page. ``review_on`` replaces the proposed review date (which must then still be in the
    future)."""
    warning = _manager_step(warning, by, WarningNote.Status.PROPOSED)
    _not_the_proposer(warning, by)
    review_on = review_on or warning.review_on
    if error := _review_date_error(review_on):
        raise ApplicationError({"review_on": error})
    now = timezone.now()
    warning.status = WarningNote.Status.AUTHORISED
    warning.decided_by, warning.decided_at = by, now
    warning.review_on = review_on
    warning.save(update_fields=["status", "decided_by", "decided_at", "review_on"])
    WarningNoteEvent.objects.create(
        warning=warning,
        kind=WarningNoteEvent.Kind.AUTHORISED,
        at=now,
        by=by,
        note=note.strip(),
        review_on=review_on,
    )
    return warning


@transaction.atomic
def warning_decline(*, warning: WarningNote, by: User, reason: str) -> WarningNote:
    """Decline a proposed warning note, with a reason. It is kept, never shown as a banner."""
    warning = _manager_step(warning, by, WarningNote.Status.PROPOSED)
    _not_the_proposer(warning, by)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": "Say why the warning note is declined."})
    now = timezone.now()
    warning.status = WarningNote.Status.DECLINED
    warning.decided_by, warning.decided_at = by, now
    warning.decline_reason = reason
    warning.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
    WarningNoteEvent.objects.create(
        warning=warning, kind=WarningNoteEvent.Kind.DECLINED, at=now, by=by, note=reason
    )
    return warning


@transaction.atomic
def warning_review(*, warning: WarningNote, by: User, review_on: date | None, note: str):
    """A team manager reviews a warning in force and keeps it, with why it still applies and
    the next review date (in the future)."""
    warning = _manager_step(warning, by, WarningNote.Status.AUTHORISED)
    note = (note or "").strip()
    errors = {}
    if error := _review_date_error(review_on):
        errors["review_on"] = error
    if not note:
        errors["note"] = "Say why the warning still applies."
    if errors:
        raise ApplicationError(errors)
    warning.review_on = review_on
    warning.save(update_fields=["review_on"])
    WarningNoteEvent.objects.create(
        warning=warning, kind=WarningNoteEvent.Kind.REVIEWED, by=by, note=note, review_on=review_on
    )
    return warning


@transaction.atomic
def warning_end(*, warning: WarningNote, by: User, reason: str) -> WarningNote:
    """End a warning in force, with a reason: the banner goes; the warning and its history
    stay."""
    warning = _manager_step(warning, by, WarningNote.Status.AUTHORISED)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": "Say why the warning note is ended."})
    now = timezone.now()
    warning.status = WarningNote.Status.ENDED
    warning.ended_by, warning.ended_at, warning.end_reason = by, now, reason
    warning.save(update_fields=["status", "ended_by", "ended_at", "end_reason"])
    WarningNoteEvent.objects.create(
        warning=warning, kind=WarningNoteEvent.Kind.ENDED, at=now, by=by, note=reason
    )
    return warning
