"""Selectors read; every one of them starts from the visibility rule."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.accounts.models import User

from .models import (
    Action,
    Allocation,
    Case,
    Concern,
    ConcernSubject,
    Referral,
    TransferRequest,
    YoungPerson,
)


@dataclass(frozen=True)
class ChronologyEntry:
    when: datetime
    kind: str  # "concern", "referral", "allocation"
    title: str
    detail: str
    by: str
    obj: object


CHRONOLOGY_KINDS = {"concern": "Concerns", "referral": "Referrals", "allocation": "Allocations"}


CHRONOLOGY_LIMIT = 200


def chronology_for_subject(
    *,
    user: User,
    subject,
    kind: str | None = None,
    harm: str | None = None,
    limit: int | None = None,
) -> list[ChronologyEntry]:
    """What happened to a subject, newest first, as far as ``user`` may see: at most ``limit``
    entries (a busy place has thousands; filters reach further back).

    ``kind`` keeps one kind of entry; ``harm`` (a harm category slug) keeps the concerns and
    referrals about that harm. A fixed number of queries whatever the number of entries.
    """
    limit = limit or CHRONOLOGY_LIMIT
    concerns = (
        visibility.restrict(user, Concern)
        .filter(involvements__subject=subject)
        .select_related("logged_by")
        .prefetch_related("harm_categories")
        .distinct()
    )
    referrals = (
        visibility.restrict(user, Referral)
        .filter(about__subject=subject)
        .select_related("source_organisation")
        .distinct()
    )
    allocations = (
        visibility.restrict(user, Allocation)
        .filter(case__subject=subject)
        .select_related("team", "worker", "allocated_by")
    )
    if harm:
        concerns = concerns.filter(harm_categories__slug=harm)
        referrals = referrals.filter(harm_categories__slug=harm)
        allocations = allocations.none()
    if kind in CHRONOLOGY_KINDS:
        concerns = concerns if kind == "concern" else concerns.none()
        referrals = referrals if kind == "referral" else referrals.none()
        allocations = allocations if kind == "allocation" else allocations.none()
    concerns = concerns.order_by("-occurred_at")[:limit]
    referrals = referrals.order_by("-received_at")[:limit]
    allocations = allocations.order_by("-started_at")[:limit]
    entries = [
        ChronologyEntry(
            when=c.occurred_at,
            kind="concern",
            title="Concern: " + ", ".join(h.name for h in c.harm_categories.all()),
            detail=c.narrative,
            by=str(c.logged_by or ""),
            obj=c,
        )
        for c in concerns
    ]
    entries += [
        ChronologyEntry(
            when=r.received_at,
            kind="referral",
            title=f"Referral from {r.source_organisation}"
            + (f": {r.get_decision_display()}" if r.decision else f" ({r.get_status_display()})"),
            detail=r.decision_reason,
            by=r.referrer_name,
            obj=r,
        )
        for r in referrals
    ]
    entries += [
        ChronologyEntry(
            when=a.started_at,
            kind="allocation",
            title=(f"Allocated to {a.worker}" if a.worker else "Waiting for allocation")
            + f" ({a.team})",
            detail=a.reason,
            by=str(a.allocated_by or ""),
            obj=a,
        )
        for a in allocations
    ]
    return sorted(entries, key=lambda e: e.when, reverse=True)[:limit]


def involvements_for_concern(*, user: User, concern: Concern):
    """The subjects of a concern the user may see (others are not even named)."""
    return (
        visibility.restrict(user, ConcernSubject)
        .filter(concern=concern)
        .select_related("subject__youngperson", "subject__peergroup", "subject__context")
    )


def my_open_cases(*, user: User):
    """My allocated open work, with the date of the latest concern I may see about each."""
    return open_cases_allocated_to(user=user, worker=user)


def open_cases_allocated_to(*, user: User, worker: User):
    """A worker's open work as ``user`` may see it, with the latest concern about each
    (``last_concern_at``: PostgreSQL works it out after sorting, for the rows up to the end
    of the slice taken, so page it). Soonest review first, then those with no review date;
    the order is total, so pages neither repeat nor skip a row."""
    latest_concern = (
        visibility.restrict(user, Concern)
        .filter(involvements__subject=OuterRef("subject"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return (
        visibility.restrict(user, Case)
        .filter(allocated_worker=worker)
        .exclude(status=Case.Status.CLOSED)
        .annotate(last_concern_at=Subquery(latest_concern))
        .select_related("subject__youngperson", "subject__peergroup", "subject__context", "team")
        .order_by(F("next_review_due").asc(nulls_last=True), "pk")
    )


def subjects_linked_through_concerns(*, user: User, subject, model):
    """Young people, places or peer groups that share concerns with ``subject``."""
    concerns = visibility.restrict(user, Concern).filter(involvements__subject=subject)
    return (
        visibility.restrict(user, model)
        .filter(subject__concern_involvements__concern__in=concerns)
        .exclude(subject=subject)
        .annotate(shared_concerns=Count("subject__concern_involvements", distinct=True))
        .select_related("subject")
        .order_by("-shared_concerns")
    )


CONCERN_WINDOWS = (30, 90, 365)


def concern_counts_at(*, user: User, subject) -> dict[int, int]:
    """Concerns about a subject in the last 30, 90 and 365 days (one aggregate query)."""
    now = timezone.now()
    counts = (
        visibility.restrict(user, Concern)
        .filter(involvements__subject=subject)
        .aggregate(
            **{
                f"d{days}": Count(
                    "pk", filter=Q(occurred_at__gte=now - timedelta(days=days)), distinct=True
                )
                for days in CONCERN_WINDOWS
            }
        )
    )
    return {days: counts[f"d{days}"] for days in CONCERN_WINDOWS}


def my_open_actions(*, user: User):
    return (
        visibility.restrict(user, Action)
        .filter(owner_user=user, status__in=Action.OPEN_STATUSES)
        .select_related("subject__youngperson", "subject__peergroup", "subject__context")
        .order_by("due_on")
    )


# --- team managers ---------------------------------------------------------------------------

#: How much each case counts towards a weighted caseload, by risk (shown on the page).
RISK_WEIGHTS = {
    Case.Risk.HIGH: 3,
    Case.Risk.MEDIUM: 2,
    Case.Risk.LOW: 1,
    Case.Risk.NOT_ASSESSED: 2,  # unknown risk is treated as medium until assessed
}


@dataclass(frozen=True)
class WorkerLoad:
    worker: User
    open_cases: int = 0
    high_risk: int = 0
    reviews_overdue: int = 0
    new_this_week: int = 0
    weighted: int = 0


def team_members(*, team):
    """The team's practitioners (social workers and team managers), by name: the rows of the
    team caseload."""
    return User.objects.filter(
        team=team, is_active=True, role__in=[User.Role.SOCIAL_WORKER, User.Role.TEAM_MANAGER]
    ).order_by("last_name", "first_name", "pk")


def caseload_for_team(*, user: User, team, members=None) -> list[WorkerLoad]:
    """One row per member of the team, or per one of ``members`` (a page of
    :func:`team_members`) in its order: their open work, computed in the database. Two
    queries whatever the number of cases: the members (unless ``members`` were fetched
    already) and their counts."""
    if members is None:
        members = team_members(team=team)
    members = list(members)
    today = timezone.localdate()
    week_ago = timezone.now() - timedelta(days=7)
    recently_allocated = Exists(
        Allocation.objects.filter(
            case=OuterRef("pk"),
            worker=OuterRef("allocated_worker"),
            ended_at__isnull=True,
            started_at__gte=week_ago,
        )
    )
    weight = DbCase(
        *(When(risk=risk, then=Value(w)) for risk, w in RISK_WEIGHTS.items()),
        default=Value(1),
        output_field=IntegerField(),
    )
    rows = (
        visibility.restrict(user, Case)
        .filter(team=team, allocated_worker__in=[m.pk for m in members])
        .exclude(status=Case.Status.CLOSED)
        .annotate(is_new=recently_allocated, weight=weight)
        .values("allocated_worker")
        .annotate(
            open_cases=Count("pk"),
            high_risk=Count("pk", filter=Q(risk=Case.Risk.HIGH)),
            reviews_overdue=Count("pk", filter=Q(next_review_due__lt=today)),
            new_this_week=Count("pk", filter=Q(is_new=True)),
            weighted=Sum("weight"),
        )
        .order_by()
    )
    by_worker = {row.pop("allocated_worker"): row for row in rows}
    return [WorkerLoad(worker=m, **by_worker.get(m.pk, {})) for m in members]


def unallocated_cases(*, user: User, team):
    """The team's open work that nobody holds, longest waiting first (a total order)."""
    return (
        visibility.restrict(user, Case)
        .filter(team=team, allocated_worker__isnull=True)
        .exclude(status=Case.Status.CLOSED)
        .select_related("subject__youngperson", "subject__peergroup", "subject__context")
        .order_by("opened_at", "pk")
    )


