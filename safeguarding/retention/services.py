"""The data protection officer's decisions on retention: legal holds placed and lifted, a
review extended. (Changes to the schedule: ``schedule.rule_change``; disposal:
``disposal.dispose``.) Each is for the officer of the record's authority only
(``visibility.ACCOUNT``): anyone else ``NotAllowed`` / ``RecordNotFound``; bad input
``ApplicationError`` by field."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, NotAllowed

from .models import LegalHold, RecordType, RetentionReview

MIN_REASON = 10


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ApplicationError({field: "Say why (at least 10 characters)."})
    return reason


def _record_type_of(subject) -> str:
    from cases.models import Meeting

    if subject.kind == "context":
        return RecordType.PLACE
    if subject.kind == "peer_group":
        return RecordType.PEER_GROUP
    if Meeting.objects.filter(subject=subject, kind=Meeting.Kind.STRATEGY).exists():
        return RecordType.YOUNG_PERSON_PROTECTION
    return RecordType.YOUNG_PERSON


def find_record(*, user, reference: str):
    """The young person, place, peer group (its ``Subject``) or referral of the officer's
    authority with this reference, or ``ApplicationError`` on ``reference``."""
    from cases.models import Referral
    from safeguarding.subjects.models import Subject

    reference = (reference or "").strip().upper()
    if not reference:
        raise ApplicationError({"reference": "Enter the record's reference."})
    found = (
        visibility.restrict(user, Subject, visibility.ACCOUNT).filter(reference=reference).first()
    )
    if found is None:
        found = (
            visibility.restrict(user, Referral, visibility.ACCOUNT)
            .filter(reference=reference)
            .first()
        )
    if found is None:
        raise ApplicationError({"reference": "No record of your authority has that reference."})
    return found


def hold_place(*, user, reference: str, reason: str) -> LegalHold:
    """Place a legal hold on the record with ``reference`` (a young person, place, peer group
    or referral of the officer's authority), with a reason. A record already held: an error."""
    if not visibility.protects_data(user):
        raise NotAllowed()
    errors = {}
    try:
        record = find_record(user=user, reference=reference)
    except ApplicationError as error:
        errors.update(error.message_dict)
        record = None
    try:
        reason = _reason(reason)
    except ApplicationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ApplicationError(errors)
    if record._meta.label == "subjects.Subject":
        key, fields = (
            f"subject:{record.pk}",
            {
                "subject": record,
                "record_type": _record_type_of(record),
            },
        )
    else:
        key, fields = (
            f"referral:{record.pk}",
            {
                "referral": record,
                "record_type": RecordType.NFA_REFERRAL,
            },
        )
    try:
        with transaction.atomic():
            hold = LegalHold.objects.create(
                authority_id=user.organisation_id,
                record_key=key,
                reference=record.reference,
                reason=reason,
                placed_by=user,
                **fields,
            )
            # A record under a hold is not due: off the list now, not at the next listing.
            RetentionReview.objects.filter(
                record_key=key, status=RetentionReview.Status.DUE
            ).delete()
    except IntegrityError:
        raise ApplicationError(
            {"reference": "This record is under a legal hold already."}
        ) from None
    return hold


def hold_lift(*, user, hold: LegalHold, reason: str) -> LegalHold:
    """Lift a legal hold in force, with a reason. The record may be listed as due again at
    the next listing."""
    if not visibility.protects_data(user):
        raise NotAllowed()
    reason = _reason(reason)
    with transaction.atomic():
        hold = visibility.require(user, hold, visibility.ACCOUNT)
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if not hold.in_force:
            raise ApplicationError("This legal hold was lifted already.")
        hold.lifted_by, hold.lifted_at, hold.lifted_reason = user, timezone.now(), reason
        hold.save(update_fields=["lifted_by", "lifted_at", "lifted_reason"])
    return hold


def review_extend(*, user, review: RetentionReview, until: date | None, reason: str):
    """Keep a record due for review until ``until`` (a date after today, within 100 years),
    with a reason: the review is ``extended`` and due again then."""
    if not visibility.protects_data(user):
        raise NotAllowed()
    errors = {}
    today = timezone.localdate()
    if until is None:
        errors["until"] = "Enter the date of the next review."
    elif until <= today:
        errors["until"] = "The next review must be after today."
    elif until.year > today.year + 100:
        errors["until"] = "The next review must be within 100 years."
    try:
        reason = _reason(reason)
    except ApplicationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ApplicationError(errors)
    with transaction.atomic():
        review = visibility.require(user, review, visibility.ACCOUNT)
        review = RetentionReview.objects.select_for_update().get(pk=review.pk)
        if review.status == RetentionReview.Status.DISPOSED:
            raise ApplicationError("This record has been disposed of.")
        review.status = RetentionReview.Status.EXTENDED
        review.extended_to, review.extend_reason = until, reason
        review.extended_by, review.extended_at = user, timezone.now()
        review.save()
    return review
