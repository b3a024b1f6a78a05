"""The front door: the triage queue and deciding a referral."""

from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.generic import TemplateView

from cases import selectors, services
from cases.casework.views import TeamManagerMixin
from cases.forms import (
    TriageDecisionForm,
)
from cases.models import (
    Referral,
)
from safeguarding.accounts import visibility
from safeguarding.audit.registry import record_read
from safeguarding.pagination import paginate
from safeguarding.views import (
    RecordActionView,
    RecordDetailView,
    ServiceFormView,
)


class ReferralDetailView(RecordDetailView):
    model = Referral
    queryset = Referral.objects.select_related("source_organisation", "decided_by")

    def get_context_data(self, **kwargs):
        from cases.models import ReferralSubject

        return super().get_context_data(
            about=visibility.restrict(self.request.user, ReferralSubject)
            .filter(referral=self.object)
            .select_related("subject"),
            **kwargs,
        )


class TriageQueueView(TeamManagerMixin, TemplateView):
    """Referrals waiting for a decision, oldest first, a page at a time."""

    template_name = "cases/triage_queue.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        now = timezone.now()
        page = paginate(
            self.request,
            selectors.referrals_awaiting_triage(user=self.request.user),
            per_page=self.paginate_by,
        )
        return super().get_context_data(
            page=page, referrals=[(r, r.decision_due_at - now) for r in page], **kwargs
        )


class TriageDecideView(TeamManagerMixin, ServiceFormView):
    """Decide a referral waiting at the front door (received or being screened): the people
    and places it may be about, and the decision. Opening it is an audited read."""

    queryset = Referral.objects.select_related("source_organisation").prefetch_related(
        "harm_categories"
    )
    action = visibility.CHANGE
    template_name = "cases/triage_decide.html"
    form_class = TriageDecisionForm
    service = services.referral_decide
    success_url = reverse_lazy("cases:triage")

    def get_queryset(self):
        statuses = [Referral.Status.RECEIVED, Referral.Status.SCREENING]
        return super().get_queryset().filter(status__in=statuses)

    def get_object(self):
        referral = super().get_object()
        record_read(referral)
        self.known = selectors.known_for_referral(user=self.request.user, referral=referral)
        return referral

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "known": self.known}

    def get_error_fields(self, form):
        # What the service says of the links ("nothing to work on") is said at the first
        # person's or place's field, so the error summary links to where it is put right.
        first = next((name for name in form.fields if name.startswith("link_")), None)
        return {"links": first} if first else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            referral=self.object,
            known=self.known,
            time_left=self.object.decision_due_at - timezone.now(),
            **kwargs,
        )

    def service_arguments(self, form):
        return {
            "referral": self.object,
            "decision": form.cleaned_data["decision"],
            "reason": form.cleaned_data["reason"],
            "decided_by": self.request.user,
            "links": form.links(),
        }

    def get_success_message(self, form):
        decision = Referral.Decision(form.cleaned_data["decision"]).label
        return f"Referral {self.object.reference}: {decision}."


class TriageStartScreeningView(TeamManagerMixin, RecordActionView):
    """POST: a team manager starts screening a referral just received, and goes on to it."""

    model = Referral
    action = visibility.CHANGE
    service = services.referral_start_screening

    def service_arguments(self):
        return {"referral": self.object, "by": self.request.user}

    def get_redirect_url(self):
        return reverse("cases:triage-decide", args=[self.object.pk])


triage_start_screening = TriageStartScreeningView.as_view()
