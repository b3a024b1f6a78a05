"""The one text rule (safeguarding/text.py) and the web forms that use it.

The rule: NFC; lone surrogates and control characters refused (tab and line breaks allowed in
multi-line text); stripped; postcodes upper-cased; every length checked on the result, so what
is stored fits its column. Every form a practitioner types text into is tested with every bad
kind of value: the page comes back (200) with the GOV.UK error summary linking to the field,
keeps what else was typed, and stores nothing; good values are stored in NFC.
"""

import importlib
import pkgutil
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

import cases
import contexts
import peers
import safeguarding
from cases.models import Action, Concern, Referral, TransferRequest
from peers.models import PeerGroup
from safeguarding import search, text
from safeguarding.views import RecordUpdateView

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

NFD_NAME = "Zoe\u0308 Rene\u0301e"  # decomposed: NFC is "Zoë Renée", two characters shorter
NFC_NAME = unicodedata.normalize("NFC", NFD_NAME)
#: A character NFC writes as two (a composition exclusion): NFC makes text longer.
GROWS = "\u0958"

# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "multiline", "expected"),
    [
        ("  Jay  ", False, "Jay"),
        (NFD_NAME, False, NFC_NAME),
        ("Zo\u00eb", False, "Zo\u00eb"),
        ("line one\r\nline two\tend", True, "line one\r\nline two\tend"),
        ("\u212b", False, "\u00c5"),  # ANGSTROM SIGN is A WITH RING in NFC
        (GROWS, False, "\u0915\u093c"),
        ("", False, ""),
        ("\u202eevil", False, "\u202eevil"),  # a format character, not a control: kept
    ],
)
def test_the_rule_normalises(value, multiline, expected):
    assert text.normalise(value, multiline=multiline) == expected


@pytest.mark.parametrize(
    ("value", "multiline", "code"),
    [
        ("\ud800", False, "surrogate"),
        ("a\udfffb", True, "surrogate"),
        ("a\x00b", False, "control_character"),
        ("a\x00b", True, "control_character"),
        ("\x1b[31mred", True, "control_character"),
        ("a\x7fb", False, "control_character"),
        ("a\x85b", True, "control_character"),  # C1 NEXT LINE
        ("a\x9bb", False, "control_character"),  # C1 CSI
        ("one\ntwo", False, "control_character"),  # one line only
        ("one\ttwo", False, "control_character"),
        ("a\x0bb", True, "control_character"),  # vertical tab: not in multi-line text either
    ],
)
def test_the_rule_refuses(value, multiline, code):
    with pytest.raises(ValidationError) as refused:
        text.normalise(value, multiline=multiline)
    assert refused.value.code == code
    # The message says where and what, never echoes the text.
    assert value.strip("\x00\x1b") not in refused.value.messages[0] or len(value) < 2


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("eb4 7qt", "EB4 7QT"), ("  eb4   7qt ", "EB4 7QT"), ("EB4", "EB4"), ("", "")],
)
def test_postcodes_are_upper_cased(typed, stored):
    assert text.normalise(typed, transform=text.postcode) == stored


@pytest.mark.parametrize("typed", ["ßßßßßß", "EB4-7QT", "EB4\u00a07QT", "\uff45\uff42\uff14"])
def test_a_postcode_is_letters_digits_and_spaces(typed):
    with pytest.raises(ValidationError):
        text.normalise(typed, transform=text.postcode)


@pytest.mark.parametrize(
    ("typed", "valid", "cleaned"),
    [
        ("eb4 7qt xy", True, "EB4 7QT XY"),  # exactly 10 once upper-cased
        ("eb4 7qt xyz", False, None),
        ("e\u0301" * 3, False, None),  # not a postcode character, even composed
    ],
)
def test_a_postcode_fields_length_is_checked_after_upper_casing(typed, valid, cleaned):
    field = text.PostcodeField(max_length=10, required=False)
    if valid:
        assert field.clean(typed) == cleaned
    else:
        with pytest.raises(ValidationError):
            field.clean(typed)


@pytest.mark.parametrize(
    ("typed", "valid"),
    [
        ("e\u0301" * 10, True),  # 20 typed, 10 after NFC: fits
        (GROWS * 5, True),  # 5 typed, 10 after NFC: fits exactly
        (GROWS * 6, False),  # 6 typed, 12 after NFC: too long
    ],
)
def test_a_form_fields_length_is_checked_after_nfc(typed, valid):
    field = text.CharField(max_length=10)
    if valid:
        cleaned = field.clean(typed)
        assert cleaned == unicodedata.normalize("NFC", typed) and len(cleaned) <= 10
    else:
        with pytest.raises(ValidationError) as refused:
            field.clean(typed)
        assert [e.code for e in refused.value.error_list] == ["max_length"]


