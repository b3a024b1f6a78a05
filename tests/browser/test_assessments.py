"""The assessments in a real browser, one journey per kind (issue 14), axe on every page:

* a place assessment from its evidence pack (keep, change, drop; the sections, one saved to
  come back to, one refused with a required answer missing), returned by the team manager
  with comments, changed, sent again and approved; its guardian partner then reads only the
  summary for partners. It measures the worker's part: the fields typed against those filled
  in already (evidence kept and answers carried forward from the place's last approved
  assessment) and the wall time (printed, and written to /work/scratch/measure-place.json
  where that directory exists);
* a friendship and peer group assessment, which is not sent until its purpose is given;
* a school assessment by the school's designated safeguarding lead, approved by a council
  team manager;
* an exploitation screening (indicators, a level other than the suggested one with a reason),
  approved, the level then on the young person's page;
* a context weighting, its weights on the overview.

Only the data each journey starts from is made with services and factories; every step under
test is taken in the pages.
"""

import contextlib
import json
import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from cases.assessments import services as assessment_services
from cases.models import Assessment, EvidenceItem, HarmCategory, YoungPerson
from cases.services import case_open, concern_log
from contexts.models import Context, ContextGuardian
from peers.models import PeerGroup, PeerGroupMembership
from safeguarding.accounts import grants
from safeguarding.approvals.models import Approval
from safeguarding.approvals.services import approval_decide

from ..factories import ReferralFactory
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE_DIR = Path("/work/scratch")


# --- helpers -----------------------------------------------------------------------------------


def _switch_user(browsing, context, user):
    context.clear_cookies()
    sign_in(context, browsing.base_url, user)


def _go(browsing, locator):
    """Follow a link or press a button that loads a page, and check the page with axe."""
    with browsing.page.expect_navigation():
        locator.click()
    browsing.check_a11y()


def _task(browsing, name):
    """Open a task of the assessment's task list (a section, or the evidence pack)."""
    _go(browsing, browsing.page.locator(".govuk-task-list").get_by_role("link", name=name))


def _button(browsing, name):
    _go(browsing, browsing.page.get_by_role("button", name=name, exact=True))


class Fields:
    """Types into and chooses in a section's form by field name (``SectionForm``'s names:
    the question's key, ``key__evidence``, ``key__when``, ``key__reason``, ``key__note``),
    counting every field the user fills or chooses (``typed``)."""

    def __init__(self, page):
        self.page = page
        self.typed = 0

    def field(self, name):
        return self.page.locator(f"[name='{name}']")

    def type(self, name, text):
        self.field(name).fill(text)
        self.typed += 1

    def choose(self, name, value):
        self.page.locator(f"input[type=radio][name='{name}'][value='{value}']").check()
        self.typed += 1

    def select(self, name, value):
        self.page.locator(f"select[name='{name}']").select_option(str(value))
        self.typed += 1

    def tick(self, name, value):
        self.page.locator(f"input[type=checkbox][name='{name}'][value='{value}']").check()
        self.typed += 1

    def rate(self, key, colour, evidence):
        self.choose(key, colour)
        self.type(f"{key}__evidence", evidence)


def _cse():
    return HarmCategory.objects.get(slug="cse")


def _concern(world, place, young_people, days_ago):
    return concern_log(
        logged_by=world.users["sw"],
        occurred_at=timezone.now() - timedelta(days=days_ago),
        narrative="Seen at the place late at night with older men",
        harm_categories=[_cse()],
        source="police",
        reliability="reliable",
        location=place,
        young_people=[(yp, "at_risk") for yp in young_people],
    )


def _place(world, name, kind=Context.Kind.PARK):
    la, t1 = world.records["accounts.organisation"]["la"], world.records["accounts.team"]["t1"]
    with transaction.atomic():
        place = Context(authority=la, name=name, kind=kind)
        place.save()
        grants.grant_team(place, t1)
    return place


