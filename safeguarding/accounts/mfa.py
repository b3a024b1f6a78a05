"""The second factor at sign-in: an authenticator app (TOTP) and one-time recovery codes.

The one-time codes, their checking, replay protection and the wait after wrong codes are
django-otp's (``django_otp.plugins.otp_totp`` and ``otp_static``); this module only chooses
which of a person's devices to use and draws the enrolment QR code (``qrcode``, as SVG).

Each person has at most one confirmed authenticator app (a :class:`TOTPDevice` named
:data:`APP_NAME`) and one set of recovery codes (a :class:`StaticDevice` named
:data:`RECOVERY_NAME` holding ``settings.MFA_RECOVERY_CODES`` tokens, each deleted when used).
A session has passed its second factor when ``django_otp.login`` stored the device in it
(``request.user.is_verified()``, set by ``django_otp.middleware.OTPMiddleware``). Where that is
enforced: ``safeguarding.accounts.middleware.SecondFactorRequiredMiddleware``.
"""

from __future__ import annotations

import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def authenticator(user, *, confirmed: bool = True) -> TOTPDevice | None:
    """The person's authenticator app (confirmed, or the one being set up), or None."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).order_by("-pk").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def has_second_factor(user) -> bool:
    """Whether the person has set up an authenticator app (and so is asked for its code)."""
    return authenticator(user) is not None


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_authenticator(user) -> TOTPDevice:
    """The unconfirmed authenticator app being set up: the same secret on every visit of the
    set-up page until a code from it is accepted."""
    device = authenticator(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The device's secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The ``otpauth://`` address of the device as an inline SVG QR code: paths only, no
    script and no style attribute (the page's Content-Security-Policy allows neither)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    element = image.get_image()
    element.set("role", "img")
    element.set("aria-label", "QR code to scan with your authenticator app")
    element.set("class", "app-qr-code")
    element.set("focusable", "false")
    return mark_safe(ElementTree.tostring(element, encoding="unicode"))  # noqa: S308 (our own SVG)


def normalise(code: str) -> str:
    """What a person typed, without spaces or hyphens, in lower case."""
    return re.sub(r"[\s-]+", "", code or "").lower()


@dataclass(frozen=True)
class Checked:
    """The result of checking a code: ``ok``, or refused and perhaps ``wait_until`` (the
    device is throttled after wrong codes; no code is even tried until then)."""

    ok: bool
    wait_until: datetime | None = None

    @property
    def wait_seconds(self) -> int:
        if self.wait_until is None:
            return 0
        return max(1, int((self.wait_until - timezone.now()).total_seconds() + 0.999))


def check(request, device, code: str) -> Checked:
    """Check ``code`` against ``device`` (django-otp's throttling applies); on success the
    session has passed its second factor (``django_otp.login``)."""
    if device is None:
        return Checked(ok=False)
    allowed, data = device.verify_is_allowed()
    if not allowed:
        return Checked(ok=False, wait_until=(data or {}).get("locked_until"))
    code = normalise(code)
    with transaction.atomic():
        # Locked, so two requests racing with the same code cannot both use it.
        device = type(device).objects.select_for_update().get(pk=device.pk)
        ok = bool(code) and device.verify_token(code)
    if not ok:
        return Checked(ok=False)  # wrong (the next try waits: django-otp counted it)
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    django_otp.login(request, device)
    return Checked(ok=True)


def new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes with ``settings.MFA_RECOVERY_CODES`` new ones (the
    old ones stop working) and return them: they are shown once and never again."""
    with transaction.atomic():
        device = recovery_device(user)
        if device is None:
            device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes
