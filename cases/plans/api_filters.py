"""Filters for the plans endpoints (query parameters)."""

from django_filters import rest_framework as filters

from safeguarding.api.filters import StrictDateFilter

from ..models import MeasureValue, Plan


class PlanFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Plan.Status.choices)
    kind = filters.ChoiceFilter(choices=Plan.Kind.choices)

    class Meta:
        model = Plan
        fields = []


class MeasureValueFilter(filters.FilterSet):
    recorded_from = StrictDateFilter(
        field_name="recorded_on", lookup_expr="gte", label="Recorded for this day or later"
    )
    recorded_to = StrictDateFilter(
        field_name="recorded_on", lookup_expr="lte", label="Recorded for this day or earlier"
    )

    class Meta:
        model = MeasureValue
        fields = []
