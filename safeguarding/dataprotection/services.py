"""What the data protection officer changes: marking unusual access as reviewed."""

from datetime import date

from django.db import IntegrityError, transaction

from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, RecordNotFound

from .models import AccessReview


def mark_reviewed(*, officer, person, day: date, note: str) -> AccessReview:
    """Record that ``officer`` reviewed ``person``'s access on ``day`` (a local day), with
    ``note``.

    Errors: ``ApplicationError`` on ``note`` (empty; the day reviewed already);
    ``RecordNotFound`` when the officer is no data protection officer or ``person`` is not a
    user of their authority or its partner agencies (ACCOUNT)."""
    if not visibility.protects_data(officer):
        raise RecordNotFound()
    person = visibility.require(officer, person, visibility.ACCOUNT)
    note = (note or "").strip()
    if not note:
        raise ApplicationError({"note": "Say what you found, or why no action is needed."})
    try:
        with transaction.atomic():
            return AccessReview.objects.create(
                authority_id=officer.organisation_id,
                user=person,
                day=day,
                note=note,
                reviewed_by=officer,
            )
    except IntegrityError:
        raise ApplicationError({"note": "This day was reviewed already."}) from None
