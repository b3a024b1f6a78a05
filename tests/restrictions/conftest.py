"""Shared fixtures for restricted records (cases/restrictions)."""

import pytest
from django.db import transaction

from cases.models import YoungPersonUserObjectPermission
from safeguarding.accounts.models import User
from tests.conftest import make_user


def named(young_person, user) -> bool:
    """Whether a grant row names ``user`` on the record (what the rule reads)."""
    return YoungPersonUserObjectPermission.objects.filter(
        content_object=young_person, user=user, permission__codename="view_youngperson"
    ).exists()


@pytest.fixture
def tm_b(world) -> User:
    """A team manager of the other team (t2) of the same authority: the front door's manager
    who is not named on team one's restricted record."""
    return make_user(
        "tm_b",
        User.Role.TEAM_MANAGER,
        world.records["accounts.organisation"]["la"],
        world.records["accounts.team"]["t2"],
    )


@pytest.fixture
def reviewed(world):
    """The world's restricted young person (restricted before the register was kept), kept on
    review by team one's manager: now with an open restriction, the manager named on it."""
    from cases.restrictions import services

    yp = world.records["cases.youngperson"]["restricted"]
    with transaction.atomic():
        services.restriction_review(
            young_person=yp,
            by=world.users["tm"],
            decision=services.Decision.KEEP,
            reason="Still at risk from a relative",
        )
    return yp
