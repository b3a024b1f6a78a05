"""The view bases (safeguarding/views.py) and the domain errors (safeguarding/errors.py): what
the pages built on them do that their own tests do not show, and the edit services' re-read
through the rule (safeguarding/subjects/services.py)."""

import pytest
from auditlog.models import LogEntry
from django.db.models.signals import post_save
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.request import Request

from cases import services
from cases.models import Case, YoungPerson
from safeguarding.accounts import grants, visibility
from safeguarding.api.errors import problem_exception_handler
from safeguarding.errors import ApplicationError, NotAllowed, RecordNotFound
from safeguarding.subjects.services import OUT_OF_REACH

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _edit_data(yp, **changes):
    return {
        "given_name": yp.given_name,
        "family_name": yp.family_name,
        "gender": yp.gender,
        "date_of_birth": "",
        **changes,
    }


def _updates(yp):
    return LogEntry.objects.filter(
        content_type__model="youngperson", object_id=yp.pk, action=LogEntry.Action.UPDATE
    )


# --- edits re-read the result through the rule ---------------------------------------------


@pytest.fixture
def grant_gone_during_save(world):
    """While connected: saving the young person "own" also un-names its worker (``sw``), in
    the same transaction. It stands in for a transfer of the case committed between the edit's
    lock and its re-read (a transfer locks the case, not the young person): no field of the
    edit page changes who may see the record, so a grant is the only thing that can leave it
    out of the editor's reach."""
    yp = world.records["cases.youngperson"]["own"]

    def unname(sender, instance, **kwargs):
        if instance.pk == yp.pk:
            grants.unname_user(instance, world.users["sw"])

    post_save.connect(unname, sender=YoungPerson, weak=False)
    yield yp
    post_save.disconnect(unname, sender=YoungPerson)


