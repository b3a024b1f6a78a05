"""No child's personal data in any email, webhook or log line.

Every kind of notification is caused the way the app causes it (the partner API, the front
door's decision, allocation, a transfer request, a concern at a watched place, an action given
to a partner and then overdue, a closure asked for and returned), with planted fictional names,
dates of birth, addresses and narrative. Everything the SMTP server and the webhook receiver
get, and everything logged at any level by the web side and the worker, is searched for them.
"""

import logging
import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.meetings import services as meeting_services
from cases.models import Action, Case, HarmCategory, Referral, ReferralSubject
from safeguarding.api import services as api_services
from safeguarding.approvals import registry as approvals_registry
from safeguarding.approvals import services as approval_services
from safeguarding.notifications.models import Notification
from safeguarding.notifications.services import EVENT_TYPES
from tests.api.conftest import referral_body
from tests.conftest import make_user

from .conftest import wait_for
from .test_delivery import subscribe

pytestmark = pytest.mark.django_db(transaction=True)

CHILD = {"given": "Zebedee", "family": "Quillfeather-Oduya"}
CHILD_NAME = f"{CHILD['given']} {CHILD['family']}"
CHILD_BORN = "2011-03-14"
CHILD_ADDRESS = "7 Marrowbone Lane"
CHILD_POSTCODE = "ZZ9 9QX"
OTHER_CHILD = "Orlaith Vantongeren"
NARRATIVE = f"{CHILD_NAME} was seen with {OTHER_CHILD} getting into a grey car near the lido."
PLANTED = [
    CHILD["given"],
    CHILD["family"],
    CHILD_BORN,
    "14/03/2011",
    "14 March 2011",
    CHILD_ADDRESS,
    CHILD_POSTCODE,
    OTHER_CHILD.split()[0],
    OTHER_CHILD.split()[1],
    "grey car near the lido",
]


