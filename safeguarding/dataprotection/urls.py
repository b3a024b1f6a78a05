from django.urls import path

from . import access_views, views

app_name = "dataprotection"

urlpatterns = [
    path("data-protection/", views.DataProtectionHomeView.as_view(), name="home"),
    path("data-protection/access/", access_views.AccessHomeView.as_view(), name="access"),
    path(
        "data-protection/access/unusual/",
        access_views.UnusualAccessView.as_view(),
        name="unusual-access",
    ),
    path(
        "data-protection/access/users/<int:pk>/",
        access_views.UserLogView.as_view(),
        name="user-log",
    ),
    path(
        "data-protection/access/users/<int:pk>/export/",
        access_views.UserLogExportView.as_view(),
        name="user-log-export",
    ),
    path(
        "data-protection/access/<str:reference>/",
        access_views.SubjectLogView.as_view(),
        name="subject-log",
    ),
    path(
        "data-protection/access/<str:reference>/export/",
        access_views.SubjectLogExportView.as_view(),
        name="subject-log-export",
    ),
]
