"""Record types that hang off a subject declare themselves once
(``safeguarding/subjects/registry.py``): what each declaration says is true of the model, and
the chronology, the subject pages, the rule, the audit and the notifications all follow the
declarations. (The coverage tests of the rule, the audit and the disclosure list iterate the
registry too: tests/accounts/test_visibility.py, tests/audit/test_personal_fields.py,
tests/accounts/test_disclosure.py.)"""

import pytest
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.template.loader import get_template
from django.urls import reverse

from safeguarding.accounts import disclosure, visibility
from safeguarding.notifications.services import EVENT_TYPES
from safeguarding.subjects import registry
from safeguarding.subjects.models import Subject
from safeguarding.subjects.registry import Panel, RecordType

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

RECORD_TYPES = registry.record_types()
IDS = [r.label for r in RECORD_TYPES]


def test_the_record_types_of_today_are_declared():
    assert {r.label for r in RECORD_TYPES} == {
        "cases.Alias",
        "cases.HarmFlag",
        "cases.Case",
        "cases.Allocation",
        "cases.CaseRiskChange",
        "cases.CaseStatusChange",
        "cases.Action",
        "cases.CaseNote",
        "cases.Document",
        "cases.Concern",
        "cases.Referral",
        "contexts.ContextGuardian",
        "peers.PeerGroupMembership",
        "peers.Relationship",
        "cases.WarningNote",
        "cases.WarningNoteEvent",
        "cases.Assessment",
        "cases.EvidenceItem",
        "cases.AssessmentEvent",
        "cases.AssessmentMention",
        "cases.Plan",
        "cases.Goal",
        "cases.Measure",
        "cases.MeasureValue",
        "cases.PlanReview",
        "cases.PlanEvent",
        "approvals.Approval",
        "cases.Meeting",
        "cases.Decision",
    }


def _model_at(model, path: str):
    """The model a lookup path (``case__subject``) leads to from ``model``."""
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise AssertionError(f"{model._meta.label} has no {name!r} (in {path})") from None
        model = field.related_model
        assert model is not None, f"{path}: {name} is not a relation"
    return model


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=IDS)
def test_each_path_leads_to_a_subject(record_type):
    assert record_type.subject_paths
    for path in record_type.subject_paths:
        assert _model_at(record_type.model, path) is Subject, path


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=IDS)
def test_each_panel_has_a_template_and_subject_kinds(record_type):
    for panel in record_type.panels:
        get_template(panel.template)
        assert panel.kinds and set(panel.kinds) <= set(Subject.Kind.values), panel
        assert panel.place in (registry.SECTION, registry.DETAILS, registry.BANNER)


def test_the_chronology_kinds_come_from_the_declarations():
    assert registry.chronology_kinds() == {
        "concern": "Concerns",
        "referral": "Referrals",
        "allocation": "Allocations",
        "note": "Case notes",
        "risk": "Risk and review",
        "closure": "Closing and reopening",
        "warning": "Warning notes",
        "assessment": "Assessments",
        "assessment_mention": "Named in assessments",
        "meeting": "Meetings",
        "meeting_decision": "Meeting decisions",
        "plan": "Plans",
    }
    from cases.subject_pages.selectors import chronology_kinds

    assert chronology_kinds() == registry.chronology_kinds()


def test_every_event_partners_can_ask_for_is_sent_by_one_record_type():
    """Each record type names the notification types it sends; every kind of event a channel
    may receive belongs to exactly one record type."""
    declared = [name for r in RECORD_TYPES for name in r.notifications]
    assert len(declared) == len(set(declared)), declared
    assert set(declared) <= set(EVENT_TYPES), set(declared) - set(EVENT_TYPES)
    assert set(EVENT_TYPES) <= set(declared), set(EVENT_TYPES) - set(declared)


def test_what_a_viewer_reads_of_a_record_type_is_the_disclosure_list(world):
    referral = registry.record_type("cases.Referral")
    assert referral.fields_seen_by(world.users["sw"]) is None
    assert (
        referral.fields_seen_by(world.users["partner"])
        == (disclosure.PARTNER_READS["cases.referral"])
    )
    assert registry.record_type("cases.concern").fields_seen_by(world.users["partner"]) == set()


def test_a_record_type_is_declared_once_and_says_how_it_is_audited():
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(registry.record_type("cases.Action"))
    with pytest.raises(ValueError, match="why it has none"):
        registry.register(
            RecordType(label="cases.TransferRequest", subject_paths=("case__subject",))
        )
    assert "cases.transferrequest" not in {r.label_lower for r in registry.record_types()}