def _approval(assessment):
    return Approval.objects.get(
        target_type=ContentType.objects.get_for_model(Assessment),
        target_id=assessment.pk,
        status="requested",
    )


#: The answers of the place's last approved assessment (carried forward into the new one).
PREVIOUS_PLACE_ANSWERS = {
    "young_people": {
        "who_uses": {"value": "Twenty or so Year 9 to 11 pupils after school, most evenings."},
        "what_happens": {"value": "Some say older men offer them lifts and cannabis."},
        "strengths_needs": {"value": "They look out for each other; they want somewhere warm."},
        "young_people_rating": {"value": "amber", "evidence": "Safety mapping at school."},
    },
    "guardianship": {
        "guardians_present": {"value": "The park keeper until 4pm; police patrols on Fridays."},
        "guardians_act": {"value": "The park keeper reports to the police; nobody else does."},
        "guardians_could": {"value": "The café staff by the gate, with a contact to call."},
        "guardianship_rating": {"value": "amber", "evidence": "Guardian mapping walk."},
    },
    "environment": {
        "physical": {"value": "The path by the river is unlit and hidden from the road."},
        "provision": {"value": "The youth club closed last year; nothing after 6pm."},
        "policies_wider": {"value": "A dispersal order at weekends moves them on."},
        "environment_rating": {"value": "red", "evidence": "Night-time walk with the police."},
    },
    "conclusion": {
        "analysis": {"value": "The riverside path after dark is where harm happens."},
        "threshold": {"value": "universal_plus"},
        "recommendation": {"value": "context_conference"},
        "partner_summary": {"value": "Lighting and youth provision by the river are needed."},
    },
}


def _approved_place_assessment(world, place):
    """The place's last assessment, approved (its answers are carried into the next one)."""
    sw, tm = world.users["sw"], world.users["tm"]
    previous = assessment_services.assessment_start(subject=place.subject, kind="place", by=sw)
    for section, answers in PREVIOUS_PLACE_ANSWERS.items():
        problems = assessment_services.assessment_save_section(
            assessment=previous, section=section, answers=answers, complete=True, by=sw
        )
        assert problems == {}, problems
    assessment_services.assessment_submit(assessment=previous, by=sw)
    approval_decide(approval=_approval(previous), by=tm, approve=True, comments="")
    return previous


def _names_of_young_people():
    return [n for yp in YoungPerson.objects.all() for n in (yp.given_name, yp.family_name)]


def _write_measure(measure: dict) -> None:
    if not MEASURE_DIR.is_dir():
        return
    with contextlib.suppress(OSError):
        (MEASURE_DIR / "measure-place.json").write_text(json.dumps(measure, indent=2) + "\n")


# --- 1. a place assessment from its evidence pack ----------------------------------------------


