"""Aliases on a young person: added and ended from the young person's page, through the rule,
audited, ended ones kept as history."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Alias
from cases.services import alias_add, alias_end
from safeguarding.errors import ApplicationError, RecordNotFound

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def _add(world, user="sw", person="own", **values):
    return alias_add(
        young_person=world.records["cases.youngperson"][person],
        by=world.users[user],
        **({"name": "Jay Dee", "kind": "street", "source": "police"} | values),
    )


# --- services -----------------------------------------------------------------------------


def test_an_alias_is_added_with_its_kind_and_source_and_audited(world):
    alias = _add(world, name="  Jay   Dee ", notes="Used at school")
    assert (alias.name, alias.kind, alias.source, alias.notes) == (
        "Jay Dee",
        "street",
        "police",
        "Used at school",
    )
    assert alias.added_by == world.users["sw"] and alias.added_on == timezone.localdate()
    assert alias.ended_on is None
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Alias), object_pk=str(alias.pk)
    )
    assert entry.action == LogEntry.Action.CREATE
    assert "Jay Dee" not in str(entry.changes)  # the name is personal: masked


def test_adding_refuses_by_field(world):
    with pytest.raises(ApplicationError) as error:
        _add(world, name=" ", kind="gang", source="rumour")
    assert set(error.value.message_dict) == {"name", "kind", "source"}
    _add(world, name="Jay Dee")
    with pytest.raises(ApplicationError) as error:
        _add(world, name="jay  dee")
    assert error.value.message_dict == {"name": ["This name is already recorded as one they use"]}
    own = world.records["cases.youngperson"]["own"]
    with pytest.raises(ApplicationError) as error:
        _add(world, name=f"{own.given_name} {own.family_name}")
    assert list(error.value.message_dict) == ["name"]


@pytest.mark.parametrize(
    ("user", "person"),
    [
        ("sw", "team"),  # reads a colleague's young person, may not change them
        ("sw3", "own"),  # a social worker of another team
        ("sm", "own"),  # senior managers change nothing
        ("partner", "own"),
        ("admin", "own"),
        ("sw", "restricted"),  # not named on a restricted record
    ],
)
def test_who_may_not_change_the_young_person_may_not_add_or_end(world, user, person):
    with pytest.raises(RecordNotFound):
        _add(world, user=user, person=person)
    alias = world.records["cases.alias"][person]
    with pytest.raises(RecordNotFound):
        alias_end(alias=alias, by=world.users[user], reason="Not used")
    alias.refresh_from_db()
    assert alias.ended_on is None


def test_the_team_manager_and_the_named_worker_may(world):
    assert _add(world, user="tm", person="team").pk
    assert _add(world, user="sw2", person="restricted").pk


def test_an_alias_is_ended_kept_and_not_ended_twice(world):
    alias = _add(world)
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ApplicationError) as error:
        alias_end(alias=alias, by=world.users["sw"], reason=" ", ended_on=yesterday)
    # Recorded today: it cannot have stopped yesterday; a reason is needed.
    assert set(error.value.message_dict) == {"reason", "ended_on"}
    with pytest.raises(ApplicationError) as error:
        alias_end(
            alias=alias,
            by=world.users["sw"],
            reason="Moved",
            ended_on=timezone.localdate() + timedelta(days=1),
        )
    assert error.value.message_dict == {"ended_on": ["The date must be today or in the past"]}
    ended = alias_end(alias=alias, by=world.users["sw"], reason="No longer used online")
    assert ended.ended_on == timezone.localdate() and ended.ended_by == world.users["sw"]
    assert Alias.objects.filter(pk=alias.pk).exists()
    with pytest.raises(ApplicationError):
        alias_end(alias=alias, by=world.users["sw"], reason="Again")
    # The same name may be recorded again as in use.
    assert _add(world).pk != alias.pk


# --- pages --------------------------------------------------------------------------------


def test_add_an_alias_from_the_young_person_s_page(world, client):
    yp = world.records["cases.youngperson"]["own"]
    client.force_login(world.users["sw"])
    page = client.get(yp.get_absolute_url()).content.decode()
    add = reverse("cases:alias-add", args=[yp.pk])
    assert f'href="{add}"' in page
    response = client.post(
        add, {"name": "Jay Dee", "kind": "online", "source": "school", "notes": "Snapchat"}
    )
    assert response.status_code == 302 and response["Location"] == yp.get_absolute_url()
    page = client.get(yp.get_absolute_url()).content.decode()
    assert "Alias added" in page and "Jay Dee" in page and "Online name or username" in page


def test_the_form_s_errors_are_at_the_fields_and_keep_what_was_typed(world, client):
    yp = world.records["cases.youngperson"]["own"]
    client.force_login(world.users["sw"])
    add = reverse("cases:alias-add", args=[yp.pk])
    response = client.post(add, {"name": "", "kind": "", "source": "", "notes": "kept text"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="kept text"' in page
    for field, message in (
        ("name", "Enter the other name"),
        ("kind", "Select what kind of name it is"),
        ("source", "Select where the name came from"),
    ):
        assert response.context["form"].errors[field] == [message]
        assert message in page
    # A service's refusal is at its field too.
    _add(world, name="Jay Dee")
    response = client.post(add, {"name": "Jay Dee", "kind": "street", "source": "police"})
    assert response.context["form"].errors["name"] == [
        "This name is already recorded as one they use"
    ]
    assert 'href="#id_name"' in response.content.decode()


def test_end_an_alias_from_the_young_person_s_page(world, client):
    yp = world.records["cases.youngperson"]["own"]
    alias = _add(world, name="Jay Dee")
    client.force_login(world.users["sw"])
    end = reverse("cases:alias-end", args=[yp.pk, alias.pk])
    assert f'href="{end}"' in client.get(yp.get_absolute_url()).content.decode()
    response = client.post(end, {"reason": ""})
    assert response.context["form"].errors["reason"] == ["Say why the name is no longer used"]
    response = client.post(
        end,
        {"reason": "Stopped using it", "ended_on_day": "40", "ended_on_month": "1"},
    )
    assert response.context["form"].errors["ended_on"] == [
        "The date must include a day, month and year"
    ]
    assert "Stopped using it" in response.content.decode()
    assert client.post(end, {"reason": "Stopped using it"}).status_code == 302
    alias.refresh_from_db()
    assert alias.ended_on == timezone.localdate()
    context = client.get(yp.get_absolute_url()).context
    assert alias in context["ended_aliases"] and alias not in context["aliases"]
    # Of another young person's URL: a 404.
    other = world.records["cases.youngperson"]["team"]
    assert client.get(reverse("cases:alias-end", args=[other.pk, alias.pk])).status_code == 404


@pytest.mark.parametrize("user", ["sw3", "partner", "sm"])
def test_the_pages_are_a_404_to_who_may_not_change_the_young_person(world, client, user):
    yp = world.records["cases.youngperson"]["own"]
    alias = world.records["cases.alias"]["own"]
    client.force_login(world.users[user])
    add = reverse("cases:alias-add", args=[yp.pk])
    end = reverse("cases:alias-end", args=[yp.pk, alias.pk])
    assert client.get(add).status_code == 404
    assert client.post(add, {"name": "X Y", "kind": "other", "source": "police"}).status_code == 404
    assert client.post(end, {"reason": "Gone"}).status_code == 404
    assert Alias.objects.filter(young_person=yp).count() == 1


def test_the_young_person_s_page_reads_aliases_in_a_fixed_number_of_queries(world, client):
    yp = world.records["cases.youngperson"]["own"]
    client.force_login(world.users["sw"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(yp.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm
    small = count()
    for i in range(12):
        alias = _add(world, name=f"Name {i}")
        if i % 2:
            alias_end(alias=alias, by=world.users["sw"], reason="Old")
    assert count() == small
