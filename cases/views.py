from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.views.generic import TemplateView

from safeguarding.accounts import visibility
from safeguarding.views import RecordDetailView, RecordUpdateView

from . import selectors
from .models import Alias, Case, Concern, HarmFlag, Referral, YoungPerson


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            my_cases=selectors.my_open_cases(user=self.request.user), **kwargs
        )


class YoungPersonDetailView(RecordDetailView):
    model = YoungPerson
    queryset = YoungPerson.objects.select_related("subject", "school")

    def get_context_data(self, **kwargs):
        user, yp = self.request.user, self.object
        return super().get_context_data(
            aliases=visibility.restrict(user, Alias).filter(young_person=yp),
            flags=visibility.restrict(user, HarmFlag)
            .filter(young_person=yp, is_active=True)
            .select_related("harm_category"),
            cases=visibility.restrict(user, Case)
            .filter(subject=yp.subject)
            .select_related("team", "allocated_worker"),
            chronology=selectors.chronology_for_subject(user=user, subject=yp.subject),
            can_change=visibility.can(user, yp, visibility.CHANGE),
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


class CaseDetailView(RecordDetailView):
    model = Case
    queryset = Case.objects.select_related("subject", "team", "allocated_worker")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            allocations=self.object.allocations.select_related("team", "worker", "allocated_by"),
            **kwargs,
        )


class ConcernDetailView(RecordDetailView):
    model = Concern
    queryset = Concern.objects.select_related("logged_by").prefetch_related("harm_categories")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            involvements=selectors.involvements_for_concern(
                user=self.request.user, concern=self.object
            ),
            **kwargs,
        )


class ReferralDetailView(RecordDetailView):
    model = Referral
    queryset = Referral.objects.select_related("source_organisation", "decided_by")

    def get_context_data(self, **kwargs):
        from .models import ReferralSubject

        return super().get_context_data(
            about=visibility.restrict(self.request.user, ReferralSubject)
            .filter(referral=self.object)
            .select_related("subject"),
            **kwargs,
        )
