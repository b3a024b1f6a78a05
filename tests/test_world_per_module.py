"""A module marked ``world_per_module`` builds the test world once and its tests share it: what
one test writes to the database or changes in memory, the next test does not see."""

from types import SimpleNamespace

import pytest

from cases.models import HarmCategory, YoungPerson
from safeguarding.accounts.models import User
from tests.conftest import pytest_collection_modifyitems

pytestmark = pytest.mark.world_per_module

FIRST = {}


def test_a_test_writes_to_the_database_and_changes_its_objects(world):
    FIRST["pks"] = {name: user.pk for name, user in world.users.items()}
    sw = world.users["sw"]
    sw.first_name = "Changed"
    sw.save()
    world.users["tm"].is_active = False  # in memory only
    own = world.records["cases.youngperson"]["own"]
    YoungPerson.objects.filter(pk=own.pk).update(given_name="Written")
    HarmCategory.objects.create(slug="written-by-a-test", name="Written by a test")
    assert User.objects.get(pk=sw.pk).first_name == "Changed"


def test_the_next_test_sees_none_of_it_in_the_same_world(world):
    assert {name: user.pk for name, user in world.users.items()} == FIRST["pks"]  # built once
    sw = world.users["sw"]
    assert sw.first_name == "Sw" and User.objects.get(pk=sw.pk).first_name == "Sw"
    assert world.users["tm"].is_active
    own = world.records["cases.youngperson"]["own"]
    assert YoungPerson.objects.get(pk=own.pk).given_name == own.given_name == "GivenOwn"
    assert not HarmCategory.objects.filter(slug="written-by-a-test").exists()
    # One object per record across the copy, as in the world: a user is the same object
    # wherever the world holds it.
    assert world.records["accounts.user"]["sw"] is sw


def test_a_transactional_test_is_refused_in_such_a_module():
    def item(django_db=None, fixturenames=()):
        markers = {"world_per_module": pytestmark, "django_db": django_db}
        return SimpleNamespace(
            nodeid="tests/x.py::test_x",
            fixturenames=list(fixturenames),
            get_closest_marker=markers.get,
        )

    pytest_collection_modifyitems(None, [item(fixturenames=["db", "world"])])
    for refused in (
        item(django_db=pytest.mark.django_db(transaction=True).mark),
        item(fixturenames=["transactional_db"]),
        item(fixturenames=["live_server"]),
    ):
        with pytest.raises(pytest.UsageError, match="transactional"):
            pytest_collection_modifyitems(None, [refused])
