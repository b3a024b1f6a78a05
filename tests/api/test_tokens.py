"""Partner API tokens: issued and revoked by administrators, shown once, stored as hashes."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from safeguarding.api import services as api_services
from safeguarding.api.models import ApiToken, hash_token
from safeguarding.errors import ApplicationError
from tests.api.conftest import REFERRALS, assert_problem, client_with

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)


def test_a_token_acts_as_its_organisations_api_user(world, issue_token):
    issued = issue_token("p1")
    token = issued.token
    assert issued.secret.startswith(f"sgp_{token.prefix}_")
    assert token.hashed_key == hash_token(issued.secret)
    assert issued.secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    user = token.service_user
    assert user.role == "partner"
    assert user.organisation == world.records["accounts.organisation"]["p1"]
    assert not user.has_usable_password() and not user.is_staff
    # A second token of the organisation acts as the same user.
    assert issue_token("p1").token.service_user == user


def test_requests_without_a_valid_token_are_401_problems(world, issue_token):
    from rest_framework.test import APIClient

    anonymous = APIClient().get(REFERRALS)
    problem = assert_problem(anonymous, 401, "unauthenticated")
    assert anonymous["WWW-Authenticate"] == 'Bearer realm="api"'
    assert problem["errors"] == []

    issued = issue_token("p1")
    wrong = issued.secret[:-4] + "abcd"
    for secret in (wrong, "sgp_nope_nope", "not-even-close"):
        problem = assert_problem(client_with(secret).get(REFERRALS), 401, "unauthenticated")
        assert problem["detail"] == "The token is not valid."
    spaced = APIClient()
    spaced.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert_problem(spaced.get(REFERRALS), 401, "unauthenticated")


def test_a_token_records_when_it_was_last_used(world, issue_token):
    issued = issue_token("p1")
    assert issued.token.last_used_at is None
    assert client_with(issued.secret).get(REFERRALS).status_code == 200
    issued.token.refresh_from_db()
    first = issued.token.last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=30)
    # Written at most once a minute, not on every request.
    client_with(issued.secret).get(REFERRALS)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == first
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=first - timedelta(minutes=2))
    client_with(issued.secret).get(REFERRALS)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at > first


def test_an_expired_token_is_refused(world, issue_token):
    issued = issue_token("p1")
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    problem = assert_problem(client_with(issued.secret).get(REFERRALS), 401, "unauthenticated")
    assert problem["detail"] == "The token has expired."


def test_a_revoked_token_is_refused_at_once(world, issue_token):
    issued = issue_token("p1")
    client = client_with(issued.secret)
    assert client.get(REFERRALS).status_code == 200
    api_services.api_token_revoke(token=issued.token, revoked_by=world.users["admin"])
    problem = assert_problem(client.get(REFERRALS), 401, "unauthenticated")
    assert problem["detail"] == "The token has been revoked."
    issued.token.refresh_from_db()
    assert issued.token.revoked_by == world.users["admin"]


def test_deactivating_the_api_user_or_the_organisation_suspends_every_token(world, issue_token):
    issued = issue_token("p1")
    user = issued.token.service_user
    user.is_active = False
    user.save()
    problem = assert_problem(client_with(issued.secret).get(REFERRALS), 401, "unauthenticated")
    assert "suspended" in problem["detail"]


def test_only_administrators_of_the_partners_authority_issue_tokens(world):
    p1 = world.records["accounts.organisation"]["p1"]
    la = world.records["accounts.organisation"]["la"]
    for user in ("tm", "sm", "partner"):
        with pytest.raises(ApplicationError):
            api_services.api_token_issue(organisation=p1, name="x", issued_by=world.users[user])
    with pytest.raises(ApplicationError) as refused:
        api_services.api_token_issue(organisation=la, name="x", issued_by=world.users["admin"])
    assert "organisation" in refused.value.message_dict
    with pytest.raises(ApplicationError) as too_long:
        api_services.api_token_issue(
            organisation=p1,
            name="x",
            issued_by=world.users["admin"],
            expires_at=timezone.now() + timedelta(days=400),
        )
    assert "expires_at" in too_long.value.message_dict


def test_the_admin_issues_a_token_and_shows_it_once(world, client):
    client.force_login(world.users["admin"])
    p1 = world.records["accounts.organisation"]["p1"]
    add_page = client.get(reverse("admin:api_apitoken_add"))
    assert add_page.status_code == 200
    choices = [str(c[0]) for c in add_page.context["adminform"].form.fields["organisation"].choices]
    assert str(p1.pk) in choices
    assert str(world.records["accounts.organisation"]["la"].pk) not in choices

    expires = (timezone.localtime() + timedelta(days=90)).replace(microsecond=0)
    response = client.post(
        reverse("admin:api_apitoken_add"),
        {
            "organisation": p1.pk,
            "name": "Police case system (live)",
            "expires_at_0": expires.date().isoformat(),
            "expires_at_1": expires.time().isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Police case system (live)")
    shown = [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]
    secret = next(word for m in shown for word in m.split() if word.startswith("sgp_"))
    assert token.hashed_key == hash_token(secret)
    assert token.created_by == world.users["admin"]
    assert client_with(secret).get(REFERRALS).status_code == 200
    # The token's own page never shows it again.
    page = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert secret not in page.content.decode()


def test_the_admin_refuses_a_token_that_expires_in_the_past(world, client):
    client.force_login(world.users["admin"])
    p1 = world.records["accounts.organisation"]["p1"]
    response = client.post(
        reverse("admin:api_apitoken_add"),
        {
            "organisation": p1.pk,
            "name": "Old",
            "expires_at_0": "2000-01-01",
            "expires_at_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert "The expiry must be in the future." in response.content.decode()
    assert not ApiToken.objects.filter(name="Old").exists()


def test_the_admin_revokes_tokens(world, client, issue_token):
    issued = issue_token("p1")
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [issued.token.pk]},
    )
    assert response.status_code == 302
    issued.token.refresh_from_db()
    assert issued.token.is_revoked
    assert client_with(issued.secret).get(REFERRALS).status_code == 401


def test_signed_in_staff_use_the_api_under_the_same_rule(world, session_api):
    # A team manager sees the authority's referrals; a social worker only theirs.
    tm = {r["reference"] for r in session_api("tm").get(REFERRALS).json()["results"]}
    referrals = world.records["cases.referral"]
    assert tm == {r.reference for r in referrals.values()}
    sw3 = session_api("sw3").get(REFERRALS).json()
    assert sw3["count"] == 0


def test_a_token_can_be_issued_from_the_shell(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out, err = StringIO(), StringIO()
    call_command(
        "issue_api_token", "Test Police", name="Shell", by="admin", days=30, stdout=out, stderr=err
    )
    secret = out.getvalue().strip()
    assert client_with(secret).get(REFERRALS).status_code == 200
    assert "will not be shown again" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("issue_api_token", "Test Police", name="x", by="tm", stdout=StringIO())