def test_a_place_assessment_from_its_evidence_pack_signed_off_and_read_by_its_guardian(
    world, signed_in, context
):
    sw, tm, partner = world.users["sw"], world.users["tm"], world.users["partner"]
    police = world.records["accounts.organisation"]["p1"]
    own = world.records["cases.youngperson"]["own"]
    team = world.records["cases.youngperson"]["team"]
    place = _place(world, "Riverside Park")
    ContextGuardian.objects.create(
        context=place,
        organisation=police,
        role="Neighbourhood policing team",
        present_when="Friday evenings",
        told_of_concerns=True,
    )
    ContextGuardian.objects.create(
        context=place, name="Park keeper", role="Council parks", present_when="weekdays to 4pm"
    )
    _concern(world, place, [own], days_ago=3)
    _concern(world, place, [own, team], days_ago=5)
    _concern(world, place, [team], days_ago=40)
    ReferralFactory(
        source_organisation=police,
        received_at=timezone.now() - timedelta(days=10),
        harm_categories=[_cse()],
        about=[{"kind": "context", "subject": place.subject}],
    )
    previous = _approved_place_assessment(world, place)

    # The worker starts a place assessment from the place's page.
    browsing = signed_in(sw)
    page = browsing.page
    fields = Fields(page)
    started = time.perf_counter()
    axe_before = browsing.axe_seconds
    browsing.visit(place.get_absolute_url())
    _go(browsing, page.get_by_role("link", name=re.compile(r"^Start an assessment")))
    page.get_by_label("Neighbourhood or place assessment").check()
    _button(browsing, "Start")
    assert "Neighbourhood or place assessment started" in page.locator("main").inner_text()
    assessment = Assessment.objects.exclude(pk=previous.pk).get(subject=place.subject)
    items = list(assessment.evidence.order_by("pk"))
    assert {i.kind for i in items} >= {"concerns", "young_person", "guardian", "referral"}

    # The evidence pack: change the police guardian's words, drop the oldest month's
    # concerns, keep all the rest.
    _task(browsing, "Evidence pack")
    guardian = page.locator(".app-evidence-item", has_text="Neighbourhood policing team")
    guardian.get_by_label("Keep it, with my changes").check()
    changed = "Test Police neighbourhood team patrols on Friday evenings and knows of the concerns"
    guardian.get_by_label("The evidence as it should read").fill(changed)
    fields.typed += 2
    month = timezone.localdate(timezone.now() - timedelta(days=40))
    # (40 days back is always another month than 3 and 5 days back: an item of its own.)
    dropped = page.locator(".app-evidence-item", has_text=f"in {month:%B %Y}")
    dropped.get_by_label("Drop it").check()
    fields.typed += 1
    _button(browsing, "Save and keep all the rest")
    assert "Evidence pack saved." in page.locator(".govuk-notification-banner").inner_text()
    assert not assessment.evidence.filter(state=EvidenceItem.State.SUGGESTED).exists()
    assert assessment.evidence.get(state="edited").edited_text == changed
    assert assessment.evidence.filter(state="dropped").count() == 1
    expect(page.locator("#task-evidence-status")).to_have_text("Looked at")

    # The young people: what was answered last time is there, marked as carried forward.
    _task(browsing, "The young people who use the place")
    assert page.get_by_text("Carried forward").first.is_visible()
    assert (
        fields.field("who_uses").input_value()
        == (PREVIOUS_PLACE_ANSWERS["young_people"]["who_uses"]["value"])
    )
    kept_here = page.locator("details", has_text="Evidence kept for this section").inner_text()
    assert "Involved in 2 concerns here" in kept_here  # the evidence kept, beside it
    fields.type("what_happens", "Three concerns of sexual exploitation this autumn by the river.")
    fields.tick("young_people_linked", own.subject.reference)
    fields.tick("young_people_linked", team.subject.reference)
    fields.type("young_people_linked__note", "Both named in the concerns at the river path.")
    fields.rate("young_people_rating", "red", "Concerns logged this autumn; their own accounts.")
    _button(browsing, "Save and mark as complete")
    assert "complete" in page.locator(".govuk-notification-banner").inner_text()
    expect(page.locator("#task-young_people-status")).to_have_text("Completed")

    # Guardianship: saved to come back to, then completed.
    _task(browsing, "Guardianship")
    assert changed in page.locator("details").inner_text()  # as the worker changed it
    fields.type("guardians_act", "The park keeper reports; the café staff now call us too.")
    _button(browsing, "Save and come back later")
    assert "Come back to it any time" in page.locator(".govuk-notification-banner").inner_text()
    expect(page.locator("#task-guardianship-status")).not_to_have_text("Completed")
    _task(browsing, "Guardianship")
    assert fields.field("guardians_act").input_value().startswith("The park keeper reports;")
    _button(browsing, "Save and mark as complete")
    expect(page.locator("#task-guardianship-status")).to_have_text("Completed")

    # The environment: a required answer taken out is refused, and what was typed is kept.
    _task(browsing, "Environment and systems")
    fields.field("provision").fill("")
    physical = "New lights on the river path since September; the underpass is still dark."
    fields.type("physical", physical)
    _button(browsing, "Save and mark as complete")
    summary = page.locator(".govuk-error-summary")
    assert "Answer: What is there for young people here, and what is missing?" in (
        summary.inner_text()
    )
    assert fields.field("physical").input_value() == physical
    assert "Your answers are saved" in page.locator("main").inner_text()
    fields.type("provision", "A detached youth worker on Tuesdays; nothing at weekends.")
    _button(browsing, "Save and mark as complete")
    expect(page.locator("#task-environment-status")).to_have_text("Completed")

    # The conclusion: reached afresh (not carried), the summary for partners carried.
    _task(browsing, "Analysis and recommendation")
    assert fields.field("analysis").input_value() == ""
    fields.type("analysis", "Harm happens on the unlit path after dark, when no adult is by.")
    fields.choose("threshold", "complex")
    fields.choose("recommendation", "universal_actions")
    _button(browsing, "Save and mark as complete")
    expect(page.locator("#task-conclusion-status")).to_have_text("Completed")

    _go(browsing, page.get_by_role("link", name="Check and send for sign-off"))
    fields.type("note", "The path lighting is the council's to fix.")
    _button(browsing, "Send for sign-off")
    assert "Sent for sign-off" in page.locator(".govuk-notification-banner").inner_text()
    seconds = time.perf_counter() - started
    axe_seconds = browsing.axe_seconds - axe_before
    assessment.refresh_from_db()
    assert assessment.status == "submitted"

    carried = sorted(k for k, a in assessment.answers.items() if a.get("carried_from"))
    kept = assessment.evidence.filter(state=EvidenceItem.State.ACCEPTED).count()
    measure = {
        "typed": fields.typed,
        "pre_filled": kept + len(carried),
        "evidence_kept_as_drafted": kept,
        "evidence_changed": assessment.evidence.filter(state="edited").count(),
        "evidence_dropped": assessment.evidence.filter(state="dropped").count(),
        "answers_carried_forward": len(carried),
        "carried_forward": carried,
        "answers_in_all": len(assessment.answers),
        "seconds": round(seconds, 1),
        "seconds_without_axe": round(seconds - axe_seconds, 1),
    }
    print(
        f"MEASURE place assessment: typed={measure['typed']}, "
        f"pre-filled={measure['pre_filled']} (evidence kept {kept}, answers carried forward "
        f"{len(carried)}), seconds={measure['seconds']} "
        f"({measure['seconds_without_axe']} without axe-core)"
    )
    _write_measure(measure)

    # The team manager sees it waiting, and returns it with comments.
    _switch_user(browsing, context, tm)
    browsing.visit("/")
    expect(page.locator("#waiting-for-sign-off caption")).to_have_text("Waiting for your sign-off")
    waiting = page.locator("#waiting-for-sign-off tr", has_text=assessment.reference)
    assert "Neighbourhood or place assessment" in waiting.inner_text()
    _go(browsing, waiting.get_by_role("link", name=re.compile(assessment.reference)))
    _go(browsing, page.get_by_role("link", name="Approve or return it"))
    page.get_by_label("Return it with comments").check()
    comments = "Say why a conference is not needed when the threshold is complex."
    page.get_by_label("Comments", exact=True).fill(comments)
    _button(browsing, "Save decision")
    assert "returned with your comments" in page.locator(".govuk-notification-banner").inner_text()

    # The worker reads the comments, changes the recommendation and sends it again.
    _switch_user(browsing, context, sw)
    browsing.visit("/")
    mine = page.locator("table", has_text="My assessments").locator(
        "tr", has_text=assessment.reference
    )
    _go(browsing, mine.get_by_role("link", name="Neighbourhood or place assessment"))
    assert comments in page.locator(".govuk-inset-text").inner_text()
    _task(browsing, "Analysis and recommendation")
    page.locator("input[name='recommendation'][value='context_conference']").check()
    page.locator("[name='recommendation_reason']").fill("The harm is serious and ongoing.")
    _button(browsing, "Save and mark as complete")
    _go(browsing, page.get_by_role("link", name="Check and send for sign-off"))
    _button(browsing, "Send for sign-off")

    # The manager approves it.
    _switch_user(browsing, context, tm)
    browsing.visit(assessment.get_absolute_url())
    _go(browsing, page.get_by_role("link", name="Approve or return it"))
    page.get_by_label("Approve it").check()
    _button(browsing, "Save decision")
    assert f"{assessment.reference} approved." in page.locator("main").inner_text()
    assessment.refresh_from_db()
    assert assessment.status == "approved"
    assert assessment.recommendation == "context_conference"

    # The place's guardian (the police partner) reads the summary for partners only.
    _switch_user(browsing, context, partner)
    browsing.visit(assessment.get_absolute_url())
    main = page.locator("main").inner_text()
    assert "This is the summary partners receive" in main
    assert PREVIOUS_PLACE_ANSWERS["conclusion"]["partner_summary"]["value"] in main
    assert "Red" in main and "Complex or high risk" in main
    whole = page.content()
    for name in _names_of_young_people():
        assert name not in whole, name
    assert physical not in whole  # typed answers are not the partners'
    assert changed not in whole  # nor the evidence