def transfers_waiting(*, user: User, team):
    """Transfers offered to the team, and those it offered, not yet decided."""
    pending = visibility.restrict(user, TransferRequest).filter(
        status=TransferRequest.Status.PENDING
    )
    related = ("case__subject", "from_team", "to_team", "requested_by")
    return (
        pending.filter(to_team=team).select_related(*related),
        pending.filter(from_team=team).select_related(*related),
    )


# --- senior managers: themes -----------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table of counts: one row per label, one column per month."""

    key: str
    title: str
    row_heading: str
    months: list
    rows: list  # [(label, [count per month], total)]


def _months(count: int):
    today = timezone.localdate()
    first = today.replace(day=1)
    months = [first]
    for _ in range(count - 1):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    return months


def _pivot(rows, months, label_of) -> list:
    index = {m: i for i, m in enumerate(months)}
    table: dict[str, list[int]] = {}
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        if month not in index:
            continue
        label = label_of(row)
        table.setdefault(label, [0] * len(months))[index[month]] += row["n"]
    return [(label, counts, sum(counts)) for label, counts in sorted(table.items())]


def themes(*, user: User, months: int = 12) -> list[Table]:
    """Referrals by source agency and by decision, and concerns by harm, per month: three
    aggregate queries, whatever the number of records."""
    month_list = _months(months)
    since = month_list[0]
    referrals = (
        visibility.restrict(user, Referral)
        .filter(received_at__date__gte=since)
        .annotate(month=TruncMonth("received_at"))
    )
    decisions = dict(Referral.Decision.choices)
    by_source = referrals.values("month", "source_organisation__name").annotate(n=Count("pk"))
    by_decision = referrals.values("month", "decision").annotate(n=Count("pk"))
    concerns = (
        visibility.restrict(user, Concern)
        .filter(occurred_at__date__gte=since)
        .annotate(month=TruncMonth("occurred_at"))
        .values("month", "harm_categories__name")
        .annotate(n=Count("pk", distinct=True))
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
            rows=_pivot(
                concerns.order_by().exclude(harm_categories__name=None),
                month_list,
                lambda r: r["harm_categories__name"],
            ),
        ),
    ]


