"""Safety plan services (issue 15): starting a plan from an approved assessment (goals drafted
from its sides, or from a weighting's heaviest context), agreeing it, measures and their
values (the partner asked to record them, in range, dated from the baseline to today),
responses owned by partners and updated by them, reviews, links between a context plan and a
young person's, and ending with a manager's sign-off (never the requester's)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases.casework.services import action_record_progress
from cases.models import Action, Assessment, Measure, MeasureValue, Plan, PlanReview
from cases.plans import services
from safeguarding.approvals.selectors import waiting_approval_of
from safeguarding.approvals.services import approval_decide
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.notifications.models import Notification

pytestmark = pytest.mark.world_per_module


def _today() -> date:
    """Today, asked when used (a module constant goes stale in a run that crosses midnight)."""
    return date.today()


def _approved(subject, kind, answers, by):
    return Assessment.objects.create(
        subject=subject,
        kind=kind,
        version=1,
        status="approved",
        answers=answers,
        due_on=_today(),
        completed_on=_today(),
        started_by=by,
    )


def _place_assessment(world, ratings=("green", "red", "amber")):
    sides = ("young_people", "guardianship", "environment")
    answers = {
        f"{side}_rating": {"value": r, "evidence": "Seen"}
        for side, r in zip(sides, ratings, strict=True)
    }
    place = world.records["contexts.context"]["other"]
    return _approved(place.subject, "place", answers, world.users["sw3"])


def _plan(world, **kwargs):
    return services.plan_start(
        subject=world.records["contexts.context"]["other"].subject,
        by=world.users["sw3"],
        source_assessment=_place_assessment(world),
        **kwargs,
    )


def _errors(excinfo):
    return excinfo.value.message_dict


def test_a_context_plan_starts_from_an_approved_place_assessment_with_its_sides_as_goals(world):
    plan = _plan(world)
    assert (plan.kind, plan.status, plan.reference) == ("context", "draft", f"PLN-{plan.pk:06d}")
    # Red first, then amber; the green side needs no goal.
    assert [(g.source, g.position) for g in plan.goals.all()] == [
        ("guardianship", 0),
        ("environment", 1),
    ]
    assert plan.goals.first().statement.startswith("Adults who look out for young people")
    assert plan.next_review_on == services.add_months(_today(), 3)
    assert [e.kind for e in plan.events.all()] == ["started"]


def test_every_side_green_keeps_every_side_as_a_goal(world):
    assessment = _place_assessment(world, ratings=("green",) * 3)
    assert [s for s, _ in services.drafted_goals(assessment)] == [
        "young_people",
        "guardianship",
        "environment",
    ]


def test_a_weighting_makes_its_heaviest_context_the_first_goal(world):
    yp = world.records["cases.youngperson"]["team"]
    weights = {f"weight_{k}": {"value": 2, "reason": "Some"} for k in ("family", "school")}
    weights["weight_place"] = {"value": 8, "reason": "The park"}
    weighting = _approved(yp.subject, "weighting", weights, world.users["sw2"])
    plan = services.plan_start(
        subject=yp.subject, by=world.users["sw2"], source_assessment=weighting
    )
    assert plan.kind == "young_person"
    assert [g.source for g in plan.goals.all()] == ["weighting:place"]


def test_starting_is_refused_when_it_should_be(world):
    place = world.records["contexts.context"]["other"]
    with pytest.raises(NotAllowed):
        services.plan_start(subject=place.subject, by=world.users["partner"])
    with pytest.raises(RecordNotFound):  # team one's worker, team two's place
        services.plan_start(subject=place.subject, by=world.users["sw"])
    draft = world.records["cases.assessment"]["school_other"]
    with pytest.raises(ApplicationError) as e:
        services.plan_start(subject=place.subject, by=world.users["sw3"], source_assessment=draft)
    assert "source_assessment" in _errors(e)
    _plan(world)
    with pytest.raises(ApplicationError) as e:
        services.plan_start(subject=place.subject, by=world.users["sw3"])
    assert e.value.code == "in_progress"


def _measure(world, goal, by="sw3", **overrides):
    fields = {
        "name": "Red marks on young people's safety maps",
        "kind": "count",
        "direction": "lower",
        "baseline_value": "9",
        "baseline_on": _today() - timedelta(days=10),
        "target_value": "2",
        "recorder_organisation": world.records["accounts.organisation"]["p1"],
        **overrides,
    }
    return services.measure_add(goal=goal, by=world.users[by], **fields)


def test_a_measure_needs_a_range_a_better_target_and_one_recorder(world):
    goal = _plan(world).goals.first()
    with pytest.raises(ApplicationError) as e:
        _measure(
            world,
            goal,
            kind="rating",
            baseline_value="0",
            target_value="x",
            baseline_on=_today() + timedelta(days=1),
            recorder_user=world.users["sw3"],
        )
    assert set(_errors(e)) == {"baseline_value", "target_value", "baseline_on", "recorder"}
    with pytest.raises(ApplicationError) as e:
        _measure(world, goal, target_value="12")  # lower is better: 12 is worse than 9
    assert "better than the baseline" in _errors(e)["target_value"][0]
    measure = _measure(world, goal)
    assert (measure.baseline_value, measure.target_value) == (Decimal(9), Decimal(2))


def _active(world):
    plan = _plan(world)
    sw3 = world.users["sw3"]
    for goal in plan.goals.all():
        _measure(world, goal)
    return services.plan_activate(plan=plan, by=sw3)


def test_agreeing_needs_goals_with_work(world):
    plan = services.plan_start(
        subject=world.records["contexts.context"]["other"].subject, by=world.users["sw3"]
    )
    with pytest.raises(ApplicationError, match="at least one goal"):
        services.plan_activate(plan=plan, by=world.users["sw3"])
    services.goal_add(plan=plan, statement="The alley is lit after dark.", by=world.users["sw3"])
    with pytest.raises(ApplicationError, match="goal 1 a response or a measure"):
        services.plan_activate(plan=plan, by=world.users["sw3"])


def test_the_partner_asked_records_values_in_range_from_the_baseline_to_today(world):
    plan = _active(world)
    measure = Measure.objects.filter(goal__plan=plan).first()
    partner = world.users["partner"]
    value = services.measure_value_record(
        measure=measure, value="4", recorded_on=_today(), by=partner, note="Evening walk"
    )
    assert (value.value, value.organisation_id) == (Decimal(4), partner.organisation_id)
    # The same day again corrects it.
    services.measure_value_record(measure=measure, value="3", recorded_on=_today(), by=partner)
    assert list(MeasureValue.objects.filter(measure=measure).values_list("value", flat=True)) == [
        Decimal(3)
    ]
    for bad, field in (
        ({"value": "-1"}, "value"),
        ({"value": "2.5"}, "value"),  # a count is whole
        ({"value": "lots"}, "value"),
        ({"recorded_on": _today() + timedelta(days=1)}, "recorded_on"),
        ({"recorded_on": measure.baseline_on - timedelta(days=1)}, "recorded_on"),
    ):
        given = {"value": "1", "recorded_on": _today(), **bad}
        with pytest.raises(ApplicationError) as e:
            services.measure_value_record(measure=measure, by=partner, **given)
        assert field in _errors(e), bad
    # Another partner, and a senior manager (who reads), may not record it.
    for name in ("sm",):
        with pytest.raises(RecordNotFound):
            services.measure_value_record(
                measure=measure, value="1", recorded_on=_today(), by=world.users[name]
            )


def test_partner_responses_are_grouped_under_the_plan_and_updated_by_their_owner(world):
    plan = _active(world)
    goal = plan.goals.first()
    p1 = world.records["accounts.organisation"]["p1"]
    channel = world.records["notifications.channel"]["p1"]
    channel.event_types = ["action.assigned"]
    channel.save(update_fields=["event_types"])
    action = services.plan_action_add(
        plan=plan,
        goal=goal,
        description="Patrol the alley on Friday evenings",
        due_on=_today() + timedelta(days=14),
        owner_organisation=p1,
        by=world.users["sw3"],
    )
    assert (action.plan_id, action.goal_id) == (plan.pk, goal.pk)
    assert action.subject_id == plan.subject_id
    assert Notification.objects.filter(
        event_type="action.assigned", recipient_organisation=p1
    ).exists()
    updated = action_record_progress(
        action=action, by=world.users["partner"], status="in_progress", progress_note="Started"
    )
    assert updated.status == "in_progress"
    other_goal = world.records["cases.goal"]["ctx"]
    with pytest.raises(ApplicationError):
        services.plan_action_add(
            plan=plan,
            goal=other_goal,
            description="x",
            due_on=_today(),
            owner_user=world.users["sw3"],
            by=world.users["sw3"],
        )


def test_a_review_records_progress_and_values_and_sets_the_next_review(world):
    plan = _active(world)
    goals = list(plan.goals.all())
    measure = Measure.objects.filter(goal=goals[0]).get()
    sw3 = world.users["sw3"]
    review_kwargs = {
        "plan": plan,
        "held_on": _today(),
        "changes": "More guardians on Fridays",
        "by": sw3,
    }
    with pytest.raises(ApplicationError) as e:
        services.plan_review_record(
            progress={goals[0].pk: {"progress": "better"}},
            next_review_on=services.add_months(_today(), 7),
            values={measure.pk: "99999999"},
            **review_kwargs,
        )
    assert {f"goal_{goals[1].pk}", "next_review_on"} <= set(_errors(e))
    review = services.plan_review_record(
        progress={str(g.pk): {"progress": "better", "note": "Fewer marks"} for g in goals},
        next_review_on=_today() + timedelta(days=60),
        values={measure.pk: "5"},
        **review_kwargs,
    )
    plan.refresh_from_db()
    assert plan.next_review_on == _today() + timedelta(days=60)
    assert [row["progress"] for row in review.progress] == ["better", "better"]
    assert measure.values.get().value == Decimal(5)
    assert PlanReview.objects.filter(plan=plan).count() == 1
    assert plan.events.filter(kind="reviewed").exists()


def test_a_context_plan_links_to_a_young_persons_both_ways(world):
    ctx_plan = world.records["cases.plan"]["ctx"]
    own = world.records["cases.plan"]["own"]
    services.plan_link(plan=ctx_plan, other=own, by=world.users["sw"])
    assert list(own.linked_plans.all()) == [ctx_plan]
    with pytest.raises(ApplicationError):
        services.plan_link(plan=own, other=own, by=world.users["sw"])
    with pytest.raises(RecordNotFound):  # sw may not see team two's young person's plan
        services.plan_link(
            plan=ctx_plan, other=world.records["cases.plan"]["other"], by=world.users["sw"]
        )


def test_ending_needs_a_reason_and_a_managers_sign_off_never_the_requesters(world):
    plan = world.records["cases.plan"]["ctx"]
    sw, tm = world.users["sw"], world.users["tm"]
    with pytest.raises(ApplicationError) as e:
        services.plan_end_request(plan=plan, reason=" ", by=sw)
    assert "reason" in _errors(e)
    services.plan_end_request(plan=plan, reason="The place is safe now", by=sw)
    approval = waiting_approval_of(plan)
    plan.refresh_from_db()
    assert (plan.status, plan.end_reason) == ("ending", "The place is safe now")
    approval_decide(approval=approval, by=tm, approve=False, comments="Wait for the summer")
    plan.refresh_from_db()
    assert plan.status == "active"
    services.plan_end_request(plan=plan, reason="Safe through the summer", by=tm)
    with pytest.raises(NotAllowed):
        approval_decide(
            approval=waiting_approval_of(plan),
            by=tm,
            approve=True,
            comments="",
        )


def test_a_manager_signs_off_the_end(world):
    plan = world.records["cases.plan"]["ctx"]
    services.plan_end_request(plan=plan, reason="The place is safe now", by=world.users["sw"])
    approval = waiting_approval_of(plan)
    approval_decide(approval=approval, by=world.users["tm"], approve=True, comments="Agreed")
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on) == (Plan.Status.ENDED, _today())
    assert [e.kind for e in plan.events.all()][-2:] == ["end_requested", "ended"]
    with pytest.raises(ApplicationError):  # an ended plan takes no more values
        services.measure_value_record(
            measure=world.records["cases.measure"]["ctx"],
            value="1",
            recorded_on=_today(),
            by=world.users["partner"],
        )
    assert Action.objects.filter(plan=plan).exists()
