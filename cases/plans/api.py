"""The partner API's safety plans (``/api/v1/plans/…``): read your part of a plan, record
progress on your actions and values of your measures.

* ``GET /plans/``: the plans the caller may see under the visibility rule (``plan_rule``): for
  a partner agency, those that ask its organisation for something — a response (action) it
  owns or a measure it records; for council staff, the plans of the subjects they may see.
* ``GET /plans/{id}/``: one plan, the caller's part of it only: the plan's actions and
  measures the rule lets the caller see (a partner: its own organisation's), and the goals
  they serve. Never another organisation's actions; nothing of a young person's safety plan.
* ``GET``/``PATCH /plans/{id}/actions/{action_id}/``: one of the plan's actions; ``PATCH``
  records progress (status, progress note) through the service ``PATCH /actions/{id}/`` uses
  (``action_record_progress``): ``If-Match`` with the action's ``ETag`` is required (428
  without, 412 if it changed since).
* ``GET``/``POST /plans/{id}/measures/{measure_id}/values/``: a measure's dated values, newest
  first; ``POST`` records one through ``measure_value_record`` (``Idempotency-Key`` required,
  as for referrals; a day in the future, before the baseline, or a value outside the
  measure's range is a 422 naming the field).

Everything is read through the rule: a plan, action or measure the caller may not see (or not
change, for a write) is a 404, exactly like a missing one. Reads are audited as the other API
reads are: a plan or an action read is one row (``record_read``), and the plan's actions and
measures it showed one more (``record_shown``); a list page one row naming what it showed.
"""

from django.db.models import OuterRef, Subquery
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from safeguarding.accounts import disclosure, visibility
from safeguarding.api import preconditions
from safeguarding.api.idempotency import KEY_PARAMETER, REPLAYED_HEADER, idempotent
from safeguarding.api.views import RestrictedViewSet
from safeguarding.audit.registry import record_read, record_shown

from ..casework.services import ACTION_VERSION_FIELDS, action_record_progress
from ..models import Action, Goal, Measure, MeasureValue, Plan
from .api_filters import MeasureValueFilter, PlanFilter
from .serializers import (
    MeasureSerializer,
    MeasureValueInSerializer,
    MeasureValueSerializer,
    PlanActionProgressSerializer,
    PlanActionSerializer,
    PlanSerializer,
    PlanSummarySerializer,
)
from .services import measure_value_record

PLAN_ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The plan's id (from `GET /api/v1/plans/`)."
)
ACTION_ID = OpenApiParameter(
    "action_id", int, OpenApiParameter.PATH, description="The action's id (from the plan)."
)
MEASURE_ID = OpenApiParameter(
    "measure_id", int, OpenApiParameter.PATH, description="The measure's id (from the plan)."
)
VALUE_KEY_MISSING = (
    "Send an Idempotency-Key header (a new UUID for each new value) so that a retry cannot "
    "record the value twice."
)


