from django.urls import path

from . import views

app_name = "contexts"

urlpatterns = [
    path("hotspots/", views.HotspotsView.as_view(), name="hotspots"),
    path("contexts/<int:pk>/", views.ContextDetailView.as_view(), name="context"),
    path("contexts/<int:pk>/edit/", views.ContextUpdateView.as_view(), name="context-edit"),
]