# --- every form uses it -----------------------------------------------------------------------


def _form_modules():
    """Every module of ours that defines forms: each app's ``forms`` modules (``cases``
    keeps its forms by domain, ``cases/<domain>/forms.py``) and the search page's."""
    for package in (cases, peers, contexts, safeguarding):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.rsplit(".", 1)[-1] == "forms":
                yield importlib.import_module(info.name)
    yield search


def _form_classes():
    for module in _form_modules():
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                yield value


def _update_views(cls=RecordUpdateView):
    """Every edit page (their modules imported, so that their classes are defined)."""
    import cases.views  # noqa: F401
    import contexts.views  # noqa: F401
    import peers.views  # noqa: F401

    for sub in cls.__subclasses__():
        yield sub
        yield from _update_views(sub)


def test_every_text_field_of_every_form_uses_the_rule():
    classes = list(_form_classes())
    assert len(classes) >= 10
    for view in _update_views():
        classes.append(view().get_form_class() if view.model else None)
    checked = 0
    for form_class in filter(None, classes):
        for name, each in form_class.base_fields.items():
            if isinstance(each, forms.CharField):
                assert isinstance(each, text.NormalisedTextMixin), f"{form_class.__name__}.{name}"
                if "postcode" in name:
                    assert isinstance(each, text.PostcodeField), f"{form_class.__name__}.{name}"
                checked += 1
    assert checked >= 25


# --- the web forms ----------------------------------------------------------------------------


@dataclass
class FormCase:
    """A page with a form: who posts, where, a valid post (``data``) and its text fields."""

    name: str
    user: str
    url: Any  # world -> str
    data: Any  # world -> dict
    #: Text fields: name -> (max_length or None, kind: "line", "lines" or "postcode")
    fields: dict[str, tuple[int | None, str]]
    #: world -> something that changes when the form saves
    state: Any
    #: world, field -> what was stored in the field after a good post
    stored: Any = None
    #: Typed values the page must show again after an error: (field, value), one per field.
    kept: tuple = ()
    anchor_prefix: str = "id_"
    extra: dict = field(default_factory=dict)


def _yp(world):
    return world.records["cases.youngperson"]["own"]


def _concern_data(world):
    return {
        "narrative": "Seen near the flats with older youths.",
        "occurred_on_day": "3",
        "occurred_on_month": "11",
        "occurred_on_year": "2026",
        "occurred_time": "16:30",
        "location": "",
        "new_place_name": "Rosewood Chicken",
        "new_place_kind": "shop",
        "new_place_postcode": "eb4 7qt",
        "location_description": "Behind the counter",
        "peer_group": "",
        "harm_categories": [str(world.records["cases.harmcategory"]["cse"].pk)]
        if "cases.harmcategory" in world.records
        else [],
        "source": "police",
        "source_detail": "PC on patrol",
        "reliability": "reliable",
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "20",
        "people-0-new_given_name": "Kai",
        "people-0-new_family_name": "Newperson",
        "people-0-part": "at_risk",
    }


def _concern_stored(world, name):
    concern = Concern.objects.latest("logged_at")
    if name == "narrative":
        return concern.narrative
    if name == "location_description":
        return concern.location_description
    if name == "source_detail":
        return concern.source_detail
    concrete = {subject.kind: subject.concrete for subject in concern.subjects.all()}
    if name.startswith("new_place_"):
        return getattr(concrete["context"], name.removeprefix("new_place_"))
    return getattr(concrete["young_person"], name.removeprefix("people-0-new_"))


def _yp_data(world):
    return {
        "given_name": "Jay",
        "family_name": "Example",
        "preferred_name": "JJ",
        "date_of_birth_day": "1",
        "date_of_birth_month": "5",
        "date_of_birth_year": "2010",
        "gender": "not_known",
        "ethnicity": "Not recorded",
        "address": "12 Example Road\nEastbrook",
        "postcode": "eb1 2cd",
        "nhs_number": "4857773456",
        "unique_pupil_number": "A123456789012",
        "vulnerabilities": "Looked after",
    }


def _context_data(world):
    return {
        "name": "Mill Lane Park",
        "kind": "park",
        "address": "Mill Lane\nEastbrook",
        "postcode": "eb2 9zz",
        "description": "A park by the canal.",
    }


