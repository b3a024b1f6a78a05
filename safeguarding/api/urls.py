"""/api/v1/: the partner API, its OpenAPI schema and its documentation (served locally)."""

from django.urls import path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from cases.api.views import ActionViewSet, HarmCategoryViewSet, ReferralViewSet
from cases.meetings.api import MeetingViewSet
from cases.plans.api import MeasureValueViewSet, PlanActionViewSet, PlanViewSet
from contexts.api.views import ContextViewSet
from safeguarding.notifications.api import EventTypeViewSet, WebhookEndpointViewSet

from .docs import SwaggerView
from .throttling import AnonymousThrottle
from .views import NotFoundView, ProblemTypeView

app_name = "api"

router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
router.register("actions", ActionViewSet, basename="action")
router.register("plans", PlanViewSet, basename="plan")
router.register("contexts", ContextViewSet, basename="context")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("harm-categories", HarmCategoryViewSet, basename="harm-category")
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("event-types", EventTypeViewSet, basename="event-type")

# The schema and the docs are public (they describe the API, not its data) and rate-limited.
docs = {"throttle_classes": [AnonymousThrottle]}

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(**docs), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema", **docs), name="docs"),
    # Redoc would need inline styles (safeguarding/api/docs.py): its address leads to the docs.
    path("redoc/", RedirectView.as_view(pattern_name="api:docs", permanent=True), name="redoc"),
    path("problems/<slug:slug>", ProblemTypeView.as_view(), name="problem"),
    *router.urls,
    # A plan's parts, under the plan (cases/plans/api.py).
    path(
        "plans/<int:pk>/actions/<int:action_id>/",
        PlanActionViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update"}, basename="plan-action"
        ),
        name="plan-action-detail",
    ),
    path(
        "plans/<int:pk>/measures/<int:measure_id>/values/",
        MeasureValueViewSet.as_view(
            {"get": "list", "post": "create"}, basename="plan-measure-value"
        ),
        name="plan-measure-value-list",
    ),
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
