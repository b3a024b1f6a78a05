"""The evidence pack builders: what the product already knows about an assessment's subject,
drafted as :class:`~cases.assessments.evidence.Item` rows when the assessment is opened.

Each builder is ``builder(subject, user) -> list[Item]`` (a definition names it in
``evidence``): ``subject`` is the assessment's ``Subject``, ``user`` the practitioner opening
it. Every read goes through the one visibility rule as ``user``
(``safeguarding.accounts.visibility``: ``access_to`` once, then ``about``,
``concerns_about`` and ``restrict``), so the pack holds only what that user may see: a concern
they may not see is not counted, a young person, group or place they may not see is not
linked, and a user who may not see the subject gets an empty pack. No item's text holds a
young person's name (nor a group's or a place's): an item about one links its ``Subject``,
and the page names it only to a viewer the rule lets see it; a relationship names the other
person by their reference.

Each builder runs a fixed number of queries whatever the subject holds (aggregates in the
database, ``select_related``/``prefetch_related``; ``tests/assessments/test_packs.py``
counts them):

* :func:`place` (a place assessment), sections ``young_people``, ``guardianship`` and
  ``environment``;
* :func:`peer_group` (a friendship and peer group assessment), sections ``functioning`` and
  ``environment``;
* :func:`young_person` (an exploitation screening), sections ``missing``, ``relationships``
  and ``summary``.

"Recent" is the last :data:`RECENT_DAYS` days (12 months), as the place page's counts.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Max, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.models import Concern, ConcernSubject, HarmCategory, Referral, YoungPerson
from contexts.models import Context, ContextGuardian
from peers.models import Confidence, PeerGroup, PeerGroupMembership, Relationship
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation
from safeguarding.subjects.models import InformationSource, Reliability, Subject

from .evidence import Item

#: How far back "recent" concerns and referrals go: 12 months.
RECENT_DAYS = 365

#: The most items of one kind a pack lists one by one (the young people or groups linked to a
#: place, the places linked to a group, referrals, missing episodes): the most involved or the
#: newest; the rest are one item that says how many more there are, and where to see them. A
#: pack is for reading and deciding on: a busy place's hundreds of links would bury it (and
#: its page would grow with the borough).
LISTED = 25

#: The harm category of missing episodes (cases/migrations/0003_harm_categories.py).
MISSING = "missing"

#: Reliability from most to least reliable (a summary takes the least reliable of its records).
_RELIABILITY_ORDER = [value for value, _ in Reliability.choices]

#: A membership records how confident the council is of it, not a reliability: read as the
#: nearest reliability (high: a reliable source; medium: untested; low: doubtful). A
#: membership is never "confirmed" by its confidence alone.
_CONFIDENCE_RELIABILITY = {
    Confidence.HIGH: Reliability.RELIABLE,
    Confidence.MEDIUM: Reliability.UNTESTED,
    Confidence.LOW: Reliability.DOUBTFUL,
}

#: How a relationship reads from one person to the other (``Relationship.Kind``).
_RELATIONSHIP_WORDS = {
    Relationship.Kind.FRIEND: "Friends with",
    Relationship.Kind.PARTNER: "In a relationship with",
    Relationship.Kind.FAMILY: "Sibling or family of",
    Relationship.Kind.ASSOCIATE: "Associate of",
    Relationship.Kind.IN_CONTACT: "In contact with",
    Relationship.Kind.EXPLOITS: "Exploits",
}


# --- small helpers ---------------------------------------------------------------------------


def _day(d: date | datetime) -> str:
    """``2 March 2026`` (GOV.UK's date style), local time for a moment."""
    if isinstance(d, datetime):
        d = timezone.localdate(d)
    return f"{d.day} {d:%B %Y}"


def _month(d: date | datetime) -> str:
    if isinstance(d, datetime):
        d = timezone.localdate(d)
    return f"{d:%B %Y}"


def _least_reliable(values) -> str:
    return max(values, key=_RELIABILITY_ORDER.index, default=Reliability.UNTESTED.value)


def _shared_source(values) -> str:
    values = set(values)
    return values.pop() if len(values) == 1 else InformationSource.OTHER.value


def _concerns(n: int) -> str:
    return f"{n} concern" if n == 1 else f"{n} concerns"


def _harm_words(name: str | None) -> str:
    """A harm category's name inside a sentence ("of child criminal exploitation …")."""
    if not name:
        return "with no harm recorded"
    return "of " + name[:1].lower() + name[1:]


def _access(subject, user):
    """The user's access to the subject, or None if the user may not see it."""
    access = visibility.access_to(user, subject.concrete)
    return access if access.view else None


def _record(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


@dataclass
class _Tally:
    """Concerns of one group (a harm, a harm and month …), added up over several rows."""

    n: int = 0
    recent: int = 0
    latest: datetime | None = None
    sources: set = field(default_factory=set)
    reliabilities: set = field(default_factory=set)

    def add(self, row):
        self.n += row["n"]
        self.recent += row.get("recent", 0)
        if self.latest is None or row["latest"] > self.latest:
            self.latest = row["latest"]
        self.sources.add(row["source"])
        self.reliabilities.add(row["reliability"])


def _by_harm(rows: visibility.ConcernRows, *, since: datetime, by_month: bool) -> dict:
    """Concerns (``concerns_about`` rows) counted by harm (and month): ``{(harm slug, name,
    display order[, month]): _Tally}``, one aggregate query per part of ``rows``. With
    ``by_month``, only those since ``since``; without, ``recent`` counts those since
    ``since``."""
    keys = {
        "slug": F("concern__harm_categories__slug"),
        "name": F("concern__harm_categories__name"),
        "order": F("concern__harm_categories__display_order"),
        "source": F("concern__source"),
        "reliability": F("concern__reliability"),
    }
    if by_month:
        rows = rows.filter(occurred_at__gte=since)
        keys["month"] = TruncMonth("occurred_at")
    counts = {
        "n": Count("concern_id", distinct=True),
        "latest": Max("occurred_at"),
    }
    if not by_month:
        counts["recent"] = Count("concern_id", distinct=True, filter=Q(occurred_at__gte=since))
    tallies: dict[tuple, _Tally] = {}
    for part in rows.parts:
        for row in part.values(**keys).annotate(**counts).order_by():
            key = (row["slug"], row["name"], row["order"] or 0) + (
                (row["month"],) if by_month else ()
            )
            tallies.setdefault(key, _Tally()).add(row)
    return tallies


def _linked(rows: visibility.ConcernRows, kinds, *, exclude=None) -> dict[int, _Tally]:
    """Subjects of ``kinds`` that share the concerns ``rows`` (a ``concerns_about`` result,
    already filtered): ``{subject id: _Tally}`` of the shared concerns, one query per part."""
    tallies: dict[int, _Tally] = {}
    for part in rows.parts:
        involvements = ConcernSubject.objects.filter(
            concern_id__in=part.values("concern_id"), subject__kind__in=kinds
        ).exclude(subject_id=exclude)
        _shared(involvements, tallies)
    return tallies


def _shared(involvements, tallies: dict | None = None) -> dict[int, _Tally]:
    """``ConcernSubject`` rows added up by subject (one query): ``{subject id: _Tally}`` of
    their concerns (a concern has one source and one reliability, so its rows by source and
    reliability add up without counting it twice)."""
    tallies = {} if tallies is None else tallies
    rows = (
        involvements.values(
            "subject_id", source=F("concern__source"), reliability=F("concern__reliability")
        )
        .annotate(n=Count("concern_id", distinct=True), latest=Max("concern__occurred_at"))
        .order_by()
    )
    for row in rows:
        tallies.setdefault(row["subject_id"], _Tally()).add(row)
    return tallies


def _membership_text(m: PeerGroupMembership) -> str:
    """What a membership says: "Member since 3 May 2025 (confidence: high, source: Police)",
    or for one who left "Member from 3 May 2025; left on 1 September 2025 (…)"."""
    detail = f"(confidence: {m.get_confidence_display().lower()}, source: {m.get_source_display()})"
    if m.left_on:
        joined = f"Member from {_day(m.joined_on)}" if m.joined_on else "Member (joined: not known)"
        return f"{joined}; left on {_day(m.left_on)} {detail}"
    joined = f"Member since {_day(m.joined_on)}" if m.joined_on else "Member (joined: not known)"
    return f"{joined} {detail}"


def _membership(section: str, m: PeerGroupMembership, subject) -> Item:
    return Item(
        section=section,
        kind="membership",
        text=_membership_text(m),
        source=m.source,
        reliability=_CONFIDENCE_RELIABILITY.get(m.confidence, Reliability.UNTESTED).value,
        occurred_on=m.left_on or m.joined_on,
        subject=subject,
        record=_record(m),
    )


# --- the builders ------------------------------------------------------------------------------


def place(subject, user) -> list[Item]:
    """The evidence pack of a place (a neighbourhood or place assessment).

    * ``young_people``: concerns at the place in the last 12 months by harm and month, one
      item per harm (kind ``concerns``: "5 concerns of child criminal exploitation here in the
      last 12 months: 3 in March 2026, 2 in February 2026"); each young
      person (kind ``young_person``) and peer group (kind ``peer_group``) linked through those
      concerns, with how many they share and the latest date, most shared first;
    * ``guardianship``: the place's current guardians (kind ``guardian``): organisation or
      role, when present, whether told of concerns;
    * ``environment``: referrals about the place received in the last 12 months (kind
      ``referral``): received date, harms, urgency and status, never the narrative.

    At most 12 queries (with reading the place and the user's permission keys).
    """
    access = _access(subject, user)
    if access is None:
        return []
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    concerns = visibility.concerns_about(user, subject, access).filter(occurred_at__gte=since)
    items: list[Item] = []

    # The young people who use the place: what happens there, and who is involved.
    # One item per harm, its months newest first: a busy place has concerns of most harms in
    # most months, and a hundred items of one count each would bury the pack.
    harms: dict[tuple, list] = {}
    for (slug, name, order, month), t in _by_harm(concerns, since=since, by_month=True).items():
        harms.setdefault((order, name or "", slug or "", name), []).append((month, t))
    for (_order, _sort, _slug, name), months in sorted(harms.items(), key=lambda kv: kv[0][:3]):
        months.sort(key=lambda mt: mt[0], reverse=True)
        per_month = ", ".join(f"{t.n} in {_month(month)}" for month, t in months)
        items.append(
            Item(
                section="young_people",
                kind="concerns",
                text=f"{_concerns(sum(t.n for _, t in months))} {_harm_words(name)} here in "
                f"the last 12 months: {per_month}",
                source=_shared_source(set().union(*(t.sources for _, t in months))),
                reliability=_least_reliable(set().union(*(t.reliabilities for _, t in months))),
                occurred_on=timezone.localdate(max(t.latest for _, t in months)),
            )
        )
    linked = _linked(
        concerns, [Subject.Kind.YOUNG_PERSON, Subject.Kind.PEER_GROUP], exclude=subject.pk
    )
    for model, kind, what in (
        (YoungPerson, "young_person", "Involved in"),
        (PeerGroup, "peer_group", "Named in"),
    ):
        records = (
            list(
                visibility.restrict(user, model)
                .filter(subject_id__in=list(linked))
                .select_related("subject")
            )
            if linked
            else []
        )
        records.sort(
            key=lambda r: (-linked[r.subject_id].n, -linked[r.subject_id].latest.timestamp())
        )
        for record in records[:LISTED]:
            t = linked[record.subject_id]
            items.append(
                Item(
                    section="young_people",
                    kind=kind,
                    text=f"{what} {_concerns(t.n)} here, the latest on {_day(t.latest)}",
                    source=_shared_source(t.sources),
                    reliability=_least_reliable(t.reliabilities),
                    occurred_on=timezone.localdate(t.latest),
                    subject=record.subject,
                )
            )
        items += _more(
            "young_people",
            kind,
            len(records) - LISTED,
            "young people involved in concerns here"
            if kind == "young_person"
            else "groups named in concerns here",
            "the place's page",
        )

    # Guardianship: the adults and organisations with influence over the place.
    guardians = (
        visibility.about(user, ContextGuardian, access)
        .filter(ended_on__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name", "name", "pk")
    )
    for g in guardians:
        who = ", ".join(part for part in (str(g.organisation or ""), g.name, g.role) if part)
        text = who
        if g.present_when:
            text += f"; present {g.present_when}"
        text += "; told of concerns here" if g.told_of_concerns else "; not told of concerns here"
        items.append(
            Item(
                section="guardianship",
                kind="guardian",
                text=text,
                source=(
                    InformationSource.PARTNER_AGENCY
                    if g.organisation_id
                    else InformationSource.PROFESSIONAL
                ).value,
                # Recorded by the council from its own work with the guardian.
                reliability=Reliability.RELIABLE.value,
                record=_record(g),
            )
        )

    # The environment and wider systems: what partners have referred about the place.
    referrals = (
        visibility.about(user, Referral, access)
        .filter(received_at__gte=since)
        .select_related("source_organisation")
        .prefetch_related("harm_categories")
        .order_by("-received_at", "-pk")
        .distinct()
    )
    referrals = list(referrals[: LISTED + 1])
    more_referrals = len(referrals) > LISTED
    for r in referrals[:LISTED]:
        harms = ", ".join(h.name for h in sorted(r.harm_categories.all(), key=_harm_order))
        status = r.get_status_display().lower()
        if r.decision:
            status += f" ({r.get_decision_display().lower()})"
        own = r.source_organisation.kind == Organisation.Kind.LOCAL_AUTHORITY
        by = "staff" if own else r.source_organisation.get_kind_display().lower()
        items.append(
            Item(
                section="environment",
                kind="referral",
                text=(
                    f"Referral from {by} received on {_day(r.received_at)}: "
                    f"{harms or 'no harm recorded'}; {r.get_urgency_display().lower()}; {status}"
                ),
                source=(
                    InformationSource.PROFESSIONAL if own else InformationSource.PARTNER_AGENCY
                ).value,
                # A referrer's account, not verified by the council.
                reliability=Reliability.RELIABLE.value,
                occurred_on=timezone.localdate(r.received_at),
                record=_record(r),
            )
        )
    if more_referrals:
        items.append(
            Item(
                section="environment",
                kind="referral",
                text="And older referrals in the last 12 months: see the place's chronology",
                source=InformationSource.OTHER.value,
                reliability=Reliability.UNTESTED.value,
            )
        )
    return items


def _more(section: str, kind: str, hidden: int, what: str, where: str) -> list[Item]:
    """One item saying how many more of a kind the pack leaves out (none if none)."""
    if hidden <= 0:
        return []
    return [
        Item(
            section=section,
            kind=kind,
            text=f"Not listed: {hidden} more of the {what}; see {where}",
            source=InformationSource.OTHER.value,
            reliability=Reliability.UNTESTED.value,
        )
    ]


def _harm_order(h: HarmCategory):
    return (h.display_order, h.name)


def peer_group(subject, user) -> list[Item]:
    """The evidence pack of a peer group (a friendship and peer group assessment).

    * ``functioning``: every membership over time the user may see (kind ``membership``,
      linking the member: "Member since 3 May 2025 (confidence: high, source: Police)" or
      "…; left on 1 September 2025 …"), current members first; every relationship between
      current members (kind ``relationship``), each with its source, date and reliability
      (PRACTICE.md's peer mapping rules), the other person named by their reference;
    * ``environment``: the places the group and its current members are linked to through
      concerns the user may see (kind ``place``, linking the place): how many concerns, and
      the latest date.

    At most 8 queries (with reading the group and the user's permission keys).
    """
    access = _access(subject, user)
    if access is None:
        return []
    group = subject.concrete
    items: list[Item] = []

    memberships = list(
        visibility.restrict(user, PeerGroupMembership)
        .filter(peer_group=group)
        .select_related("young_person__subject")
        .order_by(F("left_on").desc(nulls_first=True), F("joined_on").asc(nulls_last=True), "pk")
    )
    for m in memberships:
        items.append(_membership("functioning", m, m.young_person.subject))

    current = group.memberships.filter(left_on__isnull=True).values("young_person_id")
    relationships = (
        visibility.restrict(user, Relationship)
        .filter(from_person__in=current, to_person__in=current)
        .select_related("from_person__subject", "to_person__subject")
        .order_by("recorded_at", "pk")
    )
    for r in relationships:
        when = r.started_on or timezone.localdate(r.recorded_at)
        dated = f"since {_day(r.started_on)}" if r.started_on else f"recorded {_day(r.recorded_at)}"
        if r.ended_on:
            dated += f", ended {_day(r.ended_on)}"
        words = _RELATIONSHIP_WORDS.get(r.kind, r.get_kind_display())
        text = (
            f"{words} {r.to_person.subject.reference} (source: {r.get_source_display()}; "
            f"{dated}; reliability: {r.get_reliability_display().lower()})"
        )
        items.append(
            Item(
                section="functioning",
                kind="relationship",
                text=text,
                source=r.source,
                reliability=r.reliability,
                occurred_on=r.ended_on or when,
                subject=r.from_person.subject,
                record=_record(r),
            )
        )

    # Places the group and its current members (those the user may see) are linked to through
    # concerns: the concern rule decides which concerns count (exactly concerns_about for each).
    people = (
        visibility.restrict(user, PeerGroupMembership)
        .filter(peer_group=group, left_on__isnull=True)
        .values("young_person__subject_id")
    )
    # The group's and its members' concerns first (a few hundred at most, by the involvement
    # index), then the rule on those alone: asked of the whole authority's concerns at once,
    # the rule cost most of a second in a large borough.
    involved = list(
        ConcernSubject.objects.filter(Q(subject_id=subject.pk) | Q(subject_id__in=people))
        .values_list("concern_id", flat=True)
        .distinct()
    )
    seen = visibility.restrict(user, Concern).filter(pk__in=involved).values("pk")
    tallies = _shared(
        ConcernSubject.objects.filter(concern_id__in=seen, subject__kind=Subject.Kind.CONTEXT)
    )
    records = (
        list(
            visibility.restrict(user, Context)
            .filter(subject_id__in=list(tallies))
            .select_related("subject")
        )
        if tallies
        else []
    )
    records.sort(key=lambda r: (-tallies[r.subject_id].n, r.pk))
    for record in records[:LISTED]:
        t = tallies[record.subject_id]
        items.append(
            Item(
                section="environment",
                kind="place",
                text=f"Named in {_concerns(t.n)} about the group or its members, "
                f"the latest on {_day(t.latest)}",
                source=_shared_source(t.sources),
                reliability=_least_reliable(t.reliabilities),
                occurred_on=timezone.localdate(t.latest),
                subject=record.subject,
            )
        )
    items += _more(
        "environment",
        "place",
        len(records) - LISTED,
        "places named in concerns about the group or its members",
        "the group's page",
    )
    return items


def young_person(subject, user) -> list[Item]:
    """The evidence pack of a young person (an exploitation screening).

    * ``missing``: each missing episode (a concern of the ``missing`` harm category) the user
      may see, newest first (kind ``missing``, "Missing episode on 2 March 2026");
    * ``relationships``: the young person's group memberships the user may see (kind
      ``membership``, linking the group);
    * ``summary``: concerns about them by harm (kind ``concerns``): how many in the last 12
      months and in all, and the latest date.

    At most 6 queries (with reading the young person and the user's permission keys).
    """
    access = _access(subject, user)
    if access is None:
        return []
    person = subject.concrete
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    concerns = visibility.concerns_about(user, subject, access)
    items: list[Item] = []

    episodes = []
    for part in concerns.filter(concern__harm_categories__slug=MISSING).parts:
        episodes += part.values_list(
            "concern_id", "occurred_at", "concern__source", "concern__reliability"
        ).order_by()
    episodes = sorted(set(episodes), key=lambda e: (e[1], e[0]), reverse=True)
    for concern_id, occurred_at, source, reliability in episodes[:LISTED]:
        items.append(
            Item(
                section="missing",
                kind="missing",
                text=f"Missing episode on {_day(occurred_at)}",
                source=source,
                reliability=reliability,
                occurred_on=timezone.localdate(occurred_at),
                record=f"cases.concern:{concern_id}",
            )
        )
    items += _more(
        "missing",
        "missing",
        len(episodes) - LISTED,
        "missing episodes, older",
        "the young person's chronology, filtered to missing episodes",
    )

    memberships = (
        visibility.restrict(user, PeerGroupMembership)
        .filter(young_person=person)
        .select_related("peer_group__subject")
        .order_by(F("left_on").desc(nulls_first=True), F("joined_on").asc(nulls_last=True), "pk")
    )
    for m in memberships:
        items.append(_membership("relationships", m, m.peer_group.subject))

    tallies = _by_harm(concerns, since=since, by_month=False)
    for (_slug, name, _order), t in sorted(
        tallies.items(), key=lambda kv: (kv[0][2], kv[0][1] or "")
    ):
        items.append(
            Item(
                section="summary",
                kind="concerns",
                text=f"{_concerns(t.recent)} {_harm_words(name)} in the last 12 months, "
                f"{t.n} in all; the latest on {_day(t.latest)}",
                source=_shared_source(t.sources),
                reliability=_least_reliable(t.reliabilities),
                occurred_on=timezone.localdate(t.latest),
            )
        )
    return items
