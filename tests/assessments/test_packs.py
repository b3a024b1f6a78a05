"""The evidence pack builders (cases/assessments/packs.py): what each drafts, only what the
user opening the assessment may see, no young person's name in any text, and a fixed number
of queries whatever the subject holds."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.assessments import packs
from cases.assessments.evidence import KINDS
from cases.models import Referral
from contexts.models import ContextGuardian
from peers.models import PeerGroupMembership, Relationship
from safeguarding.accounts.models import User
from safeguarding.subjects.models import Subject
from tests.factories import (
    AuthorityFactory,
    ConcernFactory,
    ContextFactory,
    HarmCategoryFactory,
    PartnerOrganisationFactory,
    PartnerUserFactory,
    PeerGroupFactory,
    ReferralFactory,
    SocialWorkerFactory,
    TeamFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db

#: The harm categories' names (cases/migrations/0003_harm_categories.py).
CCE = "child criminal exploitation, including county lines"
CSE = "child sexual exploitation"


def _day(d):
    return f"{d.day} {d:%B %Y}"


class Borough:
    """One authority, a team with two workers, a place and a group the team works with; a
    young person the first worker may not see (restricted, the second worker's); and a second
    team whose worker sees none of it."""

    def __init__(self):
        self.la = AuthorityFactory()
        self.team = TeamFactory(organisation=self.la)
        self.sw = SocialWorkerFactory(team=self.team)
        self.colleague = SocialWorkerFactory(team=self.team)
        self.outsider = SocialWorkerFactory(team=TeamFactory(organisation=self.la))
        self.police = PartnerOrganisationFactory(authority=self.la)
        self.place = ContextFactory(authority=self.la, team=self.team)
        self.group = PeerGroupFactory(authority=self.la, team=self.team)
        self.people = []
        self.hidden = YoungPersonFactory(
            authority=self.la,
            given_name="Hesper",
            family_name="Nightjarrow",
            restricted=True,
            case__team=self.team,
            case__worker=self.colleague,
        )
        self.now = timezone.now()

    def person(self, **kwargs):
        n = len(self.people)
        yp = YoungPersonFactory(
            authority=self.la,
            given_name=f"Zephyrine{n}",
            family_name=f"Quillfeather{n}",
            case__team=self.team,
            case__worker=self.sw,
            **kwargs,
        )
        self.people.append(yp)
        return yp

    def concern(self, *, people, days_ago, harm="cce", by=None, **kwargs):
        return ConcernFactory(
            logged_by=by or self.sw,
            young_people=[(yp, "at_risk") for yp in people],
            occurred_at=self.now - timedelta(days=days_ago),
            harm_categories=[HarmCategoryFactory(slug=harm)],
            **kwargs,
        )

    def member(self, yp, *, joined_days_ago=100, left_days_ago=None, confidence="high"):
        today = timezone.localdate()
        return PeerGroupMembership.objects.create(
            peer_group=self.group,
            young_person=yp,
            joined_on=today - timedelta(days=joined_days_ago),
            left_on=today - timedelta(days=left_days_ago) if left_days_ago else None,
            left_reason="Moved away" if left_days_ago else "",
            source="police",
            confidence=confidence,
            recorded_by=self.sw,
        )


def _fresh(user):
    """The user as a new request would have them (nothing cached on the object)."""
    return User.objects.get(pk=user.pk)


def _build(builder, record, user):
    return builder(Subject.objects.get(pk=record.subject_id), _fresh(user))


def _count_queries(builder, record, user) -> int:
    subject = Subject.objects.get(pk=record.subject_id)
    user = _fresh(user)
    with CaptureQueriesContext(connection) as queries:
        builder(subject, user)
    return len(queries)


def _names(b: Borough) -> list[str]:
    return [n for yp in [*b.people, b.hidden] for n in (yp.given_name, yp.family_name)]


def _assert_no_names(items, b: Borough):
    for item in items:
        for name in _names(b):
            assert name not in item.text, item


# --- a place ----------------------------------------------------------------------------------


def _place_world():
    b = Borough()
    a, c = b.person(), b.person()
    b.concern(people=[a], days_ago=3, location=b.place, peer_group=b.group)
    b.concern(people=[a, c], days_ago=4, location=b.place, reliability="doubtful")
    b.concern(people=[c], days_ago=5, location=b.place, harm="cse", source="school")
    b.concern(people=[a], days_ago=500, location=b.place)  # older than 12 months
    # About the restricted young person only: the first worker may not see it.
    b.concern(people=[b.hidden], days_ago=3, location=b.place, by=b.colleague)
    ContextGuardian.objects.create(
        context=b.place,
        organisation=b.police,
        role="Neighbourhood team",
        present_when="evenings",
        told_of_concerns=True,
    )
    ContextGuardian.objects.create(context=b.place, name="Park keeper")
    ContextGuardian.objects.create(
        context=b.place, name="Former warden", ended_on=timezone.localdate()
    )
    ReferralFactory(
        source_organisation=b.police,
        received_at=b.now - timedelta(days=10),
        urgency=Referral.Urgency.URGENT,
        narrative="Narrative that must not be copied",
        about=[{"kind": "context", "subject": b.place.subject}],
    )
    ReferralFactory(
        source_organisation=b.police,
        received_at=b.now - timedelta(days=400),
        about=[{"kind": "context", "subject": b.place.subject}],
    )
    return b, a, c


def test_place_pack():
    b, a, c = _place_world()
    items = _build(packs.place, b.place, b.sw)
    assert {i.kind for i in items} <= set(KINDS)

    concerns = [i for i in items if i.kind == "concerns"]
    assert all(i.section == "young_people" for i in concerns)
    day3, day4, day5 = (timezone.localdate(b.now - timedelta(days=d)) for d in (3, 4, 5))
    # One item per harm, its months newest first.
    by_harm = {i.text.split(" here ")[0]: i for i in concerns}
    cce = by_harm[f"2 concerns of {CCE}"]
    months = (
        f"1 in {day3:%B %Y}, 1 in {day4:%B %Y}"
        if day3.month != day4.month
        else (f"2 in {day3:%B %Y}")
    )
    assert cce.text == f"2 concerns of {CCE} here in the last 12 months: {months}"
    # Two from the police, one of them doubtful: "police" shared, the least reliable.
    assert (cce.source, cce.reliability) == ("police", "doubtful")
    assert cce.occurred_on == day3
    cse = by_harm[f"1 concern of {CSE}"]
    assert cse.text == f"1 concern of {CSE} here in the last 12 months: 1 in {day5:%B %Y}"
    assert (cse.source, cse.reliability) == ("school", "reliable")
    # The restricted young person's concern and the old one are not counted.
    assert sum(int(i.text.split()[0]) for i in concerns) == 3

    linked = {i.subject: i for i in items if i.kind == "young_person"}
    assert set(linked) == {a.subject, c.subject}  # never the restricted young person
    assert linked[a.subject].text == f"Involved in 2 concerns here, the latest on {_day(day3)}"
    assert linked[a.subject].section == "young_people"
    groups = [i for i in items if i.kind == "peer_group"]
    assert [g.subject for g in groups] == [b.group.subject]

    guardians = [i for i in items if i.kind == "guardian"]
    assert [g.section for g in guardians] == ["guardianship"] * 2
    assert {g.text for g in guardians} == {
        f"{b.police.name}, Neighbourhood team; present evenings; told of concerns here",
        "Park keeper; not told of concerns here",
    }
    assert {g.source for g in guardians} == {"partner_agency", "professional"}

    referrals = [i for i in items if i.kind == "referral"]
    assert len(referrals) == 1  # the one received in the last 12 months
    assert referrals[0].section == "environment"
    assert referrals[0].text == (
        f"Referral from police received on {_day(timezone.localdate(b.now - timedelta(days=10)))}"
        f": Child sexual exploitation; urgent (same day); received"
    )
    assert referrals[0].record.startswith("cases.referral:")
    _assert_no_names(items, b)


def test_a_pack_lists_the_most_involved_and_says_how_many_more(monkeypatch):
    """A busy place's links would bury its pack (and grow its page with the borough): the
    most involved are listed, then one item says how many more, and where to see them."""
    b, a, _c = _place_world()
    monkeypatch.setattr(packs, "LISTED", 1)
    items = _build(packs.place, b.place, b.sw)
    linked = [i for i in items if i.kind == "young_person"]
    assert [i.subject for i in linked] == [a.subject, None]  # the most involved first
    assert linked[1].text == (
        "Not listed: 1 more of the young people involved in concerns here; see the place's page"
    )


def test_place_pack_follows_the_rule():
    b, _a, _c = _place_world()
    # The colleague named on the restricted young person sees their concern and them.
    colleague = _build(packs.place, b.place, b.colleague)
    assert b.hidden.subject in {i.subject for i in colleague if i.kind == "young_person"}
    assert sum(int(i.text.split()[0]) for i in colleague if i.kind == "concerns") == 4
    _assert_no_names(colleague, b)
    # Another team does not work with the place: nothing.
    assert _build(packs.place, b.place, b.outsider) == []
    # A partner agency guarding the place sees it, but no concern and no young person.
    partner = PartnerUserFactory(organisation=b.police)
    items = _build(packs.place, b.place, partner)
    assert {i.kind for i in items} <= {"guardian", "referral"}
    assert [i.text for i in items if i.kind == "guardian"] == [
        f"{b.police.name}, Neighbourhood team; present evenings; told of concerns here"
    ]


def test_place_pack_queries_do_not_grow():
    b, a, _c = _place_world()
    before = _count_queries(packs.place, b.place, b.sw)
    for n in range(10):
        yp = b.person()
        b.concern(
            people=[yp, a], days_ago=20 + 30 * n, location=b.place, harm=["cse", "cce"][n % 2]
        )
        ContextGuardian.objects.create(context=b.place, name=f"Shop keeper {n}")
        ReferralFactory(
            source_organisation=b.police,
            received_at=b.now - timedelta(days=n * 20),
            about=[{"kind": "context", "subject": b.place.subject}],
        )
    after = _count_queries(packs.place, b.place, b.sw)
    assert after == before
    assert before <= 12


# --- a peer group -----------------------------------------------------------------------------


def _group_world():
    b = Borough()
    a, c, d = b.person(), b.person(), b.person()
    b.member(a, joined_days_ago=200)
    b.member(c, joined_days_ago=100, confidence="low")
    b.member(d, joined_days_ago=300, left_days_ago=30)
    b.member(b.hidden, joined_days_ago=50)
    Relationship.objects.create(
        from_person=a,
        to_person=c,
        kind="friend",
        source="school",
        reliability="reliable",
        recorded_by=b.sw,
    )
    Relationship.objects.create(  # with a former member: not between current members
        from_person=a, to_person=d, kind="associate", source="police", reliability="untested"
    )
    other_place = ContextFactory(authority=b.la, team=b.team)
    b.concern(people=[a], days_ago=2, location=b.place)
    b.concern(people=[c], days_ago=8, location=b.place)
    b.concern(people=[], days_ago=9, peer_group=b.group, location=other_place)
    b.concern(people=[d], days_ago=1, location=ContextFactory(authority=b.la, team=b.team))
    return b, a, c, d, other_place


def test_peer_group_pack():
    b, a, c, d, other_place = _group_world()
    items = _build(packs.peer_group, b.group, b.sw)
    today = timezone.localdate()

    members = [i for i in items if i.kind == "membership"]
    assert [m.subject for m in members] == [a.subject, c.subject, d.subject]  # not the hidden
    assert members[0].text == (
        f"Member since {_day(today - timedelta(days=200))} (confidence: high, source: Police)"
    )
    assert members[1].reliability == "doubtful"  # low confidence
    assert members[2].text == (
        f"Member from {_day(today - timedelta(days=300))}; left on "
        f"{_day(today - timedelta(days=30))} (confidence: high, source: Police)"
    )
    assert {m.section for m in members} == {"functioning"}

    relationships = [i for i in items if i.kind == "relationship"]
    assert len(relationships) == 1
    r = relationships[0]
    assert r.subject == a.subject
    assert (r.source, r.reliability, r.occurred_on) == ("school", "reliable", today)
    assert r.text == (
        f"Friends with {c.subject.reference} (source: School or college; recorded {_day(today)}; "
        "reliability: reliable source, not verified)"
    )

    places = {i.subject: i for i in items if i.kind == "place"}
    # The former member's place is not the group's; the group's own concern's place is.
    assert set(places) == {b.place.subject, other_place.subject}
    assert places[b.place.subject].text == (
        "Named in 2 concerns about the group or its members, the latest on "
        f"{_day(timezone.localdate(b.now - timedelta(days=2)))}"
    )
    assert places[b.place.subject].section == "environment"
    _assert_no_names(items, b)
    assert _build(packs.peer_group, b.group, b.outsider) == []


def test_peer_group_pack_queries_do_not_grow():
    b, a, *_ = _group_world()
    before = _count_queries(packs.peer_group, b.group, b.sw)
    for n in range(10):
        yp = b.person()
        b.member(yp, joined_days_ago=10 + n)
        Relationship.objects.create(
            from_person=yp, to_person=a, kind="friend", source="police", reliability="reliable"
        )
        b.concern(people=[yp], days_ago=n + 1, location=ContextFactory(authority=b.la, team=b.team))
    after = _count_queries(packs.peer_group, b.group, b.sw)
    assert after == before
    assert before <= 8


# --- a young person (exploitation screening) --------------------------------------------------


def _person_world():
    b = Borough()
    a = b.person()
    b.member(a, joined_days_ago=40)
    b.concern(people=[a], days_ago=6, harm="missing", source="family")
    b.concern(people=[a], days_ago=60, harm="missing")
    b.concern(people=[a], days_ago=3, location=b.place)
    b.concern(people=[a], days_ago=700)
    return b, a


def test_young_person_pack():
    b, a = _person_world()
    items = _build(packs.young_person, a, b.sw)
    today = timezone.localdate()

    missing = [i for i in items if i.kind == "missing"]
    assert [m.text for m in missing] == [
        f"Missing episode on {_day(timezone.localdate(b.now - timedelta(days=d)))}" for d in (6, 60)
    ]
    assert [m.section for m in missing] == ["missing", "missing"]
    assert missing[0].source == "family"
    assert missing[0].record.startswith("cases.concern:")

    members = [i for i in items if i.kind == "membership"]
    assert [(m.section, m.subject) for m in members] == [("relationships", b.group.subject)]
    assert members[0].text.startswith(f"Member since {_day(today - timedelta(days=40))}")

    summary = {i.text: i for i in items if i.kind == "concerns"}
    assert set(summary) == {
        f"1 concern of {CCE} in the last 12 months, 2 in all; the latest on "
        f"{_day(timezone.localdate(b.now - timedelta(days=3)))}",
        "2 concerns of missing episodes in the last 12 months, 2 in all; the latest on "
        f"{_day(timezone.localdate(b.now - timedelta(days=6)))}",
    }
    assert {i.section for i in summary.values()} == {"summary"}
    missing_summary = next(i for i in summary.values() if "missing" in i.text)
    assert missing_summary.source == "other"  # family and police
    _assert_no_names(items, b)


def test_young_person_pack_for_one_who_may_not_see_them():
    b, a = _person_world()
    assert _build(packs.young_person, a, b.outsider) == []
    assert _build(packs.young_person, b.hidden, b.sw) == []
    # The restricted young person's pack, for the worker named on them.
    b.concern(people=[b.hidden], days_ago=2, harm="missing", by=b.colleague)
    items = _build(packs.young_person, b.hidden, b.colleague)
    assert [i.kind for i in items if i.kind == "missing"] == ["missing"]
    _assert_no_names(items, b)


def test_young_person_pack_queries_do_not_grow():
    b, a = _person_world()
    before = _count_queries(packs.young_person, a, b.sw)
    for n in range(10):
        b.concern(people=[a], days_ago=n + 1, harm=["missing", "cse", "violence"][n % 3])
        group = PeerGroupFactory(authority=b.la, team=b.team)
        PeerGroupMembership.objects.create(
            peer_group=group, young_person=a, source="school", confidence="medium"
        )
    after = _count_queries(packs.young_person, a, b.sw)
    assert after == before
    assert before <= 6
