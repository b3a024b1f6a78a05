"""When a subject access request is due.

UK GDPR Article 12(3): without undue delay and at the latest within one month of receipt,
extendable by two further months where necessary, taking into account the complexity and
number of the requests. The ICO's guidance ("Right of access: how long do we have to
comply?") counts a calendar month: from the day received to the corresponding calendar date
of the next month, or the last day of that month where the date does not exist (received 31
January: due 28 February, or 29 in a leap year).
"""

from datetime import date

from dateutil.relativedelta import relativedelta

#: The most an extension may add: two further months (Article 12(3)).
EXTENSION_MONTHS = 2


def one_calendar_month_after(received_on: date) -> date:
    """The due date of a request received on ``received_on``: the same day number of the next
    month, or that month's last day where it has no such day (relativedelta clamps so)."""
    return received_on + relativedelta(months=1)


def latest_extended_due(received_on: date) -> date:
    """The latest an extended request may be due: three calendar months after receipt (one,
    and two further)."""
    return received_on + relativedelta(months=1 + EXTENSION_MONTHS)
