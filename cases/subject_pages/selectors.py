"""What every subject page reads: its chronology and what it is linked to through concerns.
Every selector starts from the visibility rule."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Q,
    prefetch_related_objects,
)
from django.utils import timezone

from cases.models import (
    Allocation,
    Concern,
    ConcernSubject,
    Referral,
    YoungPerson,
)
from safeguarding.accounts import disclosure, visibility
from safeguarding.accounts.models import User
from safeguarding.pagination import page_number
from safeguarding.subjects.models import Subject


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
