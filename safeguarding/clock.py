"""Local times as people type them: one rule for every date and time entered without an offset.

The app's time zone is Europe/London (``settings.TIME_ZONE``). Twice a year a local time is not
one moment:

* **The spring gap** (the last Sunday of March, 01:00 GMT): the clocks go from 01:00 to 02:00,
  so 01:00 to 01:59 that day never happened. Such a time is **refused** with a clear error
  (code ``"nonexistent"``): it is a mistake, and guessing (as ``zoneinfo`` does with
  ``fold=0``, storing 01:30 as 02:30 BST) would record a time nobody gave.
* **The autumn repeat** (the last Sunday of October, 02:00 BST): the clocks go back from 02:00
  to 01:00, so 01:00 to 01:59 that day happened twice, first in BST (UTC+1), then in GMT (UTC+0).
  Such a time is **ambiguous**: the person is asked which (code ``"ambiguous"``; web forms
  show a "BST or GMT" choice under the time, only then: :func:`fold_field`). A caller
  that passes ``fold`` has answered: ``fold=0`` is the first (BST), ``fold=1`` the second (GMT),
  PEP 495's meaning.

:func:`aware` is the rule, used by every date-time field: the Log a concern form's date and
time (``cases/concerns/forms.py``, with the "which one?" radio), :class:`DateTimeField` for
model forms (:func:`safeguarding.text.model_formfield`), :class:`SplitDateTimeField` for the
admin (``safeguarding.accounts.admin_base``), and ``LocalDateTimeField`` of
``safeguarding.api.serializers`` for the partner API (no endpoint takes a date-time today; a
time *with* an offset is one moment and is kept, a local one without follows the rule and an
ambiguous one must then carry its offset). Django's own fields refuse both cases with one vague
message ("may be ambiguous or may not exist").

Tests: ``tests/test_clock.py``.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone


class Messages:
    NONEXISTENT = (
        "{time} on {day} did not happen in the UK: the clocks went forward from 1am to 2am. "
        "Enter a time before 1am or from 2am"
    )
    AMBIGUOUS = (
        "{time} on {day} happened twice in the UK: the clocks went back from 2am to 1am. "
        "Say whether it was the first time (BST) or the second (GMT)"
    )


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _say(moment: datetime) -> dict:
    return {"time": moment.strftime("%H:%M"), "day": f"{moment.day} {moment:%B %Y}"}


def is_nonexistent(naive: datetime, tz: ZoneInfo | None = None) -> bool:
    """Whether the wall-clock time ``naive`` never happened in ``tz`` (a spring gap): it does
    not survive a round trip through UTC."""
    tz = tz or zone()
    moment = naive.replace(tzinfo=tz, fold=0)
    back = moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back != naive.replace(fold=0)


def is_ambiguous(naive: datetime, tz: ZoneInfo | None = None) -> bool:
    """Whether the wall-clock time ``naive`` happened twice in ``tz`` (an autumn repeat): its
    two readings (``fold`` 0 and 1) have different offsets. (A time in a gap also has two
    offsets: ask :func:`is_nonexistent` first.)"""
    tz = tz or zone()
    first = naive.replace(tzinfo=tz, fold=0).utcoffset()
    second = naive.replace(tzinfo=tz, fold=1).utcoffset()
    return first != second and not is_nonexistent(naive, tz)


def aware(naive: datetime, *, fold: int | None = None, tz: ZoneInfo | None = None) -> datetime:
    """The moment a person meant by the local wall-clock time ``naive`` (no tzinfo), in ``tz``
    (default: the app's zone). Raises ``ValidationError``: code ``"nonexistent"`` for a time in
    the spring gap; code ``"ambiguous"`` for a time in the autumn repeat unless ``fold`` (0: the
    first, BST; 1: the second, GMT) says which."""
    if naive.tzinfo is not None:
        return naive
    tz = tz or zone()
    if is_nonexistent(naive, tz):
        raise ValidationError(Messages.NONEXISTENT.format(**_say(naive)), code="nonexistent")
    if is_ambiguous(naive, tz):
        if fold not in (0, 1):
            raise ValidationError(Messages.AMBIGUOUS.format(**_say(naive)), code="ambiguous")
        return naive.replace(tzinfo=tz, fold=fold)
    return naive.replace(tzinfo=tz, fold=0)


def combine(day: date, at: time, *, fold: int | None = None) -> datetime:
    """:func:`aware` of ``day`` at ``at``."""
    return aware(datetime.combine(day, at), fold=fold)


#: The answers to "which 1:30?", for a radio shown only when the time is ambiguous.
FOLD_CHOICES = [
    ("0", "The first time, in British Summer Time (BST), before the clocks went back"),
    ("1", "The second time, in Greenwich Mean Time (GMT), after the clocks went back"),
]


def fold_field(**kwargs) -> forms.ChoiceField:
    """A form's "which one?" question for an ambiguous time (shown only when it is needed)."""
    kwargs.setdefault("label", "Which one?")
    return forms.TypedChoiceField(
        choices=FOLD_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        **kwargs,
    )


def _parse_naive(field: forms.DateTimeField, value: str) -> datetime:
    """``value`` parsed as Django's ``DateTimeField`` parses it (ISO 8601, then the field's
    input formats), without making it aware: the other half of its ``to_python``."""
    from django.utils.dateparse import parse_datetime

    value = value.strip()
    try:
        result = parse_datetime(value)
    except ValueError:
        raise ValidationError(field.error_messages["invalid"], code="invalid") from None
    if result is None:
        result = forms.fields.BaseTemporalField.to_python(field, value)
    return result


class DateTimeField(forms.DateTimeField):
    """``forms.DateTimeField`` with the rule: a time typed without an offset is read by
    :func:`aware` (spring-gap times refused, autumn-repeat times refused as ambiguous, each
    with its own message) instead of Django's ``from_current_timezone``, which refuses both
    with one vague message. A time with an offset is one moment and is kept."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            naive = value
        elif isinstance(value, date):
            naive = datetime(value.year, value.month, value.day)
        else:
            naive = _parse_naive(self, str(value))
        return aware(naive) if timezone.is_naive(naive) else naive


class SplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date and time boxes, with the rule (as :class:`DateTimeField`)."""

    def compress(self, data_list):
        if data_list:
            day, at = data_list
            if day in self.empty_values or at in self.empty_values:
                return super().compress(data_list)  # Django's "enter a date/time" errors
            return combine(day, at)
        return None
