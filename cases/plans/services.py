"""Safety plan services (issue 15): start a plan (its goals drafted from the approved
assessment it starts from), agree it, its goals, measures and responses, a measure's dated
values, reviews, links between a context plan and the plans of the young people it affects,
and ending it with a manager's sign-off. Each writes in one transaction and reads through the
one rule (``safeguarding/accounts/visibility.py``: ``plan_rule``, ``measure_rule``).

Who may do what:

* **start, agree, change goals, measures, responses and links, review, ask to end**: a social
  worker or team manager who may change the subject (the plan rule's CHANGE);
* **record a measure's value**: whoever may change the measure (``measure_rule``'s CHANGE): the
  council staff who may change the plan, the worker named to record it, or a user of the
  partner organisation asked to record it;
* **update a response**: its owner, through ``cases.casework.services.action_record_progress``;
* **sign off the end**: a team manager of the team holding the subject, never the person who
  asked (``safeguarding.approvals``; PRACTICE.md, "Sign-off").

Refusals: ``RecordNotFound`` (not visible, or not for this user to change), ``NotAllowed``
(the role may not take this step at all), ``ApplicationError`` (a sentence, or one per field).
"""

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases.models import (
    Action,
    Assessment,
    Decision,
    Goal,
    Measure,
    MeasureValue,
    Meeting,
    Plan,
    PlanEvent,
    PlanReview,
)
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.subjects.models import Subject

# --- goals drafted from an approved assessment ----------------------------------------------

#: For a context plan, the positive statement each side of the assessment suggests: (kind,
#: section key) → statement (PRACTICE.md: "for a context, each a positive statement of what a
#: safe context looks like, drawn from the assessment's sides").
SIDE_GOALS = {
    ("place", "young_people"): (
        "Young people who use the place feel safe there, look out for each other and know "
        "where to get help."
    ),
    ("place", "guardianship"): (
        "Adults who look out for young people are present at the place at the times that "
        "matter, and act when something is wrong."
    ),
    ("place", "environment"): (
        "The place's design, provision and policies help keep young people safe."
    ),
    ("peer_group", "functioning"): (
        "The group's members look out for each other and are not drawn into harm together."
    ),
    ("peer_group", "guardianship"): (
        "Trusted adults are around the group and act when its members are at risk."
    ),
    ("peer_group", "environment"): (
        "The places, schools and families around the group support its members' safety."
    ),
    ("school", "structures"): (
        "The school's structures and systems recognise and respond to harm outside the home."
    ),
    ("school", "prevention"): (
        "Pupils learn about harm outside the home, and the school's spaces and routes are safe."
    ),
    ("school", "identification"): (
        "Staff notice the signs of harm outside the home and share what they see."
    ),
    ("school", "response"): (
        "Pupils at risk get support that fits the harm, with the school's partners."
    ),
}

#: For a young person's plan started from a context weighting, the first goal its heaviest
#: context suggests (``Definition.extra["first_target"]``; PRACTICE.md, "Context weighting":
#: "the heaviest becomes the plan's first target").
FIRST_TARGET_GOALS = {
    "family": "Home is a safe place, with adults who notice and act when they are at risk.",
    "peer_group": "Their friendships keep them safe, and the group does not draw them into harm.",
    "school": "School or college is a safe place, with a trusted adult they can go to.",
    "place": (
        "The places where they spend time are safe, and they know where to go when they are not."
    ),
    "online": "They are safe online, and know how to get help if someone targets them there.",
    "other": "The other context that drives the harm most is made safe for them.",
}

_RATING_ORDER = {"red": 0, "amber": 1, "green": 2}


