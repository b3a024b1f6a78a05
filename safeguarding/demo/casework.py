"""The demo borough's casework: cases and their allocation history, their risk and review
changes and closure steps (closed cases asked for and signed off, some returned once first; a
few, one of them the Contextual Safeguarding Team's, waiting for sign-off), restricted young
people, concerns, actions, warning notes, and the grants all of that would have given (steps of
``builder.BoroughBuilder``, run after ``records.py``'s; the referrals are ``referrals.py``'s).

No service runs, so what the services would have done is done here, in bulk: each case's
``Allocation`` rows tell the path it took (through the front door, queued, allocated, closed),
concerns' references and ``logged_at`` are filled in as ``save()`` would, and the grants are the
rows ``safeguarding.accounts.grants`` gives for a team's grant and for naming a person (see
:meth:`CaseworkSteps.grants`), written with COPY like the rest. ``concerns`` notes on the
builder which places and groups each team works with (``worked_with``), for the grants.
"""

from collections import defaultdict
from datetime import UTC, timedelta
from itertools import accumulate

from cases.models import (
    Action,
    Allocation,
    Case,
    CaseRiskChange,
    CaseStatusChange,
    Concern,
    ConcernSubject,
    HarmCategory,
    WarningNote,
    WarningNoteEvent,
    YoungPerson,
)
from contexts.models import Context, ContextGuardian
from peers.models import PeerGroup
from safeguarding.accounts.grants import named_grant, team_grant

from .core import BuilderCore, pick, weighted
from .data import (
    ACTION_STATUS_CUM,
    ACTION_STATUSES,
    CLOSURE_REASONS,
    CS,
    FRONT_DOOR,
    HARM_PAIRS,
    HARMS,
    HISTORY_DAYS,
    LOCATIONS_IN_WORDS,
    PARTNER_ACTIONS,
    PEOPLE_PER_CONCERN,
    PEOPLE_PER_CONCERN_CUM,
    RELIABILITY_WEIGHTS,
    RESTRICTED_REASONS,
    RISK_CUM,
    RISKS,
    SOURCE_DETAILS,
    SOURCE_WEIGHTS,
    TEAMS,
    WARNING_DECLINED_REASON,
    WARNING_NOTE_AT_A_PLACE,
    WARNING_NOTES,
    WORKER_ACTIONS,
)
from .writer import REFERENCE_CHECK

# The columns of the rows each step writes, in the order its tuples give them.
CASE_FIELDS = (
    "id",
    "subject_id",
    "status",
    "team_id",
    "allocated_worker_id",
    "risk",
    "next_review_due",
    "opened_at",
    "opened_by_id",
    "closed_at",
    "closure_reason",
)
ALLOCATION_FIELDS = (
    "case_id",
    "team_id",
    "worker_id",
    "started_at",
    "ended_at",
    "allocated_by_id",
    "reason",
)
RISK_CHANGE_FIELDS = (
    "case_id",
    "risk_before",
    "risk_after",
    "next_review_due_before",
    "next_review_due_after",
    "reason",
    "changed_by_id",
    "changed_at",
)
STATUS_CHANGE_FIELDS = (
    "case_id",
    "kind",
    "status_before",
    "status_after",
    "reason",
    "open_actions_handed_over",
    "by_id",
    "at",
)
RISK_REASONS = [
    "Screening completed; first risk level set at the allocation visit.",
    "Missing overnight twice in a fortnight; seen with older males at the station.",
    "Engaging with the youth worker and back in school full time.",
    "Strategy discussion held; review brought forward.",
]
RETURN_COMMENTS = [
    "Record the last visit and the young person's views before closing.",
    "The school's actions in the safety plan are still open: hand them over first.",
]
CONCERN_FIELDS = (
    "id",
    "authority_id",
    "reference",
    "occurred_at",
    "location_description",
    "narrative",
    "source",
    "source_detail",
    "reliability",
    "logged_by_id",
    "logged_at",
)
INVOLVEMENT_FIELDS = ("concern_id", "subject_id", "part")
ACTION_FIELDS = (
    "subject_id",
    "description",
    "owner_user_id",
    "owner_organisation_id",
    "due_on",
    "status",
    "created_by_id",
    "completed_at",
    "overdue_notified_at",
)


