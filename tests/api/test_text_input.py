"""Text input on every API write endpoint: never a server error (issue 11).

Every text field of every write endpoint, with every kind of value the text rule
(safeguarding/text.py) refuses: a 422 ``validation-failed`` problem naming the field, and
nothing stored. A lone surrogate (``"\\ud800"`` in the JSON) is refused where the body is read,
wherever it is (a value of any type of field, a member name). Good values are stored in NFC,
postcodes upper-cased, each within its limit counted after that.
"""

import json
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework import serializers

from cases.models import Action, Referral, ReferralSubject
from safeguarding.api.serializers import StrictSerializer, TextField
from safeguarding.notifications.api import WebhookURLField
from safeguarding.notifications.models import Channel
from tests.api.conftest import REFERRALS, assert_problem, referral_body
from tests.api.fake_dns import resolving

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

ENDPOINTS = "/api/v1/webhook-endpoints/"
NFD = "Zoe\u0308 Rene\u0301e"
NFC = unicodedata.normalize("NFC", NFD)
GROWS = "\u0958"  # one character typed, two in NFC


@dataclass
class Endpoint:
    name: str
    method: str
    path: Any  # world -> str
    body: Any  # () -> dict
    #: Text fields: path in the body -> (max_length, kind: "line", "lines", "name" or "postcode")
    fields: dict[str, tuple[int, str]]
    state: Any  # world -> what changes when a request is accepted
    stored: Any  # world, field -> the stored value
    idempotent: bool = False


def _referral_body():
    return referral_body(
        contexts=[
            {
                "name": "Kestrel Chicken",
                "kind": "shop",
                "address": "3 Mill Lane\nEastbrook",
                "postcode": "eb2 9zz",
            }
        ],
        referrer={
            "name": "PC Test",
            "role": "Police officer",
            "email": "pc@police.example",
            "phone": "0100 000 000",
        },
    )


def _referral_stored(world, path):
    referral = Referral.objects.latest("received_at")
    if path.startswith(("young_people", "contexts")):
        kind = "young_person" if path.startswith("young_people") else "context"
        row = ReferralSubject.objects.get(referral=referral, kind=kind)
        return getattr(row, f"described_{path.rsplit('.', 1)[1]}")
    if path.startswith("referrer."):
        return getattr(referral, f"referrer_{path.removeprefix('referrer.')}")
    return getattr(referral, path)


def _action(world):
    return world.records["cases.action"]["agency"]


def _endpoint_state(world):
    return list(Channel.objects.order_by("pk").values_list("pk", "description"))


def _existing_endpoint(world):
    channel, _ = Channel.objects.get_or_create(
        organisation=world.records["accounts.organisation"]["p1"],
        kind="webhook",
        url="https://keep.p1.example.org/hooks",
        defaults={"event_types": ["referral.decided"], "description": "Before"},
    )
    return channel


ENDPOINTS_UNDER_TEST = [
    Endpoint(
        "create a referral",
        "POST",
        lambda world: REFERRALS,
        _referral_body,
        {
            "narrative": (20000, "lines"),
            "lawful_basis_detail": (5000, "lines"),
            "young_people[0].name": (200, "name"),
            "young_people[0].address": (1000, "lines"),
            "young_people[0].postcode": (10, "postcode"),
            "contexts[0].name": (200, "name"),
            "contexts[0].address": (1000, "lines"),
            "contexts[0].postcode": (10, "postcode"),
            "referrer.name": (200, "name"),
            "referrer.role": (200, "line"),
            "referrer.phone": (40, "line"),
        },
        state=lambda world: (Referral.objects.count(), ReferralSubject.objects.count()),
        stored=_referral_stored,
        idempotent=True,
    ),
    Endpoint(
        "record progress on an action",
        "PATCH",
        lambda world: f"/api/v1/actions/{_action(world).pk}/",
        lambda: {"status": "in_progress", "progress_note": "Spoke to the manager."},
        {"progress_note": (5000, "lines")},
        state=lambda world: Action.objects.filter(pk=_action(world).pk).values().get(),
        stored=lambda world, path: Action.objects.get(pk=_action(world).pk).progress_note,
    ),
    Endpoint(
        "register a webhook endpoint",
        "POST",
        lambda world: ENDPOINTS,
        lambda: {
            "url": "https://hooks.police.example/safeguarding",
            "event_types": ["referral.decided"],
            "description": "Case system (live)",
        },
        {"description": (200, "line")},
        state=_endpoint_state,
        stored=lambda world, path: Channel.objects.latest("pk").description,
        idempotent=True,
    ),
    Endpoint(
        "change a webhook endpoint",
        "PATCH",
        lambda world: f"{ENDPOINTS}{_existing_endpoint(world).pk}/",
        lambda: {"description": "Case system (test)", "is_active": True},
        {"description": (200, "line")},
        state=_endpoint_state,
        stored=lambda world, path: _existing_endpoint(world).description,
    ),
]


