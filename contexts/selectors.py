"""Where harm is gathering: concerns per place, counted in the database."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.models import Concern
from safeguarding.accounts import visibility

from .models import Context

WINDOWS = (30, 90, 365)


def hotspot_threshold(days: int) -> int:
    """Concerns in a window of ``days`` that make a place an emerging hotspot."""
    return max(1, math.ceil(settings.HOTSPOT_CONCERNS_PER_30_DAYS * days / 30))


def _concerns(user, harm: str | None):
    concerns = visibility.restrict(user, Concern)
    if harm:
        concerns = concerns.filter(harm_categories__slug=harm)
    return concerns


def hotspots(*, user, days: int, harm: str | None = None, kind: str | None = None):
    """Places ranked by concerns in the last ``days``, with the previous window of the same
    length beside it: one aggregate query (a join and GROUP BY), whatever the number of places.

    The concerns counted are those the user may see; the rule's subquery is not correlated
    with the place, so the database works it out once.
    """
    now = timezone.now()
    start, previous_start = now - timedelta(days=days), now - timedelta(days=2 * days)
    visible = _concerns(user, harm).values("pk")
    concern = "subject__concern_involvements__concern"
    counted = Q(**{f"{concern}__in": visible})

    def count_between(since, until):
        window = Q(**{f"{concern}__occurred_at__gte": since, f"{concern}__occurred_at__lt": until})
        return Count(concern, filter=counted & window, distinct=True)

    places = visibility.restrict(user, Context)
    if kind:
        places = places.filter(kind=kind)
    places = places.annotate(
        current=count_between(start, now), previous=count_between(previous_start, start)
    )
    threshold = hotspot_threshold(days)
    return (
        places.filter(Q(current__gt=0) | Q(previous__gt=0))
        .select_related("subject")
        .order_by("-current", "-previous", "name"),
        threshold,
    )


@dataclass(frozen=True)
class MonthlySeries:
    months: list  # first day of each month, oldest first
    series: dict  # harm category name -> counts per month


def concerns_per_month_by_harm(
    *, user, months: int = 12, kind: str | None = None, harm: str | None = None
) -> MonthlySeries:
    """Concerns per month per harm category (one aggregate query), for the chart."""
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    concerns = _concerns(user, harm).filter(occurred_at__date__gte=first)
    if kind:
        concerns = concerns.filter(involvements__subject__context__kind=kind)
    rows = (
        concerns.annotate(month=TruncMonth("occurred_at"))
        .values("month", "harm_categories__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("month")
    )
    month_list = []
    day = first
    while day <= today:
        month_list.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    index = {m: i for i, m in enumerate(month_list)}
    series: dict[str, list[int]] = {}
    for row in rows:
        name = row["harm_categories__name"]
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        if name is None or month not in index:
            continue
        series.setdefault(name, [0] * len(month_list))[index[month]] += row["n"]
    return MonthlySeries(months=month_list, series=dict(sorted(series.items())))