def drafted_goals(assessment: Assessment) -> list[tuple[str, str]]:
    """The goals a plan started from ``assessment`` begins with: ``[(source, statement)]``.

    A place, peer group or school assessment: one positive statement per side
    (:data:`SIDE_GOALS`), the sides rated red first, then amber; a side rated green needs no
    goal (unless every side is green: then all of them, to keep safe what works). A weighting:
    its heaviest context's goal (:data:`FIRST_TARGET_GOALS`). Other kinds: none. No queries."""
    if assessment.kind == Assessment.Kind.WEIGHTING:
        first = assessment.definition.extra["first_target"](assessment.answers)
        return [(f"weighting:{first}", FIRST_TARGET_GOALS[first])] if first else []
    sections = assessment.definition.sections
    sides = [s.key for s in sections if (assessment.kind, s.key) in SIDE_GOALS]
    if not sides:
        return []

    def rating(key):
        answer = assessment.answers.get(f"{key}_rating") or {}
        return _RATING_ORDER.get(answer.get("value"), 1)

    needing = [k for k in sides if rating(k) < 2] or sides
    needing.sort(key=rating)  # stable: the assessment's order among equals
    return [(key, SIDE_GOALS[(assessment.kind, key)]) for key in needing]


# --- helpers ----------------------------------------------------------------------------------


def kind_for(subject: Subject) -> str:
    """A young person's safety plan for a young person; a context safety plan otherwise."""
    if subject.kind == Subject.Kind.YOUNG_PERSON:
        return Plan.Kind.YOUNG_PERSON
    return Plan.Kind.CONTEXT


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_review_on(started_on: date) -> date:
    """When a new plan is first reviewed: ``settings.PLAN_FIRST_REVIEW_MONTHS`` after it
    starts."""
    return add_months(started_on, settings.PLAN_FIRST_REVIEW_MONTHS)


def _for_change(plan: Plan, by: User, *, statuses=(Plan.Status.DRAFT, Plan.Status.ACTIVE)) -> Plan:
    """The plan, locked and read again through the rule (CHANGE), in one of ``statuses``."""
    locked = Plan.objects.select_for_update(of=("self",)).select_related("subject")
    found = visibility.restrict(by, locked.filter(pk=plan.pk), visibility.CHANGE).first()
    if found is None:
        raise RecordNotFound()
    if found.status not in statuses:
        raise ApplicationError(
            f"This plan is {found.get_status_display().lower()}: it cannot be changed."
        )
    return found


def _event(plan: Plan, kind: str, by: User | None, note: str = "") -> PlanEvent:
    return PlanEvent.objects.create(plan=plan, kind=kind, by=by, note=note)


def may_start(user, subject: Subject) -> bool:
    """Whether ``user`` may start a plan on ``subject`` (a social worker or team manager who
    may change it; one query)."""
    return visibility.plans_kept_by(user) and visibility.can(
        user, subject.concrete, visibility.CHANGE
    )


def open_plan_of(subject: Subject) -> Plan | None:
    """The subject's plan in progress (a draft, active or ending), if it has one."""
    return Plan.objects.filter(subject=subject, status__in=Plan.OPEN_STATUSES).first()


# --- starting and agreeing ----------------------------------------------------------------------


