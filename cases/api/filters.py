"""Filters for the referrals and actions endpoints (query parameters)."""

from django_filters import rest_framework as filters

from safeguarding.api.filters import StrictDateFilter

from ..models import Action, Referral


class ReferralFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Referral.Status.choices)
    received_from = StrictDateFilter(
        field_name="received_at", lookup_expr="date__gte", label="Received on or after"
    )
    received_to = StrictDateFilter(
        field_name="received_at", lookup_expr="date__lte", label="Received on or before"
    )
    decided_from = StrictDateFilter(
        field_name="decided_at", lookup_expr="date__gte", label="Decided on or after"
    )
    decided_to = StrictDateFilter(
        field_name="decided_at", lookup_expr="date__lte", label="Decided on or before"
    )

    class Meta:
        model = Referral
        fields = []


class ActionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Action.Status.choices)
    due_from = StrictDateFilter(field_name="due_on", lookup_expr="gte", label="Due on or after")
    due_to = StrictDateFilter(field_name="due_on", lookup_expr="lte", label="Due on or before")

    class Meta:
        model = Action
        fields = []
