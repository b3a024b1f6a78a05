"""Meetings in a real browser, axe on every page: a context conference held from an approved
place assessment — arranged from the place's page, partners invited (the police by
organisation, a residents' representative by email only), the agenda, attendance, a decision,
an action owned by the police, minutes approved by the chair and circulated, a context plan
started from its decision with the police's action as a response — then read by the police
partner, who sees only the parts marked shareable."""

import re

import pytest
from django.utils import timezone

from cases.models import Action, Meeting, Plan
from safeguarding.notifications.models import Notification

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(browsing, locator):
    with browsing.page.expect_navigation():
        locator.click()
    browsing.check_a11y()


def _button(browsing, name):
    _go(browsing, browsing.page.get_by_role("button", name=name, exact=True))


def _date(page, prefix, day):
    page.locator(f"[name='{prefix}_day']").fill(str(day.day))
    page.locator(f"[name='{prefix}_month']").fill(str(day.month))
    page.locator(f"[name='{prefix}_year']").fill(str(day.year))


def test_a_context_conference_held_from_an_approved_place_assessment(world, signed_in, context):
    sw, partner = world.users["sw"], world.users["partner"]
    police = world.records["accounts.organisation"]["p1"]
    place = world.records["contexts.context"]["team"]
    assessment = world.records["cases.assessment"]["place_approved"]
    today = timezone.localdate()

    browsing = signed_in(sw)
    page = browsing.page
    browsing.visit(place.get_absolute_url())
    _go(browsing, page.get_by_role("link", name="Arrange a context conference"))
    # Held from the approved assessment: its address names it (as the assessment's page would).
    browsing.visit(page.url + f"&assessment={assessment.pk}")
    assert "Held from the approved" in page.locator("main").inner_text()
    _date(page, "day", today)
    page.get_by_label("Start time").fill("09:00")
    page.get_by_label("End time").fill("10:30")
    page.get_by_label("Where").fill("Civic Centre, room 2")
    # The chair (a picker) starts as the user arranging it.
    _button(browsing, "Arrange the meeting")
    meeting = Meeting.objects.get(source_assessment=assessment)
    assert meeting.stage == "initial" and meeting.chair == sw

    # Partners invited: the police by organisation, a resident with no account by email.
    page.get_by_label("An organisation").select_option(str(police.pk))
    _button(browsing, "Invite")
    page.get_by_label("Name of someone with no account").fill("Morgan Ellis")
    page.get_by_label("Their role").fill("Residents' association chair")
    page.get_by_label("Their email address").fill("morgan@residents.example")
    _button(browsing, "Invite")
    assert "Morgan Ellis" in page.locator("main").inner_text()
    assert Notification.objects.filter(
        event_type="meeting.invited", email="morgan@residents.example"
    ).exists()
    _go(browsing, page.get_by_role("link", name="Back to the meeting"))
    _go(browsing, page.get_by_role("link", name="Add to the agenda"))
    page.get_by_label("Or a theme").fill("Safety on the riverside path after dark")
    page.get_by_label("Partners invited may read this item").check()
    _button(browsing, "Save")

    # Held, with attendance.
    _go(browsing, page.get_by_role("link", name="Record as held"))
    for invitee in meeting.invitees.order_by("pk"):
        value = (
            "attended"
            if invitee.organisation_id == police.pk and not invitee.email
            else "apologies"
        )
        page.locator(f"input[name='attendance_{invitee.pk}'][value='{value}']").check()
    _button(browsing, "Save")
    assert "held" in page.locator("main").inner_text()

    _go(browsing, page.get_by_role("link", name="Record a decision"))
    page.get_by_label("Decision", exact=True).fill("A context safety plan for the riverside path.")
    page.get_by_label("Reasons").fill("The assessment found the path unsafe after dark.")
    page.get_by_label("Dissent (optional)").fill("Parks would wait for new lighting.")
    page.get_by_label("Partners invited may read this decision").check()
    _button(browsing, "Save")

    _go(browsing, page.get_by_role("link", name="Add an action"))
    page.get_by_label("What must be done?").fill("Patrol the path on Friday evenings.")
    _date(page, "due_on", today + timezone.timedelta(days=14))
    page.get_by_label("Or a partner organisation").select_option(str(police.pk))
    _button(browsing, "Save")
    assert Action.objects.filter(meeting=meeting, owner_organisation=police).exists()

    _go(browsing, page.get_by_role("link", name="Write the minutes"))
    page.get_by_label(re.compile("^Summary")).fill("Council-only summary of the discussion.")
    page.get_by_label("Section 1: heading").fill("Agreed")
    page.get_by_label("Section 1: text").fill("Patrols and lighting on the riverside path.")
    page.get_by_label("Partners invited may read section 1").check()
    page.get_by_label("Section 2: heading").fill("For the council")
    page.get_by_label("Section 2: text").fill("Private case discussion.")
    _button(browsing, "Save")
    _button(browsing, "Approve the minutes")
    _button(browsing, "Circulate the minutes")
    meeting.refresh_from_db()
    assert meeting.status == "circulated"
    main = page.locator("main").inner_text()
    assert "Minutes circulated" in main and "Council-only summary" in main

    # The conference agreed a context plan: started from its decision, its goals drafted from
    # the assessment the conference was held from, the police's action its first response.
    Plan.objects.filter(subject=place.subject).update(  # the test world's own plan ends
        status=Plan.Status.ENDED, ended_on=today
    )
    _go(browsing, page.get_by_role("link", name="Start a plan from this decision"))
    assert meeting.reference in page.locator("main").inner_text()
    assert page.get_by_label(str(assessment), exact=False).is_checked()
    _button(browsing, "Start the plan")
    plan = Plan.objects.get(source_decision__meeting=meeting)
    assert plan.source_assessment == assessment and plan.goals.exists()
    assert Action.objects.get(meeting=meeting, owner_organisation=police).plan == plan
    main = page.locator("main").inner_text()
    assert plan.reference in main and "Agreed at" in main
    assert "Patrol the path on Friday evenings." in main

    # The police partner reads what was shared, and nothing else.
    context.clear_cookies()
    sign_in(context, browsing.base_url, partner)
    browsing.visit("/meetings/")
    _go(browsing, page.get_by_role("link", name=meeting.name))
    main = page.locator("main").inner_text()
    for shared in (
        "Patrols and lighting on the riverside path.",
        "A context safety plan for the riverside path.",
        "Safety on the riverside path after dark",
        "Patrol the path on Friday evenings.",
    ):
        assert shared in main
    for private in ("Council-only summary", "Private case discussion."):
        assert private not in main
