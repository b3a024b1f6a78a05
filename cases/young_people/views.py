"""A young person's page and edit page; naming staff on a restricted record."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView

from cases import naming
from cases.forms import (
    NameStaffForm,
    UnnameStaffForm,
)
from cases.models import YoungPerson
from cases.subject_pages.views import SubjectPageMixin
from safeguarding.accounts import visibility
from safeguarding.accounts.models import User
from safeguarding.errors import ApplicationError
from safeguarding.views import (
    RecordDetailView,
    RecordUpdateView,
    add_service_errors,
)


class YoungPersonDetailView(SubjectPageMixin, RecordDetailView):
    model = YoungPerson
    queryset = YoungPerson.objects.select_related("subject", "school")

    def get_context_data(self, **kwargs):
        user, yp = self.request.user, self.object
        return super().get_context_data(
            **self.subject_context(yp),
            can_name_staff=yp.restricted and visibility.can(user, yp, visibility.NAME),
            **kwargs,
        )


class YoungPersonUpdateView(RecordUpdateView):
    model = YoungPerson
    fields = [
        "given_name",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "gender",
        "ethnicity",
        "address",
        "postcode",
        "nhs_number",
        "unique_pupil_number",
        "vulnerabilities",
    ]

    def get_success_url(self):
        return reverse("cases:young-person", args=[self.object.pk])


class NamedStaffMixin(LoginRequiredMixin):
    """Pages about who is named on a restricted young person: a team manager of the team
    holding the record (``visibility.NAME``); 404 for everyone else. They show the record's
    reference, never the child's name: the manager need not be named on it."""

    def get_young_person(self) -> YoungPerson:
        if not hasattr(self, "_young_person"):
            self._young_person = visibility.get_or_404(
                self.request.user,
                YoungPerson.objects.select_related("subject"),
                visibility.NAME,
                pk=self.kwargs["pk"],
            )
        return self._young_person

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.get_young_person()
        return super().dispatch(request, *args, **kwargs)

    def list_url(self) -> str:
        return reverse("cases:young-person-named", args=[self.kwargs["pk"]])


class NamedStaffView(NamedStaffMixin, FormView):
    """GET: the people named on the record, with a form to name someone else (a staff picker
    that works without JavaScript, and a reason). POST: name them."""

    template_name = "cases/named_staff.html"
    form_class = NameStaffForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        yp = self.get_young_person()
        return super().get_context_data(
            young_person=yp,
            named=naming.named_staff(yp),
            allocated_worker_id=naming.allocated_worker_id(yp),
            **kwargs,
        )

    def form_valid(self, form):
        person = form.cleaned_data["person"]
        try:
            naming.name_staff(
                young_person=self.get_young_person(),
                person=person,
                by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{person} is now named on this record.")
        return redirect(self.list_url())


class UnnameStaffView(NamedStaffMixin, FormView):
    """GET: confirm un-naming one person, with a reason; POST: un-name them."""

    template_name = "cases/unname_staff.html"
    form_class = UnnameStaffForm

    def get_person(self) -> User:
        person = (
            naming.named_staff(self.get_young_person()).filter(pk=self.kwargs["user_pk"]).first()
        )
        if person is None:
            raise Http404("No such person")
        return person

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            young_person=self.get_young_person(),
            person=self.get_person(),
            cancel_url=self.list_url(),
            **kwargs,
        )

    def form_valid(self, form):
        person = self.get_person()
        try:
            naming.unname_staff(
                young_person=self.get_young_person(),
                person=person,
                by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{person} is no longer named on this record.")
        return redirect(self.list_url())
