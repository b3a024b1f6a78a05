"""The demo borough's safety plans (issue 15): plans in every state, on places, groups and young
people, made through the services as practitioners and partners would have made them, then
dated back (a step of ``builder.BoroughBuilder``, after the assessments: plans start from the
approved assessments that step made).

* **The Contextual Safeguarding Team's place** (its approved place assessment, of a place a
  partner guards): a context safety plan started a year ago, active, its goals drafted from
  the assessment's sides; responses owned by partner organisations (the police, the youth
  service, the station's operator, the shopping centre, the housing association) and a
  worker — some done, some overdue; three measures with **a year of monthly values** showing
  the place getting safer (red marks on safety maps falling from 14 to 3, the evenings a week
  with guardians present at key times rising from 1 to 6, incidents reported falling), the
  guardians' measure recorded by the police (a partner); and four quarterly reviews.
* **A young person who goes there** (allocated to one of that team's workers): their safety
  plan, active, with safe places, trusted adults, what to do if unsafe and places to avoid
  (the plan's place among them), **linked to the place's plan**.
* **Adolescent Service North's place**: a draft plan, its goals drafted from the approved
  assessment, nothing agreed yet.
* **A peer group** (North's approved group assessment): active, then asked to end: *ending*,
  waiting for a manager's sign-off.
* **Adolescent Service South's place**: a plan that ran its course: reviewed, asked to end,
  signed off by the team's manager: *ended*.

A fixed number whatever the scale (a few seconds at scale 333 too). Where the borough is too
small to have an approved assessment of a kind (a team with no peer group), the plan starts
without one, its goal written in. The notifications the plans sent (actions assigned, the
end's sign-off) are marked sent at the time, not sent again when the seed commits.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from cases.casework.services import action_record_progress
from cases.models import Action, Assessment, Goal, Measure, MeasureValue, PlanEvent, PlanReview
from cases.models import Plan as SafetyPlan
from cases.plans import services
from contexts.models import Context
from safeguarding.accounts.models import User
from safeguarding.approvals.models import Approval
from safeguarding.approvals.services import approval_decide, deciders
from safeguarding.notifications.models import Notification
from safeguarding.subjects.models import Subject

from .core import BuilderCore
from .data import CS, NORTH, PARTNERS, SOUTH

#: How long ago the showcase place plan started (a year of monthly values after its baseline).
SHOWCASE_STARTED_AGO = 372
MONTHS = 12

#: The showcase place plan's measures, by the side of the assessment its goal was drafted
#: from: (name, kind, direction, baseline, target, monthly values, who records it: "police"
#: or "worker").
SHOWCASE_MEASURES = {
    "young_people": (
        "Red marks on young people's safety maps for the place",
        Measure.Kind.COUNT,
        Measure.Direction.LOWER,
        14,
        3,
        (14, 13, 12, 12, 10, 9, 8, 7, 6, 5, 4, 3),
        "worker",
    ),
    "guardianship": (
        "Evenings a week with guardians present at key times (3pm to 9pm)",
        Measure.Kind.COUNT,
        Measure.Direction.HIGHER,
        1,
        6,
        (1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6),
        "police",
    ),
    "environment": (
        "Incidents involving young people reported at the place in the month",
        Measure.Kind.COUNT,
        Measure.Direction.LOWER,
        9,
        2,
        (9, 8, 8, 7, 7, 6, 5, 5, 4, 3, 3, 2),
        "police",
    ),
}
#: A goal from another side (or written in) is measured by young people's sense of safety.
SENSE_OF_SAFETY = (
    "Young people's own sense of safety there (average rating, 1 to 10)",
    Measure.Kind.RATING,
    Measure.Direction.HIGHER,
    3,
    7,
    (3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7),
    "worker",
)

POLICE, YOUTH, RAIL, CENTRE, HOMES = (
    PARTNERS[0][0],
    "Eastbrook Youth Service",
    "Southline Rail",
    "Broadway Shopping Centre Management",
    "Thornfield Housing Association",
)

#: The showcase plan's responses: (owner: an organisation's name or "worker", what, due days
#: after the start, state: "done", "in_progress", "overdue" (open, its due date passed) or
#: "open"; the note its owner wrote).
SHOWCASE_ACTIONS = (
    (
        POLICE,
        "Joint patrols with the youth service at 3pm to 7pm on school days.",
        30,
        "done",
        "Patrols in place since the second week; the sergeant reviews them monthly.",
    ),
    (
        YOUTH,
        "Detached youth work at the place on Friday and Saturday evenings.",
        45,
        "in_progress",
        "Two youth workers out on Fridays; Saturdays start once we recruit.",
    ),
    (
        RAIL,
        "Repair the camera covering the rear entrance and the bins.",
        340,
        "overdue",
        "",
    ),
    (
        CENTRE,
        "Brief security staff on who to call when a young person seems at risk.",
        60,
        "done",
        "All 14 security staff briefed; the safeguarding numbers are in the control room.",
    ),
    (
        HOMES,
        "Cut back the hedges and light the path from the estate.",
        350,
        "overdue",
        "Quote approved; waiting for the contractor.",
    ),
    (
        "worker",
        "Safety-mapping sessions with Year 9 at the two nearest secondary schools.",
        90,
        "done",
        "Four sessions, 96 maps; the next round is booked for the spring term.",
    ),
)

REVIEW_CHANGES = (
    "Patrol times moved an hour later: the maps show the evening is the problem.",
    "Keep the plan as it is; the youth service to report at the next review.",
    "Chase the camera repair with the station's operator before the next review.",
    "The place is safer on every measure; keep the guardians in place through the winter.",
)

YOUNG_PERSON_SAFETY = {
    "safe_places": "Home; the youth club on Thursdays; their nan's flat.",
    "trusted_adults": "Their nan; Kim, the youth worker; Mr Ahmed, their head of year.",
    "if_unsafe": (
        "Go into the shop by the station and ask for the manager; call their nan, or 999 if "
        "in danger. Their phone has the youth worker's number saved."
    ),
    "places_to_avoid": "The back of the station and the car park after dark.",
}

END_REASONS = {
    "ending": "The group has not met since the summer: its members are supported through "
    "their own plans.",
    "ended": "The place is safe on every measure for six months, and its guardians keep it so.",
}


class PlanSteps(BuilderCore):
    """The plans step (see the module's docstring)."""

    with_plans = True

    def plans(self):
        self._plans_before = Notification.objects.order_by("-pk").values_list("pk", flat=True)
        self._plans_before = self._plans_before.first() or 0
        users = {u.pk: u for u in User.objects.filter(pk__in=[u.pk for u in self.users])}
        self._plan_users = users
        partner_users = User.objects.filter(role=User.Role.PARTNER, organisation__authority=self.la)
        self._partner_user = {u.organisation_id: u for u in partner_users.order_by("pk")}
        place_plan = self._showcase(CS)
        if place_plan is not None:
            self._young_persons_plan(CS, place_plan)
        self._draft(NORTH)
        self._ending(NORTH)
        self._ended(SOUTH)
        self._told_at_the_time()

    # -- choosing ----------------------------------------------------------------------------

    def _team_users(self, t):
        workers = [self._plan_users[u.pk] for u in self.workers[t][:3]]
        return workers, self._plan_users[self.managers[t].pk]

    def _approved(self, t, kind) -> Assessment | None:
        """The team's approved assessment of ``kind`` (made by one of its workers), on a subject
        with no plan yet, oldest first."""
        return (
            Assessment.objects.filter(
                kind=kind,
                status=Assessment.Status.APPROVED,
                subject__authority=self.la,
                started_by__team=self.teams[t],
            )
            .exclude(subject__plans__isnull=False)
            .select_related("subject")
            .order_by("completed_on", "pk")
            .first()
        )

    def _held_subject(self, t, kind) -> Subject | None:
        """A place or peer group the team holds with no plan (for a small borough without an
        approved assessment of it)."""
        from safeguarding.accounts.grants import team_grant

        model = Context if kind == Subject.Kind.CONTEXT else None
        if model is None:
            from peers.models import PeerGroup

            model = PeerGroup
        grant = team_grant(model)
        held = grant.table.objects.filter(group_id=self.teams[t].group_id).values_list(
            "content_object__subject_id", flat=True
        )
        return Subject.objects.filter(pk__in=held, plans__isnull=True).order_by("pk").first()

    # -- making ------------------------------------------------------------------------------

    def _start(self, t, kind, started_ago, *, by=None):
        """A plan started ``started_ago`` days ago by one of the team's workers, from the team's
        approved assessment of ``kind`` (or, without one, on a subject it holds, with a goal
        written in): (plan, worker)."""
        workers, _ = self._team_users(t)
        by = by or workers[0]
        assessment = self._approved(t, kind)
        if assessment is not None:
            plan = services.plan_start(
                subject=assessment.subject, by=by, source_assessment=assessment
            )
        else:
            subject_kind = Subject.Kind.PEER_GROUP if kind == "peer_group" else Subject.Kind.CONTEXT
            subject = self._held_subject(t, subject_kind)
            if subject is None:
                return None, by
            plan = services.plan_start(subject=subject, by=by)
        if not plan.goals.exists():
            services.goal_add(
                plan=plan,
                statement="Young people who spend time here are safe, and adults notice and act "
                "when they are not.",
                by=by,
            )
        started = self.today - timedelta(days=started_ago)
        SafetyPlan.objects.filter(pk=plan.pk).update(
            started_on=started,
            created_at=self._at(started, 10),
            next_review_on=services.first_review_on(started),
        )
        PlanEvent.objects.filter(plan=plan, kind=PlanEvent.Kind.STARTED).update(
            at=self._at(started, 10)
        )
        plan.refresh_from_db()
        return plan, by

    def _at(self, day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour, 0), tzinfo=self.tz)

    def _measure(self, goal, spec, started, by, recorder_org=None):
        name, kind, direction, baseline, target, _values, who = spec
        organisation = self.org_by_name[POLICE] if who == "police" else None
        return services.measure_add(
            goal=goal,
            name=name,
            kind=kind,
            direction=direction,
            baseline_value=Decimal(baseline),
            baseline_on=started,
            target_value=Decimal(target),
            by=by,
            recorder_user=None if organisation else by,
            recorder_organisation=organisation,
        )

    def _values(self, measure, spec, started, by):
        """A year of monthly values, each recorded by whoever records the measure (the police's
        officer for the police's), dated back to its day."""
        recorder = by
        if measure.recorder_organisation_id:
            recorder = self._partner_user.get(measure.recorder_organisation_id, by)
        for month, value in enumerate(spec[5][:MONTHS], start=1):
            day = started + timedelta(days=30 * month)
            if day > self.today:
                break
            row = services.measure_value_record(
                measure=measure,
                value=Decimal(value),
                recorded_on=day,
                by=recorder,
                note="Counted at the monthly walkabout." if month % 3 == 0 else "",
            )
            MeasureValue.objects.filter(pk=row.pk).update(recorded_at=self._at(day, 17))

    def _action(self, plan, goal, owner, description, due_after, state, note, started, by):
        """A response owned by a partner organisation (``owner``: its name) or the worker,
        due ``due_after`` days after the start, brought to ``state``."""
        organisation = None if owner == "worker" else self.org_by_name[owner]
        action = services.plan_action_add(
            plan=plan,
            goal=goal,
            description=description,
            due_on=self.today + timedelta(days=14),
            by=by,
            owner_user=by if organisation is None else None,
            owner_organisation=organisation,
        )
        due = started + timedelta(days=due_after)
        if state == "overdue" and due >= self.today:
            due = self.today - timedelta(days=10)
        doer = by if organisation is None else self._partner_user.get(organisation.pk, by)
        if state in ("done", "in_progress") or note:
            action_record_progress(
                action=action,
                by=doer,
                status={"done": Action.Status.DONE, "in_progress": Action.Status.IN_PROGRESS}.get(
                    state, Action.Status.OPEN
                ),
                progress_note=note,
            )
        changes = {"due_on": due, "created_at": self._at(started + timedelta(days=3), 11)}
        if state == "done":
            changes["completed_at"] = self._at(min(due, self.today - timedelta(days=1)), 16)
        Action.objects.filter(pk=action.pk).update(**changes)
        return action

    def _goals(self, plan):
        return list(Goal.objects.filter(plan=plan).order_by("position", "pk"))

    def _activate(self, plan, by):
        services.plan_activate(plan=plan, by=by)
        PlanEvent.objects.filter(plan=plan, kind=PlanEvent.Kind.ACTIVATED).update(
            at=self._at(plan.started_on + timedelta(days=7), 12)
        )

    def _review(self, plan, goals, held_on, by, changes, next_review_on, progress="better"):
        services.plan_review_record(
            plan=plan,
            held_on=held_on,
            progress={g.pk: {"progress": progress, "note": ""} for g in goals},
            changes=changes,
            next_review_on=next_review_on,
            by=by,
        )
        PlanReview.objects.filter(plan=plan, held_on=held_on).update(
            recorded_at=self._at(held_on, 15)
        )
        PlanEvent.objects.filter(
            plan=plan, kind=PlanEvent.Kind.REVIEWED, at__date=self.today
        ).update(at=self._at(held_on, 15))

    # -- the plans ---------------------------------------------------------------------------

    def _showcase(self, t):
        """The team's place plan: a year of measures and responses (the module's docstring)."""
        plan, by = self._start(t, "place", SHOWCASE_STARTED_AGO)
        if plan is None:
            return None
        started = plan.started_on
        # A goal for each side the showcase measures (the assessment drafts goals only for
        # the sides it did not rate green: the others are written in, in the same words).
        by_side = {g.source: g for g in self._goals(plan)}
        for side in SHOWCASE_MEASURES:
            if side not in by_side:
                by_side[side] = services.goal_add(
                    plan=plan, statement=services.SIDE_GOALS[("place", side)], by=by
                )
        side_of = {g.pk: side for side, g in by_side.items()}
        goals = self._goals(plan)
        measured = [
            (self._measure(goal, spec, started, by), spec)
            for goal in goals
            for spec in [SHOWCASE_MEASURES.get(side_of.get(goal.pk)) or SENSE_OF_SAFETY]
        ]
        for n, (owner, description, due_after, state, note) in enumerate(SHOWCASE_ACTIONS):
            goal = goals[n % len(goals)]
            self._action(plan, goal, owner, description, due_after, state, note, started, by)
        self._activate(plan, by)
        # Values month by month, and a review each quarter on the day of that month's values.
        for measure, spec in measured:
            self._values(measure, spec, started, by)
        for quarter in range(1, 5):
            held_on = started + timedelta(days=90 * quarter)
            if held_on > self.today:
                break
            next_review = services.add_months(held_on, 3)
            self._review(plan, goals, held_on, by, REVIEW_CHANGES[quarter - 1], next_review)
        return plan

    def _young_persons_plan(self, t, place_plan):
        """A young person who goes to the plan's place, allocated to one of the team's workers:
        their plan, active, with their safe places and the place to avoid, linked to it."""
        workers, _ = self._team_users(t)
        names = {w.pk: w for w in workers}
        place = Context.objects.filter(subject=place_plan.subject).first()
        candidates = [self.people[i] for i in self.people_at.get(place.pk, [])] if place else []
        candidates += sorted(self.people, key=lambda p: p.id)
        person = next(
            (
                p
                for p in candidates
                if p.worker is not None
                and p.worker.pk in names
                and not p.restricted
                and not SafetyPlan.objects.filter(subject_id=p.subject_id).exists()
            ),
            None,
        )
        if person is None:
            return None
        by = names[person.worker.pk]
        subject = Subject.objects.get(pk=person.subject_id)
        plan = services.plan_start(subject=subject, by=by)
        started = self.today - timedelta(days=120)
        SafetyPlan.objects.filter(pk=plan.pk).update(
            started_on=started,
            created_at=self._at(started, 10),
            next_review_on=services.first_review_on(started),
        )
        PlanEvent.objects.filter(plan=plan).update(at=self._at(started, 10))
        plan.refresh_from_db()
        goal = services.goal_add(
            plan=plan,
            statement="They feel safe on the way home from school and know who to call.",
            by=by,
        )
        services.plan_update_safety(
            plan=plan,
            by=by,
            **YOUNG_PERSON_SAFETY,
            places_to_avoid_links=[place] if place else [],
        )
        measure = services.measure_add(
            goal=goal,
            name="How safe they feel on the way home (their rating, 1 to 10)",
            kind=Measure.Kind.RATING,
            direction=Measure.Direction.HIGHER,
            baseline_value=Decimal(3),
            baseline_on=started,
            target_value=Decimal(8),
            by=by,
            recorder_user=by,
        )
        self._action(
            plan,
            goal,
            "worker",
            "Walk the route home with them and agree the safe stops.",
            21,
            "done",
            "Walked it twice; they chose the shop and the library as safe stops.",
            started,
            by,
        )
        self._activate(plan, by)
        for month, value in enumerate((4, 5, 6, 6), start=1):
            day = started + timedelta(days=28 * month)
            row = services.measure_value_record(
                measure=measure, value=Decimal(value), recorded_on=day, by=by
            )
            MeasureValue.objects.filter(pk=row.pk).update(recorded_at=self._at(day, 16))
        services.plan_link(plan=plan, other=place_plan, by=by)
        return plan

    def _draft(self, t):
        """A place plan just started from the team's approved place assessment: a draft, its
        goals drafted, one measure proposed."""
        plan, by = self._start(t, "place", 4)
        if plan is None:
            return None
        goal = self._goals(plan)[0]
        self._measure(goal, SENSE_OF_SAFETY, plan.started_on, by)
        return plan

    def _run_for_a_while(self, t, kind, started_ago):
        """An active plan: a measure and a response per goal, a review."""
        plan, by = self._start(t, kind, started_ago)
        if plan is None:
            return None, None
        goals = self._goals(plan)
        group = plan.subject.kind == Subject.Kind.PEER_GROUP
        description, note = (
            (
                "Invite the group's members to the youth club's Thursday sessions.",
                "Five of the seven come most weeks.",
            )
            if group
            else (
                "A pop-up youth session at the place on Friday evenings.",
                "Running since the second month; fifteen to twenty young people each week.",
            )
        )
        for goal in goals:
            self._measure(goal, SENSE_OF_SAFETY, plan.started_on, by)
            self._action(plan, goal, YOUTH, description, 40, "done", note, plan.started_on, by)
        self._activate(plan, by)
        held_on = plan.started_on + timedelta(days=80)
        self._review(
            plan, goals, held_on, by, REVIEW_CHANGES[1], services.add_months(held_on, 3), "same"
        )
        return plan, by

    def _ending(self, t):
        """A peer group's plan asked to end: waiting for sign-off."""
        plan, by = self._run_for_a_while(t, "peer_group", 200)
        if plan is None:
            return None
        services.plan_end_request(plan=plan, reason=END_REASONS["ending"], by=by)
        self._date_end(plan, self.today - timedelta(days=3), None)
        return plan

    def _ended(self, t):
        """A place's plan that ran its course: asked to end and signed off."""
        plan, by = self._run_for_a_while(t, "place", 300)
        if plan is None:
            return None
        services.plan_end_request(plan=plan, reason=END_REASONS["ended"], by=by)
        approval = Approval.objects.get(
            target_type=ContentType.objects.get_for_model(SafetyPlan),
            target_id=plan.pk,
            status=Approval.Status.REQUESTED,
        )
        managers = deciders(plan.subject, but=by)
        if not managers:
            return plan  # nobody may sign it off: it stays ending
        approval_decide(
            approval=approval,
            by=managers[0],
            approve=True,
            comments="Agreed: the measures have held for six months.",
        )
        ended = self.today - timedelta(days=20)
        self._date_end(plan, ended - timedelta(days=4), ended)
        return plan

    def _date_end(self, plan, requested: date, decided: date | None):
        approvals = Approval.objects.filter(
            target_type=ContentType.objects.get_for_model(SafetyPlan), target_id=plan.pk
        )
        approvals.update(requested_at=self._at(requested, 14))
        events = PlanEvent.objects.filter(plan=plan)
        events.filter(kind=PlanEvent.Kind.END_REQUESTED).update(at=self._at(requested, 14))
        if decided is not None:
            approvals.filter(decided_at__isnull=False).update(decided_at=self._at(decided, 10))
            events.filter(kind=PlanEvent.Kind.ENDED).update(at=self._at(decided, 10))
            SafetyPlan.objects.filter(pk=plan.pk).update(ended_on=decided)

    def _told_at_the_time(self):
        """The notifications the plans sent (actions assigned, sign-off asked and given) were
        sent then: marked sent, not sent again when the seed commits."""
        when = self.now - timedelta(days=1)
        Notification.objects.filter(
            pk__gt=self._plans_before, status=Notification.Status.PENDING
        ).update(
            status=Notification.Status.SENT,
            attempts=1,
            next_attempt_at=when,
            last_attempt_at=when,
            sent_at=when,
        )
