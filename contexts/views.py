from django.urls import reverse

from cases import selectors
from cases.views import SubjectPageMixin
from safeguarding.accounts import visibility
from safeguarding.views import RecordDetailView, RecordUpdateView

from .models import Context, ContextGuardian


class ContextDetailView(SubjectPageMixin, RecordDetailView):
    model = Context
    queryset = Context.objects.select_related("subject")
    audit_reads = False  # a place, not a person's record

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            **self.subject_context(self.object.subject),
            concern_counts=selectors.concern_counts_at(user=user, subject=self.object.subject),
            guardians=visibility.restrict(user, ContextGuardian)
            .filter(context=self.object)
            .select_related("organisation"),
            can_change=visibility.can(user, self.object, visibility.CHANGE),
            **kwargs,
        )


class ContextUpdateView(RecordUpdateView):
    model = Context
    fields = ["name", "kind", "address", "postcode", "description"]

    def get_success_url(self):
        return reverse("contexts:context", args=[self.object.pk])
