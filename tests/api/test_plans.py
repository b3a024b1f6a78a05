"""The plans API (/api/v1/plans/…, cases/plans/api.py): a partner reads its part of a plan —
its own actions and measures, never another organisation's, never a young person's safety-plan
details — records progress on its actions (If-Match) and values of its measures
(Idempotency-Key), every error a problem, every read audited.

The test world (tests/conftest.py): team one's place has an active context plan ("ctx") whose
response "agency" the police (p1) own and whose measure "ctx" they record (another, "ctx_sw3",
a worker of team two records); the young people "own", "other" and "restricted" have plans.
"""

import uuid
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from cases.models import Action, Goal, Measure, MeasureValue, Plan
from tests.api.conftest import assert_problem, patch_current

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

PLANS = "/api/v1/plans/"


def plan_url(plan) -> str:
    return f"{PLANS}{plan.pk}/"


def action_url(plan, action) -> str:
    return f"{PLANS}{plan.pk}/actions/{action.pk}/"


def values_url(plan, measure) -> str:
    return f"{PLANS}{plan.pk}/measures/{measure.pk}/values/"


def post_value(client, plan, measure, body, key=None):
    return client.post(
        values_url(plan, measure),
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )


@pytest.fixture
def ctx(world):
    return world.records["cases.plan"]["ctx"]


@pytest.fixture
def agency(world):
    return Action.objects.get(pk=world.records["cases.action"]["agency"].pk)


def test_a_partner_lists_the_plans_that_ask_it_for_something(world, api, session_api, ctx):
    police = api("p1").get(PLANS).json()
    assert [p["id"] for p in police["results"]] == [ctx.pk]
    listed = police["results"][0]
    assert listed["reference"] == ctx.reference
    assert listed["kind"] == "context" and listed["status"] == "active"
    assert listed["subject"] == {"kind": "context", "reference": ctx.subject.reference}
    assert api("p2").get(PLANS).json()["count"] == 0
    # Staff: through the rule (team one's manager: the place's plan and their young person's).
    plans = world.records["cases.plan"]
    staff = session_api("tm").get(PLANS).json()["results"]
    assert {p["id"] for p in staff} == {plans["ctx"].pk, plans["own"].pk}
    assert api("p1").get(PLANS, {"kind": "young_person"}).json()["count"] == 0
    assert_problem(api("p1").get(PLANS, {"status": "over"}), 400, "invalid-request")


def test_a_partner_reads_only_its_own_actions_and_measures(world, api, ctx, agency):
    p2 = world.records["accounts.organisation"]["p2"]
    goal = world.records["cases.goal"]["ctx"]
    schools = Action.objects.create(
        subject=ctx.subject,
        plan=ctx,
        goal=goal,
        description="The school's own response",
        owner_organisation=p2,
        due_on=date.today() + timedelta(days=5),
    )
    try:
        body = api("p1").get(plan_url(ctx)).json()
        assert [a["id"] for a in body["actions"]] == [agency.pk]
        assert body["actions"][0]["description"] == agency.description
        measure = world.records["cases.measure"]["ctx"]
        assert [m["id"] for m in body["measures"]] == [measure.pk]
        shown = body["measures"][0]
        assert shown["name"] == measure.name and shown["kind"] == "count"
        assert shown["latest"] == {"value": 3.0, "recorded_on": date.today().isoformat()}
        assert body["goals"] == [{"id": goal.pk, "statement": goal.statement}]
        # The school sees the plan now (a response of its own), and only its own.
        school = api("p2").get(plan_url(ctx)).json()
        assert [a["id"] for a in school["actions"]] == [schools.pk]
        assert school["measures"] == []
    finally:
        schools.delete()


