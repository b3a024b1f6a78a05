"""Restrictions read through the rule, and the one place that says how a referral's or a
concern's young people are shown when one of them is restricted.

:func:`people_shown` is used by every page that lists who a referral or a concern is about
(the referral's page, the front door's decision page, the concern's page): a restricted young
person appears there only to users who may VIEW their record; to everyone else the row is
:data:`WITHHELD` ("A young person whose record is restricted"), with no name, no date of birth
as the referrer typed it and no link. Rows about anyone else follow their own rule as before
(``ReferralSubject`` and ``ConcernSubject`` in ``safeguarding/accounts/visibility.py``).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from cases.models import YoungPerson
from safeguarding.accounts import visibility

from .models import BreakGlassAccess, Restriction

#: "Due for review": within this many days, or passed (as warning notes).
DUE_WITHIN_DAYS = 30


@dataclass(frozen=True)
class Withheld:
    """A young person a user may not see, in a list of who something is about."""

    label: str = "A young person whose record is restricted"
    withheld: bool = True

    def __str__(self):
        return self.label


WITHHELD = Withheld()
#: For a partner agency, whom the council's restriction is not told either: the same row,
#: saying only that details are withheld.
WITHHELD_FROM_PARTNER = Withheld(label="A young person (details withheld)")


def people_shown(user, rows: QuerySet) -> list:
    """``rows`` (the ``ReferralSubject`` or ``ConcernSubject`` rows of one referral or concern
    that the user may see, unfiltered by their subjects: the caller read the referral or
    concern through the rule) as the user may see them, in order: each row the user may see
    through its own rule and whose young person, if restricted, they may VIEW; :data:`WITHHELD`
    for a row about a restricted young person they may not see (a partner agency gets
    :data:`WITHHELD_FROM_PARTNER`, which does not say the record is restricted); nothing for
    the rest (a record of another team, say: not named, as before). Two queries."""
    model = rows.model
    # The restricted young people's subjects among these rows the user may not VIEW: one
    # query, a probe per row (the inner restrict is a condition on the same young person).
    unseen = YoungPerson.objects.filter(subject_id=OuterRef("subject_id"), restricted=True).filter(
        ~Exists(visibility.restrict(user, YoungPerson).filter(pk=OuterRef("pk")).values("pk"))
    )
    annotated = list(
        rows.select_related("subject").annotate(withheld=Exists(unseen)).order_by("pk")
    )
    visible = set(
        visibility.restrict(user, model)
        .filter(pk__in=[row.pk for row in annotated])
        .values_list("pk", flat=True)
    )
    shown = []
    placeholder = WITHHELD_FROM_PARTNER if visibility.is_partner_agency(user) else WITHHELD
    for row in annotated:
        if row.withheld:
            shown.append(placeholder)
        elif row.pk in visible:
            shown.append(row)
    return shown


def restrictions_due(user, *, within_days: int = DUE_WITHIN_DAYS) -> QuerySet:
    """Open restrictions a team manager may review (of records their team holds: NAME) whose
    review date is within ``within_days`` days or passed, soonest first. Empty for anyone
    else. Shown by reference."""
    if not visibility.manages_team(user):
        return Restriction.objects.none()
    until = timezone.localdate() + timedelta(days=within_days)
    return (
        visibility.restrict(user, Restriction, visibility.CHANGE)
        .filter(lifted_at__isnull=True, review_on__lte=until)
        .select_related("young_person__subject")
        .order_by("review_on", "pk")
    )


def restrictions_due_for_officer(user, *, within_days: int = DUE_WITHIN_DAYS) -> QuerySet:
    """The data protection officer's view (``visibility.ACCOUNT``): the authority's open
    restrictions due for review within ``within_days`` days or overdue, soonest first;
    references only."""
    until = timezone.localdate() + timedelta(days=within_days)
    return (
        visibility.restrict(user, Restriction, visibility.ACCOUNT)
        .filter(lifted_at__isnull=True, review_on__lte=until)
        .select_related("young_person__subject")
        .order_by("review_on", "pk")
    )


def break_glass_for_officer(user) -> QuerySet:
    """The authority's break-glass accesses, newest first (``visibility.ACCOUNT``)."""
    return (
        visibility.restrict(user, BreakGlassAccess, visibility.ACCOUNT)
        .select_related("young_person__subject", "user")
        .order_by("-started_at", "-pk")
    )
