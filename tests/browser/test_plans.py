"""A context safety plan in a real browser (issue 15), axe on every page: started from an
approved place assessment (its red and amber sides drafted as goals), a measure the police
record and a response the police own, agreed; the police partner updates its response and
records the measure's value from My work; the worker records a review (the measure's chart
and the same data as a table) and asks to end the plan; a team manager signs the end off.

Only the data the journey starts from is made with services; every step under test is taken
in the pages."""

import copy
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from cases.assessments import services as assessment_services
from cases.models import Action, Goal, Measure, MeasureValue, Plan
from safeguarding.approvals.selectors import waiting_approval_of
from safeguarding.approvals.services import approval_decide

from .conftest import sign_in
from .test_assessments import PREVIOUS_PLACE_ANSWERS, _place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _today() -> date:
    """Today, asked when used (a module constant goes stale in a run that crosses midnight)."""
    return date.today()


def _go(browsing, locator):
    with browsing.page.expect_navigation():
        locator.click()
    browsing.check_a11y()


def _button(browsing, name):
    _go(browsing, browsing.page.get_by_role("button", name=name, exact=True))


def _date(page, name, day):
    page.fill(f"input[name='{name}_day']", str(day.day))
    page.fill(f"input[name='{name}_month']", str(day.month))
    page.fill(f"input[name='{name}_year']", str(day.year))


def _approved_assessment(world, place):
    """The place's assessment, approved: young people rated green, guardianship amber and the
    environment red (so the plan starts with two goals, the red one first)."""
    sw, tm = world.users["sw"], world.users["tm"]
    answers = copy.deepcopy(PREVIOUS_PLACE_ANSWERS)
    answers["young_people"]["young_people_rating"]["value"] = "green"
    assessment = assessment_services.assessment_start(subject=place.subject, kind="place", by=sw)
    for section, given in answers.items():
        problems = assessment_services.assessment_save_section(
            assessment=assessment, section=section, answers=given, complete=True, by=sw
        )
        assert problems == {}, problems
    assessment_services.assessment_submit(assessment=assessment, by=sw)
    approval_decide(approval=waiting_approval_of(assessment), by=tm, approve=True, comments="")
    return assessment


