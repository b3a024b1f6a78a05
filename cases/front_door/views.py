"""The front door: the triage queue and deciding a referral."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

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
from safeguarding.errors import ApplicationError
from safeguarding.pagination import paginate
from safeguarding.views import (
    RecordDetailView,
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


class TriageDecideView(TeamManagerMixin, FormView):
    template_name = "cases/triage_decide.html"
    form_class = TriageDecisionForm

    def get_referral(self):
        if not hasattr(self, "_referral"):
            self._referral = visibility.get_or_404(
                self.request.user,
                Referral.objects.select_related("source_organisation").prefetch_related(
                    "harm_categories"
                ),
                visibility.CHANGE,
                pk=self.kwargs["pk"],
                status__in=[Referral.Status.RECEIVED, Referral.Status.SCREENING],
            )
            record_read(self._referral)
            self._known = selectors.known_for_referral(
                user=self.request.user, referral=self._referral
            )
        return self._referral

    def get_form_kwargs(self):
        self.get_referral()
        return {**super().get_form_kwargs(), "known": self._known}

    def get_context_data(self, **kwargs):
        referral = self.get_referral()
        return super().get_context_data(
            referral=referral,
            known=self._known,
            time_left=referral.decision_due_at - timezone.now(),
            **kwargs,
        )

    def form_valid(self, form):
        referral = self.get_referral()
        try:
            services.referral_decide(
                referral=referral,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                decided_by=self.request.user,
                links=form.links(),
            )
        except ApplicationError as error:
            return self.apply_errors(form, error)
        decision = Referral.Decision(form.cleaned_data["decision"]).label
        messages.success(self.request, f"Referral {referral.reference}: {decision}.")
        return redirect("cases:triage")


@require_POST
@login_required
def triage_start_screening(request, pk):
    if not visibility.manages_team(request.user):
        raise Http404("No such page")
    referral = visibility.get_or_404(request.user, Referral, visibility.CHANGE, pk=pk)
    try:
        services.referral_start_screening(referral=referral, by=request.user)
    except ApplicationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:triage-decide", pk=referral.pk)
