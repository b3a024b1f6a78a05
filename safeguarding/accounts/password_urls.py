"""Passwords (``passwords.py``), included under ``/accounts/`` without a namespace: Django's
password views reverse these names as they are."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import passwords

urlpatterns = [
    path("password-reset/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    # The token leaves the address at once: Django keeps it in the session and redirects to
    # reset/<uidb64>/set-password/.
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password/", passwords.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/changed/",
        passwords.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
