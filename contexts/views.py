from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.urls import reverse
from django.views.generic import TemplateView

from cases.figures import refresh_minutes as figure_refresh_minutes
from cases.models import HarmCategory
from cases.plans.selectors import measure_trends
from cases.views import SubjectPageMixin
from safeguarding.accounts import visibility
from safeguarding.exports import csv_response
from safeguarding.pagination import page_number
from safeguarding.views import (
    AllowedUsersMixin,
    RecordDetailView,
    RecordUpdateView,
    ServiceFormView,
)

from . import selectors, services
from .forms import GuardianEndForm, GuardianForm
from .models import Context, ContextGuardian


class ContextDetailView(SubjectPageMixin, RecordDetailView):
    model = Context
    queryset = Context.objects.select_related("subject")
    audit_reads = False  # a place, not a person's record

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.subject_context(self.object), **kwargs)


class ContextUpdateView(RecordUpdateView):
    model = Context
    audit_reads = False  # a place, not a person's record
    fields = services.CONTEXT_FIELDS
    service = services.context_update

    def get_success_url(self):
        return reverse("contexts:context", args=[self.object.pk])


class GuardianAddView(ServiceFormView):
    """Add a guardian to a place: an organisation (picked from those the rule lets the user
    see) or a named adult or role, with when they are there, how to reach them and whether they
    are told of concerns. For users who may change the place; 404 for anyone else."""

    queryset = Context.objects.select_related("subject")
    action = visibility.CHANGE
    form_class = GuardianForm
    service = services.guardian_add
    success_message = "Guardian added"

    def get_form_kwargs(self):
        organisations = services.guardian_organisations(self.request.user)
        return {**super().get_form_kwargs(), "organisations": organisations}

    def service_arguments(self, form):
        values = {name: form.cleaned_data[name] for name in services.GUARDIAN_FIELDS}
        return {"context": self.object, "by": self.request.user, **values}

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Add a guardian",
            caption=self.object.name,
            cancel_url=self.get_success_url(),
            **kwargs,
        )


class GuardianMixin:
    """A current guardian of the place in the URL (``pk``; the guardian is ``guardian_pk``),
    read through the rule for CHANGE: 404 for a guardian of another place, an ended one, or
    one the user may not change."""

    model = ContextGuardian
    action = visibility.CHANGE
    pk_url_kwarg = "guardian_pk"

    def get_queryset(self):
        return ContextGuardian.objects.filter(
            context_id=self.kwargs["pk"], ended_on__isnull=True
        ).select_related("context__subject", "organisation")

    def get_success_url(self):
        return self.object.context.get_absolute_url()


class GuardianUpdateView(GuardianMixin, RecordUpdateView):
    """Edit a current guardian of a place (``contexts.services.guardian_update``)."""

    audit_reads = False  # a place's guardians: no young person's information
    form_class = GuardianForm
    fields = services.GUARDIAN_FIELDS
    service = services.guardian_update

    def get_form_kwargs(self):
        organisations = services.guardian_organisations(self.request.user)
        return {**super().get_form_kwargs(), "organisations": organisations}


class GuardianEndView(GuardianMixin, ServiceFormView):
    """A guardian no longer guards the place: when and why (kept as history)."""

    form_class = GuardianEndForm
    template_name = "contexts/guardian_end.html"
    service = services.guardian_end
    success_message = "Guardian ended"

    def service_arguments(self, form):
        data = form.cleaned_data
        return {
            "guardian": self.object,
            "reason": data["reason"],
            "ended_on": data["ended_on"],
            "by": self.request.user,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="End a guardian",
            caption=self.object.context.name,
            cancel_url=self.get_success_url(),
            **kwargs,
        )


class HotspotsView(AllowedUsersMixin, TemplateView):
    """Senior managers: where concerns are gathering across the borough (from the figures
    worked out ahead, whose freshness the page shows)."""

    allowed_users = visibility.oversees_authority
    template_name = "contexts/hotspots.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        if request.GET.get("export") == "places":
            return self.ranking_csv(context)
        return self.render_to_response(context)

    def ranking_csv(self, context):
        """The whole ranking as a spreadsheet, with the filters applied; the download is
        audited (:func:`safeguarding.exports.csv_response`)."""
        days, threshold = context["days"], context["threshold"]
        return csv_response(
            user=self.request.user,
            model=Context,
            name="hotspots",
            filename=f"hotspots-{days}-days.csv",
            header=[
                "Place",
                "Reference",
                "Kind",
                f"Last {days} days",
                f"{days} days before",
                "Change",
                "Emerging hotspot",
            ],
            rows=(
                [
                    row.place.name,
                    row.place.reference,
                    row.place.get_kind_display(),
                    row.current,
                    row.previous,
                    row.current - row.previous,
                    "yes" if row.current >= threshold > row.previous else "no",
                ]
                for row in context["ranking"].iterator(chunk_size=2000)
            ),
            filters={"days": days, "harm": context["chosen_harm"], "kind": context["chosen_kind"]},
        )

    def get_context_data(self, **kwargs):
        params, user = self.request.GET, self.request.user
        days = int(params["days"]) if params.get("days") in {"30", "90", "365"} else 90
        harm_categories = list(HarmCategory.objects.filter(is_active=True))
        harm = params.get("harm") if params.get("harm") in {h.slug for h in harm_categories} else ""
        kind = params.get("kind") if params.get("kind") in Context.Kind.values else ""
        figures = selectors.figures_for(user=user)  # None until beat has counted them once
        ranking, threshold = selectors.hotspots(
            user=user, days=days, harm=harm or None, kind=kind or None
        )
        # One aggregate for how many places there are and how many are emerging.
        totals = ranking.aggregate(
            places=Count("pk"),
            emerging=Count("pk", filter=Q(current__gte=threshold, previous__lt=threshold)),
        )
        paginator = Paginator(ranking, self.paginate_by)
        paginator.count = totals["places"]  # already counted
        page = paginator.page(page_number(params.get("page"), paginator.num_pages))
        shown = list(page.object_list)
        # Did the places with a plan get safer? Their measures' trend beside the concerns'
        # (cases.plans.selectors.measure_trends: a fixed number of queries for the page).
        trends = measure_trends(user, [row.place.subject_id for row in shown])
        rows = [
            {
                "place": row.place,
                "current": row.current,
                "previous": row.previous,
                "change": row.current - row.previous,
                "emerging": row.current >= threshold > row.previous,
                "plan_trend": trends.get(row.place.subject_id),
            }
            for row in shown
        ]
        monthly = selectors.concerns_per_month_by_harm(
            user=user, kind=kind or None, harm=harm or None, as_of=figures and figures.as_of
        )
        chart = {
            "labels": [m.strftime("%b %Y") for m in monthly.months],
            "series": [{"label": name, "data": data} for name, data in monthly.series.items()],
        }
        return super().get_context_data(
            figures=figures,
            figures_every=figure_refresh_minutes(),
            ranking=ranking,
            page=page,
            rows=rows,
            days=days,
            windows=selectors.WINDOWS,
            threshold=threshold,
            per_30_days=settings.HOTSPOT_CONCERNS_PER_30_DAYS,
            harm_categories=harm_categories,
            kinds=Context.Kind.choices,
            chosen_harm=harm,
            chosen_kind=kind,
            monthly=monthly,
            chart=chart,
            emerging=totals["emerging"],
            **kwargs,
        )