# --- 2. a friendship and peer group assessment -------------------------------------------------


def test_a_peer_group_assessment_is_not_sent_without_its_purpose(world, signed_in):
    sw = world.users["sw"]
    own = world.records["cases.youngperson"]["own"]
    la, t1 = world.records["accounts.organisation"]["la"], world.records["accounts.team"]["t1"]
    with transaction.atomic():
        group = PeerGroup(authority=la, name="Riverside friends")
        group.save()
        grants.grant_team(group, t1)
    PeerGroupMembership.objects.create(peer_group=group, young_person=own, source="police")

    browsing = signed_in(sw)
    page = browsing.page
    fields = Fields(page)
    browsing.visit(group.get_absolute_url())
    _go(browsing, page.get_by_role("link", name=re.compile(r"^Start an assessment")))
    page.get_by_label("Friendship and peer group assessment").check()
    _button(browsing, "Start")

    _task(browsing, "How the group works")
    fields.tick("members", own.subject.reference)
    fields.type("members__note", "Named by the police and the school.")
    fields.type("relationships", "Close friends since primary school; one older boy leads.")
    fields.type("identity", "They call themselves the river lot; others call them trouble.")
    fields.type("influence", "They walk home together, which keeps them safe on the path.")
    fields.rate("functioning_rating", "amber", "Direct work with two of them.")
    _button(browsing, "Save and mark as complete")

    _task(browsing, "Guardianship around the group")
    fields.type("guardians", "The football coach on Saturdays.")
    fields.type("guardians_gaps", "Weekday evenings by the river.")
    fields.rate("guardianship_rating", "amber", "What they said in the group session.")
    _button(browsing, "Save and mark as complete")

    _task(browsing, "Environmental and family factors")
    fields.type("places_what", "The river path after dark, where older men approach them.")
    fields.type("school", "Attendance is falling for two of them.")
    fields.type("families", "Parents work late and worry about the path.")
    fields.rate("environment_rating", "red", "Concerns logged at the river path.")
    _button(browsing, "Save and mark as complete")

    _task(browsing, "Analysis and recommendation")
    fields.type("analysis", "The group protects its members, but the place does not.")
    fields.choose("threshold", "universal_plus")
    fields.choose("recommendation", "context_conference")
    _button(browsing, "Save and mark as complete")

    # Without its purpose it cannot be sent: the check page says which section is missing.
    _go(browsing, page.get_by_role("link", name="Check and send for sign-off"))
    warning = page.locator(".govuk-warning-text")
    assert "Why the group is being assessed" in warning.inner_text()
    assert page.get_by_role("button", name="Send for sign-off").count() == 0
    _go(browsing, warning.get_by_role("link", name="Why the group is being assessed"))
    _button(browsing, "Save and mark as complete")  # nothing answered: refused
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Answer: Why is this group being assessed?" in summary
    assert "Answer: What will be done with what the assessment finds?" in summary
    fields.choose("purpose_why", "plan_safety")
    fields.type("purpose_actions", "A context conference, then safety plans for each of them.")
    _button(browsing, "Save and mark as complete")

    _go(browsing, page.get_by_role("link", name="Check and send for sign-off"))
    assert page.locator(".govuk-warning-text").count() == 0
    _button(browsing, "Send for sign-off")
    assert "Sent for sign-off" in page.locator(".govuk-notification-banner").inner_text()
    assessment = Assessment.objects.get(subject=group.subject)
    assert assessment.status == "submitted"
    assert assessment.answers["purpose_why"]["value"] == "plan_safety"
    assert assessment.threshold == "universal_plus"


