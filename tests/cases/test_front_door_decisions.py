"""Front-door decisions that start work (issue 13, "nothing silently wrong"): a context
assessment was recorded on a referral about a young person and opened no case anywhere. Every
decision by what the referral is about: a decision that starts work opens a case on the subjects
of its kinds (or keeps the open case one already has), or is refused with a clear error; the
others open nothing.
"""

import pytest
from django.urls import reverse

from cases.front_door.services import NEW, WORK_STARTED_ON, referral_decide
from cases.models import Case, Referral, YoungPerson
from contexts.models import Context
from safeguarding.errors import ApplicationError
from tests.factories import CaseFactory, PeerGroupFactory, ReferralFactory, TeamManagerFactory

pytestmark = pytest.mark.world_per_module

PERSON = {"kind": "young_person", "described_name": "Mary Ann Whitlowe"}
PLACE = {"kind": "context", "described_name": "Kestrel Chicken", "described_place_kind": "shop"}

#: What the referral is about, as linked when the decision is made: kinds of subject.
ABOUT = {
    "young person": ("young_person",),
    "place": ("context",),
    "peer group": ("peer_group",),
    "young person and place": ("young_person", "context"),
    "young person, place and peer group": ("young_person", "context", "peer_group"),
    "nothing linked": (),
}

D = Referral.Decision
#: decision -> the kinds it opens work on (None: starts no work).
OPENS = {
    D.NO_FURTHER_ACTION: None,
    D.SIGNPOST: None,
    D.EARLY_HELP: None,
    D.YOUNG_PERSON_ASSESSMENT: {"young_person"},
    D.STRATEGY_DISCUSSION: {"young_person"},
    D.CONTEXT_ASSESSMENT: {"context", "peer_group"},
    D.MACE: {"young_person", "context", "peer_group"},
}


def test_the_table_covers_every_decision():
    assert set(OPENS) == set(D)
    assert {d for d, kinds in OPENS.items() if kinds} == set(WORK_STARTED_ON)
    for decision, kinds in WORK_STARTED_ON.items():
        assert set(kinds) == OPENS[decision]


def _referral(world, about: tuple[str, ...]):
    """A partner's referral about a described young person and place (linked by the decision,
    as "create a new record") and a peer group the council linked already."""
    rows = [PERSON, PLACE]
    if "peer_group" in about:
        group = PeerGroupFactory(authority=world.records["accounts.organisation"]["la"])
        rows = [*rows, {"kind": "peer_group", "subject": group.subject}]
    referral = ReferralFactory(
        source_organisation=world.records["accounts.organisation"]["p1"], about=rows
    )
    links = {
        row.pk: NEW for row in referral.about.all() if row.kind in about and row.subject_id is None
    }
    return referral, links


@pytest.mark.parametrize("about", list(ABOUT))
@pytest.mark.parametrize("decision", list(D))
def test_every_decision_about_every_kind_opens_work_or_is_refused(world, decision, about):
    tm = world.users["tm"]
    kinds = ABOUT[about]
    referral, links = _referral(world, kinds)
    cases_before = Case.objects.count()
    last_case = Case.objects.order_by("pk").values_list("pk", flat=True).last() or 0
    opens = OPENS[decision]

    if opens is not None and not (opens & set(kinds)):
        with pytest.raises(ApplicationError) as refused:
            referral_decide(
                referral=referral, decision=decision, reason="Reason.", decided_by=tm, links=links
            )
        message = refused.value.message_dict["links"][0]
        assert f"{D(decision).label} starts work on" in message
        assert "link or create the record it is about" in message
        referral.refresh_from_db()
        assert referral.status == Referral.Status.RECEIVED and referral.decision == ""
        assert Case.objects.count() == cases_before
        return

    referral_decide(
        referral=referral, decision=decision, reason="Reason.", decided_by=tm, links=links
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECIDED and referral.decision == decision
    opened = list(Case.objects.filter(pk__gt=last_case).select_related("subject"))
    opened_on = {case.subject.kind for case in opened}
    expected = (opens or set()) & set(kinds)
    assert opened_on == expected, (decision, about)
    assert all(case.team == tm.team for case in opened)
    assert all(case.status == Case.Status.OPEN and case.allocated_worker is None for case in opened)


def test_a_subject_with_open_work_keeps_its_case(world):
    tm = world.users["tm"]
    own = world.records["cases.youngperson"]["own"]
    existing = Case.objects.filter(subject=own.subject).exclude(status="closed").first()
    if existing is None:
        existing = CaseFactory(subject=own.subject, team=tm.team)
    referral = ReferralFactory(
        source_organisation=world.records["accounts.organisation"]["p1"],
        about=[{"kind": "young_person", "subject": own.subject}],
    )
    before = Case.objects.count()
    referral_decide(
        referral=referral, decision=D.YOUNG_PERSON_ASSESSMENT, reason="Known.", decided_by=tm
    )
    assert Case.objects.count() == before
    assert Case.objects.filter(subject=own.subject).exclude(status="closed").get() == existing


def test_a_manager_in_no_team_cannot_start_work(world):
    tm = world.users["tm"]
    teamless = TeamManagerFactory(team=tm.team, organisation=tm.organisation)
    teamless.team = None
    teamless.save(update_fields=["team"])
    referral, links = _referral(world, ("context",))
    with pytest.raises(ApplicationError) as refused:
        referral_decide(
            referral=referral,
            decision=D.CONTEXT_ASSESSMENT,
            reason="Reason.",
            decided_by=teamless,
            links=links,
        )
    assert "you are not in a team" in refused.value.message_dict["decision"][0]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED
    assert not Context.objects.filter(name="Kestrel Chicken", subject__cases__isnull=False)


def test_the_quoted_failure_in_the_browser_is_refused_at_the_field(world, client):
    """A context assessment on a referral about a young person only: refused, said at the
    young person's link, nothing recorded."""
    tm = world.users["tm"]
    client.force_login(tm)
    referral = ReferralFactory(
        source_organisation=world.records["accounts.organisation"]["p1"], about=[PERSON]
    )
    [row] = referral.about.all()
    response = client.post(
        reverse("cases:triage-decide", args=[referral.pk]),
        {"decision": "context_assessment", "reason": "Concerning.", f"link_{row.pk}": NEW},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Context assessment starts work on a place or a peer group" in page
    assert f'href="#id_link_{row.pk}_0"' in page  # the summary links to the field
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED
    assert not YoungPerson.objects.filter(name_as_given="Mary Ann Whitlowe").exists()