# --- the front door ---------------------------------------------------------------------------


def referrals_awaiting_triage(*, user: User):
    """Referrals waiting for a decision, oldest first (the front door's queue; a total order,
    for its pages), with their source and harm categories."""
    return (
        visibility.restrict(user, Referral, visibility.CHANGE)
        .filter(status__in=[Referral.Status.RECEIVED, Referral.Status.SCREENING])
        .select_related("source_organisation")
        .prefetch_related("harm_categories")
        .order_by("received_at", "pk")
    )


@dataclass(frozen=True)
class Known:
    """What the council already knows about one thing a referral is about."""

    row: object  # the ReferralSubject
    matches: list  # records the manager may link it to
    recent_concerns: dict  # for places: record -> {30: n, 90: n, 365: n}


def known_for_referral(*, user: User, referral: Referral) -> list[Known]:
    """Possible matches for each person or place in a referral, by name (misspelling tolerant),
    date of birth or postcode, among the records the manager may pick."""
    from contexts.models import Context
    from safeguarding.search import search_named, search_young_people

    from .models import ReferralSubject

    known = []
    rows = visibility.restrict(user, ReferralSubject, visibility.VIEW).filter(referral=referral)
    for row in rows.select_related("subject"):
        matches = []
        if row.kind == "young_person":
            found = {}
            if row.described_name:
                for yp in search_young_people(
                    user=user, text=row.described_name, action=visibility.MATCH
                ):
                    found[yp.pk] = yp
            if row.described_date_of_birth:
                born = visibility.restrict(user, YoungPerson, visibility.MATCH).filter(
                    date_of_birth=row.described_date_of_birth
                )
                for yp in born.select_related("subject")[:10]:
                    found.setdefault(yp.pk, yp)
            matches = list(found.values())
        elif row.kind == "context" and row.described_name:
            matches = list(
                search_named(Context, user=user, text=row.described_name, action=visibility.MATCH)
            )
        if row.subject_id:  # already linked (a reference the referrer gave): offered first
            linked = row.subject.concrete
            if visibility.can(user, linked, visibility.MATCH):
                matches = [linked, *(m for m in matches if m.pk != linked.pk)]
        recent = {}
        if row.kind == "context":
            for place in matches[:5]:
                recent[place] = concern_counts_at(user=user, subject=place.subject)
        known.append(Known(row=row, matches=matches, recent_concerns=recent))
    return known
