from django.urls import reverse

from cases import selectors
from safeguarding.accounts import visibility
from safeguarding.views import RecordDetailView, RecordUpdateView

from .models import PeerGroup, PeerGroupMembership


class PeerGroupDetailView(RecordDetailView):
    model = PeerGroup
    queryset = PeerGroup.objects.select_related("subject")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            memberships=visibility.restrict(user, PeerGroupMembership)
            .filter(peer_group=self.object)
            .select_related("young_person__subject"),
            chronology=selectors.chronology_for_subject(user=user, subject=self.object.subject),
            can_change=visibility.can(user, self.object, visibility.CHANGE),
            **kwargs,
        )


class PeerGroupUpdateView(RecordUpdateView):
    model = PeerGroup
    fields = ["name", "description"]

    def get_success_url(self):
        return reverse("peers:peer-group", args=[self.object.pk])