def _int(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404("No such record") from None
    if not 0 < number < 2**63:
        raise Http404("No such record")
    return number


def visible_plan(user, pk) -> Plan:
    """The plan ``pk`` if ``user`` may see it; ``Http404`` (missing or not theirs) otherwise."""
    plan = (
        visibility.restrict(user, Plan.objects.select_related("subject"))
        .filter(pk=_int(pk))
        .first()
    )
    if plan is None:
        raise Http404("No such record")
    return plan


def latest_values(measures) -> dict[int, dict]:
    """Each measure's latest value and its day (``{measure id: {"value", "recorded_on"}}``),
    in one query whatever the number of measures."""
    newest = MeasureValue.objects.filter(measure=OuterRef("pk")).order_by("-recorded_on", "-pk")
    rows = (
        Measure.objects.filter(pk__in=[m.pk for m in measures])
        .annotate(
            latest_value=Subquery(newest.values("value")[:1]),
            latest_on=Subquery(newest.values("recorded_on")[:1]),
        )
        .values_list("pk", "latest_value", "latest_on")
    )
    return {pk: {"value": value, "recorded_on": on} for pk, value, on in rows if on is not None}


def plan_part(request, plan: Plan, context: dict) -> dict:
    """The caller's part of ``plan`` as the API shows it (:class:`PlanSerializer`): its actions
    and measures the rule lets the caller see and the goals they serve (a goal's words
    withheld from a partner on a young person's plan), audited as shown. A fixed number of
    queries, whatever the plan holds."""
    user = request.user
    actions = list(
        visibility.restrict(user, Action.objects.filter(plan=plan)).order_by("due_on", "pk")
    )
    measures = list(
        visibility.restrict(user, Measure.objects.filter(goal__plan=plan)).order_by(
            "goal__position", "goal_id", "pk"
        )
    )
    wanted = {a.goal_id for a in actions if a.goal_id} | {m.goal_id for m in measures}
    goals = list(
        visibility.restrict(user, Goal.objects.filter(plan=plan, pk__in=wanted)).order_by(
            "position", "pk"
        )
    )
    partner = disclosure.is_partner(user)
    goal_rows = [
        {
            "id": goal.pk,
            "statement": None
            if partner and plan.kind == Plan.Kind.YOUNG_PERSON
            else disclosure.read(user, goal, "statement", default=None),
        }
        for goal in goals
    ]
    record_shown("api plan", {Plan: [plan], Action: actions, Measure: measures})
    context = {
        **context,
        "goal_of": {a.pk: a.goal_id for a in actions},
        "goal_of_measure": {m.pk: m.goal_id for m in measures},
        "latest": latest_values(measures),
    }
    summary = PlanSummarySerializer(disclosure.shown(user, plan), context=context).data
    return {
        **summary,
        "goals": goal_rows,
        "actions": PlanActionSerializer(
            disclosure.shown(user, actions), many=True, context=context
        ).data,
        "measures": _measures(user, measures, context),
    }


def _measures(user, measures, context) -> list[dict]:
    return MeasureSerializer(disclosure.shown(user, measures), many=True, context=context).data


class AuditedPages:
    """A list whose every page is one audit row naming what it showed (``record_shown``), as
    the other API lists of case records are, whether or not the model is registered with the
    audit log (which :class:`RestrictedViewSet` asks first)."""

    def paginate_queryset(self, queryset):
        page = super(RestrictedViewSet, self).paginate_queryset(queryset)
        if page:
            record_shown(f"api {self.basename} list", {queryset.model: page})
        return page


@extend_schema(tags=["plans"])
class PlanViewSet(
    AuditedPages, mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet
):
    """Safety plans that ask your organisation for something: a response (an action) it owns,
    or a measure it records. You read your part of each plan only: your actions and your
    measures, and the goals they serve."""

    queryset = Plan.objects.select_related("subject").order_by("-started_on", "-pk")
    serializer_class = PlanSummarySerializer
    filterset_class = PlanFilter

    @extend_schema(summary="Plans that ask your organisation for something, newest first")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Your part of one plan: your actions and measures",
        parameters=[PLAN_ID],
        responses={200: PlanSerializer},
    )
    def retrieve(self, request, *args, **kwargs):
        plan = self.get_object()  # audited: one row
        return Response(plan_part(request, plan, self.get_serializer_context()))


@extend_schema(tags=["plans"], parameters=[PLAN_ID, ACTION_ID])
class PlanActionViewSet(RestrictedViewSet):
    """One of a plan's actions assigned to your organisation, on which it records progress
    (the same action as at `/api/v1/actions/{id}/`, with the same `ETag`)."""

    queryset = Action.objects.select_related("subject").order_by("pk")
    serializer_class = PlanActionSerializer
    rule_actions = {"partial_update": visibility.CHANGE}
    extra_problems = {"partial_update": preconditions.PATCH_PROBLEMS}
    filter_backends = []
    pagination_class = None

    def get_object(self):
        plan = visible_plan(self.request.user, self.kwargs["pk"])
        action = self.get_queryset().filter(plan=plan, pk=_int(self.kwargs["action_id"])).first()
        if action is None:
            raise Http404("No such record")
        if self.action == "retrieve":
            record_read(action)
        return action

    def _answer(self, action) -> Response:
        context = {**self.get_serializer_context(), "goal_of": {action.pk: action.goal_id}}
        data = PlanActionSerializer(
            disclosure.shown(self.request.user, action), context=context
        ).data
        return preconditions.with_etag(Response(data), action, ACTION_VERSION_FIELDS)

    @extend_schema(
        summary="One of the plan's actions assigned to you",
        description="The answer's `ETag` is the action's version: send it as `If-Match` to "
        "record progress.",
        parameters=[preconditions.etag_parameter(200)],
        responses={200: PlanActionSerializer},
    )
    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    @extend_schema(
        summary="Record progress on one of the plan's actions",
        description="Sets the status (not started, in progress, done) and/or the progress "
        "note, as `PATCH /api/v1/actions/{id}/` does. Safe to retry: it sets values, it does "
        "not add to them.\n\n"
        "**`If-Match` is required**: the `ETag` of the action as you last read it (GET). If "
        "the action has changed since, nothing is saved (412): read it again. The answer "
        "carries the action's new `ETag`.",
        request=PlanActionProgressSerializer,
        parameters=[preconditions.IF_MATCH_PARAMETER, preconditions.etag_parameter(200)],
        responses={200: PlanActionSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        action = self.get_object()
        if_match = preconditions.read_if_match(request)
        serializer = PlanActionProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = action_record_progress(
            action=action, by=request.user, if_match=if_match, **serializer.validated_data
        )
        return self._answer(action)


@extend_schema(tags=["plans"], parameters=[PLAN_ID, MEASURE_ID])
class MeasureValueViewSet(AuditedPages, mixins.ListModelMixin, RestrictedViewSet):
    """The dated values of one of a plan's measures that your organisation records."""

    queryset = MeasureValue.objects.order_by("-recorded_on", "-pk")
    serializer_class = MeasureValueSerializer
    filterset_class = MeasureValueFilter
    extra_problems = {
        "create": {
            409: "A request with this Idempotency-Key is still being processed: retry shortly.",
        }
    }

    def measure(self, action: str = visibility.VIEW) -> Measure:
        """The measure of the address, if the caller may see it (``action``: or change it)."""
        plan = visible_plan(self.request.user, self.kwargs["pk"])
        measure = (
            visibility.restrict(self.request.user, Measure, action)
            .filter(goal__plan=plan, pk=_int(self.kwargs["measure_id"]))
            .first()
        )
        if measure is None:
            raise Http404("No such record")
        return measure

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, not a request
            return MeasureValue.objects.none()
        return super().get_queryset().filter(measure=self.measure())

    def values_context(self, values) -> dict:
        """What :class:`MeasureValueSerializer` reads beside the records: which values the
        caller's organisation recorded, and the notes the caller may read — all of them for
        council staff, its own organisation's for a partner (the rest are the council's)."""
        user = self.request.user
        organisation = getattr(user, "organisation_id", None)
        ours = {v.pk for v in values if organisation and v.organisation_id == organisation}
        partner = disclosure.is_partner(user)
        return {
            **self.get_serializer_context(),
            "ours": ours,
            "value_notes": {v.pk: v.note for v in values if not partner or v.pk in ours},
        }

    @extend_schema(summary="A measure's values, newest first")
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = MeasureValueSerializer(
            disclosure.shown(request.user, page), many=True, context=self.values_context(page)
        ).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Record a value of a measure",
        description=(
            "Records the measure's value on a day: from the measure's `baseline_on` to today, "
            "never in the future, and within the measure's range (its `kind`). One value per "
            "measure per day: a second one for the same day replaces the first (a "
            "correction).\n\n"
            "**`Idempotency-Key` is required**: send a new UUID for each new value, and the "
            "same one, with the same body, when you retry. A replayed answer carries "
            f"`{REPLAYED_HEADER}: true`."
        ),
        request=MeasureValueInSerializer,
        parameters=[
            KEY_PARAMETER,
            OpenApiParameter(
                REPLAYED_HEADER,
                str,
                OpenApiParameter.HEADER,
                response=[201],
                enum=["true"],
                description="Present when this is the stored answer to an earlier request.",
            ),
        ],
        responses={201: OpenApiResponse(MeasureValueSerializer, description="The value.")},
    )
    def create(self, request, *args, **kwargs):
        measure = self.measure(visibility.CHANGE)  # not yours: 404 before anything else
        return idempotent(
            request, lambda: self._create(request, measure), missing=VALUE_KEY_MISSING
        )

    def _create(self, request, measure):
        serializer = MeasureValueInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        value = measure_value_record(measure=measure, by=request.user, **serializer.validated_data)
        data = MeasureValueSerializer(
            disclosure.shown(request.user, value), context=self.values_context([value])
        ).data
        return Response(data, status=status.HTTP_201_CREATED)