def _record_state(label, name):
    def state(world):
        record = world.records[label][name]
        return type(record).objects.filter(pk=record.pk).values().get()

    return state


def _record_stored(label, name):
    def stored(world, field_name):
        record = world.records[label][name]
        record.refresh_from_db()
        return getattr(record, field_name)

    return stored


def _triage_url(world):
    return reverse("cases:triage-decide", args=[world.records["cases.referral"]["agency"].pk])


def _action_data(world):
    due = date.today() + timedelta(days=7)
    return {
        "description": "Visit the shop with the licensing officer.",
        "due_on_day": str(due.day),
        "due_on_month": str(due.month),
        "due_on_year": str(due.year),
        "owner_kind": "worker",
        "owner_user": str(world.users["sw"].pk),
    }


def _transfer_data(world):
    return {"to_team": str(world.records["accounts.team"]["t2"].pk), "reason": "They moved."}


FORM_CASES = [
    FormCase(
        "log a concern",
        "sw",
        lambda world: reverse("cases:concern-log"),
        _concern_data,
        {
            "narrative": (None, "lines"),
            "new_place_name": (200, "name"),
            "new_place_postcode": (10, "postcode"),
            "location_description": (300, "line"),
            "source_detail": (200, "line"),
            "people-0-new_given_name": (100, "name"),
            "people-0-new_family_name": (100, "name"),
        },
        state=lambda world: Concern.objects.count(),
        stored=_concern_stored,
        kept=(("new_place_name", "Rosewood Chicken"), ("narrative", "older youths")),
    ),
    FormCase(
        "edit a young person",
        "sw",
        lambda world: reverse("cases:young-person-edit", args=[_yp(world).pk]),
        _yp_data,
        {
            "given_name": (100, "name"),
            "family_name": (100, "name"),
            "preferred_name": (100, "name"),
            "ethnicity": (100, "line"),
            "address": (None, "lines"),
            "postcode": (10, "postcode"),
            "nhs_number": (12, "line"),
            "unique_pupil_number": (13, "line"),
            "vulnerabilities": (None, "lines"),
        },
        state=_record_state("cases.youngperson", "own"),
        stored=_record_stored("cases.youngperson", "own"),
        kept=(("ethnicity", "Not recorded"), ("given_name", "Jay")),
    ),
    FormCase(
        "edit a place",
        "sw",
        lambda world: reverse(
            "contexts:context-edit", args=[world.records["contexts.context"]["team"].pk]
        ),
        _context_data,
        {
            "name": (200, "name"),
            "address": (None, "lines"),
            "postcode": (10, "postcode"),
            "description": (None, "lines"),
        },
        state=_record_state("contexts.context", "team"),
        stored=_record_stored("contexts.context", "team"),
        kept=(("description", "A park by the canal."), ("name", "Mill Lane Park")),
    ),
    FormCase(
        "edit a peer group",
        "sw",
        lambda world: reverse(
            "peers:peer-group-edit", args=[world.records["peers.peergroup"]["team"].pk]
        ),
        lambda world: {"name": "Mill Lane boys", "description": "Seen together since May."},
        {
            "name": (PeerGroup._meta.get_field("name").max_length, "name"),
            "description": (None, "lines"),
        },
        state=_record_state("peers.peergroup", "team"),
        stored=_record_stored("peers.peergroup", "team"),
        kept=(("description", "Seen together since May."), ("name", "Mill Lane boys")),
    ),
    FormCase(
        "front-door decision",
        "tm",
        _triage_url,
        lambda world: {"decision": "nfa", "reason": "Already known; no new risk."},
        {"reason": (None, "lines")},
        state=lambda world: Referral.objects.filter(status="received").count(),
        stored=lambda world, name: (
            Referral.objects.get(pk=world.records["cases.referral"]["agency"].pk).decision_reason
        ),
    ),
    FormCase(
        "give an action",
        "sw",
        lambda world: reverse("cases:action-add", args=[_yp(world).reference]),
        _action_data,
        {"description": (None, "lines")},
        state=lambda world: Action.objects.count(),
        stored=lambda world, name: Action.objects.latest("pk").description,
        kept=(("due_on_year", f'value="{(date.today() + timedelta(days=7)).year}"'),),
    ),
    FormCase(
        "offer a transfer",
        "tm",
        lambda world: reverse("cases:case-transfer", args=[world.records["cases.case"]["team"].pk]),
        _transfer_data,
        {"reason": (None, "lines")},
        state=lambda world: TransferRequest.objects.count(),
        stored=lambda world, name: TransferRequest.objects.latest("pk").reason,
    ),
]


