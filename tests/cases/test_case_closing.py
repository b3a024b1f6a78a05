"""Work on a case: its risk level and next review date (with their history), asking to close
it, the team manager's sign-off or return, reopening within the local period or opening a new
case, and transfers started from the case page and the team's queue."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Action, Case, CaseRiskChange, CaseStatusChange, TransferRequest
from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.notifications.models import Notification
from tests.factories import CaseFactory, TeamManagerFactory, YoungPersonFactory

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

TODAY = timezone.localdate


@pytest.fixture
def tm2(world):
    return TeamManagerFactory(username="tm2", team=world.records["accounts.team"]["t2"])


def _case(world, worker="sw", name="Closeme", **kwargs) -> Case:
    """An open case of team one, allocated to ``worker`` (a name of the world, or None)."""
    yp = YoungPersonFactory(authority=world.records["accounts.organisation"]["la"], given_name=name)
    worker = world.users[worker] if worker else None
    return CaseFactory(subject=yp, team=world.users["tm"].team, worker=worker, **kwargs)


def _ask(case, by, reason="The plan's outcomes are met.", **kwargs):
    return services.case_close_request(case=case, by=by, reason=reason, **kwargs)


def _errors(excinfo) -> dict:
    error = excinfo.value
    return error.message_dict if hasattr(error, "error_dict") else {None: error.messages}


# --- risk level and next review date --------------------------------------------------------


def test_the_worker_sets_risk_and_review_and_the_change_is_kept(world):
    case, sw = _case(world), world.users["sw"]
    due = TODAY() + timedelta(days=30)
    change = services.case_risk_set(
        case=case, by=sw, risk=Case.Risk.HIGH, next_review_due=due, reason="Missing twice."
    )
    case.refresh_from_db()
    assert (case.risk, case.next_review_due) == (Case.Risk.HIGH, due)
    assert (change.risk_before, change.risk_after) == (Case.Risk.NOT_ASSESSED, Case.Risk.HIGH)
    assert (change.next_review_due_before, change.next_review_due_after) == (None, due)
    assert change.changed_by == sw and change.reason == "Missing twice."
    # A second change keeps the first: the history.
    services.case_risk_set(
        case=case, by=world.users["tm"], risk=Case.Risk.MEDIUM, next_review_due=due, reason="Calmer"
    )
    assert list(case.risk_changes.values_list("risk_after", flat=True)) == ["high", "medium"]


@pytest.mark.parametrize("user_name", ["sw2", "sw3", "sm", "partner", "admin"])
def test_only_the_worker_and_the_teams_managers_set_risk(world, user_name):
    case = _case(world)
    with pytest.raises(RecordNotFound):
        services.case_risk_set(
            case=case,
            by=world.users[user_name],
            risk=Case.Risk.HIGH,
            next_review_due=TODAY(),
            reason="Because",
        )
    assert not case.risk_changes.exists()


def test_risk_needs_a_reason_a_review_date_from_today_and_a_change(world):
    case, sw = _case(world), world.users["sw"]

    def refused(**kwargs):
        arguments = {"risk": "high", "next_review_due": TODAY(), "reason": "Why", **kwargs}
        with pytest.raises(ApplicationError) as excinfo:
            services.case_risk_set(case=case, by=sw, **arguments)
        return _errors(excinfo)

    assert refused(reason="  ") == {"reason": ["Say why the risk level or review date is changing"]}
    assert "next_review_due" in refused(next_review_due=TODAY() - timedelta(days=1))
    assert "next_review_due" in refused(next_review_due=None)
    assert "risk" in refused(risk="extreme")
    services.case_risk_set(case=case, by=sw, risk="high", next_review_due=TODAY(), reason="Why")
    assert "risk" in refused()  # nothing changes
    assert case.risk_changes.count() == 1


def test_a_closed_cases_risk_is_not_changed(world):
    case, tm = _case(world), world.users["tm"]
    services.case_close(case=case, closed_by=tm, reason="Finished")
    with pytest.raises(ApplicationError):
        services.case_risk_set(
            case=case, by=tm, risk="low", next_review_due=TODAY(), reason="After closing"
        )


def test_the_risk_page_shows_errors_at_the_field_and_keeps_what_was_typed(world, client):
    case = _case(world)
    client.force_login(world.users["sw"])
    url = reverse("cases:case-risk", args=[case.pk])
    assert client.get(url).status_code == 200
    past = TODAY() - timedelta(days=2)
    typed = {
        "risk": "high",
        "next_review_due_day": past.day,
        "next_review_due_month": past.month,
        "next_review_due_year": past.year,
        "reason": "Seen late at the station twice.",
    }
    response = client.post(url, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The date of the next review must be today or in the future" in page
    assert "Seen late at the station twice." in page  # nothing typed is lost
    assert re.search(r'<input[^>]*value="high"[^>]*checked', page)
    assert f'value="{past.year}"' in page
    page = client.post(url, {**typed, "reason": ""}).content.decode()
    assert "Say why the risk level or review date is changing" in page
    assert not case.risk_changes.exists()
    due = TODAY() + timedelta(days=14)
    response = client.post(
        url,
        {
            "risk": "high",
            "next_review_due_day": due.day,
            "next_review_due_month": due.month,
            "next_review_due_year": due.year,
            "reason": "Seen with older males at the station.",
        },
    )
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Seen with older males at the station." in page  # the history on the case
    assert "Risk and review history" in page
    # ... and in the subject's chronology.
    chronology = client.get(case.subject.get_absolute_url()).content.decode()
    assert "Risk high (was not yet assessed)" in chronology


def test_the_risk_page_is_a_404_to_who_may_not_change_the_case(world, client):
    case = _case(world)
    for name in ("sw2", "sw3", "sm", "partner"):
        client.force_login(world.users[name])
        url = reverse("cases:case-risk", args=[case.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"risk": "high"}).status_code == 404, name


# --- asking to close, signing off, returning ------------------------------------------------


def test_the_worker_asks_to_close_and_the_manager_is_told(world):
    case, sw, tm = _case(world), world.users["sw"], world.users["tm"]
    Notification.objects.all().delete()
    change = _ask(case, sw)
    case.refresh_from_db()
    assert (
        case.status == Case.Status.CLOSING and case.closure_reason == "The plan's outcomes are met."
    )
    assert case.closed_at is None
    assert (change.kind, change.by, change.status_before, change.status_after) == (
        CaseStatusChange.Kind.CLOSE_REQUESTED,
        sw,
        "open",
        "closing",
    )
    told = Notification.objects.get(event_type="work.closure_requested")
    assert told.recipient_user == tm and told.reference == case.subject.reference
    assert told.link == reverse("cases:case-sign-off", args=[case.pk])
    with pytest.raises(ApplicationError):
        _ask(case, sw)  # already waiting


@pytest.mark.parametrize("user_name", ["sw2", "sw3", "sm", "partner", "admin"])
def test_only_the_worker_or_a_manager_of_the_team_asks_to_close(world, user_name):
    case = _case(world)
    with pytest.raises(RecordNotFound):
        _ask(case, world.users[user_name])
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_a_team_manager_may_ask_to_close_an_unallocated_case(world):
    case = _case(world, worker=None)
    _ask(case, world.users["tm"])
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSING


def test_asking_to_close_needs_a_reason_and_open_actions_handed_over(world):
    case, sw = _case(world), world.users["sw"]
    action = services.action_assign(
        subject=case.subject,
        description="Safety plan review with the school",
        due_on=TODAY() + timedelta(days=3),
        assigned_by=sw,
        owner_user=sw,
    )
    with pytest.raises(ApplicationError) as excinfo:
        _ask(case, sw, reason=" ")
    assert set(_errors(excinfo)) == {"reason", "open_actions_handed_over"}
    _ask(case, sw, open_actions_handed_over=True)
    assert case.status_changes.get().open_actions_handed_over
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN  # handed over, not ended


def test_a_case_being_transferred_is_not_closed(world):
    case = world.records["cases.case"]["own"]  # the world offers it to team two
    assert case.transfer_requests.filter(status=TransferRequest.Status.PENDING).exists()
    with pytest.raises(ApplicationError, match="transfer"):
        _ask(case, world.users["sw"], open_actions_handed_over=True)


def test_the_manager_signs_off_and_the_worker_is_told(world):
    case, sw, tm = _case(world), world.users["sw"], world.users["tm"]
    _ask(case, sw)
    Notification.objects.all().delete()
    services.case_close_sign_off(case=case, by=tm)
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.closed_at is not None
    assert case.closure_reason == "The plan's outcomes are met."
    assert not case.allocations.filter(ended_at__isnull=True).exists()
    yp = case.subject.youngperson
    assert not visibility.can(sw, yp, visibility.CHANGE)  # no longer named
    assert visibility.can(sw, yp)  # the team keeps its history
    kinds = list(case.status_changes.values_list("kind", flat=True))
    assert kinds == ["close_requested", "signed_off"]
    told = Notification.objects.get(event_type="work.closure_decided")
    assert told.recipient_user == sw and told.link == case.get_absolute_url()


def test_the_manager_returns_it_with_a_comment_the_worker_sees(world, client):
    case, sw, tm = _case(world), world.users["sw"], world.users["tm"]
    _ask(case, sw)
    with pytest.raises(ApplicationError) as excinfo:
        services.case_close_return(case=case, by=tm, comment="")
    assert "comment" in _errors(excinfo)
    Notification.objects.all().delete()
    services.case_close_return(case=case, by=tm, comment="Record the last visit first.")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN and case.closure_reason == ""
    assert Notification.objects.get(event_type="work.closure_decided").recipient_user == sw
    client.force_login(sw)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Closure returned" in page and "Record the last visit first." in page
    chronology = client.get(case.subject.get_absolute_url()).content.decode()
    assert "Closure returned" in chronology and "Closure requested" in chronology
    # Asked again, the returned comment is history, not a banner.
    _ask(case, sw, reason="Visit recorded.")
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Record the last visit first." in page and 'id="returned-title"' not in page


@pytest.mark.parametrize(
    ("user_name", "error"),
    [("sw", NotAllowed), ("sw2", RecordNotFound), ("sw3", RecordNotFound), ("sm", RecordNotFound)],
)
def test_only_a_manager_of_the_cases_team_signs_off_or_returns(world, user_name, error):
    case = _case(world)
    _ask(case, world.users["sw"])
    with pytest.raises(error):
        services.case_close_sign_off(case=case, by=world.users[user_name])
    with pytest.raises(error):
        services.case_close_return(case=case, by=world.users[user_name], comment="No")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSING


def test_a_manager_of_another_team_cannot_sign_off(world, tm2):
    case = _case(world)
    _ask(case, world.users["sw"])
    with pytest.raises(RecordNotFound):
        services.case_close_sign_off(case=case, by=tm2)


def test_only_a_closing_case_is_signed_off(world):
    case = _case(world)
    with pytest.raises(ApplicationError):
        services.case_close_sign_off(case=case, by=world.users["tm"])


def test_a_social_worker_does_not_close_without_sign_off(world):
    case = _case(world)
    with pytest.raises(NotAllowed):
        services.case_close(case=case, closed_by=world.users["sw"], reason="Done")


def test_the_close_page_lists_open_actions_and_asks_to_confirm(world, client):
    case, sw = _case(world), world.users["sw"]
    services.action_assign(
        subject=case.subject,
        description="Meet the youth worker",
        due_on=TODAY() + timedelta(days=3),
        assigned_by=sw,
        owner_user=sw,
    )
    client.force_login(sw)
    url = reverse("cases:case-close", args=[case.pk])
    page = client.get(url).content.decode()
    assert "Meet the youth worker" in page and "still open" in page
    response = client.post(url, {"reason": "Outcomes met."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Confirm the open actions are handed over" in page and "Outcomes met." in page
    response = client.post(url, {"reason": "Outcomes met.", "open_actions_handed_over": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSING


def test_the_sign_off_page_is_for_the_teams_managers_only(world, client, tm2):
    case = _case(world)
    _ask(case, world.users["sw"])
    url = reverse("cases:case-sign-off", args=[case.pk])
    for user in (world.users["sw"], world.users["sw2"], world.users["sm"], tm2):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"decision": "sign_off"}).status_code == 404
    client.force_login(world.users["tm"])
    response = client.post(url, {"decision": "return"})
    assert response.status_code == 200
    assert "Say what must be done before the case can close" in response.content.decode()
    response = client.post(url + "?from=team", {"decision": "sign_off"})
    assert response.status_code == 302 and response.url == reverse("cases:team")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert client.get(url).status_code == 404  # no longer waiting


def test_managers_see_closures_waiting_on_my_work_and_the_team_page(world, client):
    case = _case(world, name="Waitingsignoff")
    _ask(case, world.users["sw"])
    client.force_login(world.users["tm"])
    page = client.get(reverse("cases:team")).content.decode()
    assert "Closures waiting for your sign-off" in page and case.subject.reference in page
    assert reverse("cases:case-sign-off", args=[case.pk]) in page
    assert "Closures to sign off" in client.get(reverse("home")).content.decode()
    client.force_login(world.users["sw"])
    assert "Closures to sign off" not in client.get(reverse("home")).content.decode()


# --- reopening, or a new case --------------------------------------------------------------


def _closed(world, days_ago=0, **kwargs) -> Case:
    case = _case(world, **kwargs)
    services.case_close(case=case, closed_by=world.users["tm"], reason="Outcomes met")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=days_ago))
    case.refresh_from_db()
    return case


def test_a_manager_reopens_within_the_period_into_the_queue(world, settings):
    settings.CASE_REOPEN_DAYS = 28
    case, tm = _closed(world, days_ago=27), world.users["tm"]
    with pytest.raises(ApplicationError):
        services.case_reopen(case=case, by=tm, reason=" ")
    services.case_reopen(case=case, by=tm, reason="Missing again within weeks.")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN and case.closed_at is None
    assert case.allocated_worker is None  # in the team's unallocated queue
    current = case.allocations.get(ended_at__isnull=True)
    assert current.worker is None and current.allocated_by == tm
    assert case.status_changes.last().kind == CaseStatusChange.Kind.REOPENED


def test_after_the_period_a_new_case_is_opened_instead(world, settings, client):
    settings.CASE_REOPEN_DAYS = 28
    case, tm = _closed(world, days_ago=29), world.users["tm"]
    with pytest.raises(ApplicationError, match="open a new case"):
        services.case_reopen(case=case, by=tm, reason="Again")
    client.force_login(tm)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Reopen this case" not in page and "new work is a new case" in page
    subject_page = client.get(case.subject.get_absolute_url()).content.decode()
    open_url = reverse("cases:case-open", args=[case.subject.reference])
    assert open_url in subject_page
    response = client.post(open_url, {"reason": "", "worker": ""})
    assert "Say why the work is starting" in response.content.decode()
    response = client.post(
        open_url, {"reason": "New referral from the school.", "worker": world.users["sw2"].pk}
    )
    assert response.status_code == 302
    new = Case.objects.get(subject=case.subject, status=Case.Status.OPEN)
    assert new.pk != case.pk and new.allocated_worker == world.users["sw2"]
    assert new.team == tm.team
    assert open_url not in client.get(case.subject.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("user_name", "error"), [("sw", NotAllowed), ("sw3", RecordNotFound)])
def test_only_a_manager_of_the_team_reopens(world, user_name, error):
    case = _closed(world)
    with pytest.raises(error):
        services.case_reopen(case=case, by=world.users[user_name], reason="Again")


def test_a_case_is_not_reopened_beside_a_newer_one(world):
    case, tm = _closed(world), world.users["tm"]
    services.case_open_episode(subject=case.subject, by=tm, reason="New work")
    with pytest.raises(ApplicationError, match="already an open case"):
        services.case_reopen(case=case, by=tm, reason="Again")
    with pytest.raises(ApplicationError):
        services.case_open_episode(subject=case.subject, by=tm, reason="And again")


def test_only_a_team_manager_opens_a_new_case(world):
    case = _closed(world)
    with pytest.raises(NotAllowed):
        services.case_open_episode(subject=case.subject, by=world.users["sw"], reason="New")
    with pytest.raises(NotAllowed):
        services.case_open_episode(subject=case.subject, by=world.users["sm"], reason="New")


def test_the_reopen_page(world, client):
    case = _closed(world, days_ago=3)
    url = reverse("cases:case-reopen", args=[case.pk])
    client.force_login(world.users["sw"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["tm"])
    assert "Reopen this case" in client.get(case.get_absolute_url()).content.decode()
    response = client.post(url, {"reason": ""})
    assert "Say why the case is reopening" in response.content.decode()
    response = client.post(url, {"reason": "Closed in error."})
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert client.get(url).status_code == 404  # open again


# --- transfers from the case page and the queue ---------------------------------------------


def test_transfers_start_from_the_case_page_and_the_queue_and_return_there(world, client):
    tm = world.users["tm"]
    case = _case(world, worker=None, name="Queuedcase")
    client.force_login(tm)
    transfer_url = reverse("cases:case-transfer", args=[case.pk])
    case_page = client.get(case.get_absolute_url()).content.decode()
    assert f"{transfer_url}?from=case" in case_page
    team_page = client.get(reverse("cases:team")).content.decode()
    assert f"{transfer_url}?from=team" in team_page
    form = client.get(transfer_url + "?from=case").content.decode()
    assert f'href="{case.get_absolute_url()}"' in form  # Cancel goes back to the case
    response = client.post(
        transfer_url + "?from=case",
        {"to_team": world.records["accounts.team"]["t2"].pk, "reason": "Moved south."},
    )
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert "waiting for a decision" in client.get(case.get_absolute_url()).content.decode()


def test_an_unknown_return_is_the_default(world, client):
    case = _case(world, worker=None, name="Elsewhere")
    client.force_login(world.users["tm"])
    response = client.post(
        reverse("cases:case-allocate", args=[case.pk]) + "?from=https://evil.example/",
        {"worker": world.users["sw"].pk},
    )
    assert response.status_code == 302 and response.url == reverse("cases:team")


# --- the cost of the pages ------------------------------------------------------------------


def test_the_case_pages_cost_does_not_grow_with_its_history(world, client):
    case, sw, tm = _case(world), world.users["sw"], world.users["tm"]
    client.force_login(tm)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def grow(n):
        for i in range(n):
            due = TODAY() + timedelta(days=10 + i + CaseRiskChange.objects.count())
            services.case_risk_set(
                case=case, by=sw, risk="high" if i % 2 else "low", next_review_due=due, reason="R"
            )
            _ask(case, sw)
            services.case_close_return(case=case, by=tm, comment="Not yet")

    grow(1)
    pages = [case.get_absolute_url(), case.subject.get_absolute_url(), reverse("cases:team")]
    small = [count(url) for url in pages]
    grow(8)
    assert [count(url) for url in pages] == small


def test_the_team_pages_cost_does_not_grow_with_closures_waiting(world, client):
    client.force_login(world.users["tm"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:team")).status_code == 200
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    _ask(_case(world, name="Waitingone"), world.users["sw"])
    small = count()
    for i in range(6):
        _ask(_case(world, name=f"Waitingmore{i}"), world.users["sw"])
    assert count() == small
