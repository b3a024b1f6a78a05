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
    ConcernSubject,
    YoungPerson,
)
from safeguarding.accounts import disclosure, visibility
from safeguarding.accounts.models import User
from safeguarding.pagination import page_number
from safeguarding.subjects import registry
from safeguarding.subjects.models import Subject


@dataclass(frozen=True)
class ChronologyEntry:
    when: datetime
    kind: str  # a chronology kind of a record type, e.g. "concern", "referral", "allocation"
    title: str
    detail: str
    by: str
    obj: object
    tag: str = "grey"  # the GOV.UK tag colour of its kind


def chronology_kinds() -> dict[str, str]:
    """The kinds of chronology entry and the filter's label for each, in order (every record
    type with a ``Chronology`` in ``safeguarding.subjects.registry``), e.g. ``{"concern":
    "Concerns", "referral": "Referrals", "allocation": "Allocations"}``."""
    return registry.chronology_kinds()


#: Entries on one page of a chronology (the MoJ timeline), newest first.
CHRONOLOGY_PER_PAGE = 50


#: "Linked through concerns" looks at this many of the latest concerns about a subject: a busy
#: place has tens of thousands, and who was there recently is what the page is for.
LINKED_FROM_LATEST = 200


#: At most this many linked records of each kind are named (the page says how many more).
LINKED_SHOWN = 25


class _Keys:
    """A record type's rows about a subject read as keys: ``(when, pk)``, newest first, each
    record once (a record linked to the subject twice, or matching a filter twice, is one
    entry). ``visibility.ConcernRows`` answers the same for concerns."""

    def __init__(self, rows, date_field: str):
        self.rows = rows.values("pk", date_field).distinct()
        self.date_field = date_field

    def count(self) -> int:
        return self.rows.count()

    def newest(self, stop: int) -> list[tuple]:
        date = self.date_field
        return [(r[date], r["pk"]) for r in self.rows.order_by(f"-{date}", "-pk")[:stop]]


class _Chronology:
    """What happened to a subject, newest first, as far as the user may see: a sequence that
    Django's Paginator pages. Each record type with a chronology (``registry.chronology()``) is
    read in date order, only as far as the page asked for reaches (a page costs in proportion
    to how far back it is, not to everything the subject has), and the kinds are merged; then
    the records the page shows are read, one query for each kind on the page.
    """

    def __init__(self, *, user: User, access, kind: str | None, harm: str | None):
        self.user = user
        self.sources = []
        record_types = registry.chronology()
        kinds = {r.chronology.kind for r in record_types}
        for record_type in record_types:
            source = record_type.chronology
            rows = source.rows(user, access)
            if harm:
                rows = rows.filter(**{source.harm: harm}) if source.harm else rows.none()
            if kind in kinds and kind != source.kind:
                rows = rows.none()
            if not source.whole and not isinstance(rows, visibility.ConcernRows):
                rows = _Keys(rows, source.date_field)
            self.sources.append((record_type, rows))

    def count(self) -> int:
        return sum(rows.count() for _, rows in self.sources)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("A chronology is read a page at a time")
        start, stop = index.start or 0, index.stop
        # The newest `stop` entries of each kind are enough to know the newest `stop` of all.
        # An entry: (when, which record type, its pk or, read whole, the record).
        newest = []
        for n, (record_type, rows) in enumerate(self.sources):
            source = record_type.chronology
            if source.whole:
                records = rows.select_related(*source.select_related).order_by(
                    f"-{source.date_field}", "-pk"
                )[:stop]
                newest += [(getattr(r, source.date_field), n, r) for r in records]
            else:
                newest += [(when, n, pk) for when, pk in rows.newest(stop)]
        # Newest first; entries at the same time keep the order of their kinds.
        merged = sorted(newest, key=lambda e: e[0], reverse=True)[start:stop]
        found = {}
        for n, (record_type, _) in enumerate(self.sources):
            source = record_type.chronology
            if source.whole:
                continue
            wanted = [key for _, m, key in merged if m == n]
            records = record_type.model._default_manager.select_related(
                *source.select_related
            ).in_bulk(wanted)
            if records and source.prefetch:
                prefetch_related_objects(list(records.values()), *source.prefetch)
            found[n] = records
        entries = [
            self._entry(self.sources[n][0], found[n][key] if n in found else key)
            for _, n, key in merged
        ]
        return self._withheld_not_named(entries)

    def _withheld_not_named(self, entries: list) -> list:
        """Concerns' and referrals' text on the page with the names of restricted young people
        the user may not see replaced (``cases.restrictions.selectors``): two queries for the
        page's concerns, two for its referrals, whatever their number."""
        from dataclasses import replace

        from cases.models import Concern, ConcernSubject, Referral, ReferralSubject
        from cases.restrictions.selectors import redact_withheld, withheld_names

        for model, links, key in (
            (Concern, ConcernSubject, "concern_id"),
            (Referral, ReferralSubject, "referral_id"),
        ):
            ids = [e.obj.pk for e in entries if isinstance(e.obj, model) and e.detail]
            if not ids:
                continue
            names = withheld_names(self.user, links.objects.filter(**{f"{key}__in": ids}), key)
            if not names:
                continue
            entries = [
                replace(e, detail=redact_withheld(self.user, e.detail, names[e.obj.pk]))
                if isinstance(e.obj, model) and e.obj.pk in names
                else e
                for e in entries
            ]
        return entries

    def _entry(self, record_type, obj) -> ChronologyEntry:
        # Every part of an entry is read through the disclosure list: a partner agency that
        # may see an entry (its own referral about a place it guards) reads only what it may
        # read of the record (the decision, not the council's reason for it).
        def read(name):
            return disclosure.read(self.user, obj, name)

        source = record_type.chronology
        text = source.entry(obj, read)
        return ChronologyEntry(
            when=read(source.date_field),
            kind=source.kind,
            title=text.title,
            detail=text.detail,
            by=text.by,
            obj=obj,
            tag=source.tag,
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

    ``kind`` keeps one kind of entry (:func:`chronology_kinds`); ``harm`` (a harm category
    slug) keeps the entries about that harm (of the record types that have harms: concerns and
    referrals). ``page`` past the end gives the last page, and one that is not
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
