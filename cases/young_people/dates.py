"""Dates of birth: one rule wherever one is entered (the edit page, a young person added while
logging a concern, a referral's young people from the web or the API, one created at the front
door, the admin).

* **In the future**: refused (code ``"future"``). Today too: "must be in the past", as the
  GOV.UK Design System words it for a date of birth.
* **After the concern it is named in** (Log a concern): a **warning** to confirm (code
  ``"after_concern"``), with the concern's date in the message. Usually one of the two dates is
  wrong, and both are on the same page to correct; but a concern can be logged before a birth
  (a pre-birth concern about a baby expected into a group or a place), so once the user has
  checked and ticked "The dates are right", it is recorded as typed.

The services check it (the one place that decides); forms and serializers call the same
functions so that the error is shown at the field before the service is reached.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone


class Messages:
    FUTURE = "Date of birth must be in the past"
    AFTER_CONCERN = (
        "Date of birth is after the day the concern happened ({day}): check both dates, and if "
        "they are right, tick \u201cThe dates are right\u201d"
    )


def check_date_of_birth(born: date | None, *, today: date | None = None) -> None:
    """Raise ``ValidationError`` (code ``"future"``) if ``born`` is today or later (London's
    date). None (not known) passes."""
    if born is not None and born >= (today or timezone.localdate()):
        raise ValidationError(Messages.FUTURE, code="future")


def check_born_by(born: date | None, day: date) -> None:
    """Raise ``ValidationError`` (code ``"after_concern"``) if ``born`` is after ``day`` (the
    local date of the concern the young person is named in)."""
    if born is not None and born > day:
        raise ValidationError(
            Messages.AFTER_CONCERN.format(day=f"{day.day} {day:%B %Y}"), code="after_concern"
        )
