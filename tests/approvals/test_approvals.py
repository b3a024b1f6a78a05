"""Sign-off (safeguarding/approvals): asking for it, approving, returning with comments,
withdrawing; who may do each (never the requester); one waiting per target; the target's
callback in the decision's transaction; the notifications; and a team manager's "Waiting for
your sign-off" on My work, whose queries do not grow with its rows.

The target is a case note (any model will do), registered for sign-off by the
``signed_off_notes`` fixture with a callback that records what it was given, and unregistered
after the test."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseNote
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.approvals import registry, selectors, services
from safeguarding.approvals.models import Approval
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.notifications.models import Notification
from tests.conftest import make_user
from tests.subject_pages import queries

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

LABEL = "cases.CaseNote"
HOME = reverse("home")


@pytest.fixture
def decided():
    """Case notes may be signed off while the test runs: the callback's calls, as (target,
    approval status, the approval's status in the database, in a transaction)."""
    calls = []

    def on_decided(target, approval):
        stored = Approval.objects.get(pk=approval.pk).status
        calls.append(
            (target, approval.status, stored, transaction.get_connection().in_atomic_block)
        )

    registry.register(LABEL, on_decided=on_decided)
    yield calls
    registry.unregister(LABEL)


def _note(world, subject=None, by="sw") -> CaseNote:
    subject = subject or world.records["cases.youngperson"]["own"].subject
    return CaseNote.objects.create(
        subject=subject,
        kind=CaseNote.Kind.OBSERVATION,
        occurred_at=timezone.now(),
        text="Seen at the bus station after school with two older youths.",
        source="professional",
        reliability="confirmed",
        written_by=world.users[by],
    )


def _request(world, *, by="sw", note=None, subject=None, **kwargs) -> Approval:
    note = note or _note(world, subject=subject)
    user = world.users[by] if isinstance(by, str) else by
    values = {
        "what": "Neighbourhood or place assessment",
        "reference": f"ASM-{note.pk:06d}",
        "link": f"/assessments/{note.pk}/",
    } | kwargs
    return services.approval_request(
        target=note, subject=note.subject, by=user, note="Ready for you to look at.", **values
    )


def _manager(world, name, team="t1") -> User:
    la = world.records["accounts.organisation"]["la"]
    return make_user(name, User.Role.TEAM_MANAGER, la, world.records["accounts.team"][team])


def _errors(call, **kwargs) -> dict:
    with pytest.raises(ApplicationError) as raised:
        call(**kwargs)
    error = raised.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


# --- asking ----------------------------------------------------------------------------------


def test_a_practitioner_asks_and_it_waits_for_a_manager(world, decided):
    approval = _request(world)
    assert approval.status == Approval.Status.REQUESTED
    assert approval.get_status_display() == "Waiting for sign-off"
    assert approval.target == CaseNote.objects.get(pk=approval.target_id)
    assert approval.requested_by == world.users["sw"]
    assert approval.note == "Ready for you to look at."
    assert (approval.decided_by, approval.decided_at, approval.comments) == (None, None, "")
    assert selectors.waiting_approval_of(approval.target) == approval
    assert not decided


def test_asking_needs_change_on_the_subject_unless_the_caller_checked(world, decided):
    other = world.records["cases.youngperson"]["other"].subject
    note = _note(world, subject=other, by="sw3")
    with pytest.raises(RecordNotFound):
        _request(world, by="sw", note=note)  # may not see team two's young person
    with pytest.raises(RecordNotFound):
        _request(world, by="sm", note=note)  # reads, changes nothing
    # A partner (a school's safeguarding lead) asking for sign-off of something of theirs: the
    # caller has checked their access to it, and says so.
    place = world.records["contexts.context"]["team"].subject
    with pytest.raises(RecordNotFound):
        _request(world, by="partner", subject=place)
    approval = _request(world, by="partner", subject=place, check=False)
    assert approval.requested_by == world.users["partner"]
    assert visibility.can(world.users["partner"], approval)
    assert not visibility.can(world.users["partner"], approval, visibility.CHANGE)


def test_only_one_approval_of_a_target_waits(world, decided):
    first = _request(world)
    note = first.target
    assert _errors(_request, world=world, note=note) == {"__all__": [services.ALREADY_WAITING]}
    services.approval_decide(
        approval=first, by=world.users["tm"], approve=False, comments="Add the school's view."
    )
    again = _request(world, note=note)  # returned, changed, asked for again
    assert again.pk != first.pk
    assert [a.pk for a in selectors.approvals_of(world.users["tm"], note)] == [again.pk, first.pk]


