"""The partner API's referrals, actions and harm categories (/api/v1/)."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from safeguarding.accounts import visibility
from safeguarding.api import preconditions
from safeguarding.api.idempotency import HEADER, REPLAYED_HEADER, created_parameters, idempotent
from safeguarding.api.views import RestrictedViewSet

from .. import services
from ..casework.services import ACTION_VERSION_FIELDS
from ..models import Action, HarmCategory, Referral
from .filters import ActionFilter, ReferralFilter
from .serializers import (
    ActionProgressSerializer,
    ActionSerializer,
    HarmCategorySerializer,
    ReferralCreateSerializer,
    ReferralSerializer,
)

REFERENCE = OpenApiParameter(
    "reference",
    str,
    OpenApiParameter.PATH,
    description="The referral's reference, e.g. `REF-7K2M9QDX4T`.",
)


@extend_schema(tags=["referrals"])
class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Referrals the caller's organisation made: their status and the decision.

    Only the caller's own organisation's referrals are listed or found (the visibility rule);
    what is returned is what a referrer needs to know, not the council's case content. Reading
    one referral is audited like a page view in the web app; creating one is audited as a change
    with the organisation's API user as the actor.
    """

    queryset = Referral.objects.prefetch_related("harm_categories").order_by("-received_at")
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    lookup_field = "reference"
    extra_problems = {
        "create": {
            409: "A request with this Idempotency-Key is still being processed: retry shortly.",
        }
    }

    @extend_schema(
        summary="Your organisation's referrals, newest first",
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="One of your referrals: status and decision", parameters=[REFERENCE])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Make a referral to the front door",
        description=(
            "Creates a referral about one or more young people and/or places, in the front "
            "door's triage queue, with a decision due within one working day. Everything is "
            "saved or nothing is.\n\n"
            f"**`{HEADER}` is required**: send a new UUID for each new referral, and the same "
            "one, with the same body, when you retry. A replayed answer carries "
            f"`{REPLAYED_HEADER}: true`."
        ),
        request=ReferralCreateSerializer,
        parameters=created_parameters("referral"),
        responses={201: OpenApiResponse(ReferralSerializer, description="The referral.")},
    )
    def create(self, request, *args, **kwargs):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request):
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = services.referral_receive(
            referred_by=request.user, **serializer.service_arguments()
        )
        data = self.represent(ReferralSerializer, referral)
        location = request.build_absolute_uri(
            reverse("api:referral-detail", args=[referral.reference])
        )
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})


@extend_schema(tags=["actions"])
class ActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Actions assigned to the caller's organisation (for example in a context safety plan),
    on which it records progress."""

    queryset = Action.objects.select_related("subject").order_by("due_on", "pk")
    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    rule_actions = {"partial_update": visibility.CHANGE}
    extra_problems = {"partial_update": preconditions.PATCH_PROBLEMS}

    @extend_schema(summary="Actions assigned to your organisation, soonest due first")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="One action assigned to your organisation",
        description="The answer's `ETag` is the action's version: send it as `If-Match` to "
        "record progress.",
        parameters=[preconditions.etag_parameter(200)],
    )
    def retrieve(self, request, *args, **kwargs):
        action = self.get_object()
        return preconditions.with_etag(
            Response(self.represent(ActionSerializer, action)), action, ACTION_VERSION_FIELDS
        )

    @extend_schema(
        summary="Record progress on an action",
        description="Sets the status (not started, in progress, done) and/or the progress "
        "note. Safe to retry: it sets values, it does not add to them.\n\n"
        "**`If-Match` is required**: the `ETag` of the action as you last read it (GET). If "
        "the action has changed since, nothing is saved (412): read it again. The answer "
        "carries the action's new `ETag`.",
        request=ActionProgressSerializer,
        parameters=[preconditions.IF_MATCH_PARAMETER, preconditions.etag_parameter(200)],
        responses={200: ActionSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        action = self.get_object()
        if_match = preconditions.read_if_match(request)
        serializer = ActionProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = services.action_record_progress(
            action=action, by=request.user, if_match=if_match, **serializer.validated_data
        )
        return preconditions.with_etag(
            Response(self.represent(ActionSerializer, action)), action, ACTION_VERSION_FIELDS
        )


@extend_schema(tags=["reference data"])
class HarmCategoryViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """The harm categories referrals are about (their slugs are what a referral names)."""

    queryset = HarmCategory.objects.filter(is_active=True).order_by("display_order", "name")
    serializer_class = HarmCategorySerializer
    audit_reads = False

    @extend_schema(summary="Harm categories in use")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
