"""The demo borough's safety plans (``safeguarding/demo/plans.py``): every state, on places,
groups and young people, started from the demo's approved assessments; partner organisations'
responses, some done and some overdue; a year of monthly values on a place's plan showing it
getting safer; a young person's plan linked to that place's plan; and the plans' own rules
kept (made through the services, signed off by a manager who did not ask)."""

import importlib
from datetime import timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Action, Assessment, HarmCategory, Measure, MeasureValue, Plan, PlanReview
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.approvals.models import Approval
from safeguarding.demo import data
from safeguarding.demo.builder import borough_counts
from safeguarding.notifications.models import Notification
from safeguarding.subjects.models import Subject

pytestmark = pytest.mark.django_db


@pytest.fixture
def borough(documents_storage):
    # A transactional test elsewhere may have flushed the data migration's categories.
    migration = importlib.import_module("cases.migrations.0003_harm_categories")
    for order, (slug, name) in enumerate(migration.HARM_CATEGORIES, start=1):
        HarmCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "display_order": order}
        )
    call_command("seed_borough", scale=0.3, concerns_per_young_person=2, stdout=StringIO())
    return Organisation.objects.get(name=data.AUTHORITY_NAME)


def test_the_demo_has_plans_in_every_state_and_a_place_getting_safer(borough):
    la = borough
    today = timezone.localdate()
    plans = Plan.objects.filter(subject__authority=la).select_related("subject")
    assert set(plans.values_list("status", flat=True)) == set(Plan.Status.values)
    assert borough_counts(la)["plans"] == plans.count()
    kinds = set(plans.values_list("subject__kind", flat=True))
    assert kinds == {Subject.Kind.CONTEXT, Subject.Kind.PEER_GROUP, Subject.Kind.YOUNG_PERSON}
    # Context plans start from an approved assessment of their subject.
    for plan in plans.exclude(kind=Plan.Kind.YOUNG_PERSON):
        source = plan.source_assessment
        assert source is not None and source.status == Assessment.Status.APPROVED
        assert source.subject_id == plan.subject_id
        assert plan.goals.exists() and plan.started_on < today

    # The place getting safer: a year of monthly values, red marks falling from 14 to 3.
    red_marks = Measure.objects.get(goal__plan__in=plans, name__startswith="Red marks")
    values = list(red_marks.values.order_by("recorded_on"))
    assert len(values) == 12
    assert [int(v.value) for v in (values[0], values[-1])] == [14, 3]
    assert red_marks.baseline_value == 14 and red_marks.target_value == 3
    assert (values[-1].recorded_on - values[0].recorded_on).days >= 300
    assert all(a.value >= b.value for a, b in pairwise(values))
    place_plan = red_marks.goal.plan
    assert place_plan.status == Plan.Status.ACTIVE
    guardians = Measure.objects.get(goal__plan=place_plan, name__contains="guardians present")
    present = [int(v.value) for v in guardians.values.order_by("recorded_on")]
    assert len(present) == 12 and present[-1] > present[0]
    # ... recorded by the police (a partner), who read the plan through the rule.
    police = User.objects.get(username="police.officer")
    assert guardians.recorder_organisation == police.organisation
    assert {v.organisation_id for v in guardians.values.all()} == {police.organisation_id}
    assert visibility.restrict(police, Plan).filter(pk=place_plan.pk).exists()
    assert PlanReview.objects.filter(plan=place_plan).count() >= 3

    # Partners own responses: some done, some overdue.
    responses = Action.objects.filter(plan=place_plan)
    partners = responses.filter(owner_organisation__authority=la)
    assert partners.filter(status=Action.Status.DONE).exists()
    overdue = [a for a in partners if a.is_overdue]
    assert overdue and all(a.due_on < today for a in overdue)
    assert responses.filter(owner_user__isnull=False).exists()

    # A young person's plan, active, with their safety plan, linked to the place's plan.
    theirs = place_plan.linked_plans.get()
    assert theirs.kind == Plan.Kind.YOUNG_PERSON and theirs.status == Plan.Status.ACTIVE
    assert theirs.safe_places and theirs.trusted_adults and theirs.if_unsafe
    assert theirs.places_to_avoid_links.filter(subject=place_plan.subject).exists()
    assert MeasureValue.objects.filter(measure__goal__plan=theirs).count() >= 3

    # Ended and ending: with a reason; ended signed off by a manager who did not ask.
    ended = plans.get(status=Plan.Status.ENDED)
    assert ended.end_reason and ended.ended_on < today
    approvals = Approval.objects.filter(subject__authority=la, reference__startswith="PLN-")
    signed = approvals.get(reference=ended.reference)
    assert signed.status == "approved" and signed.decided_by_id != signed.requested_by_id
    assert signed.decided_by.role == User.Role.TEAM_MANAGER
    ending = plans.get(status=Plan.Status.ENDING)
    assert approvals.get(reference=ending.reference).status == "requested"
    assert ending.subject.kind == Subject.Kind.PEER_GROUP
    # A draft, just started, its goals drafted from the assessment.
    draft = plans.get(status=Plan.Status.DRAFT)
    assert draft.goals.exclude(source="").exists()
    assert today - draft.started_on < timedelta(days=30)
    # What the plans sent went at the time: nothing waits to be sent now.
    assert not Notification.objects.filter(
        reference__in=[p.reference for p in plans], status="pending"
    ).exists()


def test_the_demo_leaves_the_plans_out_when_asked(documents_storage):
    migration = importlib.import_module("cases.migrations.0003_harm_categories")
    for order, (slug, name) in enumerate(migration.HARM_CATEGORIES, start=1):
        HarmCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "display_order": order}
        )
    call_command("seed_borough", scale=0.1, assessments=False, stdout=StringIO())
    assert not Plan.objects.exists()
