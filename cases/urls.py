from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("young-people/<int:pk>/", views.YoungPersonDetailView.as_view(), name="young-person"),
    path(
        "young-people/<int:pk>/edit/",
        views.YoungPersonUpdateView.as_view(),
        name="young-person-edit",
    ),
    path(
        "young-people/<int:pk>/named/",
        views.NamedStaffView.as_view(),
        name="young-person-named",
    ),
    path(
        "young-people/<int:pk>/named/<int:user_pk>/remove/",
        views.UnnameStaffView.as_view(),
        name="young-person-unname",
    ),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case"),
    path("cases/<int:pk>/allocate/", views.CaseAllocateView.as_view(), name="case-allocate"),
    path("cases/<int:pk>/transfer/", views.CaseTransferView.as_view(), name="case-transfer"),
    path("team/", views.TeamCaseloadView.as_view(), name="team"),
    path("themes/", views.ThemesView.as_view(), name="themes"),
    path("front-door/", views.TriageQueueView.as_view(), name="triage"),
    path("front-door/<int:pk>/", views.TriageDecideView.as_view(), name="triage-decide"),
    path(
        "front-door/<int:pk>/screening/",
        views.triage_start_screening,
        name="triage-screening",
    ),
    path("team/workers/<int:pk>/", views.WorkerCasesView.as_view(), name="team-worker"),
    path("transfers/<int:pk>/", views.TransferDecisionView.as_view(), name="transfer"),
    path(
        "transfers/<int:pk>/withdraw/",
        views.TransferWithdrawView.as_view(),
        name="transfer-withdraw",
    ),
    path("concerns/new/", views.ConcernLogView.as_view(), name="concern-log"),
    path("concerns/<int:pk>/", views.ConcernDetailView.as_view(), name="concern"),
    path("referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral"),
    path(
        "subjects/<str:reference>/warnings/new/",
        views.WarningProposeView.as_view(),
        name="warning-propose",
    ),
    path("warnings/", views.WarningListView.as_view(), name="warnings"),
    path("warnings/<int:pk>/decide/", views.WarningDecideView.as_view(), name="warning-decide"),
    path("warnings/<int:pk>/review/", views.WarningReviewView.as_view(), name="warning-review"),
    path(
        "subjects/<str:reference>/actions/new/",
        views.ActionAddView.as_view(),
        name="action-add",
    ),
]
