from django.contrib.auth.decorators import login_required
from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path(
        "subjects/<str:reference>/assessments/new/",
        views.AssessmentStartView.as_view(),
        name="start",
    ),
    path("assessments/help/", login_required(views.AssessmentHelpView.as_view()), name="help"),
    path("assessments/<int:pk>/", views.AssessmentView.as_view(), name="assessment"),
    path("assessments/<int:pk>/print/", views.AssessmentPrintView.as_view(), name="print"),
    path(
        "assessments/<int:pk>/sections/<slug:section>/",
        views.SectionView.as_view(),
        name="section",
    ),
    path("assessments/<int:pk>/evidence/", views.EvidencePackView.as_view(), name="evidence"),
    path("assessments/<int:pk>/submit/", views.AssessmentSubmitView.as_view(), name="submit"),
    path("assessments/<int:pk>/decision/", views.AssessmentDecisionView.as_view(), name="decision"),
]
