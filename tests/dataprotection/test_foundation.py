"""The data protection officer: a role of a local authority, its landing page, and ACCOUNT
(their own authority's records, nothing of another's; nobody else has it)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from tests.conftest import make_user

pytestmark = pytest.mark.world_per_module

#: Models whose rows the shared world holds for both authorities' officers to be tested on;
#: every other model with an ACCOUNT rule is checked too (the same sets), rows or none.
ACCOUNTED = [
    "cases.youngperson",
    "peers.peergroup",
    "contexts.context",
    "subjects.subject",
    "cases.concern",
    "cases.referral",
]
EVERY_ACCOUNTED = sorted(label for label, rule in visibility._POLICIES.items() if rule.account_path)


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


def _rows_of(model, label, authority) -> set:
    from django.db.models import Q

    paths = visibility._POLICIES[label].account_path
    paths = (paths,) if isinstance(paths, str) else paths
    condition = Q()
    for path in paths:
        condition |= Q(**{path: authority.pk})
    return set(model._default_manager.filter(condition).values_list("pk", flat=True))


@pytest.mark.parametrize("label", EVERY_ACCOUNTED)
def test_account_is_the_officers_own_authority(world, label):
    model = _model(label)
    la, la2 = (
        world.records["accounts.organisation"]["la"],
        world.records["accounts.organisation"]["la2"],
    )
    mine = _rows_of(model, label, la)
    theirs = _rows_of(model, label, la2)
    if label in ACCOUNTED:
        assert mine, f"the world holds {label} records of the authority"
    dpo = world.records["accounts.user"]["dpo"]
    la2_dpo = world.records["accounts.user"]["la2_dpo"]
    seen = set(visibility.restrict(dpo, model, visibility.ACCOUNT).values_list("pk", flat=True))
    assert seen == mine
    other = set(
        visibility.restrict(la2_dpo, model, visibility.ACCOUNT).values_list("pk", flat=True)
    )
    assert other == theirs
    assert not other & mine
    for name, user in world.records["accounts.user"].items():
        if name in ("dpo", "la2_dpo"):
            continue
        assert not visibility.restrict(user, model, visibility.ACCOUNT).exists(), name


def test_every_model_the_officer_accounts_for_is_checked():
    assert set(ACCOUNTED) <= set(EVERY_ACCOUNTED)
    assert len(EVERY_ACCOUNTED) >= 30


def test_the_officer_reads_no_casework(world):
    dpo = world.records["accounts.user"]["dpo"]
    for label in ACCOUNTED:
        assert not visibility.restrict(dpo, _model(label)).exists(), label


def test_landing_page_is_the_officers_only(world, client):
    url = reverse("dataprotection:home")
    for name, user in world.records["accounts.user"].items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == (200 if name in ("dpo", "la2_dpo") else 404), name
    client.force_login(world.records["accounts.user"]["dpo"])
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == url
    assert b"Data protection" in client.get(url).content


def test_the_officer_belongs_to_a_local_authority(world):
    partner_org = world.records["accounts.organisation"]["p1"]
    with pytest.raises(ValidationError) as raised:
        make_user("dpo_partner", User.Role.DATA_PROTECTION_OFFICER, partner_org)
    assert "role" in raised.value.message_dict