def test_a_young_persons_safety_plan_shows_a_partner_nothing_of_the_young_person(
    world, api, agency
):
    """A partner owning a response on a young person's plan reads its action and the plan's
    reference, not the goal's words nor the safe places, trusted adults and the rest."""
    plan = world.records["cases.plan"]["own"]
    Plan.objects.filter(pk=plan.pk).update(
        safe_places="SAFE-PLACE-MARK",
        trusted_adults="TRUSTED-ADULT-MARK",
        if_unsafe="IF-UNSAFE-MARK",
        places_to_avoid="AVOID-MARK",
    )
    goal = world.records["cases.goal"]["own"]
    action = Action.objects.create(
        subject=plan.subject,
        plan=plan,
        goal=goal,
        description="Check the bus stop's camera",
        owner_organisation=world.records["accounts.organisation"]["p1"],
        due_on=date.today() + timedelta(days=5),
    )
    try:
        response = api("p1").get(plan_url(plan))
        assert response.status_code == 200
        body = response.json()
        assert body["kind"] == "young_person"
        assert [a["id"] for a in body["actions"]] == [action.pk]
        assert body["goals"] == [{"id": goal.pk, "statement": None}]
        text = response.content.decode()
        for mark in ("SAFE-PLACE", "TRUSTED-ADULT", "IF-UNSAFE", "AVOID-MARK", goal.statement):
            assert mark not in text
        # The allocated worker reads the goal (staff read what the rule gives them).
        assert world.records["cases.youngperson"]["own"].given_name not in text
    finally:
        action.delete()


def test_reads_are_audited_with_the_organisations_api_user(world, api, ctx, agency):
    police = api("p1")
    since = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert police.get(plan_url(ctx)).status_code == 200
    assert police.get(action_url(ctx, agency)).status_code == 200
    measure = world.records["cases.measure"]["ctx"]
    assert police.get(values_url(ctx, measure)).status_code == 200
    rows = LogEntry.objects.filter(pk__gt=since)
    actor = police.token.service_user
    assert {r.actor for r in rows} == {actor}
    # The plan's page of the API is one row naming the plan and the parts it showed.
    (shown,) = rows.filter(object_repr="Shown: api plan")
    assert shown.additional_data["shown"] == {
        "cases.plan": [ctx.pk],
        "cases.action": [agency.pk],
        "cases.measure": [measure.pk],
    }
    action_type = ContentType.objects.get_for_model(Action)
    assert rows.filter(
        content_type=action_type, object_pk=str(agency.pk), action=LogEntry.Action.ACCESS
    ).exists()
    listed = rows.filter(object_repr="Shown: api plan-measure-value list").get()
    assert listed.additional_data["shown"] == {
        "cases.measurevalue": [world.records["cases.measurevalue"]["ctx"].pk]
    }


def test_a_partner_records_progress_on_its_plan_action_with_if_match(world, api, ctx, agency):
    police = api("p1")
    url = action_url(ctx, agency)
    read = police.get(url)
    assert read.status_code == 200 and read["ETag"]
    # The same version as the action's own address.
    assert api("p1").get(f"/api/v1/actions/{agency.pk}/")["ETag"] == read["ETag"]
    assert_problem(
        police.patch(url, {"status": "done"}, format="json"), 428, "precondition-required"
    )
    changed = police.patch(
        url,
        {"status": "in_progress", "progress_note": "Cameras ordered."},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"] == "in_progress"
    assert changed["ETag"] != read["ETag"]
    stale = police.patch(url, {"status": "done"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert_problem(stale, 412, "precondition-failed")
    agency.refresh_from_db()
    assert (agency.status, agency.progress_note) == ("in_progress", "Cameras ordered.")
    problem = assert_problem(
        patch_current(police, url, {"status": "cancelled", "due_on": "2030-01-01"}),
        422,
        "validation-failed",
    )
    assert {e["field"] for e in problem["errors"]} == {"status", "due_on"}
    # Not on this plan, or not the caller's: not found.
    other_plan = world.records["cases.plan"]["other"]
    assert_problem(police.get(action_url(other_plan, agency)), 404, "not-found")
    assert_problem(patch_current(api("p2"), url, {"status": "done"}), 404, "not-found")
    Action.objects.filter(pk=agency.pk).update(status="open", progress_note="")


def test_a_partner_records_a_value_of_its_measure(world, api, ctx):
    police = api("p1")
    measure = world.records["cases.measure"]["ctx"]
    day = (date.today() - timedelta(days=2)).isoformat()
    key = str(uuid.uuid4())
    body = {"value": 2, "recorded_on": day, "note": "Walkabout at 6pm."}
    created = post_value(police, ctx, measure, body, key=key)
    assert created.status_code == 201, created.content
    value = MeasureValue.objects.get(pk=created.json()["id"])
    assert (value.value, value.recorded_on.isoformat()) == (2, day)
    assert value.organisation == world.records["accounts.organisation"]["p1"]
    assert created.json()["by_your_organisation"] is True
    # A retry: the first answer again, nothing new.
    again = post_value(police, ctx, measure, body, key=key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == created.json()
    assert MeasureValue.objects.filter(measure=measure).count() == 2
    assert_problem(
        post_value(police, ctx, measure, {**body, "value": 3}, key=key),
        422,
        "idempotency-key-reused",
    )
    listed = police.get(values_url(ctx, measure)).json()["results"]
    assert [v["recorded_on"] for v in listed] == [date.today().isoformat(), day]
    assert listed[1]["note"] == "Walkabout at 6pm."
    assert listed[0]["note"] is None  # recorded by the council: its note is the council's
    value.delete()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"value": 1, "recorded_on": "2999-01-01"}, {"recorded_on"}),  # in the future
        ({"value": 1, "recorded_on": "2001-01-01"}, {"recorded_on"}),  # before the baseline
        ({"value": 2.5, "recorded_on": date.today().isoformat()}, {"value"}),  # a count
        ({"value": "2", "recorded_on": date.today().isoformat()}, {"value"}),  # not a number
        (
            {"value": -1, "recorded_on": "01/02/2026", "colour": "red"},
            {"value", "recorded_on", "colour"},
        ),
        ({}, {"value", "recorded_on"}),
    ],
)
def test_a_value_that_cannot_be_accepted_is_a_problem_naming_the_field(
    world, api, ctx, body, fields
):
    measure = world.records["cases.measure"]["ctx"]
    before = MeasureValue.objects.count()
    problem = assert_problem(post_value(api("p1"), ctx, measure, body), 422, "validation-failed")
    assert {e["field"] for e in problem["errors"]} == fields
    assert MeasureValue.objects.count() == before