def _bad_values(max_length, kind):
    """(label, value, why) for a field: each kind of value the rule refuses (every control
    character is tested against the rule itself, above)."""
    values = [("NUL", "a\x00b", "control"), ("ANSI escape", "\x1b[31mred", "control")]
    if kind not in ("lines", "name"):  # a name's line breaks become spaces (below)
        values.append(("line break in one line", "one\ntwo", "control"))
    if kind == "postcode":
        values.append(("grows when upper-cased", "ßßßßßß", "postcode"))
        values.append(("ten, then eleven when upper-cased", "eb4 7qt xyz", "length"))
    elif max_length:
        values.append(("longer after NFC", GROWS * (max_length // 2 + 1), "length"))
    return values


def _good_values(max_length, kind):
    """(label, value, stored) for a field: stored in NFC, stripped, at its limit if it has one
    (counted after NFC)."""
    if kind == "postcode":
        return [("at the limit once upper-cased", " eb4 7qt xy ", "EB4 7QT XY")]
    if kind == "lines":
        return [
            ("decomposed, with line breaks", f"  {NFD_NAME}\r\n\tend  ", f"{NFC_NAME}\r\n\tend")
        ]
    values = [("decomposed", f"  {NFD_NAME}  ", NFC_NAME)]
    if kind == "name":  # white space of every kind is one space in a name (text.name)
        values.append(
            (
                "white space of every kind",
                " Mary\u00a0 Ann\t\r\n Whit\u200blowe\u2003 ",
                "Mary Ann Whitlowe",
            )
        )
    if max_length:
        values.append(("at the limit after NFC", "e\u0301" * (max_length - 2) + GROWS, None))
    return values


def _params(pick):
    return [
        pytest.param(case, name, label, value, expected, id=f"{case.name}-{name}-{label}")
        for case in FORM_CASES
        for name, (max_length, kind) in case.fields.items()
        for label, value, expected in pick(max_length, kind)
    ]


def _post(client, url, data):
    # Encoded by hand: the test client cannot send every string (it would refuse some).
    return client.post(
        url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
    )


@pytest.fixture
def form_world(world):
    from cases.models import HarmCategory

    world.add("cases.harmcategory", "cse", HarmCategory.objects.get(slug="cse"))
    return world


@pytest.mark.parametrize(("case", "name", "label", "value", "why"), _params(_bad_values))
def test_a_form_refuses_bad_text_keeps_what_was_typed_and_stores_nothing(
    form_world, client, case, name, label, value, why
):
    world = form_world
    client.force_login(world.users[case.user])
    url = case.url(world)
    before = case.state(world)
    data = case.data(world) | {name: value}
    response = _post(client, url, data)
    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert f'href="#{case.anchor_prefix}{name}"' in page, page
    for other, typed in case.kept:
        if other != name:
            assert typed in page, other
    assert case.state(world) == before


@pytest.mark.parametrize(("case", "name", "label", "value", "expected"), _params(_good_values))
def test_a_form_stores_good_text_in_nfc(form_world, client, case, name, label, value, expected):
    world = form_world
    client.force_login(world.users[case.user])
    data = case.data(world) | {name: value}
    response = _post(client, case.url(world), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    if expected is None:
        expected = unicodedata.normalize("NFC", value)
    assert case.stored(world, name) == expected


@pytest.mark.parametrize("raw", [b"%ED%A0%80", b"\xed\xa0\x80", b"%FF", b"a%00b"])
def test_a_form_body_that_is_not_utf_8_is_not_a_server_error(form_world, client, raw):
    """A surrogate cannot arrive through a form: Django decodes the body with replacement
    characters (U+FFFD). Whatever arrives, the page answers; NUL is refused."""
    world = form_world
    client.force_login(world.users["sw"])
    url = reverse("peers:peer-group-edit", args=[world.records["peers.peergroup"]["team"].pk])
    body = b"name=" + raw + b"&description=Seen+together"
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 302)
    group = PeerGroup.objects.get(pk=world.records["peers.peergroup"]["team"].pk)
    assert "\x00" not in group.name
    assert all(not 0xD800 <= ord(c) <= 0xDFFF for c in group.name)


# --- search boxes -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a\x00b", "\x1b[31mJay", "Jay\x7f", "Jay\nExample"])
def test_the_search_page_refuses_bad_text_and_shows_it_back(world, client, value):
    client.force_login(world.users["sw"])
    response = _post(client, reverse("search"), {"q": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and 'href="#q"' in page
    assert "govuk-input--error" in page
    assert page.startswith("<!DOCTYPE html>") or "<title>Error: " in page


@pytest.mark.parametrize("raw", [b"%ED%A0%80", b"\xed\xa0\x80", b"J%CC%81ay"])
def test_the_search_page_answers_whatever_the_bytes(world, client, raw):
    client.force_login(world.users["sw"])
    response = client.post(
        reverse("search"), b"q=" + raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200


def test_the_search_page_searches_in_nfc(world, client):
    yp = _yp(world)
    yp.given_name = "Zoë"
    yp.save()
    client.force_login(world.users["sw"])
    page = _post(client, reverse("search"), {"q": "Zoe\u0308"}).content.decode()
    assert yp.subject.reference in page


@pytest.mark.parametrize("slug", ["young-people", "places", "peer-groups", "workers"])
@pytest.mark.parametrize("value", ["a\x00b", "\x1b[31mJay"])
def test_the_pickers_refuse_bad_text_with_a_400(world, client, slug, value):
    client.force_login(world.users["sw"])
    response = _post(client, reverse("pick", args=[slug]), {"q": value})
    assert response.status_code == 400
    assert response.json()["results"] == []
    assert "control character" in response.json()["detail"]


def test_a_pickers_find_box_with_bad_text_finds_nothing_and_keeps_the_page(world, client):
    client.force_login(world.users["sw"])
    data = _concern_data(world) | {
        "people-0-new_given_name": "",
        "people-0-new_family_name": "",
        "people-0-young_person_find": "Own\x00",
        "find": "people-0-young_person",
    }
    response = _post(client, reverse("cases:concern-log"), data)
    assert response.status_code == 200
    assert "Rosewood Chicken" in response.content.decode()


def test_every_text_field_of_every_admin_form_uses_the_rule(world, rf):
    """The admin is a way in too: its text fields follow the same rule as the app's forms."""
    from django.contrib import admin as django_admin

    request = rf.get("/admin/")
    request.user = world.users["admin"]
    checked = 0
    for model, model_admin in django_admin.site._registry.items():
        if not (
            model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        ):
            continue  # read-only in the admin: nothing typed there is saved
        forms_of_page = [model_admin.get_form(request)] + [
            inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)
        ]
        for name, each in (
            (name, each)
            for form_class in forms_of_page
            for name, each in form_class.base_fields.items()
        ):
            if type(each) is forms.CharField or isinstance(each, text.NormalisedTextMixin):
                assert isinstance(each, text.NormalisedTextMixin), f"{model.__name__}.{name}"
                if text.is_postcode(name):
                    assert isinstance(each, text.PostcodeField), f"{model.__name__}.{name}"
                checked += 1
    assert checked >= 10


def test_the_admin_refuses_control_characters_in_a_place(world, client):
    from contexts.models import Context

    client.force_login(world.users["admin"])
    before = Context.objects.count()
    response = client.post(
        reverse("admin:contexts_context_add"),
        {"name": "Bad\x1b[31m place", "kind": "other", "postcode": "eb4  7qt"},
    )
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert Context.objects.count() == before


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("admin", "/admin/accounts/user/?role=%00"),
        ("admin", "/admin/accounts/user/?q=%00"),
        ("admin", "/admin/auditlog/logentry/?action=%00"),
        ("sw", "/search/?q=a%00b"),
        ("sm", "/themes/?harm=%00"),
        ("sm", "/hotspots/?kind=%00"),
        ("tm", "/front-door/?page=%00"),
        ("admin", "/notifications/?status=%00"),
        ("sw", "/?%00=1"),
    ],
)
def test_a_nul_in_a_query_parameter_is_a_400_not_a_500(world, client, who, url):
    client.force_login(world.users[who])
    response = client.get(url)
    assert response.status_code == 400, url
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/referrals/?status=%00",
        "/api/v1/referrals/?reference=%00",
        "/api/v1/contexts/?name=a%00",
        "/api/v1/actions/?status=%00",
    ],
)
def test_a_nul_in_an_api_query_parameter_is_a_400_problem(world, url):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(world.users["partner"])
    response = client.get(url)
    assert response.status_code == 400, url
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("invalid-request")
    assert [e["field"] for e in problem["errors"]] == [url.split("?")[1].split("=")[0]]
