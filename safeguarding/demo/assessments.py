"""The demo borough's assessments (issue 14): every kind in every state, made through the
services as practitioners would have made them, then dated back (a step of
``builder.BoroughBuilder``, the last: the services read the grants through the rule).

For each of the three teams that assess (the Contextual Safeguarding Team and the two
adolescent services), on the places, peer groups and young people the team holds:

* **place assessments** on its busiest places (of the kinds a place assessment is for): one
  approved some months ago (of a place a partner agency guards, which reads its summary)
  with a new one now being written (its answers carried forward), one waiting for sign-off,
  one returned with the manager's comments (overdue), one draft started long ago (overdue);
* **peer group assessments**, **context weightings** and **exploitation screenings**
  (screenings of young people allocated to the team's workers) in each state the same way,
  the one after the approved one in progress on the same subject (``AssessmentSteps._states``:
  the states rotate from team to team, so that a small borough, with few peer groups, still
  has every state);
* **school assessments**: Millbrook Academy's designated safeguarding lead (``school.dsl``)
  completed one last term (approved) and has sent the next for sign-off; the team's staff
  have one returned and one draft on other schools;
* and sw.amara's first young person has three approved screenings over the past year, the
  level changing, so the chart on their record shows something.

How many: a fixed number per team (about twenty), whatever the scale, so this step takes a
few seconds at scale 333 too; the subjects are the team's busiest, so the bench's pages
(``safeguarding.bench.pages``) find them. Everything goes through
``cases.assessments.services`` (start with its evidence pack, save each section, keep,
change or drop evidence — the rest of a pack kept in one UPDATE, as "keep all the rest" would —
submit) and ``safeguarding.approvals.services.approval_decide`` by a
team manager who is not the one who asked; only the dates are then moved back
(:meth:`AssessmentSteps._date`), with ``due_on`` worked out again from ``started_on``
(``services.due_date``), and the notifications the sign-offs sent are marked sent at the time
(not sent again when the seed commits). The answers are fictional and plausible, from
:func:`answer`.

Before the first is started, what the evidence packs read is made ready
(:meth:`AssessmentSteps._ready_for_packs`): the assessed places' and groups' concern audiences,
and on PostgreSQL the planner's statistics.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from cases.assessments import definitions as d
from cases.assessments import services
from cases.assessments.kinds.screening import REVIEWS, indicators
from cases.models import (
    Assessment,
    AssessmentEvent,
    AssessmentMention,
    EvidenceItem,
    YoungPerson,
)
from contexts.models import Context, ContextGuardian
from peers.models import PeerGroup
from safeguarding.accounts.grants import team_grant
from safeguarding.accounts.models import User
from safeguarding.approvals.models import Approval
from safeguarding.approvals.services import approval_decide, deciders
from safeguarding.notifications.models import Notification
from safeguarding.subjects.models import Subject

from .core import BuilderCore
from .data import CS, NORTH, SOUTH

#: The teams that assess (the front door screens referrals; it does not assess).
ASSESSING_TEAMS = (CS, NORTH, SOUTH)

#: The school whose designated safeguarding lead (``school.dsl``) fills in its assessment.
DSL_USERNAME = "school.dsl"
DSL_SCHOOL = "Millbrook Academy"

APPROVED, SUBMITTED, RETURNED, DRAFT = "approved", "submitted", "returned", "draft"


@dataclass(frozen=True)
class Plan:
    """One assessment to make: its state, how many days ago it was started, and (for a draft)
    how many sections are complete. ``level``: for a screening, the level its answers
    suggest."""

    state: str
    started_ago: int
    done: int = 0
    level: str = "medium"


# Per team and kind: one of each state (``_states``). Started more than about 65 days ago, one
# not yet approved is overdue (45 working days, ASSESSMENT_DUE_WORKING_DAYS).
APPROVED_PLAN = Plan(APPROVED, 150)
IN_PROGRESS = (Plan(SUBMITTED, 40), Plan(RETURNED, 80), Plan(DRAFT, 95, done=1))
#: A new place assessment on the subject of the approved one: its answers carried forward.
CARRIED = Plan(DRAFT, 9, done=2)
#: The levels the screenings' answers suggest, in turn.
LEVELS = ("high", "medium", "low", "medium")

#: sw.amara's young person's screenings over the past year: (days ago, level).
SCREENING_HISTORY = ((330, "high"), (200, "medium"), (70, "low"))

RETURN_COMMENTS = (
    "The analysis needs to say what the evidence shows, not repeat it. Add what the youth "
    "worker said at the walkabout and check the guardianship rating against it.",
    "Good work. Before I sign it off: the threshold looks high for what is recorded; either "
    "add the evidence that supports it or bring it down.",
    "Please link the young people named in the concerns and say which partners have agreed "
    "the actions.",
)
APPROVE_COMMENTS = (
    "Agreed. Share the partner summary at the next context meeting.",
    "Agreed: a clear analysis. Review in three months.",
    "",
)
SUBMIT_NOTES = ("Ready for your sign-off.", "", "Discussed in supervision on Tuesday.")

# --- fictional answers ----------------------------------------------------------------------

#: Plausible words for the text questions, by question key (else by :data:`GENERIC_TEXT`).
TEXTS = {
    # place
    "who_uses": (
        "Young people from the two local secondaries after school, mostly Years 9 to 11, and "
        "a group of older males in their twenties in the evenings.",
        "Commuters in the day; after 6pm groups of teenagers gather by the entrance and the "
        "bus stops.",
    ),
    "what_happens": (
        "Reports of young people being approached and offered lifts and cannabis; two "
        "robberies of phones in the autumn; staff describe 'runners' waiting by the bins.",
        "Fights after school on Fridays; older males seen handing packages to younger boys.",
    ),
    "strengths_needs": (
        "The youth club two streets away is popular and the staff know the young people by "
        "name; what is missing is anything open after 8pm.",
        "Young people say they come here because it is warm and has wifi; they want "
        "somewhere of their own.",
    ),
    "guardians_present": (
        "Shop staff, the security guard until 7pm, the PCSOs on Thursday evenings.",
        "The station staff and the cleaners; nobody after the ticket office closes.",
    ),
    "guardians_act": (
        "Staff call the police when there is trouble but do not know whom to tell about "
        "younger children hanging around.",
        "Security move young people on, which pushes them to the car park behind.",
    ),
    "guardians_could": (
        "A named contact at the team for the shop and the guard, and a short briefing on "
        "what exploitation looks like.",
        "Detached youth workers on Friday evenings; the housing officer's walkabouts moved "
        "to after school.",
    ),
    "physical": (
        "Poor lighting by the back entrance; the CCTV camera over the alley has not worked "
        "since the summer; overgrown hedges hide the footpath.",
        "Several exits and blind corners; the underpass floods and is avoided by adults.",
    ),
    "provision": (
        "One youth club (Tuesdays and Thursdays), a boxing gym with a waiting list.",
        "No free activities nearby at weekends; the library closes at 5pm.",
    ),
    "policies_wider": (
        "The dispersal order ended in September; the landlord is reviewing the lease.",
    ),
    # peer group
    "purpose_actions": (
        "Bring the workers of the four young people together, agree one plan for the group "
        "and ask the school and the youth service to join it.",
    ),
    "purpose_trigger": ("Three of the group were found together in another county in October.",),
    "relationships": (
        "Close friends since primary school; two are cousins. The oldest is looked up to and "
        "decides where they go.",
        "A loose group that formed at the pupil referral unit; loyalties shift week to week.",
    ),
    "identity": (
        "They call themselves by the name of their estate and post music videos online.",
        "They see themselves as looking out for each other; some say they feel safer together.",
    ),
    "influence": (
        "Older males outside the group give them money and phones; the group's behaviour "
        "changed when they started spending time with them.",
    ),
    "guardians": (
        "Two parents are in regular contact with the school; the youth worker sees the group "
        "weekly at the centre.",
    ),
    "guardians_gaps": (
        "No adult knows where they go after 9pm; the football coach left in the summer.",
    ),
    "places_what": (
        "They meet at the park after school and at the chicken shop on the high road in the "
        "evenings.",
    ),
    "school": ("All attend Fenwick Park; attendance of two has fallen below 80% this term.",),
    "families": (
        "The families know each other; one mother has asked for help and another has not "
        "engaged yet.",
    ),
    "wider": ("A rise in county lines activity reported across the borough's east side.",),
    # every context assessment's conclusion
    "analysis": (
        "The evidence points to a place where young people are being targeted by older "
        "males in the evenings, when there are no capable guardians about. The reports are "
        "from several sources and mostly reliable. Changing the evening environment and "
        "giving the guardians a way to act would reduce the harm.",
        "The group is a source of safety as well as risk: the friendships protect them, but "
        "the contact with older males draws them into harm. Working with the group rather "
        "than each young person alone is likely to work best.",
        "The school has strong structures but pupils do not always tell staff what happens on "
        "the way home; the response to harm outside school is where most can change.",
    ),
    "recommendation_reason": (
        "Several partners hold part of the picture; a context conference lets them agree one plan.",
    ),
    "partner_summary": (
        "Partners agreed to improve the lighting and CCTV, brief staff on who to call, and "
        "fund detached youth work on Friday evenings. Review in three months.",
        "Partners are asked to share concerns about the area with the team's duty line and "
        "to keep the evening activities open.",
    ),
}
GENERIC_TEXT = (
    "Discussed with the young person and their parent; recorded in the case notes.",
    "Reports from the school and the police agree on this.",
)
#: The evidence for a red / amber / green rating (the school assessment's indicators).
RAG_EVIDENCE = {
    "red": "Staff could not say what they would do; no record of it in the last year.",
    "amber": "In place but not yet known to all staff; the policy review is due in spring.",
    "green": "Seen in the policy, the training log and in what staff told us at the visit.",
}
#: What is known for an indicator answered yes or possible, by domain (with its source).
INDICATOR_EVIDENCE = {
    "missing": "Police missing reports (2 in the last 3 months); found in another borough.",
    "education": "School attendance record: 74% this term; two fixed-term exclusions.",
    "health": "School nurse: seen with an injury they would not explain.",
    "relationships": "Youth worker: seen getting into cars driven by older males.",
    "online": "Parent: new phone and social media accounts they will not show her.",
    "behaviour": "Police: arrested for possession with intent; released under investigation.",
    "grooming": "Parent: new trainers and cash they cannot explain; says they owe money.",
}
JUDGEMENTS = (
    "My view: this is the area of most concern; the young person minimises it.",
    "My view: this has improved since the summer and is not a worry now.",
)
WEIGHT_REASONS = {
    "family": "Mum is protective and asks for help; the family is a strength.",
    "peer_group": "Most of the harm happens with this group of friends.",
    "school": "Attending less; school is where the group meets.",
    "place": "The park and the station are where they are approached.",
    "online": "Contacted and recruited through social media.",
    "other": "Nothing else known.",
}


def answer(question: d.Question, rng: random.Random, *, linked=(), review_on=None) -> dict:
    """A plausible, fictional, complete answer to ``question`` (its shape by answer type,
    ``definitions.py``). ``linked``: subject references for a linked-subjects answer;
    ``review_on``: the date a date question answers. Screenings' indicators are answered by
    :func:`screening_answers` instead."""
    t = question.type
    if t == d.TEXT:
        return {"value": rng.choice(TEXTS.get(question.key, GENERIC_TEXT))}
    if t == d.YES_POSSIBLE_NO:
        return {"value": rng.choice(["yes", "possible", "no"])}
    if t == d.RAG:
        value = rng.choices(["red", "amber", "green"], weights=[2, 4, 4])[0]
        return {"value": value, "evidence": RAG_EVIDENCE[value]}
    if t == d.RATING:
        return {"value": rng.choice(question.scale)[0]}
    if t == d.CHOICE:
        return {"value": rng.choice(question.choices)[0]}
    if t == d.DATE:
        return {"value": (review_on or date.today() + timedelta(days=28)).isoformat()}
    if t == d.LINKED_SUBJECTS:
        return {"value": sorted(linked)} if linked else {}
    if t == d.INDICATOR:
        return {"value": "no"}
    if t == d.WEIGHT:
        context = question.key.removeprefix("weight_")
        weight = {"other": 0, "family": rng.randint(1, 3)}.get(context, rng.randint(2, 9))
        return {"value": weight, "reason": WEIGHT_REASONS.get(context, GENERIC_TEXT[0])}
    raise ValueError(f"{question.key}: no demo answer for type {t}")


def screening_answers(rng: random.Random, level: str) -> dict:
    """Indicator answers whose score suggests ``level`` (``kinds/screening.py``: a current yes
    2, a current possible 1, historic half; medium from 4, high from 10), with their evidence,
    and a judgement for a domain or two."""
    questions = indicators()
    chosen = rng.sample(questions, k=len(questions))
    yes, possible = {"high": (5, 2), "medium": (2, 1), "low": (0, 1)}[level]
    answers = {}
    for n, question in enumerate(chosen):
        domain = question.key.split("_", 1)[0]
        if n < yes:
            answers[question.key] = {"value": "yes", "when": "current"}
        elif n < yes + possible:
            answers[question.key] = {"value": "possible", "when": "current"}
        elif n < yes + possible + 2:
            answers[question.key] = (
                {"value": "yes", "when": "historic"} if level != "low" else {"value": "not_known"}
            )
        else:
            answers[question.key] = {"value": "no"}
        if answers[question.key]["value"] in ("yes", "possible"):
            answers[question.key]["evidence"] = INDICATOR_EVIDENCE[domain]
    for domain in rng.sample(sorted({q.key.split("_", 1)[0] for q in questions}), k=2):
        answers[f"{domain}_judgement"] = {"value": rng.choice(JUDGEMENTS)}
    return answers


class AssessmentSteps(BuilderCore):
    """The assessments step (see the module's docstring)."""

    def assessments(self):
        rng = random.Random(self.rng.random())  # its own stream: earlier draws stay the same
        self.assessment_rng = rng
        self._taken = set()  # (subject id, kind): assessed already
        users = {u.pk: u for u in User.objects.filter(pk__in=[u.pk for u in self.users])}
        team_ids = [team.group_id for team in self.teams]
        self._held = {model: self._held_by_team(model, team_ids) for model in (Context, PeerGroup)}
        self._ensure_dsl_school_is_held()
        amara = users[self.by_username["sw.amara"].pk]
        # Hers, kept for the screenings over the year below.
        history = self._young_people(CS, 1, worker=amara)
        # The approved place assessment of each team is of a place a partner agency guards
        # (the busiest of its places that one does), so a guardian reads its summary.
        guarded = set(
            ContextGuardian.objects.filter(
                context__in=self.context_list, organisation__isnull=False
            ).values_list("context__subject_id", flat=True)
        )
        chosen = []
        for t in ASSESSING_TEAMS:
            places = self._contexts(t, d.definition("place").context_kinds, 8)
            places.sort(key=lambda s: s.pk not in guarded)  # stable: busiest first otherwise
            schools = [s for s in self._contexts(t, ("school",), 6) if s.pk != self.dsl_school]
            people = [p for p in self._young_people(t, 7) if p not in history][:6]
            chosen.append((t, places, self._groups(t, 8), people, schools[:2]))
        self._ready_for_packs(
            {self.dsl_school}
            | {s.pk for _, places, groups, _, schools in chosen for s in places + groups + schools}
        )
        for turn, (t, places, groups, people, schools) in enumerate(chosen):
            workers = [users[u.pk] for u in self.workers[t][:3]]
            manager = users[self.managers[t].pk]
            self._states("place", places, workers, manager, turn=turn, carry=True)
            self._states("peer_group", groups, workers, manager, turn=turn)
            self._states("screening", people[1:5], workers, manager, turn=turn, person_workers=True)
            weighed = [*people[5:6], *groups[:1], *places[-1:], *people[:1]]
            self._states("weighting", weighed, workers, manager, turn=turn, person_workers=True)
            self._states(
                "school",
                schools,
                workers,
                manager,
                plans=(Plan(RETURNED, 70), Plan(DRAFT, 20, done=2)),
            )
        if history:
            for ago, level in SCREENING_HISTORY:
                self._make(
                    "screening",
                    history[0],
                    amara,
                    users[self.managers[CS].pk],
                    Plan(APPROVED, ago, level=level),
                )
        dsl = User.objects.get(username=DSL_USERNAME)
        school = Subject.objects.get(pk=self.dsl_school)
        for plan in (Plan(APPROVED, 120), Plan(SUBMITTED, 12)):
            self._make("school", school, dsl, None, plan)

    def _ready_for_packs(self, subject_ids):
        """What the evidence packs read, made ready: the concern audiences of the places and
        groups assessed (``cases.audience.refresh_about``; ``seed_borough`` rebuilds the whole
        table only after the builder), and on PostgreSQL the planner's statistics (``ANALYZE``,
        which samples, so takes seconds at any scale, and counts this transaction's rows):
        tables filled moments ago in this transaction have none, and a pack's aggregate over
        a busy place's concerns planned without them takes minutes, not milliseconds."""
        from cases import audience

        for pk in sorted(subject_ids):
            audience.refresh_about(pk)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    # -- choosing subjects -----------------------------------------------------------------

    def _held_by_team(self, model, team_ids) -> dict[int, set[int]]:
        """Team index → the subject ids of ``model`` records its team's grant is on."""
        grant = team_grant(model)
        held = {t: set() for t in range(len(team_ids))}
        index = {group: t for t, group in enumerate(team_ids)}
        rows = grant.table.objects.filter(group_id__in=team_ids).values_list(
            "content_object__subject_id", "group_id"
        )
        for subject_id, group_id in rows.distinct():
            held[index[group_id]].add(subject_id)
        return held

    def _ensure_dsl_school_is_held(self):
        """The DSL's school is held by a team (its managers sign the school's assessment off):
        the Contextual Safeguarding Team, if no team's grant is on it yet."""
        school = next(c for c in self.context_list if c.name == DSL_SCHOOL)
        self.dsl_school = school.subject_id
        if any(school.subject_id in held for held in self._held[Context].values()):
            return
        grant = team_grant(Context)
        self.writer.write(
            grant.table, grant.fields, grant.rows([(school.pk, self.teams[CS].group_id)])
        )
        self.writer.wait()
        self._held[Context][CS].add(school.subject_id)

    def _contexts(self, t, kinds, count) -> list[Subject]:
        """The team's busiest places of ``kinds`` (``context_list`` is busiest first)."""
        held = self._held[Context][t]
        found = [
            c.subject_id
            for c in self.context_list
            if c.subject_id in held and (not kinds or c.kind in kinds)
        ][:count]
        return self._subjects(found)

    def _groups(self, t, count) -> list[Subject]:
        held = self._held[PeerGroup][t]
        return self._subjects([g.subject_id for g in self.groups if g.subject_id in held][:count])

    def _young_people(self, t, count, worker=None) -> list[Subject]:
        """Young people allocated to the team's demo workers (or to ``worker``), unrestricted,
        those with most concerns first would need counting: the first allocated, by id."""
        named = {u.pk for u in self.workers[t][:3]} if worker is None else {worker.pk}
        found = [
            p.subject_id
            for p in sorted(self.people, key=lambda p: p.id)
            if p.worker is not None and p.worker.pk in named and not p.restricted
        ][:count]
        return self._subjects(found)

    def _subjects(self, ids) -> list[Subject]:
        subjects = Subject.objects.in_bulk(ids)
        return [subjects[pk] for pk in ids]

    # -- making them -----------------------------------------------------------------------

    def _states(
        self,
        kind,
        subjects,
        workers,
        manager,
        *,
        turn=0,
        carry=False,
        person_workers=False,
        plans=(),
    ):
        """Assessments of ``kind`` on ``subjects`` (the team's, busiest first; those another
        team assesses already are left to it): the first approved, then a new one on it being
        written (with ``carry`` the :data:`CARRIED` draft, else the first of
        :data:`IN_PROGRESS`), and the rest of :data:`IN_PROGRESS` on the next subjects, as many
        as there are. ``turn`` rotates :data:`IN_PROGRESS`, so that where subjects are few (a
        small borough's peer groups) the teams between them still make every state.
        ``plans``: instead, one assessment per plan, each on its own subject."""
        subjects = [s for s in subjects if (s.pk, kind) not in self._taken]
        if plans:
            steps = list(enumerate(plans))
        else:
            shift = turn % len(IN_PROGRESS)
            rotated = IN_PROGRESS[shift:] + IN_PROGRESS[:shift]
            first, rest = (CARRIED, rotated) if carry else (rotated[0], rotated[1:])
            steps = [(0, APPROVED_PLAN), (0, first)]
            steps += [(n, plan) for n, plan in enumerate(rest, start=1)]
        busy = set()  # subjects with one in progress
        for step, (index, plan) in enumerate(steps):
            if index >= len(subjects) or index in busy:
                continue
            subject = subjects[index]
            if person_workers:
                by = self._worker_for(subject, workers)
            else:
                by = workers[(index + turn) % len(workers)]
            level = LEVELS[step % len(LEVELS)]
            made = self._make(
                kind, subject, by, manager, Plan(plan.state, plan.started_ago, plan.done, level)
            )
            if made.status != APPROVED:
                busy.add(index)

    def _worker_for(self, subject, workers):
        """A young person's allocated worker (who alone may change the record)."""
        person = YoungPerson.objects.filter(subject=subject).values_list("pk", flat=True).first()
        if person is None:
            return workers[0]
        worker = next((p.worker for p in self.people if p.id == person), None)
        return next((w for w in workers if worker and w.pk == worker.pk), worker or workers[0])

    def _linked(self, subject) -> list[str]:
        """References a linked-subjects answer may name: for a place, up to three young people
        who go there; for a group, up to three members (none restricted)."""
        indexes = []
        if subject.kind == Subject.Kind.CONTEXT:
            pk = Context.objects.filter(subject=subject).values_list("pk", flat=True).get()
            indexes = self.people_at.get(pk, [])[:6]
        elif subject.kind == Subject.Kind.PEER_GROUP:
            pk = PeerGroup.objects.filter(subject=subject).values_list("pk", flat=True).get()
            indexes = [i for i, _, _ in self.members.get(pk, [])][:6]
        ids = [self.people[i].subject_id for i in indexes if not self.people[i].restricted][:3]
        return list(Subject.objects.filter(pk__in=ids).values_list("reference", flat=True))

    def _make(self, kind, subject, by, manager, plan: Plan) -> Assessment:
        """Start, answer, decide evidence, submit and (by a manager, not ``by``) approve or
        return one assessment as ``plan`` says, then date it back."""
        rng = self.assessment_rng
        definition = d.definition(kind)
        started = self.today - timedelta(days=plan.started_ago)
        submitted = started + timedelta(days=min(30, max(3, plan.started_ago // 3)))
        decided = submitted + timedelta(days=2)
        assessment = services.assessment_start(subject=subject, kind=kind, by=by)
        linked = self._linked(subject)
        screening = screening_answers(rng, plan.level) if kind == "screening" else {}
        review_on = decided + timedelta(days=REVIEWS[plan.level])
        sections = definition.sections
        complete = len(sections) if plan.state != DRAFT else plan.done
        for n, section in enumerate(sections[: complete + (1 if plan.state == DRAFT else 0)]):
            answers = {}
            for question in section.questions:
                if question.key in screening:
                    answers[question.key] = screening[question.key]
                elif question.type == d.INDICATOR:
                    answers[question.key] = {"value": "no"}
                elif not question.required and rng.random() < 0.4:
                    continue
                elif question.key in ("level_override", "level_override_reason"):
                    continue  # the suggested level is agreed
                else:
                    found = answer(question, rng, linked=linked, review_on=review_on)
                    if found:
                        answers[question.key] = found
            if n >= complete:  # the section being written: half its answers so far
                answers = dict(list(answers.items())[: len(answers) // 2])
            problems = services.assessment_save_section(
                assessment=assessment,
                section=section.key,
                answers=answers,
                complete=n < complete,
                by=by,
            )
            if problems:
                raise ValueError(f"Demo {kind} answers incomplete: {problems}")
        self._decide_evidence(assessment, by, plan)
        if plan.state != DRAFT:
            services.assessment_submit(assessment=assessment, by=by, note=rng.choice(SUBMIT_NOTES))
            if plan.state in (APPROVED, RETURNED):
                self._sign_off(assessment, by, manager, approve=plan.state == APPROVED)
        self._date(assessment, started, submitted, decided)
        self._taken.add((subject.pk, kind))
        return assessment

    def _decide_evidence(self, assessment, by, plan):
        """Keep the first item, change the second's words, drop the third, keep the fourth
        (through ``services.evidence_decide``); then, but in a draft, keep all the rest as
        "Save and keep all the rest" would, in one UPDATE: a busy place's pack has a couple of
        hundred items, and one service call each would take most of the step's time. A draft
        leaves the rest to look at."""
        items = list(assessment.evidence.order_by("section", "position", "pk"))
        for n, item in enumerate(items[:4]):
            if n == 1:
                services.evidence_decide(
                    item=item,
                    state=EvidenceItem.State.EDITED,
                    text=f"{item.text} (confirmed with the police at the strategy meeting)",
                    by=by,
                )
            elif n == 2:
                services.evidence_decide(item=item, state=EvidenceItem.State.DROPPED, by=by)
            else:
                services.evidence_decide(item=item, state=EvidenceItem.State.ACCEPTED, by=by)
        if plan.state != DRAFT and len(items) > 4:
            EvidenceItem.objects.filter(pk__in=[i.pk for i in items[4:]]).update(
                state=EvidenceItem.State.ACCEPTED, decided_by=by, decided_at=timezone.now()
            )

    def _sign_off(self, assessment, by, manager, *, approve):
        """Approve or return the waiting approval, as a team manager of a team holding the
        subject who did not ask (``manager`` if they may)."""
        approval = Approval.objects.get(
            target_type=ContentType.objects.get_for_model(Assessment),
            target_id=assessment.pk,
            status=Approval.Status.REQUESTED,
        )
        managers = deciders(assessment.subject, but=by)
        if not managers:
            return  # nobody may decide it: it stays waiting
        decider = next((m for m in managers if manager and m.pk == manager.pk), managers[0])
        rng = self.assessment_rng
        approval_decide(
            approval=approval,
            by=decider,
            approve=approve,
            comments=rng.choice(APPROVE_COMMENTS) if approve else rng.choice(RETURN_COMMENTS),
        )

    def _date(self, assessment, started: date, submitted: date, decided: date):
        """Move what the services dated today back to the plan's days (office hours), and
        ``due_on`` with them (``services.due_date``)."""

        def at(day: date, hour: int) -> datetime:
            return datetime.combine(day, time(hour, 0), tzinfo=self.tz)

        assessment.refresh_from_db()
        status = assessment.status
        Assessment.objects.filter(pk=assessment.pk).update(
            started_on=started,
            started_at=at(started, 10),
            due_on=services.due_date(started, assessment.definition),
            submitted_at=at(submitted, 15) if assessment.submitted_at else None,
            completed_on=decided if status == APPROVED else None,
        )
        events = AssessmentEvent.objects.filter(assessment=assessment)
        events.filter(kind="started").update(at=at(started, 10))
        events.filter(kind="submitted").update(at=at(submitted, 15))
        events.filter(kind__in=["approved", "returned"]).update(at=at(decided, 11))
        EvidenceItem.objects.filter(assessment=assessment, decided_at__isnull=False).update(
            decided_at=at(started, 14)
        )
        AssessmentMention.objects.filter(assessment=assessment).update(at=at(submitted, 15))
        approvals = Approval.objects.filter(
            target_type=ContentType.objects.get_for_model(Assessment), target_id=assessment.pk
        )
        approvals.update(requested_at=at(submitted, 15))
        approvals.filter(decided_at__isnull=False).update(decided_at=at(decided, 11))
        # The managers and the author were told then: sent at the time, not sent again now.
        told = Notification.objects.filter(
            reference=assessment.reference, status=Notification.Status.PENDING
        )
        for event_type, when in (
            ("approval.requested", at(submitted, 15)),
            ("approval.decided", at(decided, 11)),
        ):
            told.filter(event_type=event_type).update(
                status=Notification.Status.SENT,
                attempts=1,
                created_at=when,
                next_attempt_at=when,
                last_attempt_at=when,
                sent_at=when,
            )
