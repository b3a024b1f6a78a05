from django.urls import path

from . import views
from .restrictions import views as restriction_views

app_name = "cases"

urlpatterns = [
    path("young-people/<int:pk>/", views.YoungPersonDetailView.as_view(), name="young-person"),
    path(
        "young-people/<int:pk>/edit/",
        views.YoungPersonUpdateView.as_view(),
        name="young-person-edit",
    ),
    path(
        "young-people/<int:pk>/aliases/add/",
        views.AliasAddView.as_view(),
        name="alias-add",
    ),
    path(
        "young-people/<int:pk>/aliases/<int:alias_pk>/end/",
        views.AliasEndView.as_view(),
        name="alias-end",
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
    path(
        "young-people/<int:pk>/restrict/",
        restriction_views.RestrictView.as_view(),
        name="young-person-restrict",
    ),
    path(
        "young-people/<int:pk>/restriction/review/",
        restriction_views.RestrictionReviewView.as_view(),
        name="restriction-review",
    ),
    path("restrictions/", restriction_views.RestrictionListView.as_view(), name="restrictions"),
    path(
        "data-protection/restrictions/",
        restriction_views.OfficerRestrictionsView.as_view(),
        name="restrictions-account",
    ),
    path("emergency-access/", restriction_views.BreakGlassView.as_view(), name="break-glass"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case"),
    path("cases/<int:pk>/allocate/", views.CaseAllocateView.as_view(), name="case-allocate"),
    path("cases/<int:pk>/transfer/", views.CaseTransferView.as_view(), name="case-transfer"),
    path("cases/<int:pk>/risk/", views.CaseRiskView.as_view(), name="case-risk"),
    path("cases/<int:pk>/close/", views.CaseCloseRequestView.as_view(), name="case-close"),
    path(
        "cases/<int:pk>/sign-off/",
        views.CaseClosureDecisionView.as_view(),
        name="case-sign-off",
    ),
    path("cases/<int:pk>/reopen/", views.CaseReopenView.as_view(), name="case-reopen"),
    path(
        "subjects/<str:reference>/cases/new/",
        views.CaseOpenView.as_view(),
        name="case-open",
    ),
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
    path("referrals/new/", views.ReferralMakeView.as_view(), name="referral-new"),
    path("referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral"),
    path("referrals/<int:pk>/sent/", views.ReferralSentView.as_view(), name="referral-sent"),
    path(
        "actions/<int:pk>/progress/",
        views.ActionProgressView.as_view(),
        name="action-progress",
    ),
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
    path(
        "subjects/<str:reference>/notes/new/",
        views.CaseNoteAddView.as_view(),
        name="case-note-add",
    ),
    path("case-notes/<int:pk>/", views.CaseNoteDetailView.as_view(), name="case-note"),
    path(
        "case-notes/<int:pk>/strike/",
        views.CaseNoteStrikeView.as_view(),
        name="case-note-strike",
    ),
    path(
        "subjects/<str:reference>/documents/new/",
        views.DocumentAddView.as_view(),
        name="document-add",
    ),
    path("documents/<uuid:reference>/", views.DocumentDownloadView.as_view(), name="document"),
]
