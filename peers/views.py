from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from cases.models import YoungPerson
from cases.views import SubjectPageMixin
from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError
from safeguarding.pagination import paginate
from safeguarding.views import (
    AllowedUsersMixin,
    RecordActionView,
    RecordDetailView,
    RecordUpdateView,
    ServiceFormView,
    add_service_errors,
)

from . import selectors, services
from .forms import MembershipEndForm, MembershipForm, PeerGroupCreateForm, RelationshipForm
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


class PeerGroupListView(AllowedUsersMixin, TemplateView):
    """The peer groups the user may see (through the rule), by name, 50 a page, with the way to
    create one for those who may (``visibility.creates_peer_groups``). Council staff who do
    casework; 404 for anyone else."""

    allowed_users = visibility.lists_peer_groups
    template_name = "peers/peergroup_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        user = self.request.user
        groups = (
            visibility.restrict(user, PeerGroup)
            .select_related("subject")
            .only("pk", "name", "purpose", "created_at", "subject__reference")
            .order_by("name", "pk")
        )
        return super().get_context_data(
            page=paginate(self.request, groups, per_page=self.paginate_by),
            can_create=visibility.creates_peer_groups(user),
            **kwargs,
        )


class PeerGroupCreateView(AllowedUsersMixin, FormView):
    """Create a peer group (``peers.services.peer_group_create``): a neutral name, why it is
    recorded and a description; held by the user's team. The page says why a label such as
    "gang" harms young people, and refuses one at the field. Social workers and team managers
    in a team; 404 for anyone else."""

    allowed_users = visibility.creates_peer_groups
    form_class = PeerGroupCreateForm
    template_name = "peers/peergroup_create.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Create a peer group",
            team=self.request.user.team,
            cancel_url=reverse("peers:peer-groups"),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            group = services.peer_group_create(
                by=self.request.user,
                name=data["name"],
                purpose=data["purpose"],
                description=data["description"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Peer group created")
        return HttpResponseRedirect(group.get_absolute_url())


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


class MembershipEndView(ServiceFormView):
    """A member has left the group: when and why (the membership is kept as history). For users
    who may change the group and see the young person (the membership's rule); 404 for anyone
    else, and for a membership of another group."""

    model = PeerGroupMembership
    action = visibility.CHANGE
    pk_url_kwarg = "membership_pk"
    form_class = MembershipEndForm
    template_name = "peers/membership_end.html"
    service = services.membership_end
    success_message = "{object.young_person.full_name} marked as having left."

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(peer_group_id=self.kwargs["pk"])
            .select_related("peer_group", "young_person")
        )

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "membership": self.object,
            "by": self.request.user,
            "reason": data["reason"],
            "left_on": data["left_on"],
        }

    def get_success_url(self):
        return self.object.peer_group.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Mark a member as having left",
            caption=self.object.peer_group.name,
            cancel_url=self.get_success_url(),
            **kwargs,
        )


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