def _set(body: dict, path: str, value) -> dict:
    """``body`` with the member at ``path`` (``a[0].b``) set to ``value``."""
    node = body
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    node[parts[-1]] = value
    return body


def _send(client, world, endpoint: Endpoint, body):
    raw = body if isinstance(body, str) else json.dumps(body)  # ASCII: "\ud800" as an escape
    headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())} if endpoint.idempotent else {}
    url = endpoint.path(world)
    if endpoint.method == "PATCH":  # as a correct client does: the ETag just read
        headers["HTTP_IF_MATCH"] = client.get(url).headers.get("ETag", '"none"')
    with resolving():
        return client.generic(
            endpoint.method,
            url,
            raw,
            content_type="application/json",
            **headers,
        )


def _bad_values(max_length, kind):
    values = [
        ("lone surrogate", "\ud800", "surrogate"),
        ("surrogate inside", "Jay \udc00 Example", "surrogate"),
        ("NUL", "a\x00b", "control_character"),
        ("ANSI escape", "\x1b[31mred", "control_character"),
        ("DEL", "a\x7fb", "control_character"),
        ("C1 control", "a\x9bb", "control_character"),
    ]
    if kind in ("line", "postcode"):  # a name's line breaks and tabs become spaces (below)
        values.append(("line break in one line", "one\ntwo", "control_character"))
    else:
        values.append(("vertical tab", "one\x0btwo", "control_character"))
    if kind == "postcode":
        values.append(("grows when upper-cased", "ßßßßßß", "invalid"))
        values.append(("eleven once upper-cased", "eb4 7qt xyz", "max_length"))
    else:
        values.append(("longer after NFC", GROWS * (max_length // 2 + 1), "max_length"))
    return values


def _good_values(max_length, kind):
    if kind == "postcode":
        return [("at the limit once upper-cased", " eb4 7qt xy ", "EB4 7QT XY")]
    values = [
        ("decomposed", f"  {NFD}  ", NFC),
        ("at the limit after NFC", "e\u0301" * (max_length - 2) + GROWS, None),
    ]
    if kind == "lines":
        values.append(("line breaks and tabs", "one\r\ntwo\tthree", "one\r\ntwo\tthree"))
    if kind == "name":  # white space of every kind is one space (safeguarding.text.name)
        values.append(
            ("white space of every kind", " one\r\n two\u00a0\tthree\u200b ", "one two three")
        )
    return values


def _params(pick):
    return [
        pytest.param(endpoint, path, value, expected, id=f"{endpoint.name}-{path}-{label}")
        for endpoint in ENDPOINTS_UNDER_TEST
        for path, (max_length, kind) in endpoint.fields.items()
        for label, value, expected in pick(max_length, kind)
    ]


@pytest.mark.parametrize(("endpoint", "path", "value", "code"), _params(_bad_values))
def test_bad_text_is_a_422_naming_the_field_and_nothing_is_stored(
    world, api, endpoint, path, value, code
):
    client = api("p1")
    endpoint.path(world)  # what it needs exists before the state is taken
    before = endpoint.state(world)
    response = _send(client, world, endpoint, _set(endpoint.body(), path, value))
    problem = assert_problem(response, 422, "validation-failed")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [(path, code)], problem
    assert endpoint.state(world) == before


@pytest.mark.parametrize(("endpoint", "path", "value", "expected"), _params(_good_values))
def test_good_text_is_stored_in_nfc_within_its_limit(world, api, endpoint, path, value, expected):
    client = api("p1")
    response = _send(client, world, endpoint, _set(endpoint.body(), path, value))
    assert response.status_code in (200, 201), response.content
    stored = endpoint.stored(world, path)
    assert stored == (expected or unicodedata.normalize("NFC", value))
    max_length = endpoint.fields[path][0]
    assert len(stored) <= max_length


# --- a surrogate anywhere in the body ---------------------------------------------------------

REFERRAL = ENDPOINTS_UNDER_TEST[0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        # The examples of issue 11.
        ('{"narrative": "\\ud800"}', "narrative"),
        # In fields that are not text: a choice, a date, a list of slugs, a reference.
        (json.dumps(referral_body(urgency="\ud800")), "urgency"),
        (json.dumps(referral_body(harm_categories=["cse", "\ud800"])), "harm_categories[1]"),
        (
            json.dumps(referral_body(young_people=[{"name": "Jay", "date_of_birth": "\ud800"}])),
            "young_people[0].date_of_birth",
        ),
        (
            json.dumps(referral_body(young_people=[{"reference": "\udbff"}])),
            "young_people[0].reference",
        ),
        # In a member name: the name cannot be shown, its object is named.
        (json.dumps(referral_body(young_people=[{"name": "Jay", "\ud800": 1}])), "young_people[0]"),
        ('{"\\ud800": "x"}', None),
        # The whole body.
        ('"\\ud800"', None),
    ],
)
def test_a_surrogate_anywhere_in_a_referral_is_a_422(world, api, body, field):
    before = REFERRAL.state(world)
    response = _send(api("p1"), world, REFERRAL, body)
    problem = assert_problem(response, 422, "validation-failed")
    assert problem["errors"][0]["field"] == field
    assert problem["errors"][0]["code"] == "surrogate"
    assert REFERRAL.state(world) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            '{"description": "\\ud800", "url": "https://x.example.org/", "event_types": ["a"]}',
            "description",
        ),
        ('{"url": "https://x.example.org/\\ud800", "event_types": ["referral.decided"]}', "url"),
        ('{"url": "https://x.example.org/", "event_types": ["\\ud800"]}', "event_types[0]"),
        ('{"\\ud800": 1}', None),
    ],
)
def test_a_surrogate_in_a_webhook_endpoint_is_a_422(world, api, body, field):
    endpoint = ENDPOINTS_UNDER_TEST[2]
    before = endpoint.state(world)
    response = _send(api("p1"), world, endpoint, body)
    problem = assert_problem(response, 422, "validation-failed")
    assert problem["errors"][0]["field"] == field
    assert endpoint.state(world) == before