def test_no_personal_data_leaves_in_notifications_or_logs(world, worker, smtp, receiver, caplog):
    caplog.set_level(logging.DEBUG)
    Notification.objects.all().delete()
    la = world.records["accounts.organisation"]["la"]
    p1 = world.records["accounts.organisation"]["p1"]
    subscribe(world, receiver, "p1", mailbox="safeguarding@police.example")
    tm, sw = world.users["tm"], world.users["sw"]
    tm2 = make_user("tm2", "team_manager", la, world.records["accounts.team"]["t2"])
    place = world.records["contexts.context"]["team"]  # p1 is its guardian
    place.guardians.filter(organisation=p1).update(told_of_concerns=True)

    with worker():
        # Starting the worker re-applies Django's logging configuration: listen again, at every
        # level, to everything logged in this process (the web side and the worker).
        root = logging.getLogger()
        root.addHandler(caplog.handler)
        root.setLevel(logging.DEBUG)
        # A partner refers, describing the child (the acknowledgement).
        issued = api_services.api_token_issue(
            organisation=p1, name="p1 case system", issued_by=world.users["admin"]
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
        body = referral_body(
            young_people=[
                {
                    "name": CHILD_NAME,
                    "date_of_birth": CHILD_BORN,
                    "address": CHILD_ADDRESS,
                    "postcode": CHILD_POSTCODE,
                }
            ],
            narrative=NARRATIVE,
        )
        response = client.post(
            "/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
        assert response.status_code == 201, response.content
        referral = Referral.objects.get(reference=response.json()["reference"])

        # The front door decides (the decision), creating the child's record and opening work.
        about = ReferralSubject.objects.get(referral=referral)
        services.referral_decide(
            referral=referral,
            decision=Referral.Decision.YOUNG_PERSON_ASSESSMENT,
            reason=f"Assess {CHILD_NAME}",
            decided_by=tm,
            links={about.pk: services.NEW},
        )
        case = Case.objects.get(subject__youngperson__given_name=CHILD["given"])
        # Allocated to a worker.
        services.case_allocate(case=case, worker=sw, allocated_by=tm, reason=NARRATIVE)
        # A concern at a place the police asked to hear about.
        services.concern_log(
            logged_by=sw,
            occurred_at=timezone.now() - timedelta(hours=2),
            narrative=NARRATIVE,
            harm_categories=HarmCategory.objects.all()[:1],
            source="police",
            reliability="reliable",
            location=place,
            young_people=[(case.subject.youngperson, "at_risk")],
        )
        # An action for the police, which then runs late.
        action = services.action_assign(
            subject=case.subject,
            description=f"Visit {CHILD_NAME} at {CHILD_ADDRESS}",
            due_on=timezone.localdate(),
            assigned_by=tm,
            owner_organisation=p1,
        )
        Action.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - timedelta(days=3))
        assert services.actions_notify_overdue() == 1
        # The worker asks to close the case; the manager returns it with a comment.
        services.case_close_request(
            case=case, by=sw, reason=NARRATIVE, open_actions_handed_over=True
        )
        services.case_close_return(case=case, by=tm, comment=f"Visit {CHILD_NAME} first")
        # The worker asks for sign-off of a note about the child (any registered target will
        # do); the manager returns it with comments that name the child.
        note = services.case_note_add(
            subject=case.subject,
            kind="observation",
            occurred_at=timezone.now() - timedelta(hours=1),
            text=NARRATIVE,
            source="professional",
            reliability="confirmed",
            by=sw,
        )
        approvals_registry.register("cases.CaseNote", on_decided=lambda target, approval: None)
        try:
            asked = approval_services.approval_request(
                target=note,
                subject=case.subject,
                what="Case note",
                reference=case.subject.reference,
                link=case.subject.get_absolute_url(),
                by=sw,
                note=NARRATIVE,
            )
            approval_services.approval_decide(
                approval=asked, by=tm, approve=False, comments=f"Say where {CHILD_NAME} lives"
            )
        finally:
            approvals_registry.unregister("cases.CaseNote")
        # The case is offered to another team, which takes it.
        transfer = services.transfer_request(
            case=case,
            to_team=world.records["accounts.team"]["t2"],
            requested_by=tm,
            reason=f"{CHILD_NAME} moved",
        )
        services.transfer_accept(request=transfer, accepted_by=tm2)
        # ... and offers it back, then thinks better of it.
        back = services.transfer_request(
            case=case,
            to_team=world.records["accounts.team"]["t1"],
            requested_by=tm2,
            reason=f"{CHILD_NAME} moved back",
        )
        services.transfer_withdraw(request=back, withdrawn_by=tm2)
        # A strategy discussion about the child: the police and a GP with no account invited
        # (calendar invitations), moved, held, minutes naming the child circulated; another
        # cancelled.
        soon = timezone.now() + timedelta(days=2)
        meeting = meeting_services.meeting_schedule(
            by=tm2,
            kind="strategy",
            subject=case.subject,
            starts_at=soon,
            ends_at=soon + timedelta(hours=1),
            chair=tm2,
            location="Civic Centre",
        )
        meeting_services.meeting_invite(by=tm2, meeting=meeting, organisation=p1)
        meeting_services.meeting_invite(
            by=tm2, meeting=meeting, name="Dr Lee", role="GP", email="gp@surgery.example"
        )
        meeting_services.meeting_change(
            by=tm2,
            meeting=meeting,
            starts_at=soon - timedelta(days=3),
            ends_at=soon - timedelta(days=3) + timedelta(hours=1),
            location=f"Near {CHILD_ADDRESS}",
            online=False,
        )
        meeting_services.meeting_hold(by=tm2, meeting=meeting, attendance={})
        meeting_services.minutes_draft(
            by=tm2, meeting=meeting, summary=NARRATIVE, sections=[(CHILD_NAME, NARRATIVE, True)]
        )
        meeting_services.minutes_approve(by=tm2, meeting=meeting)
        meeting_services.minutes_circulate(by=tm2, meeting=meeting)
        other = meeting_services.meeting_schedule(
            by=tm2,
            kind="professionals",
            subject=case.subject,
            starts_at=soon,
            ends_at=soon + timedelta(hours=1),
            chair=tm2,
            online=True,
        )
        meeting_services.meeting_invite(by=tm2, meeting=other, organisation=p1)
        meeting_services.meeting_cancel(by=tm2, meeting=other, reason=f"{CHILD_NAME} moved")

        wait_for(
            lambda: (
                Notification.objects.exists()
                and not Notification.objects.exclude(status="sent").exists()
            ),
            message="every notification to be delivered",
        )

    root.removeHandler(caplog.handler)
    kinds = set(Notification.objects.values_list("event_type", flat=True))
    assert kinds == set(EVENT_TYPES), f"not every kind was caused: {set(EVENT_TYPES) - kinds}"
    assert smtp.raw and receiver.requests
    assert "sent on attempt 1" in caplog.text  # the worker's log lines are in what is searched

    transit = {
        "emails": "\n".join(smtp.raw),
        "webhooks": "\n".join(f"{r['headers']}\n{r['body'].decode()}" for r in receiver.requests),
        "logs": caplog.text,
    }
    for where, text in transit.items():
        found = [p for p in PLANTED if p.lower() in text.lower()]
        assert not found, f"{found} found in the {where}"
    # The records themselves do hold them: the search would find them if they had leaked.
    assert Referral.objects.filter(narrative__contains=OTHER_CHILD).exists()
    assert datetime.fromisoformat(CHILD_BORN).date() == case.subject.youngperson.date_of_birth
