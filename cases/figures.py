"""Borough-wide figures, worked out ahead: hotspots (concerns per place) and themes (concerns
and referrals per month).

Counting across a borough reads every concern of the authority — a million at a large
authority's size — so pages never do it. ``borough_figures_refresh`` counts once, in a few
aggregate statements, into ``PlaceConcernCount``, ``MonthlyConcernCount`` and
``MonthlyReferralCount``, and records when in ``BoroughFigures``; Celery beat runs it every
``BOROUGH_FIGURES_REFRESH_SECONDS`` (default 600) and the pages say how fresh the figures are.

What is counted is what every senior manager of the authority may see through their role
(``visibility.concerns_seen_by_senior_managers``, and at places ``ConcernAudience``'s rows for
the authority as a whole): a concern about restricted young people only is left out, as it is
from their pages unless they are named on the record. Windows are whole
local days ending with the day the figures were worked out (``as_of``): "the last 30 days" is
that day and the 29 before it.
"""

import time as clock
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation
from safeguarding.subjects.models import Subject

from .models import (
    BoroughFigures,
    ConcernAudience,
    MonthlyConcernCount,
    MonthlyReferralCount,
    PlaceConcernCount,
    Referral,
)

#: The windows of the hotspots page, in days.
WINDOWS = (30, 90, 365)
#: Months of monthly figures kept (the pages show the last 12).
MONTHS = 24


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def first_month(as_of: date, months: int) -> date:
    """The first day of the earliest of ``months`` months ending with ``as_of``'s month."""
    year, month = as_of.year, as_of.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def _month(value) -> date:
    return value.date() if isinstance(value, datetime) else value


@transaction.atomic
def borough_figures_refresh(*, authority: Organisation) -> BoroughFigures:
    """Count an authority's hotspots and themes again, replacing its previous figures in one
    transaction (pages read the old figures until it commits). Concurrent refreshes of the same
    authority wait for each other. Returns the authority's ``BoroughFigures``.
    """
    started = clock.monotonic()
    figures, _ = BoroughFigures.objects.get_or_create(authority=authority)
    figures = BoroughFigures.objects.select_for_update().get(pk=figures.pk)
    today = timezone.localdate()
    about_people, about_no_one = visibility.concerns_seen_by_senior_managers(authority.pk)

    PlaceConcernCount.objects.filter(authority=authority).delete()
    MonthlyConcernCount.objects.filter(authority=authority).delete()
    MonthlyReferralCount.objects.filter(authority=authority).delete()

    # What the senior managers see at each place is worked out already, with the date of each
    # concern: ConcernAudience's rows for the authority as a whole (no team, no person).
    at_places = ConcernAudience.objects.filter(
        authority=authority,
        team_group__isnull=True,
        user__isnull=True,
        subject__kind=Subject.Kind.CONTEXT,
    )

    # Places: one row per place and harm (and per place for any harm) with both windows of
    # each length, written by the database from its own aggregate.
    windows = {}
    for days in WINDOWS:
        current = _start_of(today - timedelta(days=days - 1))
        previous = _start_of(today - timedelta(days=2 * days - 1))
        windows[f"current_{days}"] = Count(
            "concern_id", distinct=True, filter=Q(occurred_at__gte=current)
        )
        windows[f"previous_{days}"] = Count(
            "concern_id",
            distinct=True,
            filter=Q(occurred_at__gte=previous, occurred_at__lt=current),
        )
    columns = list(windows)
    recent_places = at_places.filter(
        occurred_at__gte=_start_of(today - timedelta(days=2 * max(WINDOWS) - 1))
    )
    for by_harm in (False, True):
        grouped = {"place": F("subject__context")}
        if by_harm:
            grouped["harm"] = F("concern__harm_categories")
        aggregate = recent_places.values(**grouped).annotate(**windows).order_by()
        sql, params = aggregate.query.sql_with_params()
        table = connection.ops.quote_name(PlaceConcernCount._meta.db_table)
        harm = "q.harm" if by_harm else "NULL"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (authority_id, place_id, harm_id, {', '.join(columns)}) "  # noqa: S608 (our names)
                f"SELECT %s, q.place, {harm}, {', '.join(f'q.{c}' for c in columns)} "
                f"FROM ({sql}) q WHERE q.place IS NOT NULL"
                + (" AND q.harm IS NOT NULL" if by_harm else ""),
                [authority.pk, *params],
            )

    # Concerns per month by harm: anywhere (the two kinds of concern they see never overlap,
    # so their counts add up), and at places of each kind.
    since = _start_of(first_month(today, MONTHS))
    counts: dict[tuple, int] = {}
    for concerns in (about_people, about_no_one):
        anywhere = (
            concerns.filter(occurred_at__gte=since)
            .annotate(month=TruncMonth("occurred_at"))
            .values("month", harm=F("harm_categories"))
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        )
        for row in anywhere:
            if row["harm"] is not None:
                key = (_month(row["month"]), row["harm"], "")
                counts[key] = counts.get(key, 0) + row["n"]
    by_kind = (
        at_places.filter(occurred_at__gte=since)
        .annotate(month=TruncMonth("occurred_at"))
        .values("month", harm=F("concern__harm_categories"), kind=F("subject__context__kind"))
        .annotate(n=Count("concern_id", distinct=True))
        .order_by()
    )
    for row in by_kind:
        if row["harm"] is not None and row["kind"]:
            counts[(_month(row["month"]), row["harm"], row["kind"])] = row["n"]
    MonthlyConcernCount.objects.bulk_create(
        MonthlyConcernCount(
            authority=authority, month=month, harm_id=harm, place_kind=kind, concerns=n
        )
        for (month, harm, kind), n in counts.items()
    )

    # Referrals per month by source and decision (senior managers see all of the authority's).
    referrals = (
        Referral.objects.filter(authority=authority, received_at__gte=since)
        .annotate(month=TruncMonth("received_at"))
        .values("month", "source_organisation", "decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    MonthlyReferralCount.objects.bulk_create(
        MonthlyReferralCount(
            authority=authority,
            month=_month(row["month"]),
            source_organisation_id=row["source_organisation"],
            decision=row["decision"],
            referrals=row["n"],
        )
        for row in referrals
    )

    figures.worked_out_at = timezone.now()
    figures.as_of = today
    figures.seconds = round(clock.monotonic() - started, 3)
    figures.save()
    return figures


def refresh_all() -> int:
    """Work out the figures of every local authority (the beat task). Returns how many."""
    authorities = Organisation.objects.filter(kind=Organisation.Kind.LOCAL_AUTHORITY)
    count = 0
    for authority in authorities.order_by("pk"):
        borough_figures_refresh(authority=authority)
        count += 1
    return count


def refresh_minutes() -> int:
    """How often the figures are worked out again, in minutes (for the pages)."""
    from django.conf import settings

    seconds = settings.CELERY_BEAT_SCHEDULE["refresh-borough-figures"]["schedule"]
    return max(1, round(float(seconds) / 60))
