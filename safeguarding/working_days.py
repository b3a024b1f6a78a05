"""Working days in England: Monday to Friday, English bank holidays skipped.

The bank holidays are those gov.uk publishes for England and Wales
(https://www.gov.uk/bank-holidays), including the substitute days when one falls at a
weekend (Boxing Day on a Saturday is kept on the Monday or Tuesday after), as computed by the
``holidays`` package (``country_holidays("GB", subdiv="ENG")``). One-off days the government
declares (a coronation, a state funeral) come with a new release of that package.

Used for the deadlines counted in working days: a referral's decision (one working day,
``cases.front_door.models.one_working_day_after``) and an assessment's due date
(``ASSESSMENT_DUE_WORKING_DAYS``, ``cases.assessments``).
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    """England and Wales's bank holidays in ``year`` (built once per year and process: the
    ``holidays`` package builds its calendar on each call, which is slow in a loop)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(d: date) -> bool:
    """Whether ``d`` is a bank holiday in England and Wales (gov.uk), substitute days
    included."""
    return d in _bank_holidays(d.year)


def is_working_day(d: date) -> bool:
    """Whether ``d`` is a working day in England: Monday to Friday and not a bank holiday
    of England and Wales (gov.uk/bank-holidays)."""
    return d.weekday() < 5 and not is_bank_holiday(d)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted, and need not
    be a working day): ``add_working_days(Friday, 1)`` is the Monday after, or the Tuesday if
    that Monday is a bank holiday. ``n == 0`` gives ``start``; a negative ``n`` counts back
    (the ``-n``-th working day before ``start``). Weekends and the bank holidays of England and
    Wales (gov.uk/bank-holidays) are skipped."""
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: date, b: date) -> int:
    """How many working days there are after ``a`` up to and including ``b``: the ``n`` for
    which ``add_working_days(a, n) == b`` when ``b`` is a working day (so 0 when ``a == b``;
    Friday to the Monday after is 1). Negative when ``b`` is before ``a``
    (``-working_days_between(b, a)``). Weekends and the bank holidays of England and Wales
    (gov.uk/bank-holidays) are not counted."""
    if b < a:
        return -working_days_between(b, a)
    # Whole weeks hold five weekdays each; only the bank holidays among them are looked up.
    days = (b - a).days
    weeks = days // 7
    count = weeks * 5
    for offset in range(weeks * 7 + 1, days + 1):
        if (a + timedelta(days=offset)).weekday() < 5:
            count += 1
    for year in range(a.year, b.year + 1):
        count -= sum(1 for h in _bank_holidays(year) if a < h <= b and h.weekday() < 5)
    return count
