"""Where harm is gathering: concerns per place, from the borough's figures worked out ahead
(``cases.figures``), so a page reads a few hundred rows whatever the number of concerns."""

import math
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import F, Q, Sum
from django.utils import timezone

from cases.figures import WINDOWS, first_month
from cases.models import MonthlyConcernCount, PlaceConcernCount
from cases.selectors import figures_for  # noqa: F401 (the hotspots page's freshness)
from safeguarding.accounts import visibility


def hotspot_threshold(days: int) -> int:
    """Concerns in a window of ``days`` that make a place an emerging hotspot."""
    return max(1, math.ceil(settings.HOTSPOT_CONCERNS_PER_30_DAYS * days / 30))


def hotspots(*, user, days: int, harm: str | None = None, kind: str | None = None):
    """Places ranked by concerns in the last ``days`` days (30, 90 or 365), with the ``days``
    days before beside it, as of when the figures were worked out: a queryset of
    ``PlaceConcernCount`` rows annotated ``current`` and ``previous`` (with ``place`` and its
    subject selected), most concerns first; and the emerging-hotspot threshold.
    """
    if days not in WINDOWS:
        raise ValueError(f"days must be one of {WINDOWS}")
    # The rows are the user's authority's (their own rule); every place of the authority is
    # one its senior managers may see, so the places need no rule of their own here.
    counts = visibility.restrict(user, PlaceConcernCount).filter(
        Q(harm__slug=harm) if harm else Q(harm__isnull=True)
    )
    if kind:
        counts = counts.filter(place__kind=kind)
    rows = (
        counts.annotate(current=F(f"current_{days}"), previous=F(f"previous_{days}"))
        .filter(Q(current__gt=0) | Q(previous__gt=0))
        .select_related("place__subject")
        .order_by("-current", "-previous", "place__name", "place_id")
    )
    return rows, hotspot_threshold(days)


@dataclass(frozen=True)
class MonthlySeries:
    months: list  # first day of each month, oldest first
    series: dict  # harm category name -> counts per month


def concerns_per_month_by_harm(
    *,
    user,
    months: int = 12,
    kind: str | None = None,
    harm: str | None = None,
    as_of: date | None = None,
) -> MonthlySeries:
    """Concerns per month per harm category over the ``months`` months up to ``as_of`` (when
    the figures were worked out; default today), for the chart: one query."""
    today = as_of or timezone.localdate()
    first = first_month(today, months)
    rows = (
        visibility.restrict(user, MonthlyConcernCount)
        .filter(place_kind=kind or "", month__gte=first)
        .filter(Q(harm__slug=harm) if harm else Q())
        .values("month", "harm__name")
        .annotate(n=Sum("concerns"))
        .order_by("month")
    )
    month_list: list[date] = []
    day = first
    while day <= today:
        month_list.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    index = {m: i for i, m in enumerate(month_list)}
    series: dict[str, list[int]] = {}
    for row in rows:
        if row["month"] not in index:
            continue
        series.setdefault(row["harm__name"], [0] * len(month_list))[index[row["month"]]] += row["n"]
    return MonthlySeries(months=month_list, series=dict(sorted(series.items())))
