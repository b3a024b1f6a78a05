from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("second-factor/set-up/", views.EnrolView.as_view(), name="mfa-enrol"),
    path("second-factor/code/", views.VerifyView.as_view(), name="mfa-verify"),
    path("second-factor/recovery-code/", views.RecoveryView.as_view(), name="mfa-recovery"),
    path("security/", views.SecurityView.as_view(), name="security"),
    path(
        "security/recovery-codes/",
        views.NewRecoveryCodesView.as_view(),
        name="recovery-codes-new",
    ),
]