def test_the_idempotency_key_is_not_taken_by_a_refused_body(world, api):
    """A retry with the body corrected and the same key is processed (nothing was kept)."""
    client = api("p1")
    key = str(uuid.uuid4())
    bad = client.generic(
        "POST",
        REFERRALS,
        '{"narrative": "\\ud800"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert bad.status_code == 422
    good = client.post(REFERRALS, referral_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert good.status_code == 201, good.content


# --- query parameters -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a%00b", "%1B%5B31m", "a%7Fb", "a%C2%9Bb", "one%0Atwo"])
def test_a_text_filter_with_a_control_character_is_a_400_naming_it(world, api, value):
    response = api("p1").get(f"/api/v1/contexts/?name={value}")
    problem = assert_problem(response, 400, "invalid-request")
    assert [e["field"] for e in problem["errors"]] == ["name"]


@pytest.mark.parametrize("value", ["%ED%A0%80", "%FF", "Test%20te%CC%81am"])
def test_a_text_filter_with_bytes_that_are_not_utf_8_answers(world, api, value):
    """Query strings are decoded with replacement characters: never a surrogate, never a 500."""
    assert api("p1").get(f"/api/v1/contexts/?name={value}").status_code == 200


def test_a_text_filter_matches_in_nfc(world, api):
    place = world.records["contexts.context"]["team"]
    place.name = "Café Rouge"
    place.save()
    found = api("p1").get("/api/v1/contexts/?name=Cafe%CC%81").json()["results"]
    assert [p["reference"] for p in found] == [place.reference]


# --- every input field is covered -------------------------------------------------------------


def _input_serializers(cls=StrictSerializer):
    for sub in cls.__subclasses__():
        yield sub
        yield from _input_serializers(sub)


def _fields(serializer):
    for name, each in serializer.fields.items():
        if isinstance(each, serializers.ListSerializer):
            yield from _fields(each.child)
        elif isinstance(each, serializers.Serializer):
            yield from _fields(each)
        elif isinstance(each, serializers.ListField):
            yield name, each.child
        else:
            yield name, each


def test_every_text_field_the_api_reads_uses_the_rule():
    """A new text field must be a TextField (or say why not here), so the table above covers
    the kind: the fields it lists are every text field of the endpoints it lists."""
    checked = 0
    for cls in set(_input_serializers()):
        for name, each in _fields(cls()):
            if isinstance(each, serializers.CharField) and not isinstance(
                each, serializers.EmailField | serializers.ChoiceField
            ):
                # The webhook address: a whole-string ASCII pattern refuses anything else.
                assert isinstance(each, TextField | WebhookURLField), f"{cls.__name__}.{name}"
                checked += 1
    assert checked >= 13
