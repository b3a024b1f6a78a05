"""The demo borough's meetings (a step of ``builder.BoroughBuilder``, after the assessments:
a context conference is held from an approved place assessment). Made through
``cases.meetings.services`` as the chairs would have made them, then dated back; the
notifications they caused are marked sent at the time (not sent again when the seed commits).

What it holds, for the Contextual Safeguarding Team and the north adolescent service:

* a **context conference** held from the team's approved place assessment, the police and a
  residents' representative (email only) invited, attendance, a decision, an action owned by
  the police, minutes approved and **circulated** (its first review due in about two months);
* an earlier context conference of the north team's approved place, held four months ago and
  circulated, whose review was never held: a **breached clock** on its team manager's list;
* a **strategy discussion** about one of the team's young people, held two working days ago:
  a section 47 enquiry and an initial child protection conference decided, **minutes drafted**
  and not yet circulated (its one-day record clock breached);
* a **MACE panel** held a fortnight ago (circulated) and its next sitting **scheduled**, its
  **standing agenda** the same young people, a person of concern by reference and a theme;
* a **professionals' meeting** scheduled next week.

A fixed number whatever the scale: a second or so.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from cases.meetings import services
from cases.models import Assessment, Meeting, YoungPerson
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation, User
from safeguarding.notifications.models import Notification
from safeguarding.working_days import add_working_days

from .core import BuilderCore
from .data import CS, NORTH


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


class MeetingSteps(BuilderCore):
    """The meetings step (see the module's docstring)."""

    def meetings(self):
        today = timezone.localdate()
        police = Organisation.objects.filter(
            authority=self.la, kind=Organisation.Kind.POLICE
        ).first()
        manager = User.objects.get(pk=self.managers[CS].pk)
        worker = User.objects.get(pk=self.workers[CS][0].pk)
        made = []

        def schedule(kind, by, day, subject=None, hours=(10, 11), **extra):
            meeting = services.meeting_schedule(
                by=by,
                kind=kind,
                subject=subject,
                starts_at=_at(day, hours[0]),
                ends_at=_at(day, hours[1]),
                chair=extra.pop("chair", by),
                location=extra.pop("location", "Civic Centre, committee room 2"),
                **extra,
            )
            made.append(meeting)
            return meeting

        def hold(meeting, by, day):
            services.meeting_hold(
                by=by,
                meeting=meeting,
                held_on=day,
                attendance={i.pk: "attended" for i in meeting.invitees.all()},
            )

        def circulate(meeting, by, summary, shared):
            services.minutes_draft(
                by=by,
                meeting=meeting,
                summary=summary,
                sections=[("Agreed", shared, True), ("For the council", "Case discussion.", False)],
            )
            services.minutes_approve(by=by, meeting=meeting)
            services.minutes_circulate(by=by, meeting=meeting)
            meeting.refresh_from_db()
            when = _at(add_working_days(meeting.held_on, 1), 16)
            Meeting.objects.filter(pk=meeting.pk).update(
                minutes_drafted_at=when, minutes_approved_at=when, circulated_at=when
            )

        # A context conference held from the team's approved place assessment, circulated.
        approved = list(
            Assessment.objects.filter(
                subject__authority=self.la, kind="place", status="approved"
            ).order_by("pk")
        )
        ours = [a for a in approved if visibility.can(manager, a.subject.concrete, "change")]
        if ours:
            assessment = ours[0]
            held = today - timedelta(days=40)
            conference = schedule(
                "context_conference",
                manager,
                held,
                assessment.subject,
                hours=(14, 16),
                source_assessment=assessment,
            )
            if police:
                services.meeting_invite(by=manager, meeting=conference, organisation=police)
            services.meeting_invite(
                by=manager,
                meeting=conference,
                name="Morgan Ellis",
                role="Residents' association chair",
                email=f"residents@{self.la.safeguarding_email.split('@')[-1]}",
            )
            services.agenda_item_add(
                by=manager, meeting=conference, theme="Safety after dark", shareable=True
            )
            hold(conference, manager, held)
            services.decision_record(
                by=manager,
                meeting=conference,
                text="A context safety plan for the place, reviewed in three months.",
                reason="The approved assessment found risk at the place after dark.",
                dissent="The operator preferred to wait for new lighting first.",
                shareable=True,
            )
            if police:
                services.meeting_action_add(
                    by=manager,
                    meeting=conference,
                    description="Patrols on Friday and Saturday evenings.",
                    due_on=today + timedelta(days=21),
                    owner_organisation=police,
                )
            circulate(conference, manager, "Agreed the context safety plan.", "Safety plan agreed.")
        # The north team's conference whose review was never held: a breached clock.
        north = User.objects.get(pk=self.managers[NORTH].pk)
        theirs = [a for a in approved if visibility.can(north, a.subject.concrete, "change")]
        if theirs:
            held = today - timedelta(days=125)
            old = schedule("context_conference", north, held, theirs[0].subject)
            hold(old, north, held)
            circulate(old, north, "Agreed to review in three months.", "Review in three months.")
        # A strategy discussion two working days ago: minutes drafted, record clock breached.
        people = list(
            visibility.restrict(worker, YoungPerson, "change")
            .filter(subject__authority=self.la)
            .order_by("pk")[:4]
        )
        if people:
            held = add_working_days(today, -2)
            strategy = schedule("strategy", worker, held, people[0].subject, hours=(9, 10))
            if police:
                services.meeting_invite(by=worker, meeting=strategy, organisation=police)
            hold(strategy, worker, held)
            services.decision_record(
                by=worker,
                meeting=strategy,
                text="A section 47 enquiry starts today.",
                reason="Reasonable cause to suspect significant harm outside the home.",
                outcome="section_47",
                icpc=True,
            )
            services.minutes_draft(
                by=worker, meeting=strategy, summary="Section 47 enquiry and conference agreed."
            )
        # A MACE panel held a fortnight ago and its next sitting, with a standing agenda.
        held = today - timedelta(days=14)
        panel = schedule(
            "mace", manager, held, title="Borough MACE panel", hours=(9, 12), online=True
        )
        for person in people[1:4]:
            services.agenda_item_add(by=manager, meeting=panel, subject=person.subject)
        services.agenda_item_add(by=manager, meeting=panel, reference="NOM-48213")
        services.agenda_item_add(by=manager, meeting=panel, theme="Knife crime near the station")
        if police:
            services.meeting_invite(by=manager, meeting=panel, organisation=police)
        hold(panel, manager, held)
        for item, level in zip(panel.agenda.all(), ("high", "medium", "low"), strict=False):
            if item.subject_id:
                services.agenda_item_record(
                    by=manager,
                    item=item,
                    discussion="Missing episodes and new associates discussed.",
                    update="Disruption plan agreed.",
                    level=level,
                    shareable=False,
                )
        circulate(panel, manager, "Panel held.", "Disruption actions agreed.")
        soon = today + timedelta(days=7)
        following = schedule(
            "mace",
            manager,
            soon,
            title="Borough MACE panel",
            hours=(9, 12),
            previous=panel,
            online=True,
        )
        for item in panel.agenda.all():
            services.agenda_item_add(
                by=manager,
                meeting=following,
                subject=item.subject,
                reference=item.reference,
                theme=item.theme,
            )
        if police:
            services.meeting_invite(by=manager, meeting=following, organisation=police)
        # A professionals' meeting next week.
        if people:
            meeting = schedule(
                "professionals", worker, today + timedelta(days=5), people[0].subject
            )
            services.meeting_invite(by=worker, meeting=meeting, user=manager)
        # What the meetings told people was sent at the time.
        Notification.objects.filter(
            reference__in=[m.reference for m in made], status=Notification.Status.PENDING
        ).update(status=Notification.Status.SENT, attempts=1, sent_at=timezone.now())
