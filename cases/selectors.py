"""Selectors read; every one of them starts from the visibility rule."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.utils import timezone

from safeguarding.accounts import disclosure, visibility
from safeguarding.accounts.models import User
from safeguarding.pagination import page_number
from safeguarding.subjects.models import Subject

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

#: Entries on one page of a chronology (the MoJ timeline), newest first.
CHRONOLOGY_PER_PAGE = 50
#: "Linked through concerns" looks at this many of the latest concerns about a subject: a busy
#: place has tens of thousands, and who was there recently is what the page is for.
LINKED_FROM_LATEST = 200
#: At most this many linked records of each kind are named (the page says how many more).
LINKED_SHOWN = 25


class _Chronology:
    """What happened to a subject, newest first, as far as the user may see: a sequence that
    Django's Paginator pages. Each kind of entry is read in date order, only as far as the page
    asked for reaches (a page costs in proportion to how far back it is, not to everything the
    subject has), and the kinds are merged.
    """

    def __init__(self, *, user: User, access, kind: str | None, harm: str | None):
        subject = access.subject
        concerns = visibility.concerns_about(user, subject, access)
        referrals = visibility.about(user, Referral, access)
        allocations = visibility.about(user, Allocation, access)
        if harm:
            concerns = concerns.filter(concern__harm_categories__slug=harm)
            referrals = referrals.filter(harm_categories__slug=harm)
            allocations = allocations.none()
        if kind in CHRONOLOGY_KINDS:
            concerns = concerns if kind == "concern" else concerns.none()
            referrals = referrals if kind == "referral" else referrals.none()
            allocations = allocations if kind == "allocation" else allocations.none()
        self.user = user
        self.concerns = concerns
        self.referrals = referrals.values("pk", "received_at").distinct()
        self.allocations = allocations

    def count(self) -> int:
        return self.concerns.count() + self.referrals.count() + self.allocations.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("A chronology is read a page at a time")
        start, stop = index.start or 0, index.stop
        # The newest `stop` entries of each kind are enough to know the newest `stop` of all.
        concern_rows = self.concerns.newest(stop)
        referral_rows = list(self.referrals.order_by("-received_at", "-pk")[:stop])
        allocations = list(
            self.allocations.select_related("team", "worker", "allocated_by").order_by(
                "-started_at", "-pk"
            )[:stop]
        )
        merged = sorted(
            [(when, "concern", pk) for when, pk in concern_rows]
            + [(r["received_at"], "referral", r["pk"]) for r in referral_rows]
            + [(a.started_at, "allocation", a) for a in allocations],
            key=lambda e: e[0],
            reverse=True,
        )[start:stop]
        wanted = {k: [e[2] for e in merged if e[1] == k] for k in ("concern", "referral")}
        concerns = Concern.objects.in_bulk(wanted["concern"])
        referrals = Referral.objects.select_related("source_organisation").in_bulk(
            wanted["referral"]
        )
        if concerns:
            prefetch_related_objects(list(concerns.values()), "harm_categories", "logged_by")
        found = {"concern": concerns, "referral": referrals}
        return [
            self._entry(kind, found[kind][key] if kind in found else key) for _, kind, key in merged
        ]

    def _entry(self, kind: str, obj) -> ChronologyEntry:
        # Every part of an entry is read through the disclosure list: a partner agency that
        # may see an entry (its own referral about a place it guards) reads only what it may
        # read of the record (the decision, not the council's reason for it).
        def read(name):
            return disclosure.read(self.user, obj, name)

        if kind == "concern":
            harms = read("harm_categories")
            return ChronologyEntry(
                when=read("occurred_at"),
                kind="concern",
                title=("Concern: " + ", ".join(h.name for h in harms.all()))
                if harms
                else "Concern",
                detail=read("narrative"),
                by=str(read("logged_by") or ""),
                obj=obj,
            )
        if kind == "referral":
            decision = (
                f": {obj.get_decision_display()}"
                if read("decision")
                else f" ({obj.get_status_display()})"
            )
            return ChronologyEntry(
                when=read("received_at"),
                kind="referral",
                title=f"Referral from {read('source_organisation')}{decision}",
                detail=read("decision_reason"),
                by=read("referrer_name"),
                obj=obj,
            )
        worker, team = read("worker"), read("team")
        return ChronologyEntry(
            when=read("started_at"),
            kind="allocation",
            title=(f"Allocated to {worker}" if worker else "Waiting for allocation")
            + (f" ({team})" if team else ""),
            detail=read("reason"),
            by=str(read("allocated_by") or ""),
            obj=obj,
        )


def chronology_for_subject(
    *,
    user: User,
    subject,
    kind: str | None = None,
    harm: str | None = None,
    page: int | str | None = 1,
    per_page: int | None = None,
    access=None,
) -> Page:
    """One page (a Django ``Page`` of ``ChronologyEntry``) of what happened to a subject,
    newest first, as far as ``user`` may see.

    ``kind`` keeps one kind of entry; ``harm`` (a harm category slug) keeps the concerns and
    referrals about that harm. ``page`` past the end gives the last page, and one that is not
    a number the first (``safeguarding.pagination.page_number``). ``access`` is the user's
    ``visibility.access_to`` the subject, if the caller has it. A fixed number of queries
    whatever the number of entries.
    """
    access = access or visibility.access_to(user, subject.concrete)
    chronology = _Chronology(user=user, access=access, kind=kind, harm=harm)
    paginator = Paginator(chronology, per_page or CHRONOLOGY_PER_PAGE)
    return paginator.page(page_number(page, paginator.num_pages))


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
    (``last_concern_at``, a few index probes per row). Soonest review first, then those with
    no review date; the order is total, so pages neither repeat nor skip a row."""
    return (
        visibility.restrict(user, Case)
        .filter(allocated_worker=worker)
        .exclude(status=Case.Status.CLOSED)
        .annotate(last_concern_at=visibility.latest_concern_at(user))
        .select_related("subject__youngperson", "subject__peergroup", "subject__context", "team")
        .order_by(F("next_review_due").asc(nulls_last=True), "pk")
    )