def test_a_measure_that_is_not_yours_is_not_found(world, api, ctx):
    police = api("p1")
    theirs = world.records["cases.measure"]["ctx_sw3"]  # a worker of team two records it
    body = {"value": 1, "recorded_on": date.today().isoformat()}
    assert_problem(post_value(police, ctx, theirs, body), 404, "not-found")
    assert_problem(police.get(values_url(ctx, theirs)), 404, "not-found")
    mine = world.records["cases.measure"]["ctx"]
    assert_problem(post_value(api("p2"), ctx, mine, body), 404, "not-found")
    other_plan = world.records["cases.plan"]["other"]
    assert_problem(post_value(police, other_plan, mine, body), 404, "not-found")
    # Without a key: a 400 (after the measure is found to be the caller's).
    response = police.post(values_url(ctx, mine), body, format="json")
    assert_problem(response, 400, "idempotency-key-required")


def test_a_plans_page_of_the_api_runs_the_same_queries_however_much_it_holds(
    world, api, ctx, django_assert_max_num_queries
):
    police = api("p1")
    police.get(plan_url(ctx))  # the token's first use
    with django_assert_max_num_queries(30) as few:
        assert police.get(plan_url(ctx)).status_code == 200
    goal = world.records["cases.goal"]["ctx"]
    p1 = world.records["accounts.organisation"]["p1"]
    made = [
        Action.objects.create(
            subject=ctx.subject,
            plan=ctx,
            goal=goal,
            description=f"More {n}",
            owner_organisation=p1,
            due_on=date.today() + timedelta(days=n + 1),
        )
        for n in range(5)
    ]
    measures = [
        Measure.objects.create(
            goal=goal,
            name=f"More {n}",
            kind="count",
            direction="lower",
            baseline_value=5,
            baseline_on=date.today() - timedelta(days=10),
            target_value=1,
            recorder_organisation=p1,
        )
        for n in range(5)
    ]
    for measure in measures:
        MeasureValue.objects.create(measure=measure, value=2, recorded_on=date.today())
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = police.get(plan_url(ctx)).json()
    assert len(body["actions"]) == 6 and len(body["measures"]) == 6
    for record in [*made, *measures]:
        record.delete()
    assert Goal.objects.filter(pk=goal.pk).exists()
