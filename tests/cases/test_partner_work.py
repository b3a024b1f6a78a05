"""Partners in the browser: My work (their organisation's referrals and actions), recording
progress on an action, and the web referral form, which makes what the API makes through the
same service, refuses what it refuses with the same messages, and makes one referral however
often it is sent."""

import re
import uuid
from datetime import timedelta
from html import escape

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import Action, HarmCategory, Referral
from safeguarding.errors import ApplicationError, RecordNotFound
from tests.api.conftest import referral_body
from tests.factories import ActionFactory, ReferralFactory

pytestmark = pytest.mark.world_per_module

HOME = reverse("home")
REFER = reverse("cases:referral-new")


def _user(world, name):
    return world.records["accounts.user"][name]


def _progress(action):
    return reverse("cases:action-progress", args=[action.pk])


# --- My work ---------------------------------------------------------------------------------


def test_a_partners_my_work_lists_its_organisations_referrals_and_actions_only(world, client):
    client.force_login(world.users["partner"])
    page = client.get(HOME).content.decode()
    own, other = world.records["cases.referral"]["agency"], world.records["cases.referral"]
    assert own.reference in page
    assert other["other_agency"].reference not in page  # the school's (p2)
    assert other["staff"].reference not in page  # a social worker's
    agency = world.records["cases.action"]["agency"]
    assert agency.description in page and _progress(agency) in page
    for name in ("own", "team", "other", "restricted"):  # workers' actions
        assert world.records["cases.action"][name].description not in page
    # Status and the decision's date; the decision's reason and the council's records never.
    assert "Received" in page and "Not yet" in page
    assert "Open work allocated to me" not in page


def test_a_decided_referral_shows_its_decision_and_date_but_not_the_reason(world, client):
    referral = world.records["cases.referral"]["agency"]
    services.referral_decide(
        referral=referral,
        decision=Referral.Decision.EARLY_HELP,
        reason="The council's own reason",
        decided_by=world.users["tm"],
    )
    client.force_login(world.users["partner"])
    page = client.get(HOME).content.decode()
    row = re.search(rf"<tr[^>]*>\s*<td[^>]*><a [^>]*>{referral.reference}</a>.*?</tr>", page, re.S)
    assert row, page
    assert "Early help" in row.group(0)
    assert f"{timezone.localdate():%-d %b %Y}" in row.group(0)
    assert "The council's own reason" not in page


def test_another_partner_sees_its_own_only(world, client):
    client.force_login(_user(world, "partner2"))
    page = client.get(HOME).content.decode()
    assert world.records["cases.referral"]["other_agency"].reference in page
    assert world.records["cases.referral"]["agency"].reference not in page
    assert "No actions are assigned to Test Academy." in page


def test_staff_my_work_is_unchanged(world, client):
    client.force_login(world.users["sw"])
    page = client.get(HOME).content.decode()
    assert "Open work allocated to me" in page
    assert "Referrals from" not in page


def _add_rows(world, n):
    p1 = world.records["accounts.organisation"]["p1"]
    place = world.records["contexts.context"]["team"]
    cse = HarmCategory.objects.get(slug="cse")
    for i in range(n):
        ReferralFactory(
            source_organisation=p1,
            referred_by=world.users["partner"],
            received_at=timezone.now() - timedelta(minutes=i + 1),
            decision_due_at=timezone.now() + timedelta(days=1),
            harm_categories=[cse],
        )
        ActionFactory(
            subject=place.subject,
            owner_organisation=p1,
            due_on=timezone.localdate() + timedelta(days=i),
        )


def test_my_work_query_count_does_not_grow_with_rows(world, client):
    client.force_login(world.users["partner"])

    def count(**params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(HOME, params).status_code == 200
        return len(ctx.captured_queries)

    _add_rows(world, 2)
    small = count()
    _add_rows(world, 60)  # more than a page of each
    assert count() == small
    assert count(page=2, actions_page=3) == small


def test_my_work_is_paged_each_list_apart(world, client):
    _add_rows(world, 30)
    client.force_login(world.users["partner"])
    page = client.get(HOME, {"actions_page": 2}).content.decode()
    assert "Showing 26 to" in page  # the actions' second page
    assert "Showing 1 to 25 of 31 referrals" in page  # the referrals' first


# --- recording progress on an action ----------------------------------------------------------


def test_a_partner_updates_its_action_through_the_service_and_it_is_audited(world, client):
    action = world.records["cases.action"]["agency"]
    partner = world.users["partner"]
    client.force_login(partner)
    page = client.get(_progress(action)).content.decode()
    assert action.description in page and "Update note" in page
    response = client.post(
        _progress(action), {"status": "in_progress", "progress_note": "CCTV requested."}
    )
    assert response.status_code == 302 and response["Location"] == HOME
    action.refresh_from_db()
    assert (action.status, action.progress_note) == ("in_progress", "CCTV requested.")
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Action),
        object_pk=str(action.pk),
        action=LogEntry.Action.UPDATE,
    ).latest("timestamp")
    assert entry.actor == partner
    assert "status" in entry.changes_dict
    page = client.get(HOME).content.decode()
    assert "updated: In progress" in page  # the success banner
    client.post(_progress(action), {"status": "done", "progress_note": "CCTV reviewed."})
    action.refresh_from_db()
    assert action.status == "done" and action.completed_at is not None


