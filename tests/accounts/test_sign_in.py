"""Signing in: password then a second factor (django-otp), lockout after wrong passwords
(django-axes, per username and address), and the session's idle and absolute limits."""

import time
from urllib.parse import urlencode

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.accounts import mfa
from safeguarding.accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from tests.conftest import PASSWORD, confirmed_authenticator, force_login_without_second_factor

pytestmark = pytest.mark.world_per_module  # one world for the module (tests/conftest.py)

LOGIN = "/accounts/login/"
ENROL = "/accounts/second-factor/set-up/"
VERIFY = "/accounts/second-factor/code/"
RECOVERY = "/accounts/second-factor/recovery-code/"
SECURITY = "/accounts/security/"
NEW_CODES = "/accounts/security/recovery-codes/"


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    """The code the person's app shows now (``offset`` time steps away)."""
    return f"{totp(device.bin_key, step=device.step, drift=offset):0{device.digits}d}"


def password_step(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def verified(client: Client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


# --- every page needs the second factor ------------------------------------------------------


def _pages(world):
    records = world.records
    return {
        "home": "/",
        "search": "/search/?q=Given",
        "young person": records["cases.youngperson"]["own"].get_absolute_url(),
        "case": records["cases.case"]["own"].get_absolute_url(),
        "form": reverse("cases:concern-log"),
        "delivery log": reverse("notifications:log"),
        "sign-in security": SECURITY,
        "new recovery codes": NEW_CODES,
    }


PAGE_NAMES = [
    "home",
    "search",
    "young person",
    "case",
    "form",
    "delivery log",
    "sign-in security",
    "new recovery codes",
]


@pytest.mark.parametrize("has_app", [False, True], ids=["first sign-in", "app set up"])
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_a_session_without_its_second_factor_reaches_no_page(world, client, page, has_app):
    user = world.users["tm"]
    if has_app:
        confirmed_authenticator(user)
    force_login_without_second_factor(client, user)
    url = _pages(world)[page]
    response = client.get(url)
    assert response.status_code == 302
    expected = VERIFY if has_app else ENROL
    assert response["Location"].startswith(expected + "?next=")
    # A form post is refused too, and changes nothing.
    assert client.post(url, {}).status_code == 302


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/"])
def test_the_admin_needs_the_second_factor_too(world, client, path):
    admin = world.users["admin"]
    force_login_without_second_factor(client, admin)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    client.force_login(admin)  # the same person, second factor passed
    assert client.get(path).status_code == 200


def test_the_api_refuses_a_session_without_its_second_factor(world, client):
    force_login_without_second_factor(client, world.users["tm"])
    response = client.get("/api/v1/referrals/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "authenticator app" in response.json()["detail"]
    client.force_login(world.users["tm"])
    assert client.get("/api/v1/referrals/").status_code == 200


@pytest.mark.parametrize("path", [LOGIN, ENROL, "/healthz"])
def test_a_session_without_its_second_factor_may_still_reach(world, client, path):
    force_login_without_second_factor(client, world.users["sw"])
    assert client.get(path).status_code == 200


def test_signing_out_needs_no_second_factor(world, client):
    force_login_without_second_factor(client, world.users["sw"])
    assert client.post("/accounts/logout/").status_code == 302
    assert SESSION_KEY not in client.session


# --- enrolment, codes, recovery codes --------------------------------------------------------


def test_first_sign_in_sets_up_an_authenticator_app_then_lands_where_asked(world, client):
    user = world.users["sw"]
    case_url = world.records["cases.case"]["own"].get_absolute_url()
    response = client.post(f"{LOGIN}?next={case_url}", {"username": "sw", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?{urlencode({'next': case_url})}"

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-label="QR code to scan with your authenticator app"' in html
    assert " style=" not in html.split("<main", 1)[1]  # no inline style (CSP)
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert mfa.secret_for_typing(device) in html
    assert client.get(ENROL).status_code == 200  # the same secret on a second visit
    assert TOTPDevice.objects.filter(user=user).count() == 1

    response = client.post(ENROL, {"code": code_for(device), "next": case_url})
    assert response.status_code == 302 and response["Location"] == NEW_CODES
    device.refresh_from_db()
    assert device.confirmed and verified(client)
    codes_page = client.get(NEW_CODES)
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(codes) == 10
    for code in codes:
        assert code in codes_page.content.decode()
    assert f'href="{case_url}"' in codes_page.content.decode()
    assert "no-store" in codes_page["Cache-Control"]
    # Shown once only.
    assert client.get(NEW_CODES)["Location"] == SECURITY
    assert client.get(case_url).status_code == 200


def test_the_next_sign_in_asks_for_the_code(world, client):
    device = confirmed_authenticator(world.users["sw"])
    response = password_step(client, "sw")
    assert client.get(response["Location"])["Location"] == f"{VERIFY}?next=%2F"
    assert not verified(client)
    response = client.post(VERIFY, {"code": code_for(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert verified(client)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the 6-digit code from your authenticator app"),
        ("000000", "The code is not right"),
        ("not a code", "The code is not right"),
    ],
)
def test_a_wrong_code_is_refused_with_a_govuk_error(world, client, typed, message):
    device = confirmed_authenticator(world.users["sw"])
    if typed == "000000" and code_for(device) == "000000":
        typed = "000001"
    force_login_without_second_factor(client, world.users["sw"])
    response = client.post(VERIFY, {"code": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html and 'href="#id_code"' in html
    assert "govuk-error-message" in html and message in html
    assert not verified(client)


def test_codes_are_throttled_after_a_wrong_one(world, client, settings):
    """django-otp's throttling is on: after a wrong code, even the right one is refused until
    the wait is over (1, 2, 4... seconds times OTP_TOTP_THROTTLE_FACTOR)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = confirmed_authenticator(world.users["sw"])
    force_login_without_second_factor(client, world.users["sw"])
    wrong = "000001" if code_for(device) == "000000" else "000000"
    client.post(VERIFY, {"code": wrong})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 200
    assert "Too many wrong codes. Wait" in response.content.decode()
    assert not verified(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_code_works_once(world, client):
    device = confirmed_authenticator(world.users["sw"])
    code = code_for(device)
    force_login_without_second_factor(client, world.users["sw"])
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = Client()
    force_login_without_second_factor(other, world.users["sw"])
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()


def test_a_recovery_code_works_once(world, client):
    user = world.users["sw"]
    confirmed_authenticator(user)
    codes = mfa.new_recovery_codes(user)
    force_login_without_second_factor(client, user)
    response = client.post(RECOVERY, {"code": codes[0].upper(), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert verified(client)
    page = client.get("/")
    assert "You have 9 left" in page.content.decode()

    again = Client()
    force_login_without_second_factor(again, user)
    response = again.post(RECOVERY, {"code": codes[0]})
    assert response.status_code == 200
    assert "has been used already" in response.content.decode()
    assert not verified(again)


def test_new_recovery_codes_replace_the_old_ones(world, client):
    user = world.users["sw"]
    old = mfa.new_recovery_codes(user)
    client.force_login(user)
    response = client.post(SECURITY)
    assert response.status_code == 302 and response["Location"] == NEW_CODES
    shown = client.get(NEW_CODES).content.decode()
    new = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert all(code in shown for code in new)
    assert "Recovery codes left" in client.get(SECURITY).content.decode()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_the_code_page_never_sends_anyone_off_site(world, client, next_url):
    device = confirmed_authenticator(world.users["sw"])
    force_login_without_second_factor(client, world.users["sw"])
    response = client.post(VERIFY, {"code": code_for(device), "next": next_url})
    assert response.status_code == 302 and response["Location"] == "/"


# --- demo users of make run -------------------------------------------------------------------


@pytest.mark.parametrize("production", [False, True], ids=["development", "production"])
def test_demo_users_skip_the_second_factor_in_development_only(world, client, settings, production):
    settings.PRODUCTION = production
    user = world.users["sw"]
    user.mfa_exempt_demo = True
    user.save(update_fields=["mfa_exempt_demo"])
    sign_in_page = client.get(LOGIN).content.decode()
    assert ("demo users without a second factor" in sign_in_page) is not production
    password_step(client, "sw")
    response = client.get("/")
    if production:
        assert response.status_code == 302 and response["Location"].startswith(ENROL)
    else:
        assert response.status_code == 200
        assert "demo user without a second factor: development only" in response.content.decode()


def test_ordinary_users_see_no_demo_banner(world, client):
    client.force_login(world.users["sw"])
    assert "demo user without" not in client.get("/").content.decode()


# --- lockout after wrong passwords (django-axes) ---------------------------------------------


def test_five_wrong_passwords_lock_that_username_from_that_address_only(world):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(4):
        # A forged X-Forwarded-For changes nothing: the address is REMOTE_ADDR.
        response = password_step(
            attacker, "sw", "wrong-password", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        )
        assert response.status_code == 200
        assert "govuk-error-summary" in response.content.decode()
    response = password_step(attacker, "sw", "wrong-password")
    assert response.status_code == 429
    html = response.content.decode()
    assert "You cannot sign in for now" in html and "15 minutes" in html
    # Now even the right password from that address is refused.
    assert password_step(attacker, "sw").status_code == 429
    assert SESSION_KEY not in attacker.session

    # The same username from another address, and a colleague behind the same one, sign in.
    elsewhere = Client(REMOTE_ADDR="192.0.2.44")
    assert password_step(elsewhere, "sw")["Location"] == "/"
    colleague = Client(REMOTE_ADDR="203.0.113.7")
    assert password_step(colleague, "sw2")["Location"] == "/"


def test_the_failure_limit_comes_from_settings(world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR="203.0.113.8")
    assert password_step(client, "tm", "wrong-password").status_code == 200
    assert password_step(client, "tm", "wrong-password").status_code == 429


def test_a_successful_sign_in_resets_the_count(world):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(4):
        password_step(client, "sm", "wrong-password")
    assert password_step(client, "sm").status_code == 302
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(4):
        assert password_step(client, "sm", "wrong-password").status_code == 200


# --- session limits --------------------------------------------------------------------------


def _age(client: Client, *, signed_in_ago: float, last_seen_ago: float) -> None:
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[LAST_SEEN_AT] = now - last_seen_ago
    session.save()


@pytest.mark.parametrize(
    ("idle_minutes", "signed_in_ago", "last_seen_ago", "message"),
    [
        (30, 60 * 60, 31 * 60, "did nothing for 30 minutes"),
        (5, 10 * 60, 6 * 60, "did nothing for 5 minutes"),
        # The absolute limit (SESSION_COOKIE_AGE, 8 hours) holds however busy the session is.
        (30, 8 * 3600 + 60, 10, "signed in more than 8 hours ago"),
    ],
    ids=["idle", "idle limit from settings", "absolute"],
)
def test_an_expired_session_is_signed_out_with_a_message(
    world, client, settings, idle_minutes, signed_in_ago, last_seen_ago, message
):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = idle_minutes
    client.force_login(world.users["sw"])
    _age(client, signed_in_ago=signed_in_ago, last_seen_ago=last_seen_ago)
    case_url = world.records["cases.case"]["own"].get_absolute_url()
    response = client.get(case_url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={case_url}"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"])
    assert message in page.content.decode()
    assert client.get("/")["Location"].startswith(LOGIN)


def test_activity_keeps_a_session_alive(world, client):
    client.force_login(world.users["sw"])
    _age(client, signed_in_ago=7 * 3600, last_seen_ago=29 * 60)
    assert client.get("/").status_code == 200
    assert time.time() - client.session[LAST_SEEN_AT] < 60
    assert client.get("/").status_code == 200


def test_an_expired_session_on_the_api_is_a_401(world, client):
    client.force_login(world.users["sw"])
    _age(client, signed_in_ago=3600, last_seen_ago=31 * 60)
    assert client.get("/api/v1/referrals/").status_code in (401, 403)
    assert SESSION_KEY not in client.session


def test_the_session_cookie_ends_with_the_browser(world, client):
    response = password_step(client, "sw")
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"]


# --- the admin never shows a secret ------------------------------------------------------------


def test_the_admin_never_shows_a_second_factor_secret(world, client):
    from tests.conftest import make_user

    la2 = world.records["accounts.organisation"]["la2"]
    other_admin = make_user("la2_admin", "administrator", la2, is_staff=True)
    device = confirmed_authenticator(world.users["sw"])
    codes = mfa.new_recovery_codes(world.users["sw"])
    static = mfa.recovery_device(world.users["sw"])
    client.force_login(other_admin)  # another authority's administrator sees none of them
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").status_code != 200
    assert str(world.users["sw"]) not in client.get("/admin/otp_totp/totpdevice/").content.decode()
    client.force_login(world.users["admin"])
    for path in (
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_static/staticdevice/{static.pk}/change/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert device.key not in html and mfa.secret_for_typing(device) not in html
        assert not any(code in html for code in codes)
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
