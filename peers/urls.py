from django.urls import path

from . import views

app_name = "peers"

urlpatterns = [
    path("peer-groups/<int:pk>/", views.PeerGroupDetailView.as_view(), name="peer-group"),
    path("peer-groups/<int:pk>/edit/", views.PeerGroupUpdateView.as_view(), name="peer-group-edit"),
]
