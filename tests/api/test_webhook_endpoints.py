"""Partners register their own webhook endpoints: /api/v1/webhook-endpoints/ and event types."""

import json
import uuid

import pytest
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from safeguarding.notifications import delivery
from safeguarding.notifications.models import Channel, Notification
from safeguarding.notifications.services import EVENT_TYPES, ReferralDecided
from tests.api.conftest import assert_problem, patch_current
from tests.api.fake_dns import resolving

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

ENDPOINTS = "/api/v1/webhook-endpoints/"
EVENT_TYPES_URL = "/api/v1/event-types/"
FIELDS = {"id", "url", "event_types", "description", "is_active", "created_at"}


def endpoint_body(**changes) -> dict:
    body = {
        "url": "https://hooks.police.example/safeguarding",
        "event_types": ["referral.decided", "action.assigned"],
        "description": "Case system (live)",
    }
    body.update(changes)
    return body


def create(client, body=None, key=None, **extra):
    with resolving():
        return client.post(
            ENDPOINTS,
            body if body is not None else endpoint_body(),
            format="json",
            HTTP_IDEMPOTENCY_KEY=key if key is not None else str(uuid.uuid4()),
            **extra,
        )


def detail(pk) -> str:
    return f"{ENDPOINTS}{pk}/"


# --- registering ------------------------------------------------------------------------------


def test_a_partner_registers_an_endpoint_and_sees_its_secret_once(world, api):
    police = api("p1")
    response = create(police)
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == FIELDS | {"secret"}
    assert created["url"] == "https://hooks.police.example/safeguarding"
    assert created["event_types"] == ["referral.decided", "action.assigned"]
    assert created["description"] == "Case system (live)"
    assert created["is_active"] is True
    assert created["secret"].startswith("whsec_")
    assert response["Location"].endswith(detail(created["id"]))

    channel = Channel.objects.get(pk=created["id"])
    assert channel.organisation == world.records["accounts.organisation"]["p1"]
    assert channel.kind == Channel.Kind.WEBHOOK
    assert channel.secret == created["secret"]
    assert channel.created_by == police.token.service_user

    # Never again: not in the endpoint, not in the list.
    again = police.get(detail(created["id"]))
    assert again.status_code == 200
    assert again.json() == {k: v for k, v in created.items() if k != "secret"}
    listed = police.get(ENDPOINTS).json()
    assert all(set(row) == FIELDS for row in listed["results"])
    assert created["secret"] not in json.dumps(listed)


def test_a_retry_with_the_same_key_replays_the_answer_and_creates_nothing(world, api):
    police = api("p1")
    key = str(uuid.uuid4())
    first = create(police, key=key)
    assert first.status_code == 201
    before = Channel.objects.count()
    replay = create(police, key=key)
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()  # with the same secret: the first answer was lost
    assert replay["Location"] == first["Location"]
    assert Channel.objects.count() == before
    other_body = create(police, endpoint_body(description="Another"), key=key)
    assert_problem(other_body, 422, "idempotency-key-reused")


def test_registering_needs_an_idempotency_key(world, api):
    response = api("p1").post(ENDPOINTS, endpoint_body(), format="json")
    problem = assert_problem(response, 400, "idempotency-key-required")
    assert "endpoint" in problem["detail"]


def test_repeated_event_types_count_once(world, api):
    body = endpoint_body(event_types=["referral.decided", "referral.decided"])
    assert create(api("p1"), body).json()["event_types"] == ["referral.decided"]


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"event_types": ["referral.decided", "nope.never"]}, "event_types[1]", "referral.decided"),
        ({"event_types": []}, "event_types", "at least one event type"),
        ({"event_types": "referral.decided"}, "event_types", "list"),
        ({"url": "not a url"}, "url", "https://"),
        ({"url": "https://hooks.example.org/#fragment"}, "url", "fragment"),
        ({"url": "https://user:pw@hooks.example.org/"}, "url", "password"),
        ({"url": 42}, "url", "string"),
        ({"url": "https://hooks.example.org/" + "a" * 500}, "url", "500 characters"),
        ({"secret": "whsec_mine"}, "secret", "not part of the request"),
        ({"is_active": False}, "is_active", "not part of the request"),
    ],
)
def test_what_is_not_valid_is_a_field_error(world, api, changes, field, says):
    before = Channel.objects.count()
    problem = assert_problem(create(api("p1"), endpoint_body(**changes)), 422, "validation-failed")
    errors = {e["field"]: e["message"] for e in problem["errors"]}
    assert set(errors) == {field}, errors
    assert says in errors[field]
    assert Channel.objects.count() == before


def test_an_unknown_event_type_is_told_the_valid_ones(world, api):
    body = endpoint_body(event_types=["referral.decidedd"])
    problem = assert_problem(create(api("p1"), body), 422, "validation-failed")
    (error,) = problem["errors"]
    assert error["field"] == "event_types[0]"
    assert '"referral.decidedd" is not an event type' in error["message"]
    for name in EVENT_TYPES:
        assert name in error["message"]