def test_the_progress_form_says_what_is_missing_and_keeps_the_note(world, client):
    action = world.records["cases.action"]["agency"]
    client.force_login(world.users["partner"])
    response = client.post(_progress(action), {"status": "", "progress_note": "Typed note"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and 'href="#id_status' in page
    assert "Choose the action&#x27;s status" in page
    assert "Typed note" in page
    # Cancelling is the council's: not a choice here.
    response = client.post(_progress(action), {"status": "cancelled"})
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.status == "open"


@pytest.mark.parametrize(
    "user_name, record",
    [("partner2", "agency"), ("partner", "own"), ("sw3", "agency"), ("sm", "agency")],
)
def test_who_may_not_change_the_action_gets_404(world, client, user_name, record):
    action = world.records["cases.action"][record]
    client.force_login(_user(world, user_name))
    assert client.get(_progress(action)).status_code == 404
    response = client.post(_progress(action), {"status": "done", "progress_note": "x"})
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == "open"


def test_a_cancelled_action_cannot_be_updated(world, client):
    action = world.records["cases.action"]["agency"]
    Action.objects.filter(pk=action.pk).update(status=Action.Status.CANCELLED)
    client.force_login(world.users["partner"])
    assert client.get(_progress(action)).status_code == 404
    with pytest.raises(ApplicationError):
        services.action_record_progress(action=action, by=world.users["partner"], status="done")


def test_the_service_refuses_another_organisation_like_a_missing_record(world):
    action = world.records["cases.action"]["agency"]
    with pytest.raises(RecordNotFound):
        services.action_record_progress(action=action, by=_user(world, "partner2"), status="done")


# --- the referral form -------------------------------------------------------------------------


def _form(**changes) -> dict:
    """The referral form as a partner fills it in: the API's referral_body(), field by field."""
    cse = HarmCategory.objects.get(slug="cse")
    data = {
        "form_token": uuid.uuid4().hex,
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "1",
        "people-MAX_NUM_FORMS": "20",
        "people-0-name": "Jay Example",
        "people-0-date_of_birth_day": "1",
        "people-0-date_of_birth_month": "5",
        "people-0-date_of_birth_year": "2010",
        "people-0-address": "12 Example Road, Eastbrook",
        "people-0-postcode": "eb1 2cd",
        "place": "",
        "place_name": "",
        "place_kind": "",
        "place_address": "",
        "place_postcode": "",
        "harm_categories": [str(cse.pk)],
        "narrative": "Seen getting into cars with older men near the station after school.",
        "urgency": "urgent",
        "referrer_name": "PC Test",
        "referrer_role": "Police officer",
        "referrer_email": "pc@police.example",
        "referrer_phone": "",
        "consent": "not_sought",
        "lawful_basis": "public_task",
        "lawful_basis_detail": "Asking would increase the risk to the young person.",
    }
    data.update(changes)
    return data


def _what_was_made(referral: Referral) -> dict:
    fields = (
        "authority_id",
        "source_organisation_id",
        "referred_by_id",
        "referrer_name",
        "referrer_role",
        "referrer_email",
        "referrer_phone",
        "urgency",
        "narrative",
        "consent",
        "lawful_basis",
        "lawful_basis_detail",
        "status",
        "decision",
    )
    about = list(
        referral.about.order_by("pk").values(
            "kind",
            "subject_id",
            "described_name",
            "described_date_of_birth",
            "described_address",
            "described_postcode",
            "described_place_kind",
        )
    )
    return {
        **{name: getattr(referral, name) for name in fields},
        "harm_categories": sorted(c.slug for c in referral.harm_categories.all()),
        "about": about,
        "due_in": referral.decision_due_at - referral.received_at,
    }


def test_the_form_makes_exactly_what_the_api_makes(world, client):
    partner = world.users["partner"]
    api = APIClient()
    api.force_login(partner)
    made = api.post(
        "/api/v1/referrals/",
        referral_body(),
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert made.status_code == 201, made.content
    by_api = Referral.objects.get(reference=made.json()["reference"])

    client.force_login(partner)
    response = client.post(REFER, _form())
    assert response.status_code == 302, response.content.decode()
    by_form = Referral.objects.exclude(pk=by_api.pk).latest("received_at")
    assert response["Location"] == reverse("cases:referral-sent", args=[by_form.pk])
    assert _what_was_made(by_form) == _what_was_made(by_api)
    # The confirmation: a GOV.UK panel with the reference.
    page = client.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" in page and by_form.reference in page
    # The front door's queue has it, and My work lists it.
    assert by_form.reference in client.get(HOME).content.decode()


_BLANK_PERSON = {
    f"people-0-{name}": ""
    for name in (
        "name",
        "date_of_birth_day",
        "date_of_birth_month",
        "date_of_birth_year",
        "address",
        "postcode",
    )
}


def test_a_known_place_picked_or_a_place_described(world, client):
    client.force_login(world.users["partner"])
    place = world.records["contexts.context"]["team"]
    response = client.post(REFER, _form(**_BLANK_PERSON, place=str(place.pk)))
    assert response.status_code == 302, response.content.decode()
    referral = Referral.objects.latest("received_at")
    assert list(referral.about.values_list("kind", "subject_id")) == [("context", place.subject_id)]
    response = client.post(
        REFER, _form(**_BLANK_PERSON, place_name="Golden Fry", place_kind="shop")
    )
    assert response.status_code == 302, response.content.decode()
    referral = Referral.objects.latest("received_at")
    assert list(referral.about.values_list("kind", "described_name", "described_place_kind")) == [
        ("context", "Golden Fry", "shop")
    ]
    # Both at once is refused at the field.
    page = client.post(
        REFER, _form(place=str(place.pk), place_name="Golden Fry", place_kind="shop")
    ).content.decode()
    assert "Choose a known place or describe one, not both" in page


def test_the_services_messages_at_their_fields_with_everything_kept(world, client):
    client.force_login(world.users["partner"])
    response = client.post(
        REFER,
        _form(
            **{
                "people-0-name": "",
                "people-0-date_of_birth_year": str(timezone.localdate().year + 1),
                "harm_categories": [],
                "urgency": "",
                "referrer_email": "",
                "consent": "given",
                "lawful_basis": "consent",
                "lawful_basis_detail": "",
                "place_name": "Half-typed place",
            }
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    msg = services.ReferralMessages
    for field_id, message in (
        ("id_people-0-name", msg.PERSON_NAME),
        ("id_people-0-date_of_birth_day", msg.BORN_IN_FUTURE),
        ("id_place_kind", msg.PLACE_KIND),
        ("id_harm_categories", "Choose at least one harm category."),
        ("id_urgency", "Choose how urgent the referral is."),
        ("id_referrer_email", msg.CONTACT),
    ):
        assert f'href="#{field_id}' in page, field_id
        assert escape(message) in page, message
        at_field = re.search(rf'id="{field_id.rsplit("_day", 1)[0]}_error">(.*?)</p>', page, re.S)
        assert at_field and escape(message) in at_field.group(1), field_id
    # Typed text kept.
    assert 'value="Half-typed place"' in page
    assert "Seen getting into cars" in page
    assert 'value="PC Test"' in page
    assert not Referral.objects.filter(referrer_name="PC Test").exists()


def test_who_or_where_is_said_at_the_first_young_person(world, client):
    client.force_login(world.users["partner"])
    page = client.post(REFER, _form(**_BLANK_PERSON)).content.decode()
    message = services.ReferralMessages.NOBODY
    assert page.count(message) == 2  # the summary and the field
    assert 'href="#id_people-0-name"' in page


def test_consent_rules_are_the_services_and_say_what_the_api_says(world, client):
    bad = {"consent": "not_given", "lawful_basis": "consent", "lawful_basis_detail": ""}
    api = APIClient()
    api.force_login(world.users["partner"])
    answer = api.post(
        "/api/v1/referrals/",
        referral_body(**bad),
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert answer.status_code == 422
    said_by_api = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert said_by_api == {
        "lawful_basis": services.ReferralMessages.CONSENT_BASIS,
        "lawful_basis_detail": services.ReferralMessages.WHY_WITHOUT_CONSENT,
    }
    client.force_login(world.users["partner"])
    page = client.post(REFER, _form(**bad)).content.decode()
    for field, message in said_by_api.items():
        at_field = re.search(rf'id="id_{field}_error">(.*?)</p>', page, re.S)
        assert at_field and escape(message) in at_field.group(1), field
    assert 'href="#id_lawful_basis_0"' in page and 'href="#id_lawful_basis_detail"' in page


def test_a_second_sending_of_the_same_form_makes_no_second_referral(world, client):
    client.force_login(world.users["partner"])
    data = _form()
    before = Referral.objects.count()
    first = client.post(REFER, data)
    second = client.post(REFER, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Referral.objects.count() == before + 1
    # A new form (a new token) is a new referral.
    assert client.post(REFER, _form())["Location"] != first["Location"]
    assert Referral.objects.count() == before + 2


def test_a_refused_form_keeps_its_token_and_the_corrected_one_is_received_once(world, client):
    client.force_login(world.users["partner"])
    data = _form(narrative="")
    page = client.post(REFER, data).content.decode()
    assert f'value="{data["form_token"]}"' in page
    data["narrative"] = "Now written."
    first = client.post(REFER, data)
    assert first.status_code == 302
    assert client.post(REFER, data)["Location"] == first["Location"]
    assert Referral.objects.filter(narrative="Now written.").count() == 1


def test_the_service_replays_a_token_once_per_caller(world):
    arguments = dict(
        young_people=[services.ReferredYoungPerson(name="Jay Example")],
        harm_categories=[HarmCategory.objects.get(slug="cse")],
        narrative="Seen at the station.",
        urgency="routine",
        referrer_name="PC Test",
        referrer_email="pc@police.example",
        consent="not_sought",
        lawful_basis="public_task",
        lawful_basis_detail="Asking would increase the risk.",
    )
    partner = world.users["partner"]
    first, replayed = services.referral_receive_once(
        form_token="t1", referred_by=partner, **arguments
    )
    assert not replayed
    again, replayed = services.referral_receive_once(
        form_token="t1", referred_by=partner, **arguments
    )
    assert replayed and again == first
    # The same token from someone else is theirs, not the partner's referral.
    other, replayed = services.referral_receive_once(
        form_token="t1", referred_by=_user(world, "partner2"), **arguments
    )
    assert not replayed and other != first


def test_add_another_young_person_and_remove_keep_what_was_typed(world, client):
    client.force_login(world.users["partner"])
    data = _form(narrative="Typed narrative", add_young_person="1")
    page = client.post(REFER, data).content.decode()
    assert "There is a problem" not in page
    assert 'name="people-TOTAL_FORMS" value="2"' in page
    assert 'id="id_people-1-name"' in page
    assert "Typed narrative" in page and 'value="Jay Example"' in page
    # Fill the second row in, then remove the first: the second moves up, as typed.
    data = _form(
        **{
            "people-TOTAL_FORMS": "2",
            "people-1-name": "Sam Second",
            "remove_young_person": "0",
        }
    )
    page = client.post(REFER, data).content.decode()
    assert "There is a problem" not in page
    assert 'name="people-TOTAL_FORMS" value="1"' in page
    assert 'value="Sam Second"' in page and "Jay Example" not in page
    assert not Referral.objects.filter(narrative__startswith="Typed").exists()


def test_two_young_people_are_both_referred(world, client):
    client.force_login(world.users["partner"])
    data = _form(**{"people-TOTAL_FORMS": "2", "people-1-name": "Sam Second"})
    assert client.post(REFER, data).status_code == 302
    referral = Referral.objects.latest("received_at")
    assert sorted(referral.about.values_list("described_name", flat=True)) == [
        "Jay Example",
        "Sam Second",
    ]


def test_staff_who_refer_may_use_the_form_others_get_404(world, client):
    for name in ("sw", "tm", "partner"):
        client.force_login(world.users[name])
        assert client.get(REFER).status_code == 200, name
    for name in ("sm", "admin"):
        client.force_login(world.users[name])
        assert client.get(REFER).status_code == 404, name
        assert client.post(REFER, _form()).status_code == 404, name


def test_only_the_maker_sees_the_confirmation(world, client):
    client.force_login(world.users["partner"])
    location = client.post(REFER, _form())["Location"]
    client.force_login(_user(world, "partner2"))
    assert client.get(location).status_code == 404
    client.force_login(world.users["tm"])
    assert client.get(location).status_code == 404
