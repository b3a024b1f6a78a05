"""Grants and notifications change only inside the transaction of the work that causes them.

These tests run outside a test transaction (transactional), so they live apart from the
modules whose world is built once (``world_per_module``, tests/conftest.py): test_services.py
and test_actions.py.
"""

import pytest
from django.db import transaction

from cases.models import YoungPerson
from safeguarding.accounts import grants, visibility
from safeguarding.notifications.models import Notification
from safeguarding.notifications.services import ActionAssigned


def _org(world, name):
    return world.records["accounts.organisation"][name]


def _can(user, yp, action=visibility.VIEW):
    return visibility.restrict(user, YoungPerson, action).filter(pk=yp.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_grants_refuse_to_change_outside_a_transaction(world):
    yp = world.records["cases.youngperson"]["own"]
    with pytest.raises(RuntimeError):
        grants.name_user(yp, world.users["sw3"])
    with transaction.atomic():
        grants.name_user(yp, world.users["sw3"])
    assert _can(world.users["sw3"], yp)


# --- notifications only in the transaction of their event -----------------------------------


@pytest.mark.django_db(transaction=True)
def test_notifications_are_recorded_only_inside_a_transaction(world):
    sw2 = world.users["sw2"]
    with pytest.raises(RuntimeError):
        ActionAssigned.record(
            authority=_org(world, "la"), users=[sw2], reference="YP-TEST", link="/"
        )
    assert not Notification.objects.filter(reference="YP-TEST").exists()
    with transaction.atomic():
        assert (
            len(
                ActionAssigned.record(
                    authority=_org(world, "la"), users=[sw2], reference="YP-TEST", link="/"
                )
            )
            == 1
        )