@transaction.atomic
def plan_start(
    *,
    subject: Subject,
    by: User,
    source_assessment: Assessment | None = None,
    source_decision: Decision | None = None,
    next_review_on: date | None = None,
) -> Plan:
    """Start a draft plan on ``subject`` (its kind from the subject: :func:`kind_for`), from
    an approved assessment of the same subject if one is given (its goals drafted from it:
    :func:`drafted_goals`). Its first review is ``next_review_on`` or :func:`first_review_on`.

    ``source_decision``: a decision of a meeting held about ``subject`` (the meeting's
    subject, or for a MACE panel the subject of the decision's agenda item) that agreed this
    plan (PRACTICE.md: a context conference "agrees safety goals and the context plan"). With
    no ``source_assessment``, the meeting's own approved assessment of the subject (a context
    conference held from one) drafts the goals. The meeting's open actions about the subject
    become the plan's responses, not yet under a goal. A decision ``by`` may not see is
    ``RecordNotFound``; one of a meeting not yet held, or about another subject,
    ``ApplicationError`` on ``source_decision``.

    One plan is in progress on a subject at a time: starting another raises
    ``ApplicationError`` (code ``"in_progress"``, the plan in ``params["plan"]``). An
    assessment that is not approved, or of another subject, is refused
    (``ApplicationError`` on ``source_assessment``). ``NotAllowed`` for a role that keeps no
    plans; ``RecordNotFound`` if ``by`` may not change the subject."""
    if not visibility.plans_kept_by(by):
        raise NotAllowed("Your role does not start plans.")
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if not visibility.can(by, subject.concrete, visibility.CHANGE):
        raise RecordNotFound()
    in_progress = open_plan_of(subject)
    if in_progress is not None:
        raise ApplicationError(
            f"This record already has a plan in progress ({in_progress.reference}): "
            "review or end that one.",
            code="in_progress",
            params={"plan": in_progress},
        )
    if source_assessment is not None and (
        source_assessment.subject_id != subject.pk
        or source_assessment.status != Assessment.Status.APPROVED
    ):
        raise ApplicationError(
            {"source_assessment": "Choose an approved assessment of this record."}
        )
    meeting = None
    if source_decision is not None:
        meeting = _decided_for(source_decision, subject, by)
        if source_assessment is None and meeting.source_assessment_id is not None:
            held_from = meeting.source_assessment
            if held_from.subject_id == subject.pk and held_from.status == "approved":
                source_assessment = held_from
    today = timezone.localdate()
    if next_review_on is not None and next_review_on <= today:
        raise ApplicationError({"next_review_on": "The review date must be in the future."})
    plan = Plan.objects.create(
        subject=subject,
        kind=kind_for(subject),
        source_assessment=source_assessment,
        source_decision=source_decision,
        started_on=today,
        next_review_on=next_review_on or first_review_on(today),
        started_by=by,
    )
    if source_assessment is not None:
        Goal.objects.bulk_create(
            Goal(plan=plan, statement=statement, source=source, position=position)
            for position, (source, statement) in enumerate(drafted_goals(source_assessment))
        )
    if meeting is not None:
        Action.objects.filter(
            meeting=meeting,
            subject=subject,
            plan__isnull=True,
            status__in=Action.OPEN_STATUSES,
        ).update(plan=plan, updated_at=timezone.now())
    sources = [
        *([f"a decision of {meeting.reference}"] if meeting else []),
        *([source_assessment.reference] if source_assessment else []),
    ]
    note = f"From {' and '.join(sources)}" if sources else ""
    _event(plan, PlanEvent.Kind.STARTED, by, note)
    return plan


def decision_subject_id(decision: Decision) -> int | None:
    """The subject a meeting's decision is about: its agenda item's (a MACE panel's), or the
    meeting's own; None for a theme or a person of concern held by reference only."""
    item = decision.agenda_item
    if item is not None and item.subject_id is not None:
        return item.subject_id
    return decision.meeting.subject_id


def _decided_for(decision: Decision, subject: Subject, by: User) -> Meeting:
    """The meeting of ``decision`` if a plan on ``subject`` may start from it (see
    :func:`plan_start`)."""
    meeting = Meeting.objects.select_related("source_assessment").get(pk=decision.meeting_id)
    if not visibility.can(by, meeting) or not visibility.can(by, decision):
        raise RecordNotFound()
    if meeting.status in (Meeting.Status.SCHEDULED, Meeting.Status.CANCELLED):
        raise ApplicationError(
            {"source_decision": "Start a plan from a decision once the meeting has been held."}
        )
    decision.meeting = meeting
    if decision_subject_id(decision) != subject.pk:
        raise ApplicationError(
            {"source_decision": "That decision is about another record: choose one about this."}
        )
    return meeting