def test_an_edit_that_leaves_the_record_out_of_reach_is_refused_and_rolled_back(
    world, client, grant_gone_during_save
):
    yp, sw = grant_gone_during_save, world.users["sw"]
    updates_before = _updates(yp).count()
    client.force_login(sw)
    response = client.post(
        reverse("cases:young-person-edit", args=[yp.pk]),
        _edit_data(yp, given_name="Renamedperson"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and OUT_OF_REACH in page
    assert 'value="Renamedperson"' in page  # what was typed is kept
    yp.refresh_from_db()
    assert yp.given_name == "GivenOwn"  # the change was rolled back...
    assert visibility.can(sw, yp, visibility.CHANGE)  # ...and the grant's removal with it
    assert _updates(yp).count() == updates_before  # no audit row of a change that never was


def test_the_edit_service_re_reads_through_the_rule(world, grant_gone_during_save):
    yp, sw = grant_gone_during_save, world.users["sw"]
    with pytest.raises(ApplicationError) as refused:
        services.young_person_update(yp, by=sw, changes={"given_name": "Renamedperson"})
    assert refused.value.messages == [OUT_OF_REACH]
    yp.refresh_from_db()
    assert yp.given_name == "GivenOwn"


def test_the_edit_service_saves_for_who_may_change_and_returns_the_record_re_read(world):
    yp = world.records["cases.youngperson"]["own"]
    saved = services.young_person_update(
        yp, by=world.users["sw"], changes={"given_name": "Renamedperson"}
    )
    assert saved is not yp and saved.given_name == "Renamedperson"
    yp.refresh_from_db()
    assert yp.given_name == "Renamedperson"


@pytest.mark.parametrize(("user_name", "record"), [("sw", "team"), ("sw", "other"), ("sm", "own")])
def test_the_edit_service_refuses_who_may_not_change_as_if_missing(world, user_name, record):
    yp = world.records["cases.youngperson"][record]
    with pytest.raises(RecordNotFound):
        services.young_person_update(
            yp, by=world.users[user_name], changes={"given_name": "Renamedperson"}
        )
    yp.refresh_from_db()
    assert yp.given_name != "Renamedperson"


def test_the_edit_service_changes_only_the_edit_pages_fields(world):
    yp = world.records["cases.youngperson"]["own"]
    with pytest.raises(ValueError, match="restricted"):
        services.young_person_update(
            yp, by=world.users["sw"], changes={"restricted": True, "given_name": "Renamedperson"}
        )
    yp.refresh_from_db()
    assert not yp.restricted and yp.given_name == "GivenOwn"


# --- a service's refusals on the pages -------------------------------------------------------


def test_a_refusal_about_no_field_is_shown_on_the_form(world, client):
    case = world.records["cases.case"]["own"]
    services.case_close(case=case, closed_by=world.users["tm"], reason="Work finished")
    client.force_login(world.users["tm"])
    response = client.post(
        reverse("cases:case-allocate", args=[case.pk]),
        {"worker": world.users["sw2"].pk, "reason": "Back again"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "A closed case cannot be allocated." in page
    assert "Back again" in page
    case.refresh_from_db()
    assert case.allocated_worker == world.users["sw"]


@pytest.fixture
def view_bases_urls(settings):
    settings.ROOT_URLCONF = "tests.view_bases_urls"


@pytest.mark.parametrize("name", ["test-close-form", "test-close-button"])
def test_a_service_s_record_not_found_is_a_404(world, client, view_bases_urls, name):
    case = world.records["cases.case"]["own"]
    client.force_login(world.users["sw2"])  # reads the case (same team), may not change it
    url = reverse(name, args=[case.pk])
    assert client.post(url, {"reason": "Work finished"}).status_code == 404
    case.refresh_from_db()
    assert case.status != Case.Status.CLOSED


def test_the_button_calls_its_service_for_who_may(world, client, view_bases_urls):
    case = world.records["cases.case"]["own"]
    client.force_login(world.users["tm"])
    response = client.post(reverse("test-close-button", args=[case.pk]))
    assert response.status_code == 302 and response["Location"] == "/"
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED


#: The buttons (RecordActionView): route -> world -> its URL arguments.
BUTTONS = {
    "cases:transfer-withdraw": lambda w: [
        next(iter(w.records["cases.transferrequest"].values())).pk
    ],
    "cases:triage-screening": lambda w: [w.records["cases.referral"]["agency"].pk],
    "peers:relationship-remove": lambda w: [
        w.records["peers.peergroup"]["team"].pk,
        next(iter(w.records["peers.relationship"].values())).pk,
    ],
    "notifications:retry": lambda w: [w.records["notifications.notification"]["agency"].pk],
}


@pytest.mark.parametrize("route", sorted(BUTTONS))
def test_buttons_answer_any_other_method_with_405_before_sign_in(world, client, route):
    url = reverse(route, args=BUTTONS[route](world))
    assert client.get(url).status_code == 405  # signed out
    client.force_login(world.users["partner"])
    assert client.get(url).status_code == 405


# --- domain errors no view answered -----------------------------------------------------------


def test_domain_errors_that_escape_a_view_are_a_404_and_a_403(client, view_bases_urls):
    assert client.get("/test/record-not-found/").status_code == 404
    assert client.get("/test/not-allowed/").status_code == 403


def _api_answer(exc):
    request = Request(RequestFactory().get("/api/v1/referrals/"))
    response = problem_exception_handler(exc, {"request": request})
    return response.status_code, response.data


def test_the_api_answers_domain_errors_as_it_answers_django_s():
    from django.core.exceptions import PermissionDenied

    assert _api_answer(RecordNotFound()) == _api_answer(Http404("No such record"))
    assert _api_answer(RecordNotFound())[0] == 404
    refused = "Your role does not make referrals."
    assert _api_answer(NotAllowed(refused)) == _api_answer(PermissionDenied(refused))
    assert _api_answer(NotAllowed(refused))[1]["detail"] == refused