def test_required_fields_are_listed_at_once(world, api):
    problem = assert_problem(create(api("p1"), {}), 422, "validation-failed")
    assert {e["field"] for e in problem["errors"]} == {"url", "event_types"}


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/x",
        "https://169.254.169.254/",
        "https://10.0.0.1/",
        "https://192.168.1.20:8443/hooks",
        "https://[::1]/",
        "https://[fd00::1]/hooks",
        "https://localhost/hooks",
        "https://metadata.internal.example/",  # a public-looking name that points inside
        "https://six.internal.example/",  # … over IPv6
        "http://hooks.example.org/",  # public, but not https
        "https://nowhere.invalid/hooks",  # does not resolve
    ],
)
def test_addresses_that_are_not_public_https_are_refused(world, api, settings, url):
    settings.WEBHOOKS_ALLOW_INTERNAL = False
    police = api("p1")
    before = Channel.objects.count()
    names = {"metadata.internal.example": "10.20.30.40", "six.internal.example": "fe80::1"}
    with resolving(names):
        response = police.post(
            ENDPOINTS,
            endpoint_body(url=url),
            format="json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
    problem = assert_problem(response, 422, "validation-failed")
    assert [e["field"] for e in problem["errors"]] == ["url"]
    assert Channel.objects.count() == before


def test_a_public_https_address_is_accepted_when_internal_ones_are_not(world, api, settings):
    settings.WEBHOOKS_ALLOW_INTERNAL = False
    assert create(api("p1")).status_code == 201
    with resolving({"hooks.police.example": "2606:4700::6810:84e5"}):
        assert create(api("p1")).status_code == 201


def test_the_schema_says_which_addresses_are_well_formed(world, client, settings):
    def url_schema():
        schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        body = json.loads(schema.content)["components"]["schemas"]["WebhookEndpointCreateRequest"]
        return body["properties"]["url"]

    settings.WEBHOOKS_ALLOW_INTERNAL = False
    assert url_schema()["pattern"].startswith("^https://")
    settings.WEBHOOKS_ALLOW_INTERNAL = True  # development: http://127.0.0.1:… is fine
    assert url_schema()["pattern"].startswith("^https?://")


def test_an_organisation_has_a_limited_number_of_endpoints(world, api, settings):
    settings.WEBHOOK_ENDPOINTS_PER_ORGANISATION = 2  # p1 has one already (the world's)
    police = api("p1")
    assert create(police).status_code == 201
    problem = assert_problem(create(police), 422, "validation-failed")
    assert problem["errors"][0]["field"] is None
    assert "delete one" in problem["errors"][0]["message"]


# --- one organisation's own (who may call which endpoint: test_access.py) ----------------------


def test_a_partner_lists_only_its_own_organisations_webhook_endpoints(world, api):
    p1 = world.records["accounts.organisation"]["p1"]
    Channel.objects.create(organisation=p1, kind="email", email="mash@p1.example.org")
    police, school = api("p1"), api("p2")
    mine = create(police).json()["id"]
    listed = police.get(ENDPOINTS).json()
    ids = [row["id"] for row in listed["results"]]
    assert ids == [world.records["notifications.channel"]["p1"].pk, mine]  # webhooks only
    assert listed["count"] == 2 and listed["next"] is None
    assert [r["id"] for r in school.get(ENDPOINTS).json()["results"]] == [
        world.records["notifications.channel"]["p2"].pk
    ]
    paged = police.get(ENDPOINTS, {"limit": 1, "offset": 1}).json()
    assert [row["id"] for row in paged["results"]] == [mine]
    assert_problem(police.get(ENDPOINTS, {"limit": 101}), 400, "invalid-request")


def test_a_partner_agency_user_signed_in_manages_the_same_endpoints(world, api, session_api):
    mine = create(api("p1")).json()["id"]
    person = session_api("partner")
    assert mine in [row["id"] for row in person.get(ENDPOINTS).json()["results"]]
    assert person.get(detail(mine)).status_code == 200


# --- changing and deleting --------------------------------------------------------------------


def test_a_partner_changes_events_description_and_whether_it_is_on(world, api):
    police = api("p1")
    mine = create(police).json()
    url = detail(mine["id"])
    response = patch_current(
        police, url, {"event_types": ["action.overdue"], "description": "", "is_active": False}
    )
    assert response.status_code == 200, response.content
    changed = response.json()
    assert changed["event_types"] == ["action.overdue"]
    assert changed["description"] == ""
    assert changed["is_active"] is False
    assert "secret" not in changed
    channel = Channel.objects.get(pk=mine["id"])
    assert (channel.event_types, channel.is_active) == (["action.overdue"], False)
    assert not channel.receives("action.overdue")
    # One field at a time; nothing else changes.
    assert patch_current(police, url, {"is_active": True}).json() == {
        **changed,
        "is_active": True,
    }
    assert patch_current(police, url, {}).json()["is_active"] is True


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"url": "https://elsewhere.example/"}, "url", "register a new endpoint"),
        ({"is_active": "false"}, "is_active", "true or false"),
        ({"is_active": 0}, "is_active", "true or false"),
        ({"event_types": ["nope"]}, "event_types[0]", "not an event type"),
        ({"event_types": []}, "event_types", "at least one event type"),
        ({"secret": "whsec_x"}, "secret", "not part of the request"),
    ],
)
def test_what_cannot_be_changed_is_a_field_error(world, api, body, field, says):
    police = api("p1")
    mine = create(police).json()
    problem = assert_problem(
        patch_current(police, detail(mine["id"]), body), 422, "validation-failed"
    )
    errors = {e["field"]: e["message"] for e in problem["errors"]}
    assert set(errors) == {field}
    assert says in errors[field]
    channel = Channel.objects.get(pk=mine["id"])
    assert (channel.url, channel.event_types, channel.is_active) == (
        mine["url"],
        mine["event_types"],
        True,
    )