@transaction.atomic
def plan_activate(*, plan: Plan, by: User) -> Plan:
    """Agree a draft plan: it becomes active. It needs at least one goal, and each goal at
    least one response or measure (``ApplicationError`` saying what is missing)."""
    plan = _for_change(plan, by, statuses=(Plan.Status.DRAFT,))
    goals = list(plan.goals.all())
    if not goals:
        raise ApplicationError("Add at least one goal before the plan is agreed.")
    with_work = set(Action.objects.filter(goal__plan=plan).values_list("goal_id", flat=True)) | set(
        Measure.objects.filter(goal__plan=plan).values_list("goal_id", flat=True)
    )
    bare = [g for g in goals if g.pk not in with_work]
    if bare:
        raise ApplicationError(
            f"Give goal {bare[0].position + 1} a response or a measure before the plan is agreed."
        )
    plan.status = Plan.Status.ACTIVE
    plan.save(update_fields=["status"])
    _event(plan, PlanEvent.Kind.ACTIVATED, by)
    return plan


@transaction.atomic
def plan_update_safety(
    *,
    plan: Plan,
    by: User,
    safe_places: str,
    trusted_adults: str,
    if_unsafe: str,
    places_to_avoid: str,
    safe_place_links=(),
    places_to_avoid_links=(),
) -> Plan:
    """A young person's plan: where they feel safe, the adults they trust, what to do if they
    feel unsafe and the places to avoid, in their words, with the places on our records
    (``contexts.Context``; those ``by`` may see) linked where known. ``ApplicationError`` for
    a context plan."""
    plan = _for_change(plan, by)
    if not plan.for_young_person:
        raise ApplicationError("Only a young person's plan holds safe places and trusted adults.")
    from contexts.models import Context

    def visible(places):
        ids = {p.pk for p in places}
        found = list(visibility.restrict(by, Context).filter(pk__in=ids))
        if len(found) != len(ids):
            raise RecordNotFound()
        return found

    plan.safe_places = safe_places.strip()
    plan.trusted_adults = trusted_adults.strip()
    plan.if_unsafe = if_unsafe.strip()
    plan.places_to_avoid = places_to_avoid.strip()
    plan.save(update_fields=["safe_places", "trusted_adults", "if_unsafe", "places_to_avoid"])
    plan.safe_place_links.set(visible(safe_place_links))
    plan.places_to_avoid_links.set(visible(places_to_avoid_links))
    return plan


@transaction.atomic
def plan_link(*, plan: Plan, other: Plan, by: User) -> None:
    """Link a context plan and a young person's plan (either way round): each then shows the
    other to staff who may see both. ``by`` must be able to change ``plan`` and see ``other``;
    two plans of the same kind are refused."""
    plan = _for_change(plan, by)
    other = visibility.require(by, other)
    if plan.kind == other.kind:
        raise ApplicationError(
            {"other": "Link a context plan with the plan of a young person it affects."}
        )
    plan.linked_plans.add(other)


@transaction.atomic
def plan_unlink(*, plan: Plan, other: Plan, by: User) -> None:
    """Undo :func:`plan_link` (both ways)."""
    plan = _for_change(plan, by)
    plan.linked_plans.remove(other)


# --- goals, measures, responses -----------------------------------------------------------------


def _statement(statement: str) -> str:
    statement = (statement or "").strip()
    if not statement:
        raise ApplicationError({"statement": "Say what the goal is."})
    return statement


@transaction.atomic
def goal_add(*, plan: Plan, statement: str, by: User) -> Goal:
    """Add a goal at the end of the plan's goals (a draft or active plan)."""
    plan = _for_change(plan, by)
    last = plan.goals.order_by("-position").values_list("position", flat=True).first()
    return Goal.objects.create(
        plan=plan, statement=_statement(statement), position=0 if last is None else last + 1
    )


