"""Who may call each restricted endpoint, as one table per kind of record (tests/api/access.py).

Partner systems call with their organisation's token (``token:p1``, ``token:p2``); signed-in
people with their session (``session:tm``); council staff may not manage webhook endpoints,
administrators and senior managers make no referrals, and another organisation's record is
missing.
"""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from cases.models import Action, MeasureValue, MeetingReport, Plan, Referral
from safeguarding.notifications.models import Channel
from tests.api.access import ANONYMOUS, RestrictedEndpoints, calls, each
from tests.api.conftest import referral_body

from .test_webhook_endpoints import create, endpoint_body

pytestmark = pytest.mark.world_per_module

STAFF = ["tm", "sw", "sm", "admin"]
ENDPOINTS, ENDPOINT = "api:webhook-endpoint-list", "api:webhook-endpoint-detail"


class TestWebhookEndpointAccess(RestrictedEndpoints):
    model = Channel
    table = [
        *calls("GET", ENDPOINTS, None, {ANONYMOUS: 401, **each(STAFF, 403)}),
        *calls("POST", ENDPOINTS, None, {ANONYMOUS: 401}, body=endpoint_body()),
        *calls(
            "GET",
            ENDPOINT,
            "endpoint",
            {
                ANONYMOUS: 401,
                "token:p1": 200,
                "session:partner": 200,
                "token:p2": 404,
                **each(STAFF, 403),
            },
        ),
        *calls(
            "PATCH",
            ENDPOINT,
            "endpoint",
            {ANONYMOUS: 401, "token:p2": 404},
            body={"is_active": False},
        ),
        *calls(
            "DELETE", ENDPOINT, "endpoint", {ANONYMOUS: 401, "token:p2": 404, **each(STAFF, 403)}
        ),
        *calls("POST", "api:webhook-endpoint-rotate-secret", "endpoint", {"token:p2": 404}),
        *calls("GET", "api:event-type-list", None, {ANONYMOUS: 401}),
    ]

    @pytest.fixture
    def records(self, api):
        """An endpoint the police (p1) registered through the API."""
        return {"endpoint": Channel.objects.get(pk=create(api("p1")).json()["id"])}


class TestActionAccess(RestrictedEndpoints):
    model = Action
    table = [
        # Owned by p1, on team one's place.
        *calls("GET", "api:action-detail", "agency", {"token:p1": 200, "token:p2": 404}),
        *calls("PATCH", "api:action-detail", "agency", {"token:p2": 404}, body={"status": "done"}),
        # A social worker's, on a young person.
        *calls("GET", "api:action-detail", "own", {"token:p1": 404, "token:p2": 404}),
    ]

    @pytest.fixture
    def records(self, world):
        return world.records["cases.action"]


class TestReferralAccess(RestrictedEndpoints):
    model = Referral
    table = [
        *calls("POST", "api:referral-list", None, each(["admin", "sm"], 403), body=referral_body()),
        *calls("GET", "api:referral-detail", "agency", {"token:p1": 200}),  # p1's own
        *calls("GET", "api:referral-detail", "other_agency", {"token:p1": 404}),  # p2's
        *calls("GET", "api:referral-detail", "staff", {"token:p1": 404}),  # a social worker's
    ]

    @pytest.fixture
    def records(self, world):
        return world.records["cases.referral"]


class TestMeetingAccess(RestrictedEndpoints):
    """Meetings (tests/conftest.py, meetings()): the police (p1) are invited to the strategy
    discussion (by name) and the context conference (as an organisation); the school (p2) to
    none. A report is refused for a meeting the caller may not see (404) and once held (422)."""

    model = MeetingReport
    table = [
        *calls("GET", "api:meeting-list", None, {ANONYMOUS: 401, "token:p1": 200}),
        *calls(
            "GET",
            "api:meeting-detail",
            "strategy_own",
            {ANONYMOUS: 401, "token:p1": 200, "token:p2": 404, "session:partner": 200},
        ),
        *calls("GET", "api:meeting-detail", "other", {"token:p1": 404, "token:p2": 404}),
        *calls(
            "POST",
            "api:meeting-reports",
            "other",
            {ANONYMOUS: 401, "token:p1": 404, "token:p2": 404},
            body={"text": "A report"},
        ),
        *calls(
            "POST",
            "api:meeting-reports",
            "strategy_own",
            {"token:p2": 404},
            body={"text": "A report"},
        ),
    ]

    @pytest.fixture
    def records(self, world):
        return world.records["cases.meeting"]