def test_there_is_no_put(world, api):
    police = api("p1")
    mine = create(police).json()
    assert_problem(police.put(detail(mine["id"]), endpoint_body()), 405, "method-not-allowed")


def test_deleting_an_endpoint_removes_it_and_gives_up_its_waiting_deliveries(world, api):
    police = api("p1")
    mine = create(police).json()
    channel = Channel.objects.get(pk=mine["id"])
    authority = world.records["accounts.organisation"]["la"]
    with transaction.atomic():
        rows = ReferralDecided.record(
            authority=authority,
            reference="REF-TEST",
            link="/referrals/REF-TEST/",
            organisations=[channel.organisation],
        )
    waiting = next(row for row in rows if row.channel_id == channel.pk)
    others = [row.pk for row in rows if row.channel_id != channel.pk]  # p1's other endpoint

    response = police.delete(detail(mine["id"]))
    assert response.status_code == 204
    assert response.content == b""
    assert not Channel.objects.filter(pk=mine["id"]).exists()
    assert_problem(police.get(detail(mine["id"])), 404, "not-found")
    assert_problem(police.delete(detail(mine["id"])), 404, "not-found")

    waiting.refresh_from_db()
    assert waiting.channel is None
    assert waiting.status == Notification.Status.DEAD
    assert "removed" in waiting.last_error
    assert waiting.destination == "(endpoint removed)"
    # The organisation's other endpoint still gets its deliveries.
    assert others
    assert {n.status for n in Notification.objects.filter(pk__in=others)} == {"pending"}


# --- event types ------------------------------------------------------------------------------


def test_partners_discover_the_event_types(world, api):
    response = api("p1").get(EVENT_TYPES_URL)
    assert response.status_code == 200
    kinds = response.json()
    assert [k["name"] for k in kinds] == list(EVENT_TYPES)
    decided = next(k for k in kinds if k["name"] == "referral.decided")
    assert decided == {
        "name": "referral.decided",
        "title": ReferralDecided.title,
        "summary": ReferralDecided.summary,
    }


# --- delivery ---------------------------------------------------------------------------------


def test_a_registered_endpoint_receives_signed_deliveries(world, api, settings, receiver):
    settings.WEBHOOKS_ALLOW_INTERNAL = True  # the receiver is on this machine
    url, received = receiver
    response = create(api("p1"), endpoint_body(url=url, event_types=["referral.decided"]))
    assert response.status_code == 201, response.content
    created = response.json()

    with transaction.atomic():
        rows = ReferralDecided.record(
            authority=world.records["accounts.organisation"]["la"],
            reference="REF-7K2M9QDX4T",
            link="/referrals/REF-7K2M9QDX4T/",
            organisations=[world.records["accounts.organisation"]["p1"]],
        )
    notification = next(row for row in rows if row.channel_id == created["id"])
    assert delivery.attempt(notification.pk) == Notification.Status.SENT

    ((path, headers, body),) = received
    assert path == "/hooks/safeguarding?team=mash"
    payload = Webhook(created["secret"]).verify(body, headers)
    assert headers["webhook-id"] == str(notification.event_id)
    assert payload["type"] == "referral.decided"
    assert payload["data"]["event_id"] == str(notification.event_id)
    assert payload["data"]["reference"] == "REF-7K2M9QDX4T"
    assert payload["data"]["link"].endswith("/referrals/REF-7K2M9QDX4T/")
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 1)

    # Switched off: nothing more is recorded for it.
    patch_current(api("p1"), detail(created["id"]), {"is_active": False})
    with transaction.atomic():
        later = ReferralDecided.record(
            authority=world.records["accounts.organisation"]["la"],
            reference="REF-7K2M9QDX4V",
            link="/referrals/REF-7K2M9QDX4V/",
            organisations=[world.records["accounts.organisation"]["p1"]],
        )
    assert all(row.channel_id != created["id"] for row in later)