# --- 3. a school assessment by the school's designated safeguarding lead -------------------------

SCHOOL_RATINGS = {
    "structures": [
        ("policies", "green", "Policy reviewed in September with the governors."),
        ("training", "amber", "Lunchtime staff not yet trained."),
        ("records", "amber", "We started recording where incidents happen this term."),
        ("partnerships", "green", "We join the council's monthly meeting."),
    ],
    "prevention": [
        ("curriculum", "green", "Pupil survey: 80% rate the lessons useful."),
        ("culture", "red", "Pupils say staff let comments go in corridors."),
        ("spaces", "amber", "Safety mapping done; the back field not yet changed."),
        ("families", "amber", "Letter sent; few parents came to the meeting."),
    ],
    "identification": [
        ("signs", "amber", "Training in November."),
        ("pupils_tell", "red", "Pupils do not trust that we act, the survey says."),
        ("patterns", "green", "The DSL reviews the log every fortnight."),
    ],
    "response": [
        ("support", "green", "Safety plans for both, reviewed weekly."),
        ("context_response", "amber", "Gate supervision changed; the bus stop not yet."),
        ("referrals", "green", "Referrals made and followed up."),
        ("review", "red", "We do not check yet."),
    ],
}


def test_a_school_assessment_by_its_safeguarding_lead_approved_by_the_council(
    world, signed_in, context
):
    dsl, tm = (
        world.records["accounts.user"]["partner2"],
        world.users["tm"],
    )  # Test Academy's safeguarding lead
    academy = world.records["accounts.organisation"]["p2"]
    school = _place(world, "Test Academy", kind=Context.Kind.SCHOOL)
    ContextGuardian.objects.create(context=school, organisation=academy, role="The school")

    browsing = signed_in(dsl)
    page = browsing.page
    fields = Fields(page)
    browsing.visit("/")
    start = page.get_by_role("link", name=re.compile(r"^Start\b.*assessment", re.I))
    if start.count() == 0:  # My work has no start link yet: from the school's page
        browsing.visit(school.get_absolute_url())
        start = page.get_by_role("link", name=re.compile(r"^Start an assessment"))
    _go(browsing, start.first)
    if page.get_by_role("button", name="Start", exact=True).count():
        page.get_by_label("School assessment").check()
        _button(browsing, "Start")
    assessment = Assessment.objects.get(subject=school.subject, kind="school")
    assert assessment.organisation == academy
    assert browsing.path() == assessment.get_absolute_url()

    titles = {
        "structures": "Structures and systems",
        "prevention": "Prevention",
        "identification": "Identification",
        "response": "Response and intervention",
    }
    for section, ratings in SCHOOL_RATINGS.items():
        _task(browsing, titles[section])
        for key, colour, evidence in ratings:
            fields.choose(key, colour)
            if key != "review":  # a rating without its evidence is refused below
                fields.type(f"{key}__evidence", evidence)
        _button(browsing, "Save and mark as complete")
        if section == "response":
            summary = page.locator(".govuk-error-summary").inner_text()
            assert "Give the evidence for the rating of: We check whether our responses" in (
                summary
            )
            fields.type("review__evidence", ratings[-1][2])
            _button(browsing, "Save and mark as complete")
        expect(page.locator(f"#task-{section}-status")).to_have_text("Completed")
    _task(browsing, "Analysis and recommendation")
    fields.type("analysis", "Our structures are in place; pupils do not yet trust us to act.")
    fields.choose("threshold", "universal_plus")
    fields.choose("recommendation", "universal_actions")
    _button(browsing, "Save and mark as complete")
    _go(browsing, page.get_by_role("link", name="Check and send for sign-off"))
    _button(browsing, "Send for sign-off")
    assert "Sent for sign-off" in page.locator(".govuk-notification-banner").inner_text()

    # A council team manager approves it.
    _switch_user(browsing, context, tm)
    browsing.visit("/")
    waiting = page.locator("#waiting-for-sign-off tr", has_text=assessment.reference)
    _go(browsing, waiting.get_by_role("link", name=re.compile(assessment.reference)))
    _go(browsing, page.get_by_role("link", name="Approve or return it"))
    page.get_by_label("Approve it").check()
    _button(browsing, "Save decision")
    assessment.refresh_from_db()
    assert assessment.status == "approved"

    # The lead sees it approved, with its ratings.
    _switch_user(browsing, context, dsl)
    browsing.visit(assessment.get_absolute_url())
    main = page.locator("main").inner_text()
    assert "Approved" in main
    assert "Pupils do not trust that we act, the survey says." in main


