from django.urls import reverse

from cases.models import YoungPerson
from cases.views import SubjectPageMixin
from safeguarding.accounts import visibility
from safeguarding.views import (
    RecordActionView,
    RecordDetailView,
    RecordUpdateView,
    ServiceFormView,
)

from . import selectors, services
from .forms import MembershipForm, RelationshipForm
from .models import PeerGroup, PeerGroupMembership, Relationship


class PeerGroupDetailView(SubjectPageMixin, RecordDetailView):
    model = PeerGroup
    queryset = PeerGroup.objects.select_related("subject")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **self.subject_context(self.object),
            group_contexts=selectors.contexts_linked_to_group(
                user=self.request.user, peer_group=self.object
            ),
            **kwargs,
        )


class PeerGroupUpdateView(RecordUpdateView):
    model = PeerGroup
    fields = services.PEER_GROUP_FIELDS
    service = services.peer_group_update

    def get_success_url(self):
        return reverse("peers:peer-group", args=[self.object.pk])


class PeerGroupFormView(ServiceFormView):
    """Base for the forms on a peer group: the group must be one the user may change."""

    model = PeerGroup
    action = visibility.CHANGE
    page_title = ""

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.page_title,
            caption=self.object.name,
            cancel_url=self.get_success_url(),
            **kwargs,
        )


class MembershipAddView(PeerGroupFormView):
    form_class = MembershipForm
    page_title = "Add a member"
    service = services.membership_add
    success_message = "{young_person.full_name} added to the group."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "peer_group": self.object,
            "young_person": data["young_person"],
            "by": self.request.user,
            "joined_on": data["joined_on"],
            "confidence": data["confidence"],
            "source": data["source"],
            "source_detail": data["source_detail"],
        }


class RelationshipAddView(PeerGroupFormView):
    form_class = RelationshipForm
    page_title = "Add a relationship"
    service = services.relationship_add
    success_message = "Relationship added."

    def get_form_kwargs(self):
        members = self.object.memberships.values("young_person_id")
        people = visibility.restrict(self.request.user, YoungPerson).filter(pk__in=members)
        return {**super().get_form_kwargs(), "people": people}

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "from_person": data["from_person"],
            "to_person": data["to_person"],
            "kind": data["kind"],
            "source": data["source"],
            "reliability": data["reliability"],
            "notes": data["notes"],
            "by": self.request.user,
        }


class MembershipEndView(RecordActionView):
    """POST: a member has left the group (the membership is kept as history)."""

    model = PeerGroupMembership
    action = visibility.CHANGE
    pk_url_kwarg = "membership_pk"
    service = services.membership_end
    success_message = "{object.young_person.full_name} marked as having left."

    def get_queryset(self):
        return super().get_queryset().filter(peer_group_id=self.kwargs["pk"])

    def service_arguments(self):
        return {"membership": self.object, "by": self.request.user}

    def get_redirect_url(self):
        return self.object.peer_group.get_absolute_url()


class RelationshipRemoveView(RecordActionView):
    """POST: remove a relationship between two of the group's members, recorded in error."""

    model = Relationship
    action = visibility.CHANGE
    pk_url_kwarg = "relationship_pk"
    service = services.relationship_remove
    success_message = "Relationship removed."

    def get_object(self):
        # The group first (which the user must be able to change), then one of its relationships.
        self.peer_group = visibility.get_or_404(
            self.request.user, PeerGroup, visibility.CHANGE, pk=self.kwargs["pk"]
        )
        return super().get_object()

    def get_queryset(self):
        members = self.peer_group.memberships.values("young_person_id")
        return super().get_queryset().filter(from_person__in=members, to_person__in=members)

    def service_arguments(self):
        return {"relationship": self.object, "by": self.request.user}

    def get_redirect_url(self):
        return self.peer_group.get_absolute_url()


membership_end = MembershipEndView.as_view()
relationship_remove = RelationshipRemoveView.as_view()
