"""Pages for restricted records: restricting one and reviewing it (a team manager of the
holding team), the list of restrictions due for review (team managers; the data protection
officer's, by reference), and the out-of-hours manager's emergency access (break-glass).

Pages about a record a manager may restrict or review show its reference, never the child's
name: the manager of the holding team need not be named on it.
"""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from cases.models import YoungPerson
from safeguarding.accounts import visibility
from safeguarding.errors import ApplicationError, RecordNotFound
from safeguarding.pagination import paginate
from safeguarding.views import AllowedUsersMixin, ServiceFormView, add_service_errors

from . import breakglass, selectors, services
from .forms import BreakGlassForm, RestrictForm, RestrictionReviewForm


class RestrictView(AllowedUsersMixin, ServiceFormView):
    """``/young-people/<pk>/restrict/``: a team manager of a team holding the record restricts
    it, with a reason and a review date. 404 for anyone else, and for a restricted record."""

    allowed_users = visibility.manages_team
    queryset = YoungPerson.objects.select_related("subject").filter(restricted=False)
    action = visibility.CHANGE
    template_name = "cases/restrict.html"
    form_class = RestrictForm
    service = services.restriction_start

    def service_arguments(self, form):
        return {
            "young_person": self.object,
            "by": self.request.user,
            "reason": form.cleaned_data["reason"],
            "review_on": form.cleaned_data["review_on"],
        }

    def get_success_message(self, form):
        return (
            f"{self.object.subject.reference} is restricted: review by "
            f"{self.result.review_on:%-d %B %Y}."
        )

    def get_success_url(self):
        return reverse("cases:young-person-named", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            young_person=self.object,
            cancel_url=self.object.get_absolute_url(),
            default_review_on=services.default_review_on(),
            **kwargs,
        )


class RestrictionReviewView(ServiceFormView):
    """``/young-people/<pk>/restriction/review/``: keep the restriction with a new review date,
    or lift it (``visibility.NAME``: a team manager of the holding team)."""

    queryset = YoungPerson.objects.select_related("subject")
    action = visibility.NAME
    template_name = "cases/restriction_review.html"
    form_class = RestrictionReviewForm
    service = services.restriction_review

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "young_person": self.object,
            "by": self.request.user,
            "decision": data["decision"],
            "reason": data["reason"],
            "review_on": data["review_on"],
        }

    def get_success_message(self, form):
        reference = self.object.subject.reference
        if self.result.lifted_at:
            return f"The restriction of {reference} is lifted."
        return f"{reference} stays restricted: review by {self.result.review_on:%-d %B %Y}."

    def get_success_url(self):
        return reverse("cases:restrictions")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            young_person=self.object,
            restriction=services.open_restriction(self.object),
            cancel_url=reverse("cases:restrictions"),
            **kwargs,
        )


class RestrictionListView(AllowedUsersMixin, TemplateView):
    """``/restrictions/``: a team manager's restricted records due for review within 30 days
    or overdue, soonest first, by reference."""

    allowed_users = visibility.manages_team
    template_name = "cases/restrictions.html"
    per_page = 50

    def get_context_data(self, **kwargs):
        due = paginate(
            self.request, selectors.restrictions_due(self.request.user), per_page=self.per_page
        )
        return super().get_context_data(
            due=due,
            within=selectors.DUE_WITHIN_DAYS,
            officer=False,
            today=timezone.localdate(),
            **kwargs,
        )


class OfficerRestrictionsView(AllowedUsersMixin, TemplateView):
    """``/data-protection/restrictions/``: the data protection officer's view of the
    authority's restrictions due for review and its break-glass accesses (``ACCOUNT``),
    references only."""

    allowed_users = visibility.protects_data
    template_name = "cases/restrictions.html"
    per_page = 50

    def get_context_data(self, **kwargs):
        user = self.request.user
        due = paginate(
            self.request, selectors.restrictions_due_for_officer(user), per_page=self.per_page
        )
        glass = paginate(
            self.request,
            selectors.break_glass_for_officer(user),
            per_page=self.per_page,
            param="glass_page",
        )
        return super().get_context_data(
            due=due,
            glass=glass,
            within=selectors.DUE_WITHIN_DAYS,
            officer=True,
            today=timezone.localdate(),
            **kwargs,
        )


class BreakGlassView(AllowedUsersMixin, FormView):
    """``/emergency-access/``: an out-of-hours manager types a young person's reference and why
    they need it now, and is taken to the record, open to them for
    ``settings.BREAK_GLASS_MINUTES``. Their accesses still open are listed. 404 for anyone
    who is not an out-of-hours manager."""

    allowed_users = breakglass.breaks_glass
    template_name = "cases/break_glass.html"
    form_class = BreakGlassForm

    def form_valid(self, form):
        try:
            access = breakglass.break_glass(
                user=self.request.user,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except RecordNotFound:
            raise Http404("No such page") from None
        messages.success(
            self.request,
            f"Emergency access to {access.young_person.subject.reference} until "
            f"{timezone.localtime(access.expires_at):%H:%M}. The data protection officer and the "
            "team's managers are told.",
        )
        return HttpResponseRedirect(access.young_person.get_absolute_url())

    def get_context_data(self, **kwargs):
        from django.conf import settings

        return super().get_context_data(
            accesses=breakglass.active_accesses(self.request.user),
            minutes=settings.BREAK_GLASS_MINUTES,
            **kwargs,
        )