# --- 4. an exploitation screening ----------------------------------------------------------------

#: The screening's answers: current yes twice (4) and a historic possible (0.5): 4.5, medium.
SCREENING_FLAGGED = {
    "missing_from_home": ("yes", "current", "Police: missing three nights in October."),
    "grooming_gifts": ("yes", "current", "Mother: new trainers and a second phone."),
    "education_absent": ("possible", "historic", "School: attendance fell last year."),
}


def _young_person(world, name):
    la, t1 = world.records["accounts.organisation"]["la"], world.records["accounts.team"]["t1"]
    yp = YoungPerson(
        authority=la, given_name=name, family_name="Screened", date_of_birth=date(2010, 5, 5)
    )
    with transaction.atomic():
        yp.save()
        case_open(subject=yp.subject, team=t1, opened_by=None, worker=world.users["sw"])
    return yp


def test_an_exploitation_screening_approved_and_its_level_on_the_young_persons_page(
    world, signed_in, context
):
    from cases.assessments.kinds.screening import DOMAINS

    sw, tm = world.users["sw"], world.users["tm"]
    yp = _young_person(world, "Robin")

    browsing = signed_in(sw)
    page = browsing.page
    fields = Fields(page)
    browsing.visit(yp.get_absolute_url())
    _go(browsing, page.get_by_role("link", name=re.compile(r"^Start an assessment")))
    page.get_by_label("Exploitation screening").check()
    _button(browsing, "Start")
    assessment = Assessment.objects.get(subject=yp.subject, kind="screening")

    for domain in DOMAINS:
        _task(browsing, domain.title)
        for question in domain.questions:
            if question.type != "indicator":
                continue
            flagged = SCREENING_FLAGGED.get(question.key)
            if flagged is None:
                fields.choose(question.key, "no")
                continue
            value, when, evidence = flagged
            fields.choose(question.key, value)
            fields.choose(f"{question.key}__when", when)
            if question.key != "grooming_gifts":  # its evidence missing: refused below
                fields.type(f"{question.key}__evidence", evidence)
        if domain.key == "grooming":
            fields.type("grooming_judgement", "Someone is buying things for Robin.")
        _button(browsing, "Save and mark as complete")
        if domain.key == "grooming":
            summary = page.locator(".govuk-error-summary").inner_text()
            assert "Say what is known, and where it comes from: Do they have money" in summary
            assert fields.field("grooming_judgement").input_value().startswith("Someone")
            fields.type("grooming_gifts__evidence", SCREENING_FLAGGED["grooming_gifts"][2])
            _button(browsing, "Save and mark as complete")
        expect(page.locator(f"#task-{domain.key}-status")).to_have_text("Completed")

    # The level: high, not the suggested medium, which needs a reason.
    _task(browsing, "Level and next review")
    fields.choose("level_override", "high")
    review = timezone.localdate() + timedelta(days=14)
    fields.type("next_review_on_day", str(review.day))
    fields.type("next_review_on_month", str(review.month))
    fields.type("next_review_on_year", str(review.year))
    _button(browsing, "Save and mark as complete")
    assert "Say why you chose a different level" in (
        page.locator(".govuk-error-summary").inner_text()
    )
    fields.type("level_override_reason", "The gifts and missing nights began together.")
    _button(browsing, "Save and mark as complete")
    expect(page.locator("#task-level-status")).to_have_text("Completed")
    _go(browsing, page.get_by_role("link", name="Check and send for sign-off"))
    _button(browsing, "Send for sign-off")
    assessment.refresh_from_db()
    assert (assessment.level_suggested, assessment.level) == ("medium", "high")
    assert assessment.next_review_on == review

    _switch_user(browsing, context, tm)
    browsing.visit(assessment.get_absolute_url())
    _go(browsing, page.get_by_role("link", name="Approve or return it"))
    page.get_by_label("Approve it").check()
    _button(browsing, "Save decision")
    assessment.refresh_from_db()
    assert assessment.status == "approved"

    # The young person's page shows the current level.
    _switch_user(browsing, context, sw)
    browsing.visit(yp.get_absolute_url())
    row = page.locator(".govuk-summary-list__row", has_text="Exploitation screening")
    assert "High" in row.inner_text()
    assert assessment.reference in row.inner_text()
    assert f"review by {review.day} {review:%b %Y}" in row.inner_text()