@transaction.atomic
def goal_update(*, goal: Goal, statement: str, by: User) -> Goal:
    """Change a goal's words (a draft or active plan)."""
    _for_change(goal.plan, by)
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    goal.statement = _statement(statement)
    goal.save(update_fields=["statement"])
    return goal


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError({field: "Enter a number."}) from None
    if not number.is_finite():
        raise ApplicationError({field: "Enter a number."})
    return number


def range_text(kind: str) -> str:
    """What values a kind of measure allows, as a sentence's end."""
    return {
        Measure.Kind.COUNT: "a whole number, 0 or more",
        Measure.Kind.PERCENTAGE: "a number from 0 to 100",
        Measure.Kind.RATING: "a whole number from 1 to 10",
        Measure.Kind.YES_NO: "yes or no",
    }[kind]


def _recorder_problem(plan: Plan, user: User | None, organisation: Organisation | None) -> str:
    authority = plan.subject.authority_id
    if (user is None) == (organisation is None):
        return "Choose a worker or an organisation to record it, one of the two."
    if user is not None and (user.organisation_id != authority or not user.is_active):
        return "Choose a worker of this authority."
    if organisation is not None and (
        not organisation.is_active or authority not in (organisation.pk, organisation.authority_id)
    ):
        return "Choose an organisation that works with this authority."
    return ""


@transaction.atomic
def measure_add(
    *,
    goal: Goal,
    name: str,
    kind: str,
    direction: str,
    baseline_value,
    baseline_on: date,
    target_value,
    by: User,
    recorder_user: User | None = None,
    recorder_organisation: Organisation | None = None,
) -> Measure:
    """Add a measure to a goal: what is counted or rated (``kind``: a ``Measure.Kind``),
    which way is better (``direction``), the baseline (a value on a day, not in the future),
    the target, and who records its values: a worker of the authority or a partner
    organisation working with it, exactly one. Values outside the kind's range
    (``Measure.RANGES``) and a target no better than the baseline are refused
    (``ApplicationError`` per field)."""
    plan = _for_change(goal.plan, by)
    goal = Goal.objects.get(pk=goal.pk, plan=plan)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Say what is measured."
    if kind not in Measure.Kind.values:
        errors["kind"] = "Choose what kind of measure it is."
    if direction not in Measure.Direction.values:
        errors["direction"] = "Say whether higher or lower is better."
    values = {}
    for field, raw in (("baseline_value", baseline_value), ("target_value", target_value)):
        try:
            values[field] = _decimal(raw, field)
        except ApplicationError as e:
            errors.update(e.message_dict)
    if baseline_on is None or baseline_on > timezone.localdate():
        errors["baseline_on"] = "The baseline's date must be today or in the past."
    problem = _recorder_problem(plan, recorder_user, recorder_organisation)
    if problem:
        errors["recorder"] = problem
    measure = Measure(
        goal=goal,
        name=name,
        kind=kind,
        direction=direction,
        baseline_on=baseline_on,
        recorder_user=recorder_user,
        recorder_organisation=recorder_organisation,
        created_by=by,
        **values,
    )
    if kind in Measure.Kind.values:
        for field, number in values.items():
            if not measure.allows(number):
                errors[field] = f"Enter {range_text(kind)}."
    if (
        not errors
        and direction in Measure.Direction.values
        and measure.better(values["target_value"], values["baseline_value"]) is not True
    ):
        errors["target_value"] = (
            "The target must be better than the baseline "
            f"({measure.get_direction_display().lower()})."
        )
    if errors:
        raise ApplicationError(errors)
    measure.save()
    return measure


