"""Reading plans: a subject's plans with their linked plans, a plan's page (goals, measures
with their values, responses), the plans due for review, a partner's plan work, and the
measures' trend of places with a plan (hotspots, the place page). Everything through the one
rule, in a fixed number of queries whatever the rows."""

from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import timezone

from cases.models import Action, Goal, Measure, MeasureValue, Plan, PlanReview
from safeguarding.accounts import visibility

#: What a plan's subject is read with, to name it (young person, place or group).
SUBJECT_RELATED = ("subject__youngperson", "subject__context", "subject__peergroup")


def _linked(user) -> Prefetch:
    """A plan's linked plans that ``user`` may see, their subjects named (one query)."""
    return Prefetch(
        "linked_plans",
        queryset=visibility.restrict(user, Plan).select_related(*SUBJECT_RELATED),
        to_attr="linked_seen",
    )


def plans_about(user, access):
    """The plans of the subject of ``access`` that ``user`` may see, newest first, each with
    ``linked_seen`` (its linked plans ``user`` may see): two queries."""
    return (
        visibility.about(user, Plan, access)
        .select_related("source_assessment")
        .prefetch_related(_linked(user))
        .order_by("-started_on", "-pk")
    )


def linked_plans(user, plan: Plan) -> list[Plan]:
    """``plan``'s linked plans ``user`` may see, their subjects named (one query)."""
    return list(
        visibility.restrict(user, plan.linked_plans.all())
        .select_related(*SUBJECT_RELATED)
        .order_by("pk")
    )


def plan_goals(user, plan: Plan) -> list[Goal]:
    """``plan``'s goals that ``user`` may see, each with ``measures_seen`` (its measures
    ``user`` may see, each with ``values_seen``, oldest first) and ``actions_seen`` (its
    responses ``user`` may see, soonest due first): four queries whatever the plan holds.
    A partner sees the goals of a plan that asks its organisation for something, and of them
    only its own responses and the measures it is asked to record."""
    values = visibility.restrict(user, MeasureValue).select_related("recorded_by", "organisation")
    measures = (
        visibility.restrict(user, Measure)
        .select_related("recorder_user", "recorder_organisation")
        .prefetch_related(
            Prefetch("values", queryset=values.order_by("recorded_on"), to_attr="values_seen")
        )
        .order_by("pk")
    )
    actions = (
        visibility.restrict(user, Action)
        .select_related("owner_user", "owner_organisation")
        .order_by("due_on", "pk")
    )
    return list(
        visibility.restrict(user, plan.goals.all()).prefetch_related(
            Prefetch("measures", queryset=measures, to_attr="measures_seen"),
            Prefetch("actions", queryset=actions, to_attr="actions_seen"),
        )
    )


def plan_reviews(user, plan: Plan) -> list[PlanReview]:
    return list(
        visibility.restrict(user, plan.reviews.select_related("by")).order_by("-held_on", "-pk")
    )


def due_for_review(user, *, within_days: int = 14, limit: int = 25) -> list[Plan]:
    """Active plans ``user`` may change whose review is due within ``within_days`` (or
    overdue), soonest first, for a worker's My work: the plans of subjects allocated to them
    or their team's, as the rule's CHANGE says. One query."""
    if not visibility.plans_kept_by(user):
        return []
    until = timezone.localdate().toordinal() + within_days
    return list(
        visibility.restrict(user, Plan, visibility.CHANGE)
        .filter(status=Plan.Status.ACTIVE, next_review_on__lte=date.fromordinal(until))
        .select_related("subject")
        .order_by("next_review_on", "pk")[:limit]
    )