@dataclass(frozen=True)
class Linked:
    """Records of one kind linked to a subject through its latest concerns."""

    records: list  # each annotated with shared_concerns, most shared first
    more: int  # how many others there are beyond those named
    concerns_looked_at: int  # how many of the latest concerns were looked at
    all_concerns: bool  # whether those were all the subject's concerns

    def __bool__(self):
        return bool(self.records)

    def __iter__(self):
        return iter(self.records)


def latest_concern_ids(
    *, user: User, subject, limit: int = LINKED_FROM_LATEST, access=None
) -> list[int]:
    """The ids of the latest ``limit`` concerns about ``subject`` the user may see."""
    rows = visibility.concerns_about(user, subject, access).newest(limit)
    return [concern_id for _, concern_id in rows]


def linked_through_concerns(*, user: User, subject, access=None) -> dict[str, Linked]:
    """Young people, places and peer groups that share concerns with ``subject``, by kind of
    subject (``Subject.Kind`` values): among its latest ``LINKED_FROM_LATEST`` concerns the
    user may see, the records the user may see, the most shared first (at most
    ``LINKED_SHOWN`` of each kind named). At most four queries, whatever the subject holds."""
    from contexts.models import Context
    from peers.models import PeerGroup

    concern_ids = latest_concern_ids(user=user, subject=subject, access=access)
    shared = (
        ConcernSubject.objects.filter(concern_id__in=concern_ids)
        .exclude(subject_id=subject.pk)
        .values("subject_id", "subject__kind")
        .annotate(n=Count("concern_id", distinct=True))
        .order_by()
    )
    counts, by_kind = {}, {}
    for row in shared:
        counts[row["subject_id"]] = row["n"]
        by_kind.setdefault(row["subject__kind"], []).append(row["subject_id"])
    result = {}
    for kind, model in (
        (Subject.Kind.YOUNG_PERSON, YoungPerson),
        (Subject.Kind.CONTEXT, Context),
        (Subject.Kind.PEER_GROUP, PeerGroup),
    ):
        candidates = by_kind.get(kind, [])
        visible = (
            list(
                visibility.restrict(user, model)
                .filter(subject_id__in=candidates)
                .select_related("subject")
            )
            if candidates
            else []
        )
        for record in visible:
            record.shared_concerns = counts[record.subject_id]
        visible.sort(key=lambda r: (-r.shared_concerns, r.pk))
        result[kind] = Linked(
            records=visible[:LINKED_SHOWN],
            more=max(0, len(visible) - LINKED_SHOWN),
            concerns_looked_at=len(concern_ids),
            all_concerns=len(concern_ids) < LINKED_FROM_LATEST,
        )
    return result


CONCERN_WINDOWS = (30, 90, 365)


def concern_counts_at(*, user: User, subject, access=None) -> dict[int, int]:
    """Concerns about a subject in the last 30, 90 and 365 days that the user may see (an
    aggregate query or two, by index)."""
    now = timezone.now()
    counts = visibility.concerns_about(user, subject, access).counts(
        **{f"d{days}": Q(occurred_at__gte=now - timedelta(days=days)) for days in CONCERN_WINDOWS}
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
    from .models import BoroughFigures

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
    from .figures import first_month
    from .models import MonthlyConcernCount, MonthlyReferralCount

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
