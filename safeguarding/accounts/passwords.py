"""Passwords: each person sets their own.

* **Forgotten your password?** (``/accounts/password-reset/``, Django's ``PasswordResetView``
  and the views after it): whoever types an email address is told the same thing whether or
  not an account has it; an active account with that address is sent a link to choose a new
  password.
* **Send password reset link** (the admin, on a user's page or as an action on the list): an
  administrator sends the same email. Administrators never set a password themselves
  (``separation.py``); a user they add has no password until they choose one from this link.
* **Change your password** (``/accounts/password/``, signed in, ``PasswordChangeView``).

The email goes through the app's outbox (``safeguarding/notifications``): :func:`send_reset_link`
writes a ``PasswordReset`` notification in the caller's transaction, and the worker sends it.
The row holds no token; the one-time link is made when the email is sent
(``PasswordReset.link_for``), and the email carries the link and nothing else about the person.
Links work for ``PASSWORD_RESET_TIMEOUT`` seconds and stop working once used (Django's token
generator); a second email to the same person within ``PASSWORD_RESET_INTERVAL_SECONDS`` is not
sent. Sending from the admin is written to the audit.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from safeguarding.notifications.models import Notification
from safeguarding.notifications.services import EmailAddressChanged, PasswordReset

from .models import User

#: What a reset notification's row names instead of a record (no personal details).
RESET_REFERENCE = "ACCOUNT"


def _authority(user: User):
    """The local authority whose delivery log holds the user's reset email."""
    organisation = user.organisation
    if organisation is None:
        return None
    return organisation if organisation.is_local_authority else organisation.authority


def send_reset_link(user: User) -> bool:
    """Queue an email with a link for ``user`` to choose a new password (in the caller's
    transaction, or one of its own). Returns whether one was queued: not for an inactive user,
    one without an email address or an organisation, or one sent a link less than
    ``PASSWORD_RESET_INTERVAL_SECONDS`` ago."""
    authority = _authority(user)
    if not (user.is_active and user.email and authority is not None):
        return False
    if reset_held(user):
        return False
    with transaction.atomic():
        recent = timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_INTERVAL_SECONDS)
        if Notification.objects.filter(
            event_type=PasswordReset.event_type, recipient_user=user, created_at__gte=recent
        ).exists():
            return False
        return bool(
            PasswordReset.record(
                authority=authority,
                reference=RESET_REFERENCE,
                link=reverse("password_reset"),
                users=[user],
            )
        )


def reset_held(user: User) -> bool:
    """Whether reset links for ``user`` are held: someone else changed its email address less
    than ``PASSWORD_RESET_HOLD_AFTER_EMAIL_CHANGE`` hours ago (separation.py)."""
    if user.email_changed_at is None:
        return False
    hold = timedelta(hours=settings.PASSWORD_RESET_HOLD_AFTER_EMAIL_CHANGE)
    return timezone.now() < user.email_changed_at + hold


def tell_old_address(user_pk: int, old_address: str) -> None:
    """Tell an account's old address that someone changed it (through the outbox)."""
    user = User._default_manager.filter(pk=user_pk).select_related("organisation").first()
    authority = _authority(user) if user is not None else None
    if authority is None:
        return
    from functools import partial

    from safeguarding.notifications.services import queue

    with transaction.atomic():
        # To the old address, for the account (NotificationType.record writes to a user's
        # current address only).
        row = Notification.objects.create(
            kind="email",
            email=old_address,
            recipient_user=user,
            event_type=EmailAddressChanged.event_type,
            authority=authority,
            reference=RESET_REFERENCE,
            link=reverse("login"),
            next_attempt_at=timezone.now(),
        )
        transaction.on_commit(partial(queue, [row.pk]))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, sending through the outbox. It says nothing about whether an account
    has the address: the view answers the same either way."""

    def get_users(self, email):
        # Every active account with this address; one with no usable password yet (added by an
        # administrator, link not used) may ask for a link too.
        return User._default_manager.filter(email__iexact=email, is_active=True)

    def save(self, *args, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            send_reset_link(user)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"


class PasswordChangeView(LoginRequiredMixin, auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(LoginRequiredMixin, auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
