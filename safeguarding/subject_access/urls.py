from django.urls import path

from . import views

app_name = "subject_access"

_R = "data-protection/subject-access/<int:pk>/"

urlpatterns = [
    path("data-protection/subject-access/", views.RequestListView.as_view(), name="list"),
    path("data-protection/subject-access/new/", views.RequestCreateView.as_view(), name="new"),
    path(_R, views.RequestDetailView.as_view(), name="request"),
    path(_R + "identity/", views.IdentityView.as_view(), name="identity"),
    path(_R + "extend/", views.ExtendView.as_view(), name="extend"),
    path(_R + "refuse/", views.RefuseView.as_view(), name="refuse"),
    path(_R + "compile/", views.CompileView.as_view(), name="compile"),
    path(_R + "bundle/", views.BundleView.as_view(), name="bundle"),
    path(_R + "reviewed/", views.ReviewedView.as_view(), name="reviewed"),
    path(_R + "sent/", views.SentView.as_view(), name="sent"),
    path(_R + "close/", views.CloseView.as_view(), name="close"),
    path(_R + "bundle.pdf", views.PdfView.as_view(), name="pdf"),
    path(_R + "bundle.json", views.JsonView.as_view(), name="json"),
]