def partner_plan_work(user, *, limit: int = 50) -> dict:
    """A partner's plan work for My work: its organisation's open responses on plans
    (``actions``) and the measures it is asked to record on active plans (``measures``, each
    with ``latest``: its newest value or ``None``). Three queries."""
    if not visibility.is_partner_agency(user) or not user.organisation_id:
        return {"actions": [], "measures": []}
    actions = list(
        visibility.restrict(user, Action, visibility.CHANGE)
        .filter(plan__isnull=False, status__in=Action.OPEN_STATUSES)
        .select_related("plan", "subject", "goal")
        .order_by("due_on", "pk")[:limit]
    )
    measures = list(
        visibility.restrict(user, Measure, visibility.CHANGE)
        .filter(goal__plan__status__in=(Plan.Status.ACTIVE, Plan.Status.ENDING))
        .select_related("goal__plan__subject")
        .order_by("goal__plan_id", "pk")[:limit]
    )
    latest = {}
    for value in MeasureValue.objects.filter(measure__in=measures).order_by(
        "measure_id", "-recorded_on"
    ):
        latest.setdefault(value.measure_id, value)
    for measure in measures:
        measure.latest = latest.get(measure.pk)
    return {"actions": actions, "measures": measures}


def measure_trends(user, subject_ids) -> dict[int, dict]:
    """For the subjects ``subject_ids`` (places) with an active or ended plan ``user`` may see:
    subject id → ``{"plan": the newest such plan, "better": n, "worse": n, "same": n,
    "measures": n}``, each measure's latest value compared with its baseline in its
    direction (a measure with no value yet counts as ``same``). Three queries whatever the
    number of places (hotspots, the place page)."""
    plans = {}
    for plan in (
        visibility.restrict(user, Plan)
        .filter(subject_id__in=list(subject_ids), status__in=(Plan.Status.ACTIVE, "ended"))
        .order_by("subject_id", "-started_on", "-pk")
    ):
        plans.setdefault(plan.subject_id, plan)
    if not plans:
        return {}
    measures = list(
        visibility.restrict(user, Measure)
        .filter(goal__plan__in=list(plans.values()))
        .annotate(plan_id=F("goal__plan_id"))
    )
    latest = {}
    for value in (
        visibility.restrict(user, MeasureValue)
        .filter(measure__in=[m.pk for m in measures])
        .order_by("measure_id", "-recorded_on")
        .only("measure_id", "value")
    ):
        latest.setdefault(value.measure_id, value.value)
    subject_of_plan = {plan.pk: subject_id for subject_id, plan in plans.items()}
    trends = {
        subject_id: {"plan": plan, "better": 0, "worse": 0, "same": 0, "measures": 0}
        for subject_id, plan in plans.items()
    }
    for measure in measures:
        row = trends[subject_of_plan[measure.plan_id]]
        row["measures"] += 1
        value = latest.get(measure.pk)
        verdict = None if value is None else measure.better(value, measure.baseline_value)
        row["better" if verdict is True else "worse" if verdict is False else "same"] += 1
    return trends


#: The window of the concerns' trend beside a place's plan measures: the last 90 days and the
#: 90 before (the hotspots page's default window).
TREND_DAYS = 90


def concerns_trend(user, subject) -> dict:
    """Concerns at the place ``subject`` (as its location) that ``user`` may see in the last
    :data:`TREND_DAYS` days and the same number before: ``{"current", "previous", "days"}``.

    Read from the rule worked out ahead (``visibility.concerns_about``: the user's audiences'
    rows by index, newest first), not the rule concern by concern: the cost follows the
    place's concerns in the two windows, not every concern ever logged there (a busy place
    holds thousands). One or two queries."""
    from cases.models import ConcernSubject

    now = timezone.now()
    since, before = now - timedelta(days=TREND_DAYS), now - timedelta(days=2 * TREND_DAYS)
    as_location = Exists(
        ConcernSubject.objects.filter(
            concern_id=OuterRef("concern_id"),
            subject_id=subject.pk,
            part=ConcernSubject.Part.LOCATION,
        )
    )
    counts = (
        visibility.concerns_about(user, subject)
        .filter(occurred_at__gte=before)
        .filter(as_location)
        .counts(current=Q(occurred_at__gte=since), previous=Q(occurred_at__lt=since))
    )
    return {**counts, "days": TREND_DAYS}