class CaseworkSteps(BuilderCore):
    """The steps that make the borough's casework (see the module's docstring)."""

    def cases(self):
        """Episodes of work: most young people have an open case; some places and groups too."""
        rng = self.rng
        cases, histories = [], []  # histories: per case, list of (team, worker, start, end)
        # Per case: its risk changes and closure steps, tuples of the fields above but the case.
        risk_changes, status_changes = [], []
        cursor = [0] * len(self.teams)  # round-robin allocation within each team
        team_ids = [team.pk for team in self.teams]
        manager_ids = [manager.pk for manager in self.managers]

        def flush():
            """Write the cases so far and their allocation history (memory stays flat)."""
            ids = self.take_ids(Case, len(cases))
            self.writer.write(
                Case, CASE_FIELDS, [(pk, *case) for pk, case in zip(ids, cases, strict=True)]
            )
            self.writer.write(
                Allocation,
                ALLOCATION_FIELDS,
                [
                    (
                        pk,
                        team_ids[t],
                        worker.pk if worker else None,
                        start,
                        end,
                        manager_ids[t] if worker else manager_ids[FRONT_DOOR],
                        reason,
                    )
                    for pk, history in zip(ids, histories, strict=True)
                    for t, worker, start, end, reason in history
                ],
            )
            self.writer.write(
                CaseRiskChange,
                RISK_CHANGE_FIELDS,
                [(pk, *row) for pk, rows in zip(ids, risk_changes, strict=True) for row in rows],
            )
            self.writer.write(
                CaseStatusChange,
                STATUS_CHANGE_FIELDS,
                [(pk, *row) for pk, rows in zip(ids, status_changes, strict=True) for row in rows],
            )
            cases.clear()
            histories.clear()
            risk_changes.clear()
            status_changes.clear()

        def next_worker(t):
            worker = self.workers[t][cursor[t] % len(self.workers[t])]
            cursor[t] += 1
            return worker

        def episode(
            subject_id, t, status, opened, closed=None, allocated=True, via_front_door=True
        ):
            worker = next_worker(t) if allocated else None
            history, start = [], opened
            if via_front_door and t != FRONT_DOOR:
                moved = min(opened + timedelta(days=rng.randint(1, 10)), self.now)
                history.append((FRONT_DOOR, None, opened, moved, "Accepted at the front door"))
                start = moved
            if worker:
                queued = min(start + timedelta(days=rng.randint(0, 5)), self.now)
                reason = f"Transferred to {TEAMS[t]}" if history else "Awaiting allocation"
                history.append((t, None, start, queued, reason))
                history.append((t, worker, queued, None, "Allocated"))
            else:
                history.append((t, None, start, None, "Awaiting allocation"))
            if closed:
                last = history[-1]
                history[-1] = (*last[:3], closed, last[4])
            risk = pick(rng, RISKS, RISK_CUM)
            review = None if closed else self.today + timedelta(days=rng.randint(-10, 90))
            reason = rng.choice(CLOSURE_REASONS) if status != Case.Status.OPEN else ""
            # Who asks and who signs off: the worker (or the team's manager) and the manager.
            asker = worker.pk if worker else manager_ids[t]
            steps, risks = [], []
            if closed or status == Case.Status.CLOSING:
                asked = closed - timedelta(days=rng.randint(1, 6)) if closed else self.now
                asked = max(asked - timedelta(hours=rng.randint(1, 48)), opened)
                if rng.random() < 0.25:  # returned once, then asked again
                    first = max(asked - timedelta(days=rng.randint(3, 14)), opened)
                    steps.append(
                        ("close_requested", "open", "closing", reason, False, asker, first)
                    )
                    steps.append(
                        (
                            "returned",
                            "closing",
                            "open",
                            rng.choice(RETURN_COMMENTS),
                            False,
                            manager_ids[t],
                            min(first + timedelta(days=1), asked),
                        )
                    )
                steps.append(("close_requested", "open", "closing", reason, False, asker, asked))
                if closed:
                    steps.append(
                        ("signed_off", "closing", "closed", "", False, manager_ids[t], closed)
                    )
            if rng.random() < 0.35:  # the risk was assessed after the case opened
                at = min(opened + timedelta(days=rng.randint(3, 30)), closed or self.now)
                set_review = review if review and review >= at.date() else None
                set_review = set_review or at.date() + timedelta(days=rng.randint(28, 90))
                risks.append(
                    ("not_assessed", risk, None, set_review, rng.choice(RISK_REASONS), asker, at)
                )
                if review and review != set_review:
                    later = min(at + timedelta(days=rng.randint(7, 60)), self.now)
                    risks.append(
                        (risk, risk, set_review, review, rng.choice(RISK_REASONS), asker, later)
                    )
            risk_changes.append(risks)
            status_changes.append(steps)
            cases.append(
                (
                    subject_id,
                    status,
                    team_ids[t],
                    worker.pk if worker else None,
                    risk,
                    review,
                    opened,
                    manager_ids[FRONT_DOOR if via_front_door else t],
                    closed,
                    reason,
                )
            )
            histories.append(history)
            if len(cases) >= self.CHUNK:
                flush()
            return worker

        awaiting_sign_off = False  # the Contextual Safeguarding Team has one, at least
        for person in self.people:
            roll = rng.random()
            if roll < 0.82:  # open
                if rng.random() < 0.2:  # an earlier, closed episode
                    opened = self.moment(400, HISTORY_DAYS)
                    episode(
                        person.subject_id,
                        person.team,
                        Case.Status.CLOSED,
                        opened,
                        closed=opened + timedelta(days=rng.randint(60, 200)),
                    )
                status = Case.Status.CLOSING if rng.random() < 0.03 else Case.Status.OPEN
                if person.team == CS and not awaiting_sign_off:
                    status, awaiting_sign_off = Case.Status.CLOSING, True
                # The front door holds cases briefly, often before anyone is allocated.
                allocated = rng.random() < (0.5 if person.team == FRONT_DOOR else 0.88)
                person.worker = episode(
                    person.subject_id, person.team, status, self.moment(5, 380), allocated=allocated
                )
                person.case_team = person.team
            elif roll < 0.92:  # closed only
                opened = self.moment(200, HISTORY_DAYS)
                episode(
                    person.subject_id,
                    person.team,
                    Case.Status.CLOSED,
                    opened,
                    closed=opened + timedelta(days=rng.randint(30, 180)),
                )
                # Closing a case unnames the worker; the team keeps the record as its history.
                person.case_team = person.team
            # else: known only through concerns and referrals
        self._restrict()
        # Contextual work: the Contextual Safeguarding Team holds cases on places and groups.
        self.record_cases = []  # (record model, record id, team index, worker)
        for records, share in ((self.groups, 0.3), (self.context_list, 0.15)):
            for record in rng.sample(records, k=max(1, round(share * len(records)))):
                worker = episode(
                    record.subject_id,
                    CS,
                    Case.Status.OPEN,
                    self.moment(5, 300),
                    via_front_door=False,
                )
                self.record_cases.append((type(record), record.pk, CS, worker))
        flush()

    def _restrict(self):
        """A few restricted young people, always allocated (so someone is named on them).

        The first is allocated to sw.amara and the second to a colleague in her team, so the
        demo (and the tests) show a restricted record hidden from the rest of the team.
        """
        rng = self.rng
        amara = self.by_username["sw.amara"]
        allocated = [p for p in self.people if p.worker is not None]
        in_cs = [p for p in allocated if p.case_team == CS]
        chosen = []
        mine = [p for p in in_cs if p.worker == amara]
        colleague = [p for p in in_cs if p.worker != amara]
        if mine:
            chosen.append(mine[0])
        if colleague:
            chosen.append(colleague[0])
        taken = {p.id for p in chosen}
        others = [p for p in allocated if p.id not in taken]
        wanted = max(2, round(0.01 * len(self.people)))
        chosen += rng.sample(others, k=max(0, min(len(others), wanted - len(chosen))))
        by_reason = defaultdict(list)
        for p in chosen:
            p.restricted = True
            by_reason[rng.choice(RESTRICTED_REASONS)].append(p.id)
        # One UPDATE per reason (four) for 1% of the young people, written before cases existed.
        self.writer.wait()
        for reason, pks in by_reason.items():
            for start in range(0, len(pks), REFERENCE_CHECK):
                YoungPerson.objects.filter(pk__in=pks[start : start + REFERENCE_CHECK]).update(
                    restricted=True, restricted_reason=reason
                )

    def concerns(self):
        rng = self.rng
        categories = {c.slug: c.pk for c in HarmCategory.objects.filter(is_active=True)}
        harms = [h for h in HARMS if h[0] in categories]
        if not harms:  # an authority that renamed every category still gets concerns
            harms = [(slug, 1, HARMS[0][2]) for slug in categories]
        if not harms:
            raise RuntimeError("No active harm categories: run the migrations first.")
        harm_cum = list(accumulate(h[1] for h in harms))
        source_pop, source_cum = weighted(SOURCE_WEIGHTS)
        rel_pop, rel_cum = weighted(RELIABILITY_WEIGHTS)
        Part = ConcernSubject.Part
        people, everyone = self.people, range(len(self.people))
        self.worked_with = set()  # (record model, record id, team index): grants to make
        through = Concern.harm_categories.through
        la, locations = self.la.pk, self.context_list
        # logged_at: practitioners log the same day, three hours after the event at most (and
        # never after now). Added to the absolute time, as the database would add an interval.
        logged_after = timedelta(hours=3)
        made = 0
        while made < self.plan.concerns:
            n = min(self.CHUNK, self.plan.concerns - made)
            made += n
            ids = self.take_ids(Concern, n)
            references = self.take_references(Concern, "CN", n)
            concerns, involved = [], []
            for pk, reference in zip(ids, references, strict=True):
                when = self.moment(1, HISTORY_DAYS)
                group = None
                if self.groups and rng.random() < 0.25:
                    group = rng.choice(self.groups)
                    ctx = self.group_home[group.pk] if rng.random() < 0.7 else None
                    day = when.date()
                    current = [
                        i
                        for i, joined, left in self.members[group.pk]
                        if joined <= day and (left is None or left >= day)
                    ]
                    pool = current or [i for i, _, _ in self.members[group.pk]] or everyone
                else:
                    ctx = None
                    if rng.random() < 0.85:
                        ctx = pick(rng, locations, self.context_cum)
                    pool = (self.people_at.get(ctx.pk) if ctx else None) or everyone
                k = pick(rng, PEOPLE_PER_CONCERN, PEOPLE_PER_CONCERN_CUM)
                chosen = rng.sample(pool, k=min(k, len(pool)))
                first = people[chosen[0]]
                slug, _, narratives = pick(rng, harms, harm_cum)
                place = ctx.name if ctx else rng.choice(LOCATIONS_IN_WORDS)
                source = pick(rng, source_pop, source_cum)
                team = first.case_team if first.case_team is not None else FRONT_DOOR
                narrative = rng.choice(narratives).format(yp=first.initials, place=place)
                source_detail = rng.choice(SOURCE_DETAILS.get(source, [""]))
                reliability = pick(rng, rel_pop, rel_cum)
                concerns.append(
                    (
                        pk,
                        la,
                        reference,
                        when,
                        "" if ctx else place,
                        narrative,
                        source,
                        source_detail,
                        reliability,
                        rng.choice(self.loggers[team]),
                        min(when.astimezone(UTC) + logged_after, self.now),
                    )
                )
                parts = [(people[i], rng.choice([Part.HARMED, Part.AT_RISK])) for i in chosen[:1]]
                parts += [
                    (people[i], rng.choice([Part.AT_RISK, Part.HARMING, Part.WITNESS]))
                    for i in chosen[1:]
                ]
                cats = {categories[slug]}
                pair = HARM_PAIRS.get(slug)
                if pair in categories and rng.random() < 0.3:
                    cats.add(categories[pair])
                involved.append((parts, ctx, group, cats, first))
            self.writer.write(Concern, CONCERN_FIELDS, concerns)
            rows, harm_rows = [], []
            for pk, (parts, ctx, group, cats, first) in zip(ids, involved, strict=True):
                teams = {p.case_team for p, _ in parts if p.case_team is not None}
                for person, part in parts:
                    rows.append((pk, person.subject_id, part))
                if ctx:
                    rows.append((pk, ctx.subject_id, Part.LOCATION))
                    self.worked_with.update((Context, ctx.pk, t) for t in teams)
                school = first.school_id
                if school and (not ctx or school != ctx.pk) and rng.random() < 0.08:
                    rows.append((pk, self.school_subject[school], Part.LINKED_CONTEXT))
                    self.worked_with.update((Context, school, t) for t in teams)
                if group:
                    rows.append((pk, group.subject_id, Part.PEER_GROUP))
                    self.worked_with.update((PeerGroup, group.pk, t) for t in teams)
                harm_rows += [(pk, c) for c in cats]
            self.writer.write(ConcernSubject, INVOLVEMENT_FIELDS, rows)
            self.writer.write(through, ("concern_id", "harmcategory_id"), harm_rows)

    def actions(self):
        """Actions: for allocated workers on their young people, and for partner agencies on
        the places they look after (some overdue, some done), so My work has something to do."""
        rng = self.rng
        rows = []
        for person in self.people:
            if person.worker is None or rng.random() > 0.45:
                continue
            for _ in range(rng.randint(1, 2)):
                status = pick(rng, ACTION_STATUSES, ACTION_STATUS_CUM)
                description = rng.choice(WORKER_ACTIONS)
                rows.append(
                    (
                        person.subject_id,
                        description,
                        person.worker.pk,
                        None,
                        self.today + timedelta(days=rng.randint(-14, 45)),
                        status,
                        person.worker.pk,
                        self.now if status == Action.Status.DONE else None,
                        None,
                    )
                )
        guarded = ContextGuardian.objects.filter(
            context__in=self.context_list, organisation__isnull=False
        ).values_list("context__subject_id", "organisation_id")
        for subject_id, organisation_id in guarded:
            if rng.random() < 0.5:
                due_on = self.today + timedelta(days=rng.randint(-10, 60))
                rows.append(
                    (
                        subject_id,
                        rng.choice(PARTNER_ACTIONS),
                        None,
                        organisation_id,
                        due_on,
                        rng.choice([Action.Status.OPEN, Action.Status.IN_PROGRESS]),
                        self.managers[CS].pk,
                        None,
                        # Partners were told on the day after each went overdue.
                        self.now - (self.today - due_on) + timedelta(days=1)
                        if due_on < self.today
                        else None,
                    )
                )
        for start in range(0, len(rows), self.CHUNK):
            self.writer.write(Action, ACTION_FIELDS, rows[start : start + self.CHUNK])

    def warnings(self):
        """Warning notes, as the services would have left them: on the demo social worker's
        young people, or her team's (proposed by the allocated worker, decided by the team's
        manager) — in force, due for review within the week, overdue, waiting for
        authorisation, declined — and one in force on a place her team works with. A handful
        of rows, whatever the scale."""
        amara = self.by_username["sw.amara"]
        manager = self.managers[CS]
        # Hers first, then her team's (a small borough gives her only a few young people).
        team = [
            p
            for p in self.people
            if p.worker is not None and p.worker.team_id == amara.team_id and not p.restricted
        ]
        team.sort(key=lambda p: p.worker.pk != amara.pk)
        people = [(p.subject_id, p.worker) for p in team[: len(WARNING_NOTES)]]
        # A small borough may have too few allocated (closed cases end their allocation): then
        # young people of the team's caseload, proposed by her.
        chosen = {p.id for p in team}
        people += [
            (p.subject_id, amara)
            for p in self.people
            if p.case_team == CS and not p.restricted and p.id not in chosen
        ][: len(WARNING_NOTES) - len(people)]
        place = min(
            (pk for model, pk, t in self.worked_with if model is Context and t == CS),
            default=None,
        )
        about = list(zip(people, WARNING_NOTES, strict=False))
        if place is not None:
            subject_id = Context.objects.filter(pk=place).values_list("subject_id", flat=True)
            about.append(((subject_id.get(), amara), WARNING_NOTE_AT_A_PLACE))
        review_on = {
            "authorised": self.today + timedelta(days=75),
            "due": self.today + timedelta(days=5),
            "overdue": self.today - timedelta(days=4),
            "proposed": self.today + timedelta(days=90),
            "declined": self.today + timedelta(days=60),
        }
        notes, steps = [], []
        for n, ((subject_id, worker), (category, summary, told, state)) in enumerate(about):
            proposed_at = self.latest - timedelta(days=20 + 7 * n)
            decided_at = proposed_at + timedelta(days=1) if state != "proposed" else None
            status = {"proposed": "proposed", "declined": "declined"}.get(state, "authorised")
            notes.append(
                WarningNote(
                    subject_id=subject_id,
                    category=category,
                    summary=summary,
                    told=told,
                    status=status,
                    review_on=review_on[state],
                    proposed_by=worker,
                    proposed_at=proposed_at,
                    decided_by=manager if decided_at else None,
                    decided_at=decided_at,
                    decline_reason=WARNING_DECLINED_REASON if status == "declined" else "",
                )
            )
            steps.append((proposed_at, decided_at, status))
        notes = WarningNote.objects.bulk_create(notes)
        events = []
        for note, (proposed_at, decided_at, status) in zip(notes, steps, strict=True):
            events.append(
                WarningNoteEvent(
                    warning=note,
                    kind="proposed",
                    at=proposed_at,
                    by=note.proposed_by,
                    review_on=note.review_on,
                )
            )
            if decided_at is not None:
                events.append(
                    WarningNoteEvent(
                        warning=note,
                        kind=status,
                        at=decided_at,
                        by=manager,
                        note=note.decline_reason,
                        review_on=note.review_on if status == "authorised" else None,
                    )
                )
        WarningNoteEvent.objects.bulk_create(events)

    def grants(self):
        """The grants the services would have written for the work above, as rows of
        ``safeguarding.accounts.grants`` (a team's grant: view; naming a person: view and
        change), all made before any is written (the permissions are read from the database,
        which nothing may use while a COPY streams).

        Cases: the case's team has a team's grant on its record, closed cases too (as after
        ``cases.services.case_close``: the team keeps the record as its history), and the worker
        allocated to an open or closing case is named on it (``case_open``, ``case_allocate``).
        Restricted young people: their team's manager is named too (as ``cases.naming.name_staff``
        would, by another manager). Places and peer groups: every team with a young person (with
        a case) in a concern there has a team's grant on them. ``cases.services.concern_log``
        grants the logger's team instead; the logger is drawn from the first young person's team
        (or the front door's), so the two differ only for concerns about young people of several
        teams, or of none.
        """
        team_grants, named = set(), set()  # (record model, record id, team index or user id)
        for p in self.people:
            if p.case_team is None:
                continue
            team_grants.add((YoungPerson, p.id, p.case_team))
            if p.worker:
                named.add((YoungPerson, p.id, p.worker.pk))
            if p.restricted:
                named.add((YoungPerson, p.id, self.managers[p.case_team].pk))
        for model, pk, t, worker in self.record_cases:
            team_grants.add((model, pk, t))
            named.add((model, pk, worker.pk))
        team_grants |= self.worked_with
        group_ids = [team.group_id for team in self.teams]
        # Each table's rows in record then holder order; the tables by their model's name.
        models = (Context, PeerGroup, YoungPerson)
        writes = []
        for model in models:
            grant = team_grant(model)
            teams = sorted((pk, t) for m, pk, t in team_grants if m is model)
            writes.append((grant, grant.rows((pk, group_ids[t]) for pk, t in teams)))
        for model in models:
            grant = named_grant(model)
            writes.append((grant, grant.rows(sorted((pk, u) for m, pk, u in named if m is model))))
        for grant, rows in writes:
            for start in range(0, len(rows), self.CHUNK):
                self.writer.write(grant.table, grant.fields, rows[start : start + self.CHUNK])
