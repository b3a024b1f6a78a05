"""Passwords (safeguarding/accounts/passwords.py): each person sets their own, from a link emailed
through the outbox that carries only the link; asking never reveals whether an account exists;
administrators send the link, audited."""

import re

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from safeguarding.accounts.models import User
from safeguarding.notifications import delivery
from safeguarding.notifications.models import Notification
from tests.conftest import PASSWORD


def password_signs_in(username, password) -> bool:
    """Whether the password page would accept this password (through every backend, django-axes'
    lockout included, which needs the request)."""
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request=request, username=username, password=password) is not None


NEW_PASSWORD = "a-chosen-password-4567"
RESET = "account.password_reset"


def _resets(user=None):
    rows = Notification.objects.filter(event_type=RESET)
    return rows.filter(recipient_user=user) if user is not None else rows


def _ask(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def _deliver(row, mailoutbox):
    assert delivery.attempt(row.pk) == Notification.Status.SENT
    return mailoutbox[-1]


def test_a_reset_email_goes_through_the_outbox_and_carries_only_the_link(world, client, mailoutbox):
    sw = world.users["sw"]
    response = _ask(client, sw.email.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert not mailoutbox  # nothing is sent from the request: the worker sends it
    row = _resets(sw).get()
    assert row.kind == "email" and row.email == sw.email
    assert row.link == reverse("password_reset")  # no working link is stored: the log shows rows

    message = _deliver(row, mailoutbox)
    assert message.to == [sw.email]
    assert message.subject == "Choose a new password"
    body = message.body
    links = re.findall(r"https?://\S+", body)
    assert len(links) == 1 and "/accounts/reset/" in links[0]
    rest = body.replace(links[0], "")
    for personal in (sw.username, sw.first_name, sw.last_name, sw.email, str(sw.pk)):
        assert not re.search(rf"\b{re.escape(personal)}\b", rest, re.IGNORECASE), personal

    # The link works once: it sets the password, then it is spent.
    path = links[0].split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert password_signs_in(sw.username, NEW_PASSWORD)
    again = Client().get("/" + path, follow=True)
    assert not again.context["validlink"]


@pytest.mark.parametrize(
    "email",
    ["nobody@example.invalid", "sw@example.invalid", "not an address", "inactive@example.invalid"],
)
def test_asking_does_not_reveal_whether_an_account_exists(world, client, email):
    inactive = world.users["sw3"]
    inactive.email, inactive.is_active = "inactive@example.invalid", False
    inactive.save()
    response = _ask(client, email)
    if email == "not an address":
        assert response.status_code == 200  # a typing error is said, as on any form
        assert "email" in response.context["form"].errors
        return
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    done = client.get(response["Location"]).content.decode()
    assert "If the address you entered belongs to an account" in done
    assert _resets().count() == (1 if email == "sw@example.invalid" else 0)


def test_a_second_request_within_minutes_sends_nothing_more(world, client):
    _ask(client, "sw@example.invalid")
    _ask(client, "sw@example.invalid")
    assert _resets(world.users["sw"]).count() == 1


def test_an_administrator_sends_a_reset_link_from_the_users_page_audited(world, client, mailoutbox):
    sw, admin_user = world.users["sw"], world.users["admin"]
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_send_password_reset", args=[sw.pk])
    assert client.get(url).status_code == 200
    assert not _resets(sw).exists()  # a GET only asks to confirm
    response = client.post(url)
    assert response.status_code == 302
    row = _resets(sw).get()
    assert LogEntry.objects.filter(
        actor=admin_user,
        object_pk=str(sw.pk),
        additional_data__password_reset_link_sent=True,
    ).exists()
    assert sw.email in _deliver(row, mailoutbox).to
    sw.refresh_from_db()
    assert sw.check_password(PASSWORD)  # unchanged until they use the link


def test_an_administrator_sends_reset_links_as_an_action(world, client):
    client.force_login(world.users["admin"])
    users = [world.users["sw"], world.users["sw2"]]
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_password_reset_links", "_selected_action": [str(u.pk) for u in users]},
    )
    assert response.status_code == 302
    assert set(_resets().values_list("recipient_user", flat=True)) == {u.pk for u in users}
    assert LogEntry.objects.filter(additional_data__password_reset_link_sent=True).count() == 2


def test_another_authoritys_user_gets_no_link_from_this_administrator(world, client):
    other = world.records["accounts.user"]["la2_sw"]
    client.force_login(world.users["admin"])
    url = reverse("admin:accounts_user_send_password_reset", args=[other.pk])
    assert client.post(url).status_code in (302, 404)
    assert not _resets(other).exists()


def test_a_signed_in_user_changes_their_own_password(world, client):
    sw = world.users["sw"]
    client.force_login(sw)
    home = client.get(reverse("home")).content.decode()
    assert reverse("password_change") in home
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and "old_password" in wrong.context["form"].errors
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert password_signs_in(sw.username, NEW_PASSWORD)


def test_changing_a_password_needs_sign_in(db, client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_sign_in_page_offers_a_reset(db, client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
    assert User.objects.count() == 0