def test_a_partner_sends_a_report_through_the_api(world, api):
    from cases.models import Meeting

    meeting = world.records["cases.meeting"]["strategy_own"]
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at + timedelta(days=10),
        ends_at=meeting.ends_at + timedelta(days=10),
    )
    client = api("p1")
    listed = client.get(reverse("api:meeting-list")).json()
    assert {m["reference"] for m in listed["results"]} == {
        world.records["cases.meeting"][name].reference for name in ("strategy_own", "cc_team")
    }
    url = reverse("api:meeting-reports", args=[meeting.pk])
    key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    response = client.post(url, {"text": "Known since March."}, format="json", **key)
    assert response.status_code == 201, response.content
    assert response.json()["meeting"] == meeting.reference
    again = client.post(url, {"text": "Known since March."}, format="json", **key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert MeetingReport.objects.filter(meeting=meeting, text="Known since March.").count() == 1
    held = world.records["cases.meeting"]["cc_team"]  # circulated
    refused = client.post(
        reverse("api:meeting-reports", args=[held.pk]),
        {"text": "Too late."},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert refused.status_code in (400, 422), refused.content


class TestPlanAccess(RestrictedEndpoints):
    """Plans (cases/plans/api.py): a partner reads a plan that asks its organisation for
    something (the police: team one's place's plan), staff as the rule says; nobody changes a
    plan through the API."""

    model = Plan
    table = [
        *calls("GET", "api:plan-list", None, {ANONYMOUS: 401}),
        *calls(
            "GET",
            "api:plan-detail",
            "ctx",
            {
                ANONYMOUS: 401,
                "token:p1": 200,
                "session:partner": 200,
                "token:p2": 404,
                "session:sw": 200,
                "session:sm": 200,
                "session:sw3": 404,  # team two's worker
                "session:admin": 404,
            },
        ),
        # A young person's plan that asks nothing of the police; the restricted one's.
        *calls("GET", "api:plan-detail", "own", {"token:p1": 404, "session:sw": 200}),
        *calls(
            "GET",
            "api:plan-detail",
            "restricted",
            {"session:sw": 404, "session:sw2": 200, "session:sm": 404},
        ),
        *calls("PATCH", "api:plan-detail", "ctx", {"token:p1": 405}, body={"status": "ended"}),
    ]

    @pytest.fixture
    def records(self, world):
        return world.records["cases.plan"]


class TestPlanActionAccess(RestrictedEndpoints):
    """A plan's actions: the owner reads and updates its own; another organisation, or the
    action asked for under another plan, is a 404."""

    model = Action
    table = [
        *calls(
            "GET",
            "api:plan-action-detail",
            "agency",
            {
                ANONYMOUS: 401,
                "token:p1": 200,
                "token:p2": 404,
                "session:sw": 200,
                "session:admin": 404,
            },
        ),
        *calls(
            "PATCH",
            "api:plan-action-detail",
            "agency",
            {ANONYMOUS: 401, "token:p2": 404, "session:sm": 404, "session:admin": 404},
            body={"status": "done"},
        ),
        *calls("GET", "api:plan-action-detail", "elsewhere", {"token:p1": 404}),
    ]

    @pytest.fixture
    def records(self, world):
        plans, agency = world.records["cases.plan"], world.records["cases.action"]["agency"]
        return {
            "agency": {"pk": plans["ctx"].pk, "action_id": agency.pk},
            "elsewhere": {"pk": plans["own"].pk, "action_id": agency.pk},
        }


class TestMeasureValueAccess(RestrictedEndpoints):
    """A plan's measures' values: read and recorded by the organisation asked to record the
    measure; another measure of the same plan (a worker records it) is a 404 to the police."""

    model = MeasureValue
    table = [
        *calls(
            "GET",
            "api:plan-measure-value-list",
            "ctx",
            {
                ANONYMOUS: 401,
                "token:p1": 200,
                "token:p2": 404,
                "session:sw": 200,
                "session:admin": 404,
            },
        ),
        *calls(
            "POST",
            "api:plan-measure-value-list",
            "ctx",
            {ANONYMOUS: 401, "token:p2": 404, "session:sm": 404, "session:admin": 404},
            body={"value": 1, "recorded_on": "2026-01-01"},
        ),
        *calls("GET", "api:plan-measure-value-list", "ctx_sw3", {"token:p1": 404}),
        *calls(
            "POST",
            "api:plan-measure-value-list",
            "ctx_sw3",
            {"token:p1": 404},
            body={"value": 1, "recorded_on": "2026-01-01"},
        ),
    ]

    @pytest.fixture
    def records(self, world):
        plan, measures = world.records["cases.plan"]["ctx"], world.records["cases.measure"]
        return {
            name: {"pk": plan.pk, "measure_id": measures[name].pk} for name in ("ctx", "ctx_sw3")
        }
