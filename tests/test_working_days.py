"""Working days in England (safeguarding/working_days.py): weekends and the bank holidays of
England and Wales (gov.uk/bank-holidays) are skipped. Dates checked against gov.uk's list."""

from datetime import date, timedelta

import pytest

from safeguarding.working_days import (
    add_working_days,
    is_bank_holiday,
    is_working_day,
    working_days_between,
)


def test_weekends_and_bank_holidays_are_not_working_days():
    assert is_working_day(date(2026, 11, 30))  # a Monday
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 11, 29))  # Sunday
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day, a Friday
    # Boxing Day 2026 is a Saturday: the substitute bank holiday is Monday 28 December.
    assert is_bank_holiday(date(2026, 12, 28)) and not is_working_day(date(2026, 12, 28))
    assert not is_working_day(date(2027, 1, 1))  # New Year's Day
    # Scotland's 2 January is not an English bank holiday.
    assert is_working_day(date(2026, 1, 2))


def test_next_working_day_after_a_friday_is_the_monday():
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    # From a weekend day, the first working day after it.
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 27), 0) == date(2026, 11, 27)


def test_christmas_and_new_year():
    # 24 Dec 2026 (Thu) → skip 25 (Fri), 26 and 27 (weekend), 28 (Boxing Day substitute).
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    # 29, 30, 31 Dec, then 1 Jan 2027 (Fri, New Year's Day) is skipped: 4 Jan is the 4th.
    assert add_working_days(date(2026, 12, 24), 4) == date(2027, 1, 4)
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 4


def test_easter():
    # Good Friday 3 April 2026 and Easter Monday 6 April 2026.
    assert not is_working_day(date(2026, 4, 3))
    assert not is_working_day(date(2026, 4, 6))
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1


def test_bank_holiday_monday():
    # Late summer bank holiday, Monday 31 August 2026.
    assert is_bank_holiday(date(2026, 8, 31))
    assert add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 1)
    # Early May bank holiday, Monday 4 May 2026: the week after Friday 1 May holds only four
    # working days (Tuesday 5 to Friday 8), so the fifth is Monday 11 May.
    assert add_working_days(date(2026, 5, 1), 4) == date(2026, 5, 8)
    assert add_working_days(date(2026, 5, 1), 5) == date(2026, 5, 11)
    assert working_days_between(date(2026, 5, 1), date(2026, 5, 11)) == 5


def test_forty_five_working_days_across_a_year():
    # Started 1 December 2026: 45 working days, skipping 25 and 28 December and 1 January.
    start = date(2026, 12, 1)
    due = add_working_days(start, 45)
    weekdays = sum(
        1 for k in range(1, (due - start).days + 1) if (start + timedelta(days=k)).weekday() < 5
    )
    assert weekdays == 45 + 3
    assert due == date(2027, 2, 5)
    assert working_days_between(start, due) == 45


def test_counting_back_and_between_agree_with_adding():
    assert add_working_days(date(2026, 12, 29), -1) == date(2026, 12, 24)
    assert working_days_between(date(2027, 1, 4), date(2026, 12, 24)) == -4
    assert working_days_between(date(2026, 11, 30), date(2026, 11, 30)) == 0
    # Friday to the Sunday after: no working day in between.
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 29)) == 0


@pytest.mark.parametrize(
    "start", [date(2025, 12, 20) + timedelta(days=k) for k in range(0, 400, 7)]
)
@pytest.mark.parametrize("n", [1, 5, 45, 300])
def test_between_is_the_inverse_of_add(start, n):
    due = add_working_days(start, n)
    assert is_working_day(due)
    assert working_days_between(start, due) == n
    # Counted the slow way, one day at a time.
    assert (
        sum(is_working_day(start + timedelta(days=k)) for k in range(1, (due - start).days + 1))
        == n
    )
