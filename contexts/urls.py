from django.urls import path

from . import views

app_name = "contexts"

urlpatterns = [
    path("hotspots/", views.HotspotsView.as_view(), name="hotspots"),
    path("contexts/<int:pk>/", views.ContextDetailView.as_view(), name="context"),
    path("contexts/<int:pk>/edit/", views.ContextUpdateView.as_view(), name="context-edit"),
    path("contexts/<int:pk>/guardians/add/", views.GuardianAddView.as_view(), name="guardian-add"),
    path(
        "contexts/<int:pk>/guardians/<int:guardian_pk>/edit/",
        views.GuardianUpdateView.as_view(),
        name="guardian-edit",
    ),
    path(
        "contexts/<int:pk>/guardians/<int:guardian_pk>/end/",
        views.GuardianEndView.as_view(),
        name="guardian-end",
    ),
]
