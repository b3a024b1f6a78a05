"""What a partner agency reads of a plan in the browser matches the API (cases/plans/api.py):
on a young person's plan, its goals by number only, never their words; and of a measure's
values, only the notes its own organisation wrote."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from cases.models import Goal, Measure, MeasureValue

pytestmark = pytest.mark.world_per_module


def _measure(world, plan_name):
    """A measure the police record on the world's ``plan_name`` plan, with a value and note of
    theirs and one of the council's."""
    partner = world.users["partner"]
    goal = Goal.objects.get(plan=world.records["cases.plan"][plan_name])
    measure = Measure.objects.create(
        goal=goal,
        name="Evenings with a guardian present",
        kind="count",
        direction="higher",
        baseline_value=1,
        baseline_on=date.today() - timedelta(days=60),
        target_value=6,
        recorder_organisation=partner.organisation,
    )
    MeasureValue.objects.create(
        measure=measure,
        value=2,
        recorded_on=date.today() - timedelta(days=30),
        note="Police note on patrols",
        organisation=partner.organisation,
        recorded_by=partner,
    )
    MeasureValue.objects.create(
        measure=measure,
        value=3,
        recorded_on=date.today() - timedelta(days=10),
        note="Council note naming a family",
        recorded_by=world.users["sw"],
    )
    return goal, measure


@pytest.mark.parametrize("plan_name", ["own", "ctx"])
def test_a_partner_reads_a_plan_as_the_api_gives_it(world, client, plan_name):
    goal, measure = _measure(world, plan_name)
    plan = goal.plan
    client.force_login(world.users["partner"])
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Evenings with a guardian present" in page and "Police note on patrols" in page
    assert "Council note naming a family" not in page
    assert (goal.statement in page) is (plan_name == "ctx")  # a context plan's goals it reads
    recording = client.get(reverse("plans:measure-value", args=[measure.pk]))
    assert recording.status_code == 200
    shown = recording.content.decode()
    assert "Police note on patrols" in shown and "Council note naming a family" not in shown
    # Staff read every note and the goal's words.
    client.force_login(world.users["sw"])
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Council note naming a family" in page and goal.statement in page
