"""Team managers: caseload, allocation and transfer between teams."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.models import Case, TransferRequest
from cases.views import TeamCaseloadView, WorkerCasesView
from safeguarding.accounts import visibility
from tests.factories import CaseFactory, TeamManagerFactory, YoungPersonFactory

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _new_case(world, team, worker=None, name="Queue"):
    yp = YoungPersonFactory(authority=world.records["accounts.organisation"]["la"], given_name=name)
    return yp, CaseFactory(subject=yp, team=team, worker=worker)


@pytest.fixture
def tm2(world):
    return TeamManagerFactory(username="tm2", team=world.records["accounts.team"]["t2"])


@pytest.mark.parametrize("user_name", ["sw", "sw3", "sm", "partner", "admin"])
def test_only_team_managers_reach_manager_pages(world, client, user_name):
    client.force_login(world.users[user_name])
    case = world.records["cases.case"]["own"]
    transfer = world.records["cases.transferrequest"]["in"]
    for url in (
        reverse("cases:team"),
        reverse("cases:team-worker", args=[world.users["sw"].pk]),
        reverse("cases:case-allocate", args=[case.pk]),
        reverse("cases:case-transfer", args=[case.pk]),
        reverse("cases:transfer", args=[transfer.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"worker": world.users["sw"].pk}).status_code == 404, url
    case.refresh_from_db()
    assert case.allocated_worker == world.users["sw"]


def test_caseload_counts_the_teams_work_and_says_how(world, client):
    tm = world.users["tm"]
    rows = {row.worker.username: row for row in selectors.caseload_for_team(user=tm, team=tm.team)}
    assert set(rows) == {"sw", "sw2", "tm"}
    assert rows["sw"].open_cases == 1 and rows["sw"].weighted == 2  # not yet assessed: 2
    # The restricted young person's case is not counted for a manager not named on it.
    assert rows["sw2"].open_cases == 1
    client.force_login(tm)
    page = client.get(reverse("cases:team")).content.decode()
    assert "How the weighted caseload is worked out" in page
    assert "Test team place" in page  # the place waiting in the unallocated queue
    assert "Transfers waiting for you" in page  # the world's transfer from team two


def test_manager_allocates_unallocated_work(world, client):
    tm, sw, sw3 = world.users["tm"], world.users["sw"], world.users["sw3"]
    yp, case = _new_case(world, tm.team)
    assert not visibility.can(sw, yp, visibility.CHANGE)
    client.force_login(tm)
    response = client.post(reverse("cases:case-allocate", args=[case.pk]), {"worker": sw.pk})
    assert response.status_code == 302, response.content.decode()
    assert visibility.can(sw, yp, visibility.CHANGE)
    assert not visibility.can(sw3, yp)
    client.force_login(sw)
    assert client.get(yp.get_absolute_url()).status_code == 200
    client.force_login(sw3)
    assert client.get(yp.get_absolute_url()).status_code == 404


def test_allocate_form_errors_keep_input(world, client):
    _, case = _new_case(world, world.users["tm"].team)
    client.force_login(world.users["tm"])
    page = client.post(
        reverse("cases:case-allocate", args=[case.pk]), {"worker": "", "reason": "kept note"}
    ).content.decode()
    assert "There is a problem" in page and "kept note" in page


def test_transfer_to_another_team_is_accepted_by_its_manager(world, client, tm2):
    tm, sw, sw3 = world.users["tm"], world.users["sw"], world.users["sw3"]
    case = world.records["cases.case"]["own"]
    yp = world.records["cases.youngperson"]["own"]
    TransferRequest.objects.filter(case=case).delete()  # the world's own pending offer
    client.force_login(tm)
    response = client.post(
        reverse("cases:case-transfer", args=[case.pk]),
        {"to_team": tm2.team_id, "reason": "Family moved to the south of the borough"},
    )
    assert response.status_code == 302, response.content.decode()
    transfer = TransferRequest.objects.get(case=case, status="pending")
    assert visibility.can(sw, yp) and not visibility.can(sw3, yp)  # nothing moved yet

    client.force_login(tm2)
    assert client.get(reverse("cases:transfer", args=[transfer.pk])).status_code == 200
    response = client.post(reverse("cases:transfer", args=[transfer.pk]), {"decision": "accept"})
    assert response.status_code == 302, response.content.decode()
    case.refresh_from_db()
    assert case.team == tm2.team and case.allocated_worker is None
    assert visibility.can(sw3, yp) and not visibility.can(sw, yp)
    # The history of who held the case is on the chronology.
    client.force_login(sw3)
    page = client.get(yp.get_absolute_url()).content.decode()
    assert "Allocated to" in page and "Team Two" in page


def test_rejecting_a_transfer_needs_a_reason_and_moves_nothing(world, client, tm2):
    transfer = world.records["cases.transferrequest"]["out"]  # team one's case offered to two
    client.force_login(tm2)
    url = reverse("cases:transfer", args=[transfer.pk])
    page = client.post(url, {"decision": "reject", "reason": ""}).content.decode()
    assert "Say why the transfer is rejected" in page
    response = client.post(url, {"decision": "reject", "reason": "We have no capacity"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "rejected"
    assert Case.objects.get(pk=transfer.case_id).team_id == transfer.from_team_id
    # The sending manager cannot decide their own offer.
    client.force_login(world.users["tm"])
    in_transfer = world.records["cases.transferrequest"]["in"]
    assert client.get(reverse("cases:transfer", args=[in_transfer.pk])).status_code == 200
    assert client.get(url).status_code == 404


def test_caseload_page_query_count_does_not_grow(world, client):
    tm = world.users["tm"]
    client.force_login(tm)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:team")).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        _new_case(world, tm.team, worker=world.users["sw"], name=f"Small{i}")
        _new_case(world, tm.team, name=f"SmallQueue{i}")
    small = count()
    for i in range(30):
        _new_case(world, tm.team, worker=world.users["sw2"], name=f"Large{i}")
        _new_case(world, tm.team, name=f"LargeQueue{i}")  # more than a page of the queue
    assert count() == small
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("cases:team"), {"page": 2}).status_code == 200
    assert len(ctx.captured_queries) == small


def test_allocation_and_transfer_requests_are_recorded_for_notification(world, client, tm2):
    from safeguarding.notifications.models import Notification

    tm, sw = world.users["tm"], world.users["sw"]
    yp, case = _new_case(world, tm.team, name="Notifyme")
    client.force_login(tm)
    client.post(reverse("cases:case-allocate", args=[case.pk]), {"worker": sw.pk})
    note = Notification.objects.get(recipient_user=sw, reference=yp.reference)
    assert note.event_type == "work.allocated" and note.link == yp.get_absolute_url()
    assert "Notifyme" not in f"{note.reference} {note.link}"  # a reference, never a name
    client.post(
        reverse("cases:case-transfer", args=[case.pk]),
        {"to_team": tm2.team_id, "reason": "Moved"},
    )
    assert Notification.objects.filter(
        recipient_user=tm2, event_type="work.transfer_requested", reference=yp.reference
    ).exists()


@pytest.mark.parametrize("user_name", ["sw", "sm", "partner", "admin"])
def test_only_team_managers_reach_the_front_door(world, client, user_name):
    referral = world.records["cases.referral"]["agency"]
    client.force_login(world.users[user_name])
    for url in (
        reverse("cases:triage"),
        reverse("cases:triage-decide", args=[referral.pk]),
        reverse("cases:triage-screening", args=[referral.pk]),
    ):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"decision": "nfa", "reason": "x"}).status_code == 404, url
    referral.refresh_from_db()
    assert referral.status == "received"


def test_a_team_manager_cannot_reach_another_teams_workers_or_cases(world, client, tm2):
    client.force_login(tm2)  # team two's manager
    other_case = world.records["cases.case"]["own"]  # team one's
    assert client.get(reverse("cases:team-worker", args=[world.users["sw"].pk])).status_code == 404
    for name in ("case-allocate", "case-transfer"):
        url = reverse(f"cases:{name}", args=[other_case.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"worker": world.users["sw3"].pk}).status_code == 404
    other_case.refresh_from_db()
    assert other_case.allocated_worker == world.users["sw"]
    rows = {r.worker.username for r in selectors.caseload_for_team(user=tm2, team=tm2.team)}
    assert rows == {"sw3", "tm2"}


# --- pages of long lists -----------------------------------------------------------------------


def _in_order(page: str, references) -> list[str]:
    """Those of ``references`` that the page shows, in the order it shows them."""
    found = {ref: page.find(ref) for ref in references if ref in page}
    return sorted(found, key=found.get)


def test_caseload_pages_the_queue_and_the_workers_apart(world, client, monkeypatch):
    monkeypatch.setattr(TeamCaseloadView, "workers_per_page", 2)
    monkeypatch.setattr(TeamCaseloadView, "unallocated_per_page", 3)
    tm = world.users["tm"]
    for i in range(4):
        _new_case(world, tm.team, name=f"Queue{i}")
    queue = [
        c.subject.reference
        for c in Case.objects.filter(team=tm.team, allocated_worker=None)
        .exclude(status="closed")
        .order_by("opened_at", "pk")
    ]
    assert len(queue) == 5  # the world's place and the four above
    client.force_login(tm)
    url = reverse("cases:team")

    first = client.get(url).content.decode()
    assert _in_order(first, queue) == queue[:3]
    assert "5 pieces of work waiting, longest waiting first." in first
    assert "Showing 1 to 3 of 5 pieces of work" in first
    assert "Showing 1 to 2 of 3 workers" in first
    # Two navigation landmarks, each named for its list.
    assert 'aria-label="Pages of workers"' in first
    assert 'aria-label="Pages of work waiting for allocation"' in first
    assert 'href="?page=2#waiting" rel="next"' in first
    assert 'href="?workers_page=2#workers" rel="next"' in first

    page = client.get(url, {"page": 2, "workers_page": 2}).content.decode()
    assert _in_order(page, queue) == queue[3:]
    workers = re.findall(r'href="/team/workers/(\d+)/"', page)
    assert workers == [str(tm.pk)]  # by name: Sw, Sw2 on the first page, then Tm
    # Each list's links keep the other list's page.
    assert 'href="?page=1&amp;workers_page=2#waiting" rel="prev"' in page
    assert 'href="?page=2&amp;workers_page=1#workers" rel="prev"' in page
    # A page number past the end or not a number: the last or first page, not an error.
    response = client.get(url, {"page": 7, "workers_page": "two"})
    assert response.status_code == 200
    page = response.content.decode()
    assert _in_order(page, queue) == queue[3:]
    assert "Showing 1 to 2 of 3 workers" in page


def test_caseload_counts_only_the_workers_of_the_page(world):
    tm, sw2 = world.users["tm"], world.users["sw2"]
    selectors.caseload_for_team(user=tm, team=tm.team, members=[sw2])  # the rule reads tm's team
    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.caseload_for_team(user=tm, team=tm.team, members=[sw2])
    assert len(ctx.captured_queries) == 1  # the members were given: their counts only
    assert [(r.worker, r.open_cases) for r in rows] == [(sw2, 1)]  # not the restricted case


def test_worker_cases_are_paged_soonest_review_first(world, client, monkeypatch):
    monkeypatch.setattr(WorkerCasesView, "paginate_by", 3)
    tm, sw = world.users["tm"], world.users["sw"]
    today = timezone.localdate()
    own = world.records["cases.case"]["own"]
    Case.objects.filter(pk=own.pk).update(next_review_due=None)  # no date: last
    made = []
    for i in range(4):
        _, case = _new_case(world, tm.team, worker=sw, name=f"Review{i}")
        Case.objects.filter(pk=case.pk).update(next_review_due=today + timedelta(days=4 - i))
        made.append(case)
    expected = [c.subject.reference for c in reversed(made)] + [own.subject.reference]
    client.force_login(tm)
    url = reverse("cases:team-worker", args=[sw.pk])

    first = client.get(url).content.decode()
    assert _in_order(first, expected) == expected[:3]
    assert "5 pieces of open work, soonest review first." in first
    assert "Showing 1 to 3 of 5 pieces of work" in first
    assert 'href="?page=2" rel="next"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert _in_order(second, expected) == expected[3:]
    assert "Showing 4 to 5 of 5 pieces of work" in second
    for number in ("3", "0", "page"):
        assert client.get(url, {"page": number}).status_code == 200


def test_worker_cases_query_count_does_not_grow(world, client, monkeypatch):
    monkeypatch.setattr(WorkerCasesView, "paginate_by", 5)
    tm, sw = world.users["tm"], world.users["sw"]
    client.force_login(tm)
    url = reverse("cases:team-worker", args=[sw.pk])

    def count(**params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        return len(ctx.captured_queries)

    _new_case(world, tm.team, worker=sw, name="Few")
    small = count()
    for i in range(10):
        _new_case(world, tm.team, worker=sw, name=f"Many{i}")
    assert count() == small
    assert count(page=2) == small
