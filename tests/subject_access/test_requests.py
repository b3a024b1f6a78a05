"""Subject access requests: the officer's alone (their own authority's; everyone else, and
the other authority's officer, a 404), recorded with their due date, extended only with a
reason, listed due soonest first with the overdue tagged."""

import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.subject_access import services
from safeguarding.subject_access.models import Bundle, SubjectAccessRequest

pytestmark = pytest.mark.world_per_module


def _dpo(world, name="dpo"):
    return world.records["accounts.user"][name]


def _request(world, received_on=None, young_person="team", **extra):
    return services.request_record(
        by=_dpo(world),
        young_person=world.records["cases.youngperson"][young_person],
        requester_name="Pat Requester",
        requester_relationship="parent_carer",
        requester_contact="pat@example.invalid",
        received_on=received_on or timezone.localdate(),
        **extra,
    )


def _compiled(world):
    sar = _request(world)
    services.identity_record(
        request=sar, by=_dpo(world), method="photo_id", checked_on=timezone.localdate()
    )
    services.bundle_compile(request=sar, by=_dpo(world))
    services.bundle_mark_reviewed(request=sar, by=_dpo(world))
    return sar


PAGES = [
    ("list", False, "get"),
    ("new", False, "get"),
    ("request", True, "get"),
    ("identity", True, "get"),
    ("extend", True, "get"),
    ("refuse", True, "get"),
    ("bundle", True, "get"),
    ("sent", True, "get"),
    ("pdf", True, "get"),
    ("json", True, "get"),
    ("compile", True, "post"),
    ("reviewed", True, "post"),
    ("close", True, "post"),
]


@pytest.mark.parametrize(("name", "about_one", "method"), PAGES)
def test_only_the_authoritys_officer_opens_them(world, client, name, about_one, method):
    sar = _compiled(world)
    url = reverse(f"subject_access:{name}", args=[sar.pk] if about_one else [])
    for username, user in world.records["accounts.user"].items():
        client.force_login(user)
        response = getattr(client, method)(url)
        if username == "dpo":
            assert response.status_code in (200, 302), (username, response.status_code)
        elif username == "la2_dpo" and not about_one:
            # The other authority's officer has their own list (without this request).
            assert response.status_code == 200
            assert sar.reference not in response.content.decode()
        else:
            assert response.status_code == 404, (username, response.status_code)


def test_the_requests_rows_answer_account_only(world):
    sar = _compiled(world)
    for model in (SubjectAccessRequest, Bundle):
        for username, user in world.records["accounts.user"].items():
            assert not visibility.restrict(user, model).exists(), username
            assert not visibility.restrict(user, model, visibility.CHANGE).exists(), username
            accounted = visibility.restrict(user, model, visibility.ACCOUNT)
            assert accounted.exists() == (username == "dpo"), (model, username)
    assert visibility.can(_dpo(world), sar, visibility.ACCOUNT)


#: The policies subject access reads with ACCOUNT (safeguarding/accounts/visibility.py).
READ_WITH_ACCOUNT = [
    "cases.concernsubject",
    "cases.alias",
    "cases.casenote",
    "cases.warningnote",
    "cases.assessment",
    "cases.evidenceitem",
    "cases.assessmentmention",
    "cases.meeting",
    "cases.invitee",
    "cases.agendaitem",
    "cases.decision",
    "cases.minutessection",
    "cases.plan",
    "cases.goal",
    "peers.peergroupmembership",
    "peers.relationship",
]


@pytest.mark.parametrize("label", READ_WITH_ACCOUNT)
def test_account_reads_the_officers_own_authority_only(world, label):
    model = apps.get_model(label)
    everything = set(model._default_manager.values_list("pk", flat=True))
    assert everything, f"the world holds {label} rows"
    seen = set(
        visibility.restrict(_dpo(world), model, visibility.ACCOUNT).values_list("pk", flat=True)
    )
    assert seen == everything  # the world's records are all the authority's
    assert not visibility.restrict(_dpo(world, "la2_dpo"), model, visibility.ACCOUNT).exists()
    for name, user in world.records["accounts.user"].items():
        if name != "dpo":
            assert not visibility.restrict(user, model, visibility.ACCOUNT).exists(), name


def test_recorded_due_one_calendar_month_later(world):
    sar = _request(world, received_on=date(2026, 1, 31))
    assert (sar.due_on, sar.status) == (date(2026, 2, 28), "received")
    assert sar.reference.startswith("SAR-")
    assert sar.authority == world.records["accounts.organisation"]["la"]


def test_recording_refuses_bad_input_by_field(world):
    with pytest.raises(ApplicationError) as raised:
        services.request_record(
            by=_dpo(world),
            young_person=world.records["cases.youngperson"]["team"],
            requester_name=" ",
            requester_relationship="neighbour",
            requester_contact="",
            received_on=timezone.localdate() + timedelta(days=1),
            scope="date_range",
            scope_from=date(2026, 5, 1),
            scope_to=date(2026, 4, 1),
        )
    assert set(raised.value.message_dict) == {
        "requester_name",
        "requester_relationship",
        "requester_contact",
        "received_on",
        "scope_to",
    }


