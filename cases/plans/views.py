"""Safety plan pages. Every page reads the plan through the one rule; opening one is an
audited read."""

from django.views.generic import TemplateView

from safeguarding.audit.registry import record_read
from safeguarding.views import RecordMixin

from .models import Plan


class _PlanMixin(RecordMixin):
    """A plan read through the rule (``action``); every page that shows it is an audited read
    (on GET: a POST is audited as the change it makes)."""

    model = Plan
    queryset = Plan.objects.select_related("subject", "source_assessment", "started_by")

    def get_object(self):
        plan = super().get_object()
        if self.request.method == "GET":
            record_read(plan)
        return plan

    def get_context_data(self, **kwargs):
        kwargs.setdefault("plan", self.object)
        kwargs.setdefault("subject", self.object.subject)
        return super().get_context_data(**kwargs)


class PlanView(_PlanMixin, TemplateView):
    """A plan's page."""

    template_name = "plans/plan.html"