def test_the_database_keeps_one_waiting_per_target_and_never_the_requester_deciding(world):
    world_approval = world.records["approvals.approval"]["own"]
    copy = {
        "subject": world_approval.subject,
        "target_type": world_approval.target_type,
        "target_id": world_approval.target_id,
        "what": "Test",
        "reference": "TEST",
        "link": "/",
        "requested_by": world.users["sw"],
        "requested_at": timezone.now(),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(**copy)
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.filter(pk=world_approval.pk).update(
            status="approved", decided_by=world_approval.requested_by, decided_at=timezone.now()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.filter(pk=world_approval.pk).update(
            status="returned", decided_by=world.users["tm"], decided_at=timezone.now()
        )  # returned without comments
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.filter(pk=world_approval.pk).update(status="signed")


def test_a_target_that_is_not_registered_cannot_wait(world):
    assert not registry.is_registered(LABEL)
    with pytest.raises(LookupError):
        _request(world)
    assert not Approval.objects.filter(reference__startswith="ASM-").exists()


def test_a_label_is_registered_once(decided):
    with pytest.raises(ValueError, match="twice"):
        registry.register(LABEL.upper(), on_decided=lambda target, approval: None)


def test_what_reference_and_link_come_from_the_caller_and_must_fit(world, decided):
    with pytest.raises(ValueError):
        _request(world, reference="")
    with pytest.raises(ValueError):
        _request(world, reference="R" * 33)
    with pytest.raises(ValueError):
        _request(world, link="/" + "x" * 300)


# --- deciding --------------------------------------------------------------------------------


def test_a_manager_of_the_team_approves(world, decided):
    approval = _request(world)
    done = services.approval_decide(
        approval=approval, by=world.users["tm"], approve=True, comments=""
    )
    assert done.status == Approval.Status.APPROVED
    assert done.decided_by == world.users["tm"] and done.decided_at is not None
    approval.refresh_from_db()
    assert approval.status == Approval.Status.APPROVED
    # The callback ran once, with the target, after the approval was saved, in the transaction.
    assert decided == [(approval.target, "approved", "approved", True)]
    assert selectors.waiting_approval_of(approval.target) is None


def test_returning_needs_comments(world, decided):
    approval = _request(world)
    tm = world.users["tm"]
    for blank in ("", "   "):
        errors = _errors(
            services.approval_decide, approval=approval, by=tm, approve=False, comments=blank
        )
        assert errors == {"comments": ["Say what needs to change"]}
    assert not decided
    done = services.approval_decide(
        approval=approval, by=tm, approve=False, comments="  Add the guardians' view.  "
    )
    assert done.status == Approval.Status.RETURNED
    assert done.get_status_display() == "Returned with comments"
    assert done.comments == "Add the guardians' view."
    assert [status for _, status, _, _ in decided] == ["returned"]


def test_the_requester_never_decides(world, decided):
    tm = world.users["tm"]
    approval = _request(world, by=tm)  # a manager asking
    for approve in (True, False):
        with pytest.raises(NotAllowed, match="You asked for this sign-off"):
            services.approval_decide(approval=approval, by=tm, approve=approve, comments="x")
    # Nor a practitioner who asked for their own.
    mine = _request(world, by="sw")
    with pytest.raises(NotAllowed, match="You asked for this sign-off"):
        services.approval_decide(approval=mine, by=world.users["sw"], approve=True, comments="")
    # Another manager of the team does.
    other_manager = _manager(world, "tm_b")
    services.approval_decide(approval=approval, by=other_manager, approve=True, comments="")
    assert len(decided) == 1


def test_only_team_managers_decide(world, decided):
    approval = _request(world)
    for name in ("sw2", "sm", "partner", "admin"):
        with pytest.raises(NotAllowed, match="Only a team manager"):
            services.approval_decide(
                approval=approval, by=world.users[name], approve=True, comments=""
            )
    approval.refresh_from_db()
    assert approval.status == Approval.Status.REQUESTED and not decided


def test_a_manager_of_another_team_neither_sees_nor_decides(world, decided):
    approval = _request(world)
    tm2 = _manager(world, "tm2", team="t2")
    assert not visibility.can(tm2, approval)
    assert approval not in selectors.waiting_for(tm2)
    with pytest.raises(RecordNotFound):
        services.approval_decide(approval=approval, by=tm2, approve=True, comments="")
    # ... nor a manager of the team holding a restricted young person who is not named on it.
    restricted = world.records["cases.youngperson"]["restricted"].subject
    hidden = _request(world, by="sw2", subject=restricted)
    assert not visibility.can(world.users["tm"], hidden)
    with pytest.raises(RecordNotFound):
        services.approval_decide(approval=hidden, by=world.users["tm"], approve=True, comments="")
    assert not decided


def test_a_decision_is_made_once(world, decided):
    approval = _request(world)
    services.approval_decide(approval=approval, by=world.users["tm"], approve=True, comments="")
    other_manager = _manager(world, "tm_b")
    errors = _errors(
        services.approval_decide,
        approval=approval,
        by=other_manager,
        approve=False,
        comments="Too late",
    )
    assert errors == {"__all__": ["This is no longer waiting for sign-off: approved."]}
    assert len(decided) == 1


def test_a_failure_in_the_callback_undoes_the_decision(world):
    approval = _request_registered_with_failing_callback(world)
    approval.refresh_from_db()
    assert approval.status == Approval.Status.REQUESTED
    assert (approval.decided_by, approval.decided_at, approval.comments) == (None, None, "")
    note = CaseNote.objects.get(pk=approval.target_id)
    assert note.struck_at is None  # what the callback changed is undone with it
    assert not Notification.objects.filter(event_type="approval.decided").exists()


def _request_registered_with_failing_callback(world) -> Approval:
    def on_decided(target, approval):
        CaseNote.objects.filter(pk=target.pk).update(
            struck_at=timezone.now(), struck_by=approval.decided_by, strike_reason="Signed off"
        )
        raise RuntimeError("the target could not move on")

    registry.register(LABEL, on_decided=on_decided)
    try:
        approval = _request(world)
        with pytest.raises(RuntimeError, match="could not move on"):
            services.approval_decide(
                approval=approval, by=world.users["tm"], approve=True, comments=""
            )
    finally:
        registry.unregister(LABEL)
    return approval


# --- withdrawing -----------------------------------------------------------------------------


def test_the_requester_withdraws_while_it_waits(world, decided):
    approval = _request(world)
    with pytest.raises(NotAllowed, match="Only the person who asked"):
        services.approval_withdraw(approval=approval, by=world.users["tm"])
    with pytest.raises(RecordNotFound):
        services.approval_withdraw(approval=approval, by=world.users["sw3"])
    done = services.approval_withdraw(approval=approval, by=world.users["sw"])
    assert done.status == Approval.Status.WITHDRAWN
    assert done.decided_by is None and done.decided_at is not None
    errors = _errors(
        services.approval_decide,
        approval=approval,
        by=world.users["tm"],
        approve=True,
        comments="",
    )
    assert errors == {"__all__": ["This is no longer waiting for sign-off: withdrawn."]}
    assert not decided
    _request(world, note=approval.target)  # it may be asked for again


# --- notifications ---------------------------------------------------------------------------


def _told(event_type) -> set[tuple[str, str, str]]:
    return set(
        Notification.objects.filter(event_type=event_type).values_list(
            "recipient_user__username", "reference", "link"
        )
    )


def test_the_managers_holding_the_subject_are_told_then_the_requester(world, decided):
    Notification.objects.all().delete()
    tm_b = _manager(world, "tm_b")
    _manager(world, "tm2", team="t2")  # another team's: not told
    User.objects.filter(pk=_manager(world, "tm_gone").pk).update(is_active=False)
    approval = _request(world, by="sw")
    told = {(approval.reference, approval.link)}
    assert _told("approval.requested") == {(u, *r) for u in ("tm", "tm_b") for r in told}
    services.approval_decide(approval=approval, by=tm_b, approve=False, comments="Not yet")
    assert _told("approval.decided") == {("sw", *r) for r in told}
    # References and links only: nothing of the note, the comments or the subject.
    for row in Notification.objects.all():
        assert row.reference.startswith("ASM-") and row.link.startswith("/assessments/")


def test_a_manager_asking_is_not_told_of_their_own_request(world, decided):
    Notification.objects.all().delete()
    _request(world, by="tm")
    assert _told("approval.requested") == set()


def test_on_a_place_the_teams_working_with_it_are_told(world, decided):
    Notification.objects.all().delete()
    place = world.records["contexts.context"]["team"]
    tm2 = _manager(world, "tm2", team="t2")
    with transaction.atomic():
        from safeguarding.accounts import grants

        grants.grant_team(place, world.records["accounts.team"]["t2"])  # both teams work there
    approval = _request(world, by="sw", subject=place.subject)
    assert {u for u, _, _ in _told("approval.requested")} == {"tm", "tm2"}
    assert approval in selectors.waiting_for(tm2)


def test_on_a_restricted_young_person_only_managers_named_on_it_are_told(world, decided):
    Notification.objects.all().delete()
    restricted = world.records["cases.youngperson"]["restricted"]
    _request(world, by="sw2", subject=restricted.subject)
    assert _told("approval.requested") == set()  # tm is not named on it
    with transaction.atomic():
        from safeguarding.accounts import grants

        grants.name_user(restricted, world.users["tm"])
    Notification.objects.all().delete()
    _request(world, by="sw2", subject=restricted.subject)
    assert {u for u, _, _ in _told("approval.requested")} == {"tm"}


# --- what waits, on My work ------------------------------------------------------------------


def test_waiting_for_is_what_the_manager_may_decide_oldest_first(world, decided):
    tm = world.users["tm"]
    waiting = {a.pk for a in selectors.waiting_for(tm)}
    world_approvals = world.records["approvals.approval"]
    assert waiting == {world_approvals[n].pk for n in ("own", "team", "ctx", "pg", "agency")}
    mine = _request(world, by="tm")  # not theirs to decide
    newer = _request(world, by="sw")
    listed = list(selectors.waiting_for(tm))
    assert mine not in listed and listed[-1] == newer
    assert [a.requested_at for a in listed] == sorted(a.requested_at for a in listed)
    assert len(selectors.waiting_for(tm, limit=2)) == 2
    services.approval_decide(approval=newer, by=tm, approve=True, comments="")
    assert newer not in selectors.waiting_for(tm)
    for name in ("sw", "sm", "partner", "admin"):
        assert not selectors.waiting_for(world.users[name]).exists()


def test_my_work_shows_a_manager_what_waits_for_their_sign_off(world, client, decided):
    approval = _request(world, by="sw")
    client.force_login(world.users["tm"])
    page = client.get(HOME).content.decode()
    assert "Waiting for your sign-off" in page
    assert f'href="{approval.link}"' in page and approval.reference in page
    assert "Neighbourhood or place assessment" in page
    assert str(world.users["sw"]) in page
    # Not for practitioners, nor for senior managers.
    for name in ("sw", "sm"):
        client.force_login(world.users[name])
        assert "Waiting for your sign-off" not in client.get(HOME).content.decode()


def test_my_work_says_when_nothing_waits(world, client):
    Approval.objects.all().delete()
    client.force_login(world.users["tm"])
    page = client.get(HOME).content.decode()
    assert "Nothing is waiting for your sign-off." in page


def test_my_works_queries_do_not_grow_with_what_waits(world, client, decided):
    client.force_login(world.users["tm"])
    team = world.records["cases.youngperson"]["team"].subject  # sw2's; sw has their own

    def ask(i):
        return _request(world, by="sw2", subject=team) if i % 2 else _request(world, by="sw")

    for i in range(2):
        ask(i)
    few = queries(client, HOME)
    for i in range(12):
        ask(i)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(HOME)
    assert response.status_code == 200
    assert len(ctx.captured_queries) == few
    assert len(response.context["waiting_approvals"]) == 5 + 2 + 12


def test_my_work_shows_the_oldest_and_says_more_wait(world, client, decided, monkeypatch):
    from cases.casework.views import HomeView

    monkeypatch.setattr(HomeView, "approvals_shown", 3)
    client.force_login(world.users["tm"])
    response = client.get(HOME)
    assert len(response.context["waiting_approvals"]) == 3
    assert "These are the oldest 3: more are waiting." in response.content.decode()


def test_the_approval_is_audited_without_the_note_or_comments(world, decided):
    from auditlog.models import LogEntry

    approval = _request(world)
    services.approval_decide(
        approval=approval, by=world.users["tm"], approve=False, comments="Add the school's view."
    )
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Approval), object_pk=str(approval.pk)
    )
    assert entries.count() == 2  # created, then decided
    text = " ".join(str(e.changes) for e in entries)
    assert "Ready for you to look at." not in text and "school's view" not in text
    assert "returned" in text