#: Each chronology kind, the subjects' records of its model, and the lookup to the subject.
def _chronology_rows(user, record_type, subject):
    path = record_type.subject_paths[0]
    return set(
        visibility.restrict(user, record_type.model)
        .filter(**{path: subject})
        .values_list("pk", flat=True)
    )


def test_each_chronology_kind_shows_what_the_rule_lets_the_user_see(world):
    """For every user, subject and kind of entry: the chronology filtered to that kind holds
    exactly the records of that type about the subject that ``restrict()`` gives."""
    from cases.subject_pages.selectors import chronology_for_subject

    problems = []
    for username in ("sw", "sw2", "sw3", "tm", "sm", "partner", "admin"):
        user = world.users[username]
        for subject in Subject.objects.all():
            access = visibility.access_to(user, subject.concrete)
            if not access.view:
                continue
            for record_type in registry.chronology():
                kind = record_type.chronology.kind
                page = chronology_for_subject(
                    user=user, subject=subject, kind=kind, access=access, per_page=500
                )
                got = [(e.kind, e.obj.pk) for e in page.object_list]
                want = {(kind, pk) for pk in _chronology_rows(user, record_type, subject)}
                if len(got) != len(set(got)) or set(got) != want:
                    problems.append(f"{username} {kind} at {subject.pk}: {got} != {want}")
    assert not problems, "\n".join(problems)


def _subject_pages(world):
    return {
        Subject.Kind.YOUNG_PERSON: reverse(
            "cases:young-person", args=[world.records["cases.youngperson"]["own"].pk]
        ),
        Subject.Kind.CONTEXT: reverse(
            "contexts:context", args=[world.records["contexts.context"]["team"].pk]
        ),
        Subject.Kind.PEER_GROUP: reverse(
            "peers:peer-group", args=[world.records["peers.peergroup"]["team"].pk]
        ),
    }


def test_the_subject_pages_show_the_declared_panels_in_order(world, client):
    client.force_login(world.users["sw"])
    for kind, url in _subject_pages(world).items():
        context = client.get(url).context
        assert context["panels"] == [p.template for p in registry.panels(kind)]
        assert context["detail_rows"] == [p.template for p in registry.panels(kind, "details")]
        assert context["banners"] == [p.template for p in registry.panels(kind, "banner")]
    young_person = client.get(_subject_pages(world)[Subject.Kind.YOUNG_PERSON]).context
    assert young_person["panels"] == [
        "cases/panels/cases.html",
        "peers/panels/person_memberships.html",
        "peers/panels/person_relationships.html",
        "cases/panels/aliases.html",
        "assessments/panels/assessments.html",
        "meetings/panels/meetings.html",
        "plans/panels/plans.html",
        "cases/panels/case_notes.html",
        "cases/panels/documents.html",
        "cases/panels/warning_notes.html",
        "includes/subject_actions.html",
    ]
    assert young_person["banners"] == ["cases/panels/warning_banner.html"]
    assert young_person["detail_rows"] == [
        "cases/panels/aliases_row.html",
        "cases/panels/harm_flags_row.html",
        "assessments/panels/screening_row.html",
    ]


def test_a_declared_panel_shows_on_the_pages_of_its_kinds(world, client, monkeypatch):
    """A record type declared with a panel needs nothing else to be on the subject pages."""
    shown = RecordType(
        label="cases.TransferRequest",
        subject_paths=("case__subject",),
        panels=(
            Panel(
                "includes/subject_actions.html",
                lambda page: {"test_panel_subject": page.subject.reference},
                kinds=(Subject.Kind.PEER_GROUP,),
                order=1,
            ),
        ),
        not_audited="a test",
    )
    monkeypatch.setitem(registry._RECORD_TYPES, "test.shown", shown)
    client.force_login(world.users["sw"])
    pages = _subject_pages(world)
    group = client.get(pages[Subject.Kind.PEER_GROUP]).context
    assert group["panels"][0] == "includes/subject_actions.html"
    assert group["test_panel_subject"] == world.records["peers.peergroup"]["team"].reference
    assert "test_panel_subject" not in client.get(pages[Subject.Kind.CONTEXT]).context


def test_two_panels_may_not_give_the_same_name_on_one_page(world, client, monkeypatch):
    clash = RecordType(
        label="cases.TransferRequest",
        subject_paths=("case__subject",),
        panels=(
            Panel(
                "includes/subject_actions.html",
                lambda page: {"actions": []},
                kinds=(Subject.Kind.CONTEXT,),
            ),
        ),
        not_audited="a test",
    )
    monkeypatch.setitem(registry._RECORD_TYPES, "test.clash", clash)
    client.force_login(world.users["sw"])
    with pytest.raises(ImproperlyConfigured, match="actions"):
        client.get(_subject_pages(world)[Subject.Kind.CONTEXT])
