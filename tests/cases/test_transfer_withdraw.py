"""A team manager takes back a transfer their team offered, while it is still waiting."""

import pytest
from django.urls import reverse

from cases.models import TransferRequest
from safeguarding.notifications.models import Notification
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.world_per_module]


def _withdraw(client, transfer):
    return client.post(reverse("cases:transfer-withdraw", args=[transfer.pk]), follow=True)


def test_the_offering_manager_withdraws_and_the_receiving_managers_are_told(world, client):
    la = world.records["accounts.organisation"]["la"]
    tm2 = make_user("tm2", "team_manager", la, world.records["accounts.team"]["t2"])
    transfer = world.records["cases.transferrequest"]["out"]  # team one offered it to team two
    client.force_login(world.users["tm"])
    page = client.get(reverse("cases:team")).content.decode()
    hidden = f"the transfer of {transfer.case.subject.reference}"
    assert f'Withdraw<span class="govuk-visually-hidden"> {hidden}' in page

    response = _withdraw(client, transfer)
    assert response.redirect_chain == [(reverse("cases:team"), 302)]
    assert "withdrawn" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferRequest.Status.WITHDRAWN
    assert transfer.decided_by == world.users["tm"]
    told = Notification.objects.filter(event_type="work.transfer_withdrawn")
    assert list(told.values_list("recipient_user", flat=True)) == [tm2.pk]
    assert told.get().reference == transfer.case.subject.reference


def test_only_the_offering_teams_manager_may_withdraw(world, client):
    incoming = world.records["cases.transferrequest"]["in"]  # offered to team one by team two
    client.force_login(world.users["tm"])
    assert _withdraw(client, incoming).status_code == 404
    for user in ("sw", "sm", "partner", "admin"):
        client.force_login(world.users[user])
        assert _withdraw(client, world.records["cases.transferrequest"]["out"]).status_code == 404
    for transfer in (incoming, world.records["cases.transferrequest"]["out"]):
        transfer.refresh_from_db()
        assert transfer.status == TransferRequest.Status.PENDING


def test_a_decided_transfer_cannot_be_withdrawn(world, client):
    transfer = world.records["cases.transferrequest"]["out"]
    TransferRequest.objects.filter(pk=transfer.pk).update(status=TransferRequest.Status.REJECTED)
    client.force_login(world.users["tm"])
    response = _withdraw(client, transfer)
    assert "This transfer has already been decided." in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferRequest.Status.REJECTED


def test_withdrawing_is_post_only(world, client):
    client.force_login(world.users["tm"])
    url = reverse(
        "cases:transfer-withdraw", args=[world.records["cases.transferrequest"]["out"].pk]
    )
    assert client.get(url).status_code == 405
