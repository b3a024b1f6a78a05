"""Concerns and the borough's themes. Every selector starts from the visibility rule."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Sum,
)
from django.utils import timezone

from cases.models import (
    Concern,
    ConcernSubject,
    Referral,
)
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User


def involvements_for_concern(*, user: User, concern: Concern) -> list:
    """The subjects of a concern (one the user may see) as the user may see them: those they
    may see, and a restricted young person they may not as
    ``cases.restrictions.selectors.WITHHELD`` (no name, no link); others are not even named
    (``cases.restrictions.selectors.people_shown``)."""
    from cases.restrictions.selectors import people_shown

    return people_shown(
        user,
        ConcernSubject.objects.filter(concern=concern).select_related(
            "subject__youngperson", "subject__peergroup", "subject__context"
        ),
    )


@dataclass(frozen=True)
class Table:
    """A table of counts: one row per label, one column per month."""

    key: str
    title: str
    row_heading: str
    months: list
    rows: list  # [(label, [count per month], total)]


def _pivot(rows, months, label_of) -> list:
    index = {m: i for i, m in enumerate(months)}
    table: dict[str, list[int]] = {}
    for row in rows:
        if row["month"] not in index:
            continue
        label = label_of(row)
        table.setdefault(label, [0] * len(months))[index[row["month"]]] += row["n"]
    return [(label, counts, sum(counts)) for label, counts in sorted(table.items())]


def figures_for(*, user: User):
    """When the user's authority's borough-wide figures were worked out (a ``BoroughFigures``,
    or None if they have not been yet)."""
    from cases.models import BoroughFigures

    return (
        visibility.restrict(user, BoroughFigures)
        .filter(authority_id=user.organisation_id, as_of__isnull=False)
        .first()
    )


def themes(*, user: User, months: int = 12, as_of: date | None = None) -> list[Table]:
    """Referrals by source agency and by decision, and concerns by harm, per month over the
    ``months`` months up to ``as_of`` (when the figures were worked out; default today), from
    the borough's figures worked out ahead (``cases.figures``): three small queries, whatever
    the number of records."""
    from cases.figures import first_month
    from cases.models import MonthlyConcernCount, MonthlyReferralCount

    today = as_of or timezone.localdate()
    since = first_month(today, months)
    month_list = []
    day = since
    while day <= today:
        month_list.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    referrals = visibility.restrict(user, MonthlyReferralCount).filter(month__gte=since)
    decisions = dict(Referral.Decision.choices)
    by_source = referrals.values("month", "source_organisation__name").annotate(n=Sum("referrals"))
    by_decision = referrals.values("month", "decision").annotate(n=Sum("referrals"))
    concerns = (
        visibility.restrict(user, MonthlyConcernCount)
        .filter(month__gte=since, place_kind="")
        .values("month", "harm__name")
        .annotate(n=Sum("concerns"))
    )
    return [
        Table(
            key="referrals-by-source",
            title="Referrals by source agency",
            row_heading="Source agency",
            months=month_list,
            rows=_pivot(by_source.order_by(), month_list, lambda r: r["source_organisation__name"]),
        ),
        Table(
            key="referrals-by-decision",
            title="Referrals by decision",
            row_heading="Decision",
            months=month_list,
            rows=_pivot(
                by_decision.order_by(),
                month_list,
                lambda r: decisions.get(r["decision"], "Not decided yet"),
            ),
        ),
        Table(
            key="concerns-by-harm",
            title="Concerns by harm",
            row_heading="Harm",
            months=month_list,
            rows=_pivot(concerns.order_by(), month_list, lambda r: r["harm__name"]),
        ),
    ]
