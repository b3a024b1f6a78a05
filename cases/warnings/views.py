"""Warning note pages: propose one (from a subject's page), authorise or decline it, review or
end it, and a team manager's lists of those waiting and those due for review."""

from django.utils import timezone
from django.views.generic import TemplateView

from cases.casework.views import TeamManagerMixin
from safeguarding.accounts import visibility
from safeguarding.pagination import paginate
from safeguarding.views import AllowedUsersMixin, ServiceFormView, SubjectFormView

from . import selectors, services
from .forms import WarningDecisionForm, WarningProposeForm, WarningReviewForm
from .models import WarningNote


class WarningProposeView(AllowedUsersMixin, SubjectFormView):
    """Propose a warning note on a young person, a place or a peer group: practitioners who may
    change the subject (anyone else: 404)."""

    allowed_users = visibility.proposes_warnings
    template_name = "cases/warning_form.html"
    form_class = WarningProposeForm
    service = services.warning_propose
    success_message = "Warning note proposed: a team manager must authorise it before it shows."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "subject": self.object}

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "subject": self.object,
            "category": data["category"],
            "summary": data["summary"],
            "review_on": data["review_on"],
            "told": data["told"],
            "proposed_by": self.request.user,
        }


class _WarningStepView(TeamManagerMixin, ServiceFormView):
    """A team manager's step on one warning note of their team's subjects (CHANGE through the
    rule; anyone else, or a warning in another state: 404)."""

    queryset = WarningNote.objects.select_related(
        "subject",
        "subject__youngperson",
        "subject__context",
        "subject__peergroup",
        "proposed_by",
        "decided_by",
    )
    action = visibility.CHANGE
    status = ""

    def get_queryset(self):
        return super().get_queryset().filter(status=self.status)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            warning=self.object,
            subject=self.object.subject,
            cancel_url=self.get_success_url(),
            **kwargs,
        )

    def get_success_url(self):
        return self.object.subject.get_absolute_url()


class WarningDecideView(_WarningStepView):
    """Authorise a proposed warning note (it becomes the banner) or decline it with a reason."""

    status = WarningNote.Status.PROPOSED
    template_name = "cases/warning_decide.html"
    form_class = WarningDecisionForm

    def get_initial(self):
        return {"review_on": self.object.review_on}

    def perform(self, form):
        data, user = form.cleaned_data, self.request.user
        if data["decision"] == WarningDecisionForm.AUTHORISE:
            return services.warning_authorise(
                warning=self.object, by=user, review_on=data["review_on"]
            )
        return services.warning_decline(warning=self.object, by=user, reason=data["reason"])

    def get_success_message(self, form):
        if form.cleaned_data["decision"] == WarningDecisionForm.AUTHORISE:
            return "Warning note authorised: it now shows at the top of the record."
        return "Warning note declined."


class WarningReviewView(_WarningStepView):
    """Review a warning in force: keep it with the next review date, or end it with a reason."""

    status = WarningNote.Status.AUTHORISED
    template_name = "cases/warning_review.html"
    form_class = WarningReviewForm

    def perform(self, form):
        data, user = form.cleaned_data, self.request.user
        if data["decision"] == WarningReviewForm.KEEP:
            return services.warning_review(
                warning=self.object, by=user, review_on=data["review_on"], note=data["note"]
            )
        return services.warning_end(warning=self.object, by=user, reason=data["reason"])

    def get_success_message(self, form):
        if form.cleaned_data["decision"] == WarningReviewForm.KEEP:
            return f"Warning note kept: review by {self.result.review_on:%-d %B %Y}."
        return "Warning note ended."


class WarningListView(TeamManagerMixin, TemplateView):
    """A team manager's warning notes: proposals waiting for authorisation (oldest first), and
    warnings in force due for review within ``?within=`` days (7, 30 or 90; default 30) or
    overdue, soonest first. Two lists paged apart (``?waiting_page=`` and ``?page=``)."""

    template_name = "cases/warnings.html"
    per_page = 50

    def get_context_data(self, **kwargs):
        user, request = self.request.user, self.request
        try:
            within = int(request.GET.get("within", selectors.DUE_WITHIN_DAYS))
        except ValueError:
            within = selectors.DUE_WITHIN_DAYS
        if within not in selectors.DUE_WINDOWS:
            within = selectors.DUE_WITHIN_DAYS
        waiting = paginate(
            request,
            selectors.warnings_awaiting_authorisation(user),
            per_page=self.per_page,
            param="waiting_page",
        )
        due = paginate(
            request,
            selectors.warnings_due_for_review(user, within_days=within),
            per_page=self.per_page,
        )
        return super().get_context_data(
            waiting=waiting,
            due=due,
            within=within,
            windows=selectors.DUE_WINDOWS,
            today=timezone.localdate(),
            **kwargs,
        )