@transaction.atomic
def measure_value_record(
    *, measure: Measure, value, recorded_on: date, by: User, note: str = ""
) -> MeasureValue:
    """Record a measure's value on a day (at a review, or by the partner asked to record it):
    ``by`` must be able to change the measure (``measure_rule``: staff who may change the plan,
    the worker named to record it, or a user of the organisation asked to), otherwise it looks
    missing. Refused (``ApplicationError`` per field): a day in the future or before the
    baseline's, a value outside the measure's range (``Measure.RANGES``), a plan that has
    ended or is still a draft. Recording again for the same day replaces that day's value (a
    correction; one value a day: ``measure_value_once_a_day``)."""
    measure = visibility.require(by, measure, visibility.CHANGE)
    plan = Plan.objects.select_for_update().get(pk=measure.goal.plan_id)
    if plan.status not in (Plan.Status.ACTIVE, Plan.Status.ENDING):
        raise ApplicationError(
            "Values are recorded while the plan is active: "
            f"this one is {plan.get_status_display().lower()}."
        )
    errors = {}
    number = None
    try:
        number = _decimal(value, "value")
    except ApplicationError as e:
        errors.update(e.message_dict)
    if number is not None and not measure.allows(number):
        errors["value"] = f"Enter {range_text(measure.kind)}."
    if recorded_on is None:
        errors["recorded_on"] = "Enter the date it was measured."
    elif recorded_on > timezone.localdate():
        errors["recorded_on"] = "The date must be today or in the past."
    elif recorded_on < measure.baseline_on:
        errors["recorded_on"] = (
            f"The date must be on or after the baseline's, {measure.baseline_on:%-d %B %Y}."
        )
    if errors:
        raise ApplicationError(errors)
    row, _created = MeasureValue.objects.update_or_create(
        measure=measure,
        recorded_on=recorded_on,
        defaults={
            "value": number,
            "note": (note or "").strip(),
            "recorded_by": by,
            "organisation_id": by.organisation_id,
            "recorded_at": timezone.now(),
        },
    )
    return row


@transaction.atomic
def plan_action_add(
    *,
    plan: Plan,
    goal: Goal,
    description: str,
    due_on: date,
    by: User,
    owner_user: User | None = None,
    owner_organisation: Organisation | None = None,
) -> Action:
    """Add a response to a plan's goal: a ``cases.Action`` on the plan's subject, owned by a
    worker of the authority or a partner organisation working with it (told as any action's
    owner is: ``ActionAssigned``), grouped under the plan and the goal. Its owner updates it
    with ``cases.casework.services.action_record_progress``. The checks are
    ``action_assign``'s (``ApplicationError`` per field: description, due_on, owner)."""
    from cases.casework.services import action_assign

    plan = _for_change(plan, by)
    if goal.plan_id != plan.pk:
        raise ApplicationError({"goal": "Choose one of this plan's goals."})
    action = action_assign(
        subject=plan.subject,
        description=description,
        due_on=due_on,
        assigned_by=by,
        owner_user=owner_user,
        owner_organisation=owner_organisation,
    )
    action.plan, action.goal = plan, goal
    action.save(update_fields=["plan", "goal"])
    return action


# --- reviews and ending -----------------------------------------------------------------------


