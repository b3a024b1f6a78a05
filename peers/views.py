from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from cases.models import YoungPerson
from cases.views import SubjectPageMixin
from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError
from safeguarding.views import RecordDetailView, RecordUpdateView, add_service_errors

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
    fields = ["name", "description"]

    def get_success_url(self):
        return reverse("peers:peer-group", args=[self.object.pk])


class PeerGroupFormView(LoginRequiredMixin, FormView):
    """Base for the forms on a peer group: the group must be one the user may change."""

    template_name = "form_page.html"
    page_title = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.peer_group = visibility.get_or_404(
            request.user, PeerGroup, visibility.CHANGE, pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return self.peer_group.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.page_title,
            caption=self.peer_group.name,
            cancel_url=self.get_success_url(),
            **kwargs,
        )

    def apply_errors(self, form, error: ApplicationError):
        add_service_errors(form, error)
        return self.form_invalid(form)


class MembershipAddView(PeerGroupFormView):
    form_class = MembershipForm
    page_title = "Add a member"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.membership_add(
                peer_group=self.peer_group,
                young_person=data["young_person"],
                by=self.request.user,
                joined_on=data["joined_on"],
                confidence=data["confidence"],
                source=data["source"],
                source_detail=data["source_detail"],
            )
        except ApplicationError as error:
            return self.apply_errors(form, error)
        messages.success(self.request, f"{data['young_person'].full_name} added to the group.")
        return super().form_valid(form)


class RelationshipAddView(PeerGroupFormView):
    form_class = RelationshipForm
    page_title = "Add a relationship"

    def get_form_kwargs(self):
        members = self.peer_group.memberships.values("young_person_id")
        people = visibility.restrict(self.request.user, YoungPerson).filter(pk__in=members)
        return {**super().get_form_kwargs(), "people": people}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.relationship_add(
                from_person=data["from_person"],
                to_person=data["to_person"],
                kind=data["kind"],
                source=data["source"],
                reliability=data["reliability"],
                notes=data["notes"],
                by=self.request.user,
            )
        except ApplicationError as error:
            return self.apply_errors(form, error)
        messages.success(self.request, "Relationship added.")
        return super().form_valid(form)


@require_POST
@login_required
def membership_end(request, pk, membership_pk):
    membership = visibility.get_or_404(
        request.user, PeerGroupMembership, visibility.CHANGE, pk=membership_pk, peer_group_id=pk
    )
    try:
        services.membership_end(membership=membership, by=request.user)
    except ApplicationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.young_person.full_name} marked as having left.")
    return redirect(membership.peer_group)


@require_POST
@login_required
def relationship_remove(request, pk, relationship_pk):
    group = visibility.get_or_404(request.user, PeerGroup, visibility.CHANGE, pk=pk)
    members = group.memberships.values("young_person_id")
    relationship = visibility.get_or_404(
        request.user,
        Relationship.objects.filter(from_person__in=members, to_person__in=members),
        visibility.CHANGE,
        pk=relationship_pk,
    )
    services.relationship_remove(relationship=relationship, by=request.user)
    messages.success(request, "Relationship removed.")
    return redirect(group)
