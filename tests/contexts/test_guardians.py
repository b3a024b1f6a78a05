"""A place's guardians: added, edited and ended in the app, through the rule; ended guardians
kept as history, told of no more concerns, and giving a partner no more sight of the place."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import HarmCategory
from cases.services import concern_log
from contexts.models import Context, ContextGuardian
from contexts.services import (
    ORGANISATION_OR_NAME,
    guardian_add,
    guardian_end,
    guardian_update,
)
from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, RecordNotFound

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _place(world, name="team"):
    return world.records["contexts.context"][name]


def _org(world, name):
    return world.records["accounts.organisation"][name]


FORM = {
    "organisation": "",
    "name": "",
    "role": "",
    "present_when": "",
    "contact": "",
    "notes": "",
}


# --- services -----------------------------------------------------------------------------


def test_a_guardian_is_added_with_when_they_are_there(world):
    guardian = guardian_add(
        context=_place(world),
        by=world.users["sw"],
        organisation=None,
        name="Station duty manager",
        role="Staff on the gate",
        present_when="Weekdays 7am to 7pm",
        contact="Ask at the ticket office",
    )
    assert guardian.context == _place(world) and guardian.ended_on is None
    assert guardian.present_when == "Weekdays 7am to 7pm"


def test_an_organisation_or_a_name_is_needed_and_only_an_organisation_is_told(world):
    by = world.users["sw"]
    with pytest.raises(ApplicationError) as error:
        guardian_add(context=_place(world), by=by, organisation=None, name="  ")
    assert error.value.message_dict == {"organisation": [ORGANISATION_OR_NAME]}
    with pytest.raises(ApplicationError) as error:
        guardian_add(context=_place(world), by=by, name="Caretaker", told_of_concerns=True)
    assert list(error.value.message_dict) == ["told_of_concerns"]
    # Another authority's partner is not one they may name.
    with pytest.raises(ApplicationError) as error:
        guardian_add(context=_place(world), by=by, organisation=_org(world, "p3"))
    assert error.value.message_dict == {"organisation": ["Choose an organisation from the list"]}
    assert guardian_add(
        context=_place(world), by=by, organisation=_org(world, "p2"), told_of_concerns=True
    ).told_of_concerns


@pytest.mark.parametrize("user", ["sw3", "sm", "partner"])
def test_who_may_not_change_the_place_may_not_add_edit_or_end(world, user):
    by, guardian = world.users[user], world.records["contexts.contextguardian"]["agency"]
    with pytest.raises(RecordNotFound):
        guardian_add(context=_place(world), by=by, name="Caretaker")
    with pytest.raises(RecordNotFound):
        guardian_update(guardian, by=by, changes={"role": "Other"})
    with pytest.raises(RecordNotFound):
        guardian_end(guardian=guardian, by=by, reason="Gone")
    guardian.refresh_from_db()
    assert guardian.ended_on is None and guardian.role == ""


def test_the_directory_s_administrator_may_keep_guardians(world):
    guardian = guardian_add(context=_place(world, "other"), by=world.users["admin"], name="Keeper")
    assert guardian.pk


def test_a_guardian_is_edited_and_checked_as_it_would_be(world):
    guardian = world.records["contexts.contextguardian"]["agency"]
    by = world.users["sw"]
    saved = guardian_update(guardian, by=by, changes={"present_when": "Evenings", "role": "BTP"})
    assert (saved.present_when, saved.role) == ("Evenings", "BTP")
    with pytest.raises(ApplicationError) as error:
        guardian_update(guardian, by=by, changes={"organisation": None, "name": ""})
    assert error.value.message_dict == {"organisation": [ORGANISATION_OR_NAME]}


def test_an_ended_guardian_is_kept_told_nothing_and_no_longer_shows_the_partner_the_place(
    world, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from safeguarding.notifications.models import Notification

    place, partner = _place(world), world.users["partner"]
    guardian = world.records["contexts.contextguardian"]["agency"]
    guardian.told_of_concerns = True
    guardian.save()
    assert visibility.can(partner, place)
    with pytest.raises(ApplicationError) as error:
        guardian_end(
            guardian=guardian,
            by=world.users["sw"],
            reason="",
            ended_on=timezone.localdate() + timedelta(days=2),
        )
    assert set(error.value.message_dict) == {"reason", "ended_on"}
    ended = guardian_end(guardian=guardian, by=world.users["sw"], reason="Contract ended")
    assert ended.ended_on == timezone.localdate() and ended.ended_reason == "Contract ended"
    assert ContextGuardian.objects.filter(pk=guardian.pk).exists()
    assert not visibility.can(partner, Context.objects.get(pk=place.pk))
    with pytest.raises(ApplicationError):
        guardian_end(guardian=guardian, by=world.users["sw"], reason="Again")
    with pytest.raises(ApplicationError):
        guardian_update(guardian, by=world.users["sw"], changes={"role": "Other"})
    before = Notification.objects.filter(event_type="context.concern_logged").count()
    concern_log(
        logged_by=world.users["sw"],
        occurred_at=timezone.now() - timedelta(hours=1),
        narrative="Seen at the place",
        harm_categories=list(HarmCategory.objects.all()[:1]),
        source="police",
        reliability="reliable",
        location=place,
    )
    assert Notification.objects.filter(event_type="context.concern_logged").count() == before


# --- pages --------------------------------------------------------------------------------


def test_add_edit_and_end_a_guardian_from_the_place_s_page(world, client):
    place = _place(world)
    client.force_login(world.users["sw"])
    add = reverse("contexts:guardian-add", args=[place.pk])
    assert f'href="{add}"' in client.get(place.get_absolute_url()).content.decode()
    form = client.get(add).content.decode()
    assert "Test Police" in form and "Other Housing" not in form  # another authority's partner
    response = client.post(
        add,
        FORM | {"name": "Park keeper", "present_when": "Weekends 9am to 5pm", "role": "Keeper"},
    )
    assert response.status_code == 302 and response["Location"] == place.get_absolute_url()
    guardian = ContextGuardian.objects.get(context=place, name="Park keeper")
    page = client.get(place.get_absolute_url()).content.decode()
    assert "Guardian added" in page and "Weekends 9am to 5pm" in page

    edit = reverse("contexts:guardian-edit", args=[place.pk, guardian.pk])
    assert f'href="{edit}"' in page
    assert 'value="Park keeper"' in client.get(edit).content.decode()
    response = client.post(edit, FORM | {"name": "Park keeper", "present_when": "Every day"})
    assert response.status_code == 302
    guardian.refresh_from_db()
    assert guardian.present_when == "Every day" and guardian.role == ""

    end = reverse("contexts:guardian-end", args=[place.pk, guardian.pk])
    assert client.post(end, {"reason": "Left the job"}).status_code == 302
    context = client.get(place.get_absolute_url()).context
    assert guardian in context["ended_guardians"] and guardian not in context["guardians"]
    # An ended guardian is no longer edited or ended.
    assert client.get(edit).status_code == 404
    assert client.get(end).status_code == 404


def test_neither_organisation_nor_name_is_an_error_at_the_field(world, client):
    place = _place(world)
    client.force_login(world.users["sw"])
    add = reverse("contexts:guardian-add", args=[place.pk])
    response = client.post(add, FORM | {"role": "Security", "present_when": "Nights"})
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {"organisation": [ORGANISATION_OR_NAME]}
    assert 'href="#id_organisation"' in page and 'value="Nights"' in page
    # Told of concerns without an organisation: at that field.
    response = client.post(add, FORM | {"name": "Caretaker", "told_of_concerns": "on"})
    assert list(response.context["form"].errors) == ["told_of_concerns"]
    assert not ContextGuardian.objects.filter(context=place, name="Caretaker").exists()


@pytest.mark.parametrize("user", ["sw3", "partner", "sm"])
def test_the_pages_are_a_404_to_who_may_not_change_the_place(world, client, user):
    place, guardian = _place(world), world.records["contexts.contextguardian"]["agency"]
    client.force_login(world.users[user])
    for url in (
        reverse("contexts:guardian-add", args=[place.pk]),
        reverse("contexts:guardian-edit", args=[place.pk, guardian.pk]),
        reverse("contexts:guardian-end", args=[place.pk, guardian.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, FORM | {"name": "X", "reason": "Y"}).status_code == 404
    guardian.refresh_from_db()
    assert guardian.ended_on is None and guardian.name == ""


def test_the_place_s_page_reads_guardians_in_a_fixed_number_of_queries(world, client):
    place = _place(world)
    client.force_login(world.users["sw"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(place.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm
    small = count()
    for i in range(10):
        guardian = guardian_add(
            context=place,
            by=world.users["sw"],
            organisation=_org(world, "p2") if i % 3 else None,
            name=f"Adult {i}",
        )
        if i % 2:
            guardian_end(guardian=guardian, by=world.users["sw"], reason="Moved on")
    assert count() == small
