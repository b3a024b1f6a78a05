"""GET/PATCH actions and GET contexts, with a second organisation's token every time."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from cases.models import Action
from tests.api.conftest import assert_problem, patch_current
from tests.factories import ContextFactory

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

ACTIONS = "/api/v1/actions/"
CONTEXTS = "/api/v1/contexts/"


def test_a_partner_lists_and_reads_the_actions_assigned_to_it(world, api):
    agency = world.records["cases.action"]["agency"]  # owned by p1, on team one's place
    listed = api("p1").get(ACTIONS).json()
    assert [a["id"] for a in listed["results"]] == [agency.pk]
    action = listed["results"][0]
    assert action["subject"] == {"kind": "context", "reference": agency.subject.reference}
    assert action["status"] == "open" and action["overdue"] is False
    assert api("p1").get(f"{ACTIONS}{agency.pk}/").json() == action

    assert api("p2").get(ACTIONS).json()["count"] == 0  # (its own only: test_access.py)


def test_a_partner_records_progress_and_the_change_is_audited(world, api):
    agency = world.records["cases.action"]["agency"]
    police = api("p1")
    response = patch_current(
        police,
        f"{ACTIONS}{agency.pk}/",
        {"status": "done", "progress_note": "CCTV fixed at the station entrance."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    agency.refresh_from_db()
    assert agency.status == "done" and agency.completed_at is not None
    assert agency.progress_note == "CCTV fixed at the station entrance."
    change = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Action),
        object_pk=str(agency.pk),
        action=LogEntry.Action.UPDATE,
    ).latest("timestamp")
    assert change.actor == police.token.service_user
    assert "status" in change.changes_dict

    reopened = patch_current(police, f"{ACTIONS}{agency.pk}/", {"status": "in_progress"})
    assert reopened.json()["completed_at"] is None
    assert patch_current(police, f"{ACTIONS}{agency.pk}/", {}).status_code == 200


def test_progress_is_validated_and_only_status_and_note_may_change(world, api):
    agency = world.records["cases.action"]["agency"]
    police = api("p1")
    problem = assert_problem(
        patch_current(
            police,
            f"{ACTIONS}{agency.pk}/",
            {"status": "cancelled", "due_on": "2030-01-01", "description": "Mine now"},
        ),
        422,
        "validation-failed",
    )
    assert {e["field"] for e in problem["errors"]} == {"status", "due_on", "description"}
    agency.refresh_from_db()
    assert (agency.status, agency.due_on) != ("cancelled", date(2030, 1, 1))

    Action.objects.filter(pk=agency.pk).update(status="cancelled")
    assert_problem(
        patch_current(police, f"{ACTIONS}{agency.pk}/", {"status": "done"}),
        422,
        "validation-failed",
    )


def test_actions_filter_by_status_and_due_date(world, api):
    police = api("p1")
    due = world.records["cases.action"]["agency"].due_on.isoformat()
    assert police.get(ACTIONS, {"status": "open", "due_from": due}).json()["count"] == 1
    assert police.get(ACTIONS, {"status": "done"}).json()["count"] == 0
    assert police.get(ACTIONS, {"due_to": "2000-01-01"}).json()["count"] == 0
    assert_problem(police.get(ACTIONS, {"due_to": "tomorrow"}), 400, "invalid-request")


def test_partners_pick_places_from_their_authoritys_directory(world, api):
    places = world.records["contexts.context"]
    ContextFactory(authority=world.records["accounts.organisation"]["la2"], name="Far park")
    for org in ("p1", "p2"):
        listed = api(org).get(CONTEXTS).json()
        assert {c["reference"] for c in listed["results"]} == {
            places["team"].reference,
            places["other"].reference,
        }
        assert set(listed["results"][0]) == {"reference", "name", "kind"}
    assert api("p1").get(CONTEXTS, {"kind": "shop"}).json()["count"] == 0
    named = api("p1").get(CONTEXTS, {"name": "other PLACE"}).json()["results"]
    assert [c["reference"] for c in named] == [places["other"].reference]
    assert_problem(api("p1").get(CONTEXTS, {"kind": "moon"}), 400, "invalid-request")


def test_harm_categories_are_listed_for_partners(world, api):
    slugs = [c["slug"] for c in api("p1").get("/api/v1/harm-categories/").json()["results"]]
    assert "cse" in slugs