def test_nobody_else_records_one_and_not_about_another_authoritys_child(world):
    from cases.models import YoungPerson

    with pytest.raises(NotAllowed):
        services.request_record(
            by=world.users["tm"],
            young_person=world.records["cases.youngperson"]["team"],
            requester_name="X",
            requester_relationship="young_person",
            requester_contact="x",
            received_on=timezone.localdate(),
        )
    elsewhere = YoungPerson(
        authority=world.records["accounts.organisation"]["la2"], given_name="Far", family_name="A"
    )
    elsewhere.save()
    with pytest.raises(RecordNotFound):
        services.request_record(
            by=_dpo(world),
            young_person=elsewhere,
            requester_name="X",
            requester_relationship="young_person",
            requester_contact="x",
            received_on=timezone.localdate(),
        )


def test_an_extension_needs_a_reason_and_stays_within_two_further_months(world):
    sar = _request(world, received_on=date(2026, 1, 31))
    dpo = _dpo(world)
    # Told within the first month (UK GDPR Article 12(3)): after 28 February, too late.
    with pytest.raises(ApplicationError, match="too late to extend"):
        services.request_extend(
            request=sar,
            by=dpo,
            new_due_on=date(2026, 4, 30),
            reason="Records of five agencies",
            today=date(2026, 3, 1),
        )
    within_the_month = date(2026, 2, 20)
    with pytest.raises(ApplicationError) as raised:
        services.request_extend(
            request=sar, by=dpo, new_due_on=date(2026, 4, 30), reason=" ", today=within_the_month
        )
    assert set(raised.value.message_dict) == {"reason"}
    with pytest.raises(ApplicationError) as raised:
        services.request_extend(
            request=sar, by=dpo, new_due_on=date(2026, 5, 1), reason="Big", today=within_the_month
        )
    assert "two further months" in raised.value.message_dict["new_due_on"][0]
    with pytest.raises(ApplicationError) as raised:
        services.request_extend(
            request=sar, by=dpo, new_due_on=date(2026, 2, 27), reason="Big", today=within_the_month
        )
    assert set(raised.value.message_dict) == {"new_due_on"}
    sar = services.request_extend(
        request=sar,
        by=dpo,
        new_due_on=date(2026, 4, 30),
        reason="Records of five agencies",
        today=within_the_month,
    )
    assert sar.current_due_on == date(2026, 4, 30)
    assert sar.extension_reason == "Records of five agencies"


def test_the_extend_page_shows_the_reason_missing(world, client):
    sar = _request(world, received_on=date(2026, 1, 31))
    client.force_login(_dpo(world))
    response = client.post(
        reverse("subject_access:extend", args=[sar.pk]),
        {"new_due_on_day": "30", "new_due_on_month": "4", "new_due_on_year": "2026", "reason": ""},
    )
    assert response.status_code == 200
    assert "Say why the request needs longer" in response.content.decode()
    sar.refresh_from_db()
    assert sar.extended_due_on is None


def test_a_refusal_needs_a_reason(world):
    sar = _request(world)
    with pytest.raises(ApplicationError):
        services.request_refuse(request=sar, by=_dpo(world), reason="")
    sar = services.request_refuse(request=sar, by=_dpo(world), reason="Manifestly unfounded")
    assert sar.status == "refused" and sar.finished


def test_the_list_is_due_soonest_first_with_the_overdue_tagged(
    world, client, django_assert_max_num_queries
):
    today = timezone.localdate()
    late = _request(world, received_on=today - timedelta(days=40))
    soon = _request(world, received_on=today - timedelta(days=20))
    fresh = _request(world, received_on=today)
    done = _request(world, received_on=today - timedelta(days=60))
    services.request_refuse(request=done, by=_dpo(world), reason="Withdrawn by the requester")
    client.force_login(_dpo(world))
    url = reverse("subject_access:list")
    client.get(url)
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    order = [page.index(s.reference) for s in (late, soon, fresh, done)]
    assert order == sorted(order)
    assert page.count("Overdue") == 1
    # a page of many costs the same
    for _ in range(5):
        _request(world, received_on=today - timedelta(days=10))
    with django_assert_max_num_queries(12):
        client.get(url)
    # The young person's name is not on the list (references only).
    assert "GivenTeam" not in page


def test_new_request_through_the_page_finds_the_young_person_by_name(world, client):
    client.force_login(_dpo(world))
    url = reverse("subject_access:new")
    data = {
        "find": "giventeam testperson",
        "requester_name": "Pat Requester",
        "requester_relationship": "young_person",
        "requester_contact": "pat@example.invalid",
        "received_on_day": "31",
        "received_on_month": "1",
        "received_on_year": "2026",
        "scope": "everything",
    }
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(
        r"error-message\">(.*?)</p", response.content.decode(), re.S
    )
    sar = SubjectAccessRequest.objects.get(requester_name="Pat Requester")
    assert sar.young_person == world.records["cases.youngperson"]["team"]
    assert sar.due_on == date(2026, 2, 28)
    # A name several young people share: offered to choose from, what was typed kept.
    response = client.post(url, {**data, "find": "Testperson", "requester_name": "Other"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Several young people match" in body and "GivenOwn" in body
    # The other authority's officer finds none of them.
    client.force_login(_dpo(world, "la2_dpo"))
    response = client.post(url, {**data, "requester_name": "Third"})
    assert "No young person of your authority" in response.content.decode()