# --- 5. a context weighting ----------------------------------------------------------------------

WEIGHTS = {
    "family": (2, "Parents are worried and supportive."),
    "peer_group": (7, "Friends draw Robin to the river path."),
    "school": (0, ""),
    "place": (9, "The unlit river path is where the harm happens."),
    "online": (4, "Contacted by an older man on a game."),
    "other": (0, ""),
}


def test_a_context_weighting_and_its_weights_on_the_overview(world, signed_in):
    sw = world.users["sw"]
    own = world.records["cases.youngperson"]["own"]

    browsing = signed_in(sw)
    page = browsing.page
    fields = Fields(page)
    browsing.visit(own.get_absolute_url())
    _go(browsing, page.get_by_role("link", name=re.compile(r"^Start an assessment")))
    page.get_by_label("Context weighting").check()
    _button(browsing, "Start")
    assessment = Assessment.objects.get(subject=own.subject, kind="weighting")

    _task(browsing, "Weigh each context")
    for key, (weight, reason) in WEIGHTS.items():
        fields.select(f"weight_{key}", weight)
        if reason and key != "online":  # a weight without its reason is refused below
            fields.type(f"weight_{key}__reason", reason)
    _button(browsing, "Save and mark as complete")
    assert "Say why you gave this weight: Online" in (
        page.locator(".govuk-error-summary").inner_text()
    )
    fields.type("weight_online__reason", WEIGHTS["online"][1])
    _button(browsing, "Save and mark as complete")
    _task(browsing, "What must change first")
    fields.type("analysis", "The river path first: it is where the friends and the harm meet.")
    _button(browsing, "Save and mark as complete")
    _go(browsing, page.get_by_role("link", name="Check and send for sign-off"))
    _button(browsing, "Send for sign-off")
    assessment.refresh_from_db()
    assert assessment.status == "submitted"

    # The overview shows every weight and its reason.
    main = page.locator("main").inner_text()
    for _key, (weight, reason) in WEIGHTS.items():
        assert f"{weight} out of 10" in main
        if reason:
            assert reason in main
