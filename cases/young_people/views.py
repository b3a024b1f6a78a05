"""A young person's page and edit page; aliases added and ended; naming staff on a restricted
record."""

from django.http import Http404
from django.urls import reverse

from cases import naming
from cases.forms import (
    AliasEndForm,
    AliasForm,
    NameStaffForm,
    UnnameStaffForm,
)
from cases.models import Alias, YoungPerson
from cases.subject_pages.views import SubjectPageMixin
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.views import (
    RecordDetailView,
    RecordUpdateView,
    ServiceFormView,
)

from ..restrictions import breakglass
from . import services


class YoungPersonDetailView(SubjectPageMixin, RecordDetailView):
    model = YoungPerson
    queryset = YoungPerson.objects.select_related("subject", "school")

    def get_context_data(self, **kwargs):
        user, yp = self.request.user, self.object
        return super().get_context_data(
            **self.subject_context(yp),
            can_name_staff=yp.restricted and visibility.can(user, yp, visibility.NAME),
            can_restrict=not yp.restricted
            and visibility.manages_team(user)
            and visibility.can(user, yp, visibility.CHANGE),
            break_glass=breakglass.active_accesses(user).filter(young_person=yp).first()
            if getattr(user, "may_break_glass", False)
            else None,
            **kwargs,
        )


class YoungPersonUpdateView(RecordUpdateView):
    model = YoungPerson
    fields = services.YOUNG_PERSON_FIELDS
    service = services.young_person_update

    def get_success_url(self):
        return reverse("cases:young-person", args=[self.object.pk])


class AliasAddView(ServiceFormView):
    """Add another name a young person is known by: for users who may change the young person
    (``visibility.CHANGE``; 404 for anyone else)."""

    queryset = YoungPerson.objects.select_related("subject")
    action = visibility.CHANGE
    form_class = AliasForm
    service = services.alias_add
    success_message = "Alias added"

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "young_person": self.object,
            "name": data["name"],
            "kind": data["kind"],
            "source": data["source"],
            "notes": data["notes"],
            "by": self.request.user,
        }

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Add an alias",
            caption=self.object.full_name,
            cancel_url=self.get_success_url(),
            **kwargs,
        )


class AliasEndView(ServiceFormView):
    """Record that one of a young person's aliases is no longer used (kept as history), with
    when and why: for users who may change the young person; 404 for anyone else, and for an
    alias of another young person."""

    action = visibility.CHANGE
    pk_url_kwarg = "alias_pk"
    form_class = AliasEndForm
    template_name = "cases/alias_end.html"
    service = services.alias_end
    success_message = "{object.name} recorded as no longer used"

    def get_queryset(self):
        return Alias.objects.filter(young_person_id=self.kwargs["pk"]).select_related(
            "young_person__subject"
        )

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "alias": self.object,
            "reason": data["reason"],
            "ended_on": data["ended_on"],
            "by": self.request.user,
        }

    def get_success_url(self):
        return self.object.young_person.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Mark an alias as no longer used",
            caption=self.object.young_person.full_name,
            cancel_url=self.get_success_url(),
            **kwargs,
        )


class NamedStaffMixin(ServiceFormView):
    """Pages about who is named on a restricted young person: a team manager of the team
    holding the record (``visibility.NAME``); 404 for everyone else. They show the record's
    reference, never the child's name: the manager need not be named on it. Each calls its
    ``cases.naming`` service with the person and the reason, then goes back to the list."""

    queryset = YoungPerson.objects.select_related("subject")
    action = visibility.NAME

    def get_person(self, form) -> User:
        raise NotImplementedError

    def service_arguments(self, form):
        return {
            "young_person": self.object,
            "person": self.get_person(form),
            "by": self.request.user,
            "reason": form.cleaned_data["reason"],
        }

    def get_success_url(self):
        return self.list_url()

    def list_url(self) -> str:
        return reverse("cases:young-person-named", args=[self.kwargs["pk"]])


class NamedStaffView(NamedStaffMixin):
    """GET: the people named on the record, with a form to name someone else (a staff picker
    that works without JavaScript, and a reason). POST: name them."""

    template_name = "cases/named_staff.html"
    form_class = NameStaffForm
    service = naming.name_staff
    success_message = "{person} is now named on this record."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_person(self, form) -> User:
        return form.cleaned_data["person"]

    def get_context_data(self, **kwargs):
        yp = self.object
        bases = naming.bases(yp)
        named = list(naming.named_staff(yp))
        for person in named:
            person.bases = bases.get(person.pk, [])
        return super().get_context_data(
            young_person=yp,
            named=named,
            allocated_worker_id=naming.allocated_worker_id(yp),
            **kwargs,
        )


class UnnameStaffView(NamedStaffMixin):
    """GET: confirm un-naming one person, with a reason; POST: un-name them. Someone not named
    on the record: 404."""

    template_name = "cases/unname_staff.html"
    form_class = UnnameStaffForm
    service = naming.unname_staff
    success_message = "{view.person} is no longer named on this record."

    def get_object(self):
        young_person = super().get_object()
        self.person = naming.named_staff(young_person).filter(pk=self.kwargs["user_pk"]).first()
        if self.person is None:
            raise Http404("No such person")
        return young_person

    def get_person(self, form) -> User:
        return self.person

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            young_person=self.object,
            person=self.person,
            cancel_url=self.list_url(),
            **kwargs,
        )