def test_a_context_plan_from_an_approved_place_assessment_to_its_signed_off_end(
    world, signed_in, context
):
    sw, tm, partner = world.users["sw"], world.users["tm"], world.users["partner"]
    place = _place(world, "Riverside Park")
    assessment = _approved_assessment(world, place)

    # The worker starts the plan from the place's page, from the approved assessment.
    browsing = signed_in(sw)
    page = browsing.page
    browsing.visit(place.get_absolute_url())
    _go(browsing, page.get_by_role("link", name=re.compile(r"^Start a plan")))
    page.get_by_label(re.compile(rf"{assessment.reference}")).check()
    _button(browsing, "Start the plan")
    plan = Plan.objects.get(subject=place.subject)
    expect(page.get_by_role("heading", name="Context safety plan")).to_be_visible()
    goals = list(Goal.objects.filter(plan=plan))
    assert [g.source for g in goals] == ["environment", "guardianship"]
    expect(page.get_by_text("Goal 1: The place's design, provision and policies")).to_be_visible()

    # A measure on goal 1, recorded by the police.
    _go(browsing, page.get_by_role("link", name="Add a measure to goal 1"))
    page.get_by_label("What is measured?").fill("Red marks by the river on safety maps")
    page.get_by_label("Count").check()
    page.get_by_label("Lower is better").check()
    page.get_by_label("Baseline", exact=True).fill("6")
    _date(page, "baseline_on", _today() - timedelta(days=14))
    page.get_by_label("Target").fill("1")
    page.get_by_label("A partner organisation").check()
    page.locator("select[name='recorder_organisation']").select_option(label="Test Police")
    _button(browsing, "Save")
    expect(page.get_by_text("Measure added.")).to_be_visible()

    # A response to goal 2, owned by the police.
    _go(browsing, page.get_by_role("link", name="Add a response"))
    page.locator(f"input[name='goal'][value='{goals[1].pk}']").check()
    page.get_by_label("What must be done?").fill("Patrol the riverside path on Friday evenings")
    _date(page, "due_on", _today() + timedelta(days=28))
    page.get_by_label("A partner organisation").check()
    page.locator("select[name='owner_organisation']").select_option(label="Test Police")
    _button(browsing, "Save")
    _button(browsing, "Agree the plan")
    expect(page.get_by_text("Plan agreed: it is active.")).to_be_visible()

    # The police, from My work: update the response, record the measure's value.
    context.clear_cookies()
    sign_in(context, browsing.base_url, partner)
    browsing.visit("/")
    expect(page.get_by_text("Plans: your responses and measures")).to_be_visible()
    _go(browsing, page.get_by_role("link", name=f"Update the response on {plan.reference}"))
    page.get_by_label("In progress").check()
    page.get_by_label("Update note").fill("Two patrols so far; the path is quieter.")
    _button(browsing, "Save update")
    action = Action.objects.get(plan=plan)
    assert (action.status, action.goal_id) == ("in_progress", goals[1].pk)
    browsing.visit("/")
    _go(
        browsing,
        page.get_by_role("link", name="Record a value for Red marks by the river on safety maps"),
    )
    page.get_by_label("Value").fill("9.5")  # not a whole number: refused, nothing lost
    page.get_by_label("Note (optional)").fill("From the Year 9 safety maps")
    _button(browsing, "Record the value")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_label("Note (optional)")).to_have_value("From the Year 9 safety maps")
    page.get_by_label("Value").fill("3")
    _date(page, "recorded_on", _today() - timedelta(days=1))  # counted last night
    _button(browsing, "Record the value")
    measure = Measure.objects.get(goal__plan=plan)
    assert MeasureValue.objects.get(measure=measure).value == 3
    page_text = page.content()
    assert "Riverside Park" not in page_text  # the partner reads the plan by its reference

    # The worker records a review, its chart with the same data as a table.
    context.clear_cookies()
    sign_in(context, browsing.base_url, sw)
    browsing.visit(plan.get_absolute_url())
    expect(page.locator("svg[role='img']")).to_have_count(1)
    _go(browsing, page.get_by_role("link", name="Record a review"))
    for goal in goals:
        page.locator(f"input[name='goal_{goal.pk}'][value='better']").check()
    page.locator(f"input[name='value_{measure.pk}']").fill("2")
    page.get_by_label("What changes in the plan?").fill("Add the café staff as guardians.")
    _date(page, "next_review_on", _today() + timedelta(days=90))
    _button(browsing, "Save the review")
    expect(page.get_by_role("heading", name=re.compile("^Review of"))).to_be_visible()
    chart = page.locator("svg[role='img']")
    expect(chart).to_have_attribute("aria-label", re.compile(r"6 on .*, 3 on .*, 2 on .*Target 1"))
    page.get_by_text("the values as a table").click()
    expect(page.get_by_role("cell", name="Baseline")).to_be_visible()
    browsing.check_a11y()

    # Ending: a reason, then a team manager's sign-off.
    browsing.visit(plan.get_absolute_url())
    _go(browsing, page.get_by_role("link", name="Ask to end the plan"))
    page.get_by_label("Why should the plan end?").fill("No red marks for three months.")
    _button(browsing, "Save")
    expect(page.get_by_text("Waiting for a team manager to sign off")).to_be_visible()
    context.clear_cookies()
    sign_in(context, browsing.base_url, tm)
    browsing.visit(plan.get_absolute_url())
    _go(browsing, page.get_by_role("link", name="End the plan or return it"))
    page.get_by_label("End the plan").check()
    _button(browsing, "Save decision")
    plan.refresh_from_db()
    assert plan.status == "ended"
    expect(page.get_by_text(f"{plan.reference} ended.")).to_be_visible()
