"""Each authority's administrators read their own authority's audit, and no other's."""

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.urls import reverse

from safeguarding.accounts.models import User
from safeguarding.audit.models import EntrySeal
from safeguarding.audit.registry import record_read
from tests.conftest import make_user

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


@pytest.fixture
def la2_admin(world):
    return make_user(
        "la2_admin",
        User.Role.ADMINISTRATOR,
        world.records["accounts.organisation"]["la2"],
        is_staff=True,
    )


def _ids(response) -> set[int]:
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


def _read_as(user, record) -> LogEntry:
    with set_actor(user):
        record_read(record)
    return LogEntry.objects.latest("id")


ACTORS = {
    # Who acted, and so whose authority's audit the row is part of.
    "a social worker": "sw",
    "a partner agency's user": "partner",
    "an administrator": "admin",
    "nobody (a task)": None,
}


@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_a_row_belongs_to_the_authority_of_its_actor_or_its_record(world, actor):
    name = ACTORS[actor]
    record = world.records["cases.youngperson"]["own"]
    if name is None:
        record_read(record)
        entry = LogEntry.objects.latest("id")
    else:
        entry = _read_as(world.users[name], record)
    seal = EntrySeal.objects.get(entry=entry)
    assert seal.authority == world.records["accounts.organisation"]["la"]


def test_another_authoritys_administrator_sees_none_of_this_authoritys_audit(
    world, client, la2_admin
):
    entry = _read_as(world.users["sw"], world.records["cases.youngperson"]["own"])
    ours = set(
        EntrySeal.objects.filter(authority=world.users["sw"].organisation).values_list(
            "entry_id", flat=True
        )
    )
    assert entry.pk in ours
    client.force_login(la2_admin)
    response = client.get(reverse("admin:auditlog_logentry_changelist"))
    assert response.status_code == 200
    assert not _ids(response) & ours
    assert reverse("admin:auditlog_logentry_change", args=[entry.pk]) not in response.text
    # What the administrator of la2 does see is la2's own audit.
    theirs = _read_as(la2_admin, world.records["notifications.notification"]["elsewhere"])
    response = client.get(reverse("admin:auditlog_logentry_changelist"))
    assert theirs.pk in _ids(response) and not _ids(response) & ours


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_a_direct_address_of_another_authoritys_audit_row_is_not_found(
    world, client, la2_admin, view
):
    entry = _read_as(world.users["sw"], world.records["cases.youngperson"]["own"])
    client.force_login(la2_admin)
    assert (
        client.get(reverse(f"admin:auditlog_logentry_{view}", args=[entry.pk])).status_code == 404
    )
    # The authority's own administrator opens it.
    client.force_login(world.users["admin"])
    response = client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))
    assert response.status_code == 200


def test_the_authoritys_own_administrator_sees_its_rows_and_not_the_others(
    world, client, la2_admin
):
    ours = _read_as(world.users["sw"], world.records["cases.youngperson"]["own"])
    theirs = _read_as(la2_admin, world.records["notifications.notification"]["elsewhere"])
    client.force_login(world.users["admin"])
    ids = _ids(client.get(reverse("admin:auditlog_logentry_changelist")))
    assert ours.pk in ids and theirs.pk not in ids
