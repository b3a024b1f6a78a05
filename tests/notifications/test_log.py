"""The delivery log of notifications and its manual retry."""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safeguarding.notifications import delivery, services
from safeguarding.notifications.models import Notification

from ..conftest import make_user

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

LOG = "/notifications/"


def _note(world, name) -> Notification:
    return world.records["notifications.notification"][name]


def _mark(note: Notification, status: str, attempts: int = 10, error: str = "") -> Notification:
    now = timezone.now()
    Notification.objects.filter(pk=note.pk).update(
        status=status,
        attempts=attempts,
        last_attempt_at=now,
        last_error=error,
        sent_at=now if status == Notification.Status.SENT else None,
    )
    note.refresh_from_db()
    return note


def _dead(note: Notification) -> Notification:
    return _mark(note, Notification.Status.DEAD, error="The endpoint answered HTTP 503.")


def _table(response) -> str:
    """The body of the log's table (not the filters, whose options name organisations)."""
    page = response.content.decode()
    found = re.search(r"<tbody.*?</tbody>", page, re.S)
    return found.group(0) if found else ""


def _references_shown(response) -> set[str]:
    """The references of the notifications in the log's table."""
    body = _table(response)
    references = Notification.objects.values_list("reference", flat=True)
    return {ref for ref in references if re.search(rf"\b{re.escape(ref)}\b", body)}


def _log_refs(world, names) -> set[str]:
    return {_note(world, name).reference for name in names}


AUTHORITY_ROWS = ("own", "team", "other", "restricted", "agency")


@pytest.fixture
def la2_tm(world):
    return make_user(
        "la2_tm",
        "team_manager",
        world.records["accounts.organisation"]["la2"],
        world.records["accounts.team"]["t_la2"],
    )


def _queued(callbacks) -> list:
    """What the captured after-commit callbacks would hand to the workers."""
    return [list(c.args[0]) for c in callbacks if getattr(c, "func", None) is services.queue]


# --- who sees the log -----------------------------------------------------------------------


# Whose references each sees: those of the records they may open (the young people's rule) and
# the referral's; the other rows are listed with "A record you cannot open".
REFERENCES_SEEN = {
    "tm": ("own", "team", "agency"),
    "sm": ("own", "team", "other", "agency"),
    "admin": ("agency",),  # administrators see no case content
}


@pytest.mark.parametrize("user_name", ["tm", "sm", "admin"])
def test_managers_and_administrators_see_their_authoritys_deliveries(world, client, user_name):
    client.force_login(world.users[user_name])
    response = client.get(LOG)
    assert response.status_code == 200
    seen = REFERENCES_SEEN[user_name]
    assert _references_shown(response) == _log_refs(world, seen)
    hidden = len(AUTHORITY_ROWS) - len(seen)
    assert _table(response).count("A record you cannot open") == hidden
    assert "5 notifications" in response.content.decode()
    table = _table(response)
    assert "Y-ELSE" not in table and "la2_sw@example.invalid" not in table
    # Staff by name, organisations by name, where it went: never a child's name.
    assert "Sw Test" in table and "Test Police" in table
    assert "sw@example.invalid" in table and "p1.example.org" in table
    assert "https://p1.example.org/hooks" not in table  # the host, not the whole address
    assert "Work allocated to you" in table and "Referral decided" in table
    assert "Waiting to send" in table
    page = response.content.decode()
    assert "Testperson" not in page and "GivenOwn" not in page
    assert 'href="/notifications/"' in page  # in the navigation


def test_another_authoritys_manager_sees_only_theirs(world, client, la2_tm):
    client.force_login(la2_tm)
    response = client.get(LOG)
    assert response.status_code == 200
    assert _references_shown(response) == {"Y-ELSE"}


