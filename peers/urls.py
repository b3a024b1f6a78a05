from django.urls import path

from . import views

app_name = "peers"

urlpatterns = [
    path("peer-groups/", views.PeerGroupListView.as_view(), name="peer-groups"),
    path("peer-groups/new/", views.PeerGroupCreateView.as_view(), name="peer-group-create"),
    path("peer-groups/<int:pk>/", views.PeerGroupDetailView.as_view(), name="peer-group"),
    path("peer-groups/<int:pk>/edit/", views.PeerGroupUpdateView.as_view(), name="peer-group-edit"),
    path(
        "peer-groups/<int:pk>/members/add/",
        views.MembershipAddView.as_view(),
        name="membership-add",
    ),
    path(
        "peer-groups/<int:pk>/members/<int:membership_pk>/end/",
        views.membership_end,
        name="membership-end",
    ),
    path(
        "peer-groups/<int:pk>/relationships/add/",
        views.RelationshipAddView.as_view(),
        name="relationship-add",
    ),
    path(
        "peer-groups/<int:pk>/relationships/<int:relationship_pk>/remove/",
        views.relationship_remove,
        name="relationship-remove",
    ),
]
