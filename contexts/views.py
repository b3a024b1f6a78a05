from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.urls import reverse
from django.views.generic import TemplateView

from cases.figures import refresh_minutes as figure_refresh_minutes
from cases.models import HarmCategory
from cases.views import SubjectPageMixin
from safeguarding.accounts import visibility
from safeguarding.exports import csv_response
from safeguarding.pagination import page_number
from safeguarding.views import AllowedUsersMixin, RecordDetailView, RecordUpdateView

from . import selectors, services
from .models import Context


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
        rows = [
            {
                "place": row.place,
                "current": row.current,
                "previous": row.previous,
                "change": row.current - row.previous,
                "emerging": row.current >= threshold > row.previous,
            }
            for row in page.object_list
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