@pytest.mark.parametrize("user_name", ["sw", "sw2", "sw3", "partner", "partner2", "la2_sw"])
def test_practitioners_and_partners_cannot_open_the_log_or_retry(world, client, user_name):
    user = world.records["accounts.user"][user_name]
    note = _dead(_note(world, "agency"))
    client.force_login(user)
    assert client.get(LOG).status_code == 404
    assert client.post(reverse("notifications:retry", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.status == Notification.Status.DEAD
    assert 'href="/notifications/"' not in client.get("/").content.decode()


def test_signed_out_users_are_sent_to_sign_in(world, client):
    response = client.get(LOG)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    note = _dead(_note(world, "agency"))
    response = client.post(reverse("notifications:retry", args=[note.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- filters, counts, pagination -----------------------------------------------------------


def test_filters(world, client):
    _dead(_note(world, "agency"))
    _mark(_note(world, "own"), Notification.Status.SENT, attempts=1)
    p1 = world.records["accounts.organisation"]["p1"]
    client.force_login(world.users["tm"])

    def shown(**params):
        response = client.get(LOG, params)
        assert response.status_code == 200
        return _references_shown(response)

    assert shown(status="dead") == {"R-TEST"}
    assert shown(status="sent") == _log_refs(world, ["own"])
    assert shown(status="pending") == _log_refs(world, ["team"])  # other teams' are hidden
    assert shown(event_type="referral.decided") == {"R-TEST"}
    assert shown(event_type="work.allocated") == _log_refs(world, ["own", "team"])
    assert shown(kind="webhook") == {"R-TEST"}
    assert shown(kind="email") == _log_refs(world, ["own", "team"])
    assert shown(organisation=p1.pk) == {"R-TEST"}
    assert shown(kind="email", status="sent") == _log_refs(world, ["own"])
    assert shown(status="pending", event_type="referral.decided") == set()


def test_an_unknown_filter_value_is_an_error_not_a_crash(world, client):
    client.force_login(world.users["tm"])
    # Another authority's organisation is not a choice either.
    p3 = world.records["accounts.organisation"]["p3"]
    for params in ({"status": "lost"}, {"organisation": p3.pk}, {"organisation": "x"}):
        response = client.get(LOG, params)
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page and "<title>Error: " in page
        assert _references_shown(response) == set()


def test_failed_deliveries_are_counted_with_a_link_to_them(world, client):
    client.force_login(world.users["sm"])
    assert "No notification has failed." in client.get(LOG).content.decode()
    _dead(_note(world, "agency"))
    _dead(_note(world, "team"))
    _dead(_note(world, "elsewhere"))  # another authority's: not counted
    page = client.get(LOG, {"kind": "webhook"}).content.decode()
    assert "2 notifications failed" in page  # counted whatever the filters
    assert 'href="?status=dead"' in page
    table = _table(client.get(LOG, {"status": "dead"}))
    assert "Failed: gave up" in table and "The endpoint answered HTTP 503." in table
    assert table.count('name="next"') == 2  # a retry button on each failed row


def _bulk_notifications(world, count: int):
    la = world.records["accounts.organisation"]["la"]
    p1, p2 = (world.records["accounts.organisation"][name] for name in ("p1", "p2"))
    channels = world.records["notifications.channel"]
    users = [world.users[name] for name in ("sw", "sw2", "sw3", "tm")]
    now = timezone.now()
    rows = []
    for i in range(count):
        common = {
            "authority": la,
            "reference": f"BULK-{i:03}",
            "link": "/",
            "created_at": now - timedelta(minutes=i),
            "status": ("pending", "sent", "dead")[i % 3],
        }
        if i % 2:
            org, channel = (p1, channels["p1"]) if i % 4 == 1 else (p2, channels["p2"])
            rows.append(
                Notification(
                    event_type="referral.decided",
                    kind="webhook",
                    recipient_organisation=org,
                    channel=channel,
                    **common,
                )
            )
        else:
            user = users[i % len(users)]
            rows.append(
                Notification(
                    event_type="work.allocated",
                    kind="email",
                    recipient_user=user,
                    email=user.email,
                    **common,
                )
            )
    Notification.objects.bulk_create(rows)


def test_query_count_does_not_grow_with_rows(world, client):
    client.force_login(world.users["tm"])

    def count(**params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LOG, params)
            assert response.status_code == 200
        return len(ctx.captured_queries), response

    Notification.objects.all().delete()
    _bulk_notifications(world, 3)
    small, response = count()
    assert _table(response).count("BULK-") >= 3
    Notification.objects.all().delete()
    _bulk_notifications(world, 60)
    large, response = count()
    assert large == small
    assert _table(response).count('<tr class="govuk-table__row">') == 50
    assert "Showing 1 to 50 of 60 notifications" in response.content.decode()
    assert count(status="dead")[0] == small


def test_pagination_keeps_the_filters(world, client):
    Notification.objects.all().delete()
    _bulk_notifications(world, 120)  # 40 of each status
    client.force_login(world.users["tm"])
    response = client.get(LOG, {"kind": "email"})  # 60 emails
    page = response.content.decode()
    assert '<div class="moj-pagination">' in page  # the shared include
    assert "60 notifications match the filters." in page
    assert 'href="?kind=email&amp;page=2"' in page
    response = client.get(LOG, {"kind": "email", "page": 2})
    page = response.content.decode()
    assert "Showing 51 to 60 of 60 notifications" in page
    assert 'href="?kind=email&amp;page=1" rel="prev"' in page
    assert "Webhook" not in _table(response)
    # A page that has gone (the last rows were retried) is the last page.
    response = client.get(LOG, {"kind": "email", "page": 99})
    assert "Showing 51 to 60 of 60 notifications" in response.content.decode()
    response = client.get(LOG, {"page": "x"})
    assert response.status_code == 200
    assert "Showing 1 to 50 of 120 notifications" in response.content.decode()


# --- manual retry --------------------------------------------------------------------------


def _audit_entries(note):
    """Changes to the row written to the audit (its creation is audited too, but not asked)."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Notification),
        object_pk=str(note.pk),
        action=LogEntry.Action.UPDATE,
    )


def test_retry_of_a_failed_delivery_starts_again_and_is_audited(
    world, client, django_capture_on_commit_callbacks
):
    tm = world.users["tm"]
    note = _dead(_note(world, "agency"))
    client.force_login(tm)
    back = f"{LOG}?status=dead"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("notifications:retry", args=[note.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    note.refresh_from_db()
    assert note.status == Notification.Status.PENDING and note.attempts == 0
    assert note.next_attempt_at <= timezone.now()
    assert _queued(callbacks) == [[note.pk]]
    entry = _audit_entries(note).get()
    assert entry.action == LogEntry.Action.UPDATE and entry.actor == tm
    assert entry.changes["status"] == ["dead", "pending"]
    assert entry.changes["attempts"] == ["10", "0"]
    page = client.get(back).content.decode()
    assert "govuk-notification-banner--success" in page
    assert "R-TEST: the notification will be sent again." in page
    assert _references_shown(client.get(back)) == set()  # no longer failed


def test_retry_goes_back_only_to_the_log(world, client):
    note = _dead(_note(world, "agency"))
    client.force_login(world.users["admin"])
    for bad in ("https://evil.example/notifications/", "//evil.example/", "/admin/"):
        _dead(note)
        response = client.post(reverse("notifications:retry", args=[note.pk]), {"next": bad})
        assert response.status_code == 302 and response["Location"] == LOG


def test_retry_of_another_authoritys_delivery_is_not_found(
    world, client, django_capture_on_commit_callbacks
):
    note = _dead(_note(world, "elsewhere"))
    client.force_login(world.users["tm"])
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(reverse("notifications:retry", args=[note.pk])).status_code == 404
        assert client.post(reverse("notifications:retry", args=[987654])).status_code == 404
    note.refresh_from_db()
    assert note.status == Notification.Status.DEAD and note.attempts == 10
    assert not _audit_entries(note).exists() and _queued(callbacks) == []


def test_retry_is_post_only(world, client):
    note = _dead(_note(world, "agency"))
    client.force_login(world.users["tm"])
    assert client.get(reverse("notifications:retry", args=[note.pk])).status_code == 405
    note.refresh_from_db()
    assert note.status == Notification.Status.DEAD


@pytest.mark.parametrize("status", ["sent", "pending"])
def test_retry_of_a_delivery_that_did_not_fail_is_refused(
    world, client, status, django_capture_on_commit_callbacks
):
    note = _mark(_note(world, "agency"), status, attempts=1)
    client.force_login(world.users["sm"])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("notifications:retry", args=[note.pk]), follow=True)
    assert response.redirect_chain == [(LOG, 302)]
    page = response.content.decode()
    assert "only a notification that failed can be sent again" in page
    assert "govuk-notification-banner--success" not in page
    note.refresh_from_db()
    assert note.status == status and note.attempts == 1
    assert not _audit_entries(note).exists() and _queued(callbacks) == []


def test_retry_service_retries_a_failed_delivery_once(world):
    note = _dead(_note(world, "team"))
    stale = Notification.objects.get(pk=note.pk)
    assert delivery.retry(note, by=world.users["tm"]) is True
    assert note.status == Notification.Status.PENDING and note.attempts == 0
    assert delivery.retry(stale, by=world.users["tm"]) is False  # already retried
    assert _audit_entries(note).count() == 1


# --- retrying every failed notification shown ------------------------------------------------


def test_retry_all_failed_sends_again_those_the_filters_show(
    world, client, django_capture_on_commit_callbacks
):
    agency, own, team = (_dead(_note(world, name)) for name in ("agency", "own", "team"))
    elsewhere = _dead(_note(world, "elsewhere"))  # another authority's: never touched
    client.force_login(world.users["tm"])
    page = client.get(LOG, {"status": "dead", "kind": "email"}).content.decode()
    assert "Retry all 2 failed notifications shown" in page  # own and team, not the webhook
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("notifications:retry-failed"),
            {"kind": "email", "event_type": "", "organisation": "", "next": f"{LOG}?status=dead"},
            follow=True,
        )
    assert "2 failed notifications will be sent again." in response.content.decode()
    for note, status in (
        (own, "pending"),
        (team, "pending"),
        (agency, "dead"),
        (elsewhere, "dead"),
    ):
        note.refresh_from_db()
        assert note.status == status
    assert sorted(_queued(callbacks)) == sorted([[own.pk], [team.pk]])
    assert _audit_entries(own).get().actor == world.users["tm"]


def test_retry_all_failed_is_for_managers_and_post_only(world, client):
    note = _dead(_note(world, "agency"))
    client.force_login(world.users["sw"])
    assert client.post(reverse("notifications:retry-failed")).status_code == 404
    client.force_login(world.users["tm"])
    assert client.get(reverse("notifications:retry-failed")).status_code == 405
    note.refresh_from_db()
    assert note.status == Notification.Status.DEAD


def test_retrying_a_row_whose_record_is_hidden_does_not_reveal_its_reference(world, client):
    note = _dead(_note(world, "restricted"))  # about a restricted young person tm is not named on
    client.force_login(world.users["tm"])
    response = client.post(reverse("notifications:retry", args=[note.pk]), follow=True)
    page = response.content.decode()
    assert "A record you cannot open: the notification will be sent again." in page
    assert note.reference not in page