@transaction.atomic
def plan_review_record(
    *,
    plan: Plan,
    held_on: date,
    progress: dict,
    changes: str,
    next_review_on: date,
    by: User,
    values: dict | None = None,
) -> PlanReview:
    """Record a review of an active plan held on ``held_on`` (today or in the past):
    ``progress`` maps each goal's id to ``{"progress": one of PlanReview.PROGRESS_CHOICES'
    keys, "note": text}`` (every goal needs one); ``values`` maps a measure's id to its value
    that day (recorded with :func:`measure_value_record`, so its checks apply); ``changes``:
    what changes in the plan; ``next_review_on``: after ``held_on`` and at most
    ``settings.PLAN_REVIEW_MAX_MONTHS`` after it. Sets the plan's next review date.
    ``ApplicationError`` per field (``goal_<id>``, ``value_<id>``, ``held_on``,
    ``next_review_on``)."""
    plan = _for_change(plan, by, statuses=(Plan.Status.ACTIVE,))
    goals = list(plan.goals.all())
    errors = {}
    today = timezone.localdate()
    if held_on is None or held_on > today:
        errors["held_on"] = "The review's date must be today or in the past."
    elif held_on < plan.started_on:
        errors["held_on"] = "The review's date must be on or after the plan started."
    if next_review_on is None:
        errors["next_review_on"] = "Enter the date of the next review."
    elif held_on and not errors.get("held_on"):
        latest = add_months(held_on, settings.PLAN_REVIEW_MAX_MONTHS)
        if next_review_on <= held_on or next_review_on > latest:
            errors["next_review_on"] = (
                f"The next review must be after this one and by {latest:%-d %B %Y} "
                f"(at most {settings.PLAN_REVIEW_MAX_MONTHS} months)."
            )
    choices = dict(PlanReview.PROGRESS_CHOICES)
    rows = []
    for goal in goals:
        given = (progress or {}).get(goal.pk) or (progress or {}).get(str(goal.pk)) or {}
        if given.get("progress") not in choices:
            errors[f"goal_{goal.pk}"] = f"Say how goal {goal.position + 1} has gone."
        rows.append(
            {
                "goal": goal.pk,
                "statement": goal.statement,
                "progress": given.get("progress", ""),
                "note": (given.get("note") or "").strip(),
            }
        )
    if errors:
        raise ApplicationError(errors)
    measures = {m.pk: m for m in Measure.objects.filter(goal__plan=plan)}
    for measure_id, value in (values or {}).items():
        if value in (None, ""):
            continue
        measure = measures.get(int(measure_id))
        if measure is None:
            raise RecordNotFound()
        try:
            measure_value_record(measure=measure, value=value, recorded_on=held_on, by=by)
        except ApplicationError as e:
            errors[f"value_{measure.pk}"] = " ".join(
                m for msgs in e.message_dict.values() for m in msgs
            )
    if errors:
        raise ApplicationError(errors)
    review = PlanReview.objects.create(
        plan=plan,
        held_on=held_on,
        progress=rows,
        changes=(changes or "").strip(),
        next_review_on=next_review_on,
        by=by,
    )
    plan.next_review_on = next_review_on
    plan.save(update_fields=["next_review_on"])
    _event(plan, PlanEvent.Kind.REVIEWED, by)
    return review


@transaction.atomic
def plan_end_request(*, plan: Plan, reason: str, by: User) -> Plan:
    """Ask to end an active plan for ``reason`` (required): it waits for a team manager's
    sign-off (``safeguarding.approvals``; never by ``by``), *ending* meanwhile. The decision
    is :func:`on_decided`."""
    from safeguarding.approvals.services import approval_request

    plan = _for_change(plan, by, statuses=(Plan.Status.ACTIVE,))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": "Say why the plan should end."})
    plan.status = Plan.Status.ENDING
    plan.end_reason = reason
    plan.save(update_fields=["status", "end_reason"])
    _event(plan, PlanEvent.Kind.END_REQUESTED, by, reason)
    approval_request(
        target=plan,
        subject=plan.subject,
        what=f"Ending a {plan.get_kind_display().lower()}",
        reference=plan.reference,
        link=plan.get_absolute_url(),
        by=by,
        note=reason,
        check=False,  # the rule's CHANGE on the plan was asked above
    )
    return plan


def on_decided(plan: Plan, approval) -> None:
    """The end's sign-off (``safeguarding.approvals`` calls it in the decision's
    transaction): approved, the plan ends today (its open responses stay open: the owners are
    told by the manager, not cancelled behind their backs); returned, it is active again
    with the manager's comments in its history."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.ENDING:
        raise ApplicationError("This plan is not waiting for sign-off to end.")
    if approval.status == "approved":
        plan.status = Plan.Status.ENDED
        plan.ended_on = timezone.localdate()
        kind = PlanEvent.Kind.ENDED
    else:
        plan.status = Plan.Status.ACTIVE
        kind = PlanEvent.Kind.END_RETURNED
    plan.save(update_fields=["status", "ended_on"])
    _event(plan, kind, approval.decided_by, approval.comments)
