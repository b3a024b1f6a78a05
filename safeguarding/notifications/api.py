"""The partner API's webhook endpoints (/api/v1/webhook-endpoints/) and event types.

A partner agency's system registers where it wants to be told, and about which events: each
endpoint is a webhook ``Channel`` of the caller's organisation. The rules:

* Only partner callers (an organisation's API token, or a partner agency's user:
  ``visibility.registers_webhook_endpoints``): council staff are refused (403); the authority's
  administrators manage every channel in the admin site.
* Every write is a service (``services.webhook_endpoint_create``, ``_update``, ``_delete``,
  ``_rotate_secret``: the checks, the transaction, the outbox); the views check the request's
  shape, call it, and turn its errors into the problems below.
* Endpoints are read through the visibility rule (``channel_rule``): an organisation sees and
  changes its own, never another agency's (a 404, as for a missing one).
* The address is checked when the endpoint is registered (``webhooks.check_url``: https, a host
  that resolves, and only to public addresses) and again at every delivery. The schema's
  ``pattern`` says which addresses are well formed; what the schema cannot know (whether the
  host exists, where it points) is a 422 on ``url``.
* The signing secret (Standard Webhooks, ``whsec_…``) is returned **once**, in the answer to
  the POST that creates the endpoint (and in a replay of that answer for the same
  ``Idempotency-Key``). It is never listed or read again; to change the secret or the address,
  register a new endpoint and delete the old one.
* Deleting an endpoint deletes the channel. Deliveries to it still waiting are given up at once
  (``dead``, "removed by its organisation"), and the delivery log keeps the notifications with
  no endpoint ("(endpoint removed)").
"""

import math
import re

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from safeguarding.accounts import visibility
from safeguarding.api import preconditions
from safeguarding.api.errors import ProblemException
from safeguarding.api.idempotency import (
    HEADER,
    KEY_PARAMETER,
    REPLAYED_HEADER,
    created_parameters,
    idempotent,
)
from safeguarding.api.serializers import StrictSerializer, TextField
from safeguarding.api.views import ApiViewMixin, RestrictedViewSet

from . import services
from .models import Channel
from .services import EVENT_TYPES
from .webhooks import UnsafeURL, check_url

URL_MAX_LENGTH = Channel._meta.get_field("url").max_length
EVENT_TYPE_CHOICES = [(name, kind.title) for name, kind in EVENT_TYPES.items()]
EVENTS_LINK = "GET /api/v1/event-types/"


# --- the address ------------------------------------------------------------------------------

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
#: RFC 3986 path and query characters (unreserved, sub-delims, ``:@/%``; ``?`` in a query).
_PATH_CHAR = r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]"
_QUERY_CHAR = r"[A-Za-z0-9._~!$&'()*+,;=:@%/?-]"


def url_pattern() -> str:
    """A well-formed webhook address: ``https://`` (``http://`` too where
    ``WEBHOOKS_ALLOW_INTERNAL`` is on, for development), a host name or IPv4 address, an
    optional port, path and query; no user name, password or fragment. The same expression is
    the schema's ``pattern`` and the check here (whole string, ECMAScript and Python alike)."""
    scheme = "https?" if settings.WEBHOOKS_ALLOW_INTERNAL else "https"
    return (
        rf"^{scheme}://{_LABEL}(?:\.{_LABEL})*(?::{_PORT})?"
        rf"(?:/{_PATH_CHAR}*)?(?:\?{_QUERY_CHAR}*)?$"
    )


class WebhookURLField(serializers.CharField):
    """A webhook address: well formed (:func:`url_pattern`), then safe (``check_url``, which
    resolves the host name)."""

    default_error_messages = {
        "not_a_string": "Give the address as a JSON string.",
        "scheme": "Webhook addresses must start with https://",
        "invalid": "Give an address like https://hooks.example.org/safeguarding: a host name (or "
        "IPv4 address), an optional port, path and query, with no spaces, user name, password "
        "or #fragment.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", URL_MAX_LENGTH)
        kwargs["trim_whitespace"] = False  # an address with spaces around it is not one
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        value = super().to_internal_value(data)
        if len(value) > self.max_length:  # before any look-up (validators run after this)
            self.fail("max_length", max_length=self.max_length)
        pattern = url_pattern()
        if not re.fullmatch(pattern, value):
            schemes = ("https://", "http://") if pattern.startswith("^https?") else ("https://",)
            self.fail("invalid" if value.startswith(schemes) else "scheme")
        try:
            check_url(value)
        except UnsafeURL as e:
            raise ValidationError(str(e), code="unsafe_url") from e
        return value


class WebhookURLFieldSchema(OpenApiSerializerFieldExtension):
    target_class = WebhookURLField

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "string", "maxLength": self.target.max_length}
        if direction == "request":
            schema["pattern"] = url_pattern()
        return schema


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false`` only (DRF would also take ``"yes"``, ``1``, ``"on"``…)."""

    default_error_messages = {"invalid": "Give true or false (a JSON boolean)."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid")


def event_types_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(
            choices=EVENT_TYPE_CHOICES,
            error_messages={
                "invalid_choice": f'"{{input}}" is not an event type. Choose from: '
                f"{', '.join(EVENT_TYPES)} ({EVENTS_LINK}).",
            },
        ),
        min_length=1,
        max_length=50,
        error_messages={
            "min_length": f"Choose at least one event type ({EVENTS_LINK}).",
            "max_length": "Give at most {max_length} event types.",
        },
        help_text=f"The events to send to this endpoint, at least one ({EVENTS_LINK}). "
        "Repeats count once.",
        **kwargs,
    )


# --- serializers ------------------------------------------------------------------------------


class WebhookEndpointSerializer(serializers.Serializer):
    """A webhook endpoint of the caller's organisation. The signing secret is not shown."""

    id = serializers.IntegerField()
    url = serializers.CharField(help_text="Where the events are POSTed.")
    event_types = serializers.ListField(
        child=serializers.CharField(),
        help_text=f"The events sent to this endpoint ({EVENTS_LINK}).",
    )
    description = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField(
        help_text="Whether events are sent. Events that happen while an endpoint is switched "
        "off are not sent to it, then or later."
    )
    created_at = serializers.DateTimeField()


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """A new endpoint, with its signing secret: the only time the secret is shown."""

    secret = serializers.CharField(
        help_text="The signing secret (Standard Webhooks: `whsec_` and base64). **Shown only "
        "in this response**: store it now, in your receiving system's secret store. Every "
        "delivery carries `webhook-id`, `webhook-timestamp` and `webhook-signature` headers; "
        "verify them with this secret (e.g. the `standardwebhooks` libraries). It cannot be "
        "read again: to change it, rotate it (`POST …/rotate-secret/`)."
    )


class WebhookSecretSerializer(serializers.Serializer):
    """A webhook endpoint's new signing secret: the only time it is shown."""

    id = serializers.IntegerField(help_text="The endpoint's id.")
    secret = serializers.CharField(
        help_text="The new signing secret (`whsec_` and base64). **Shown only in this "
        "response**: store it now."
    )
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="Until then every delivery carries two signatures in `webhook-signature`, "
        "one with the new secret and one with the old, so your system can switch over "
        "without refusing anything; after it, only the new secret signs."
    )


class WebhookEndpointCreateSerializer(StrictSerializer):
    """A new webhook endpoint of the caller's organisation."""

    url = WebhookURLField(
        help_text="The https address of your receiving system. It must be reachable from the "
        "internet and resolve only to public addresses (no private, loopback or link-local "
        "ones); it is checked now and at every delivery. Deliveries do not follow redirects."
    )
    event_types = event_types_field()
    description = TextField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="What the endpoint is, for your own reference (e.g. which system).",
    )

    def validate_event_types(self, value):
        return list(dict.fromkeys(value))


class WebhookEndpointUpdateSerializer(StrictSerializer):
    """Changes to an endpoint: any of these fields. The address cannot change."""

    event_types = event_types_field(required=False)
    description = TextField(required=False, allow_blank=True, max_length=200)
    is_active = StrictBooleanField(
        required=False, help_text="Switch deliveries off (`false`) or on again (`true`)."
    )

    def validate_event_types(self, value):
        return list(dict.fromkeys(value))

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except ValidationError as exc:
            if isinstance(exc.detail, dict) and "url" in exc.detail:
                exc.detail["url"] = [
                    ErrorDetail(
                        "An endpoint's address cannot be changed: register a new endpoint and "
                        "delete this one.",
                        code="unknown_field",
                    )
                ]
            raise


class EventTypeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="What `event_types` and a delivery's `type` say.")
    title = serializers.CharField()
    summary = serializers.CharField(help_text="What happened, in one sentence.")


# --- views ------------------------------------------------------------------------------------


class IsPartner(permissions.BasePermission):
    """Partner agencies only (``visibility.registers_webhook_endpoints``): an organisation's API
    token, or a partner agency's user."""

    message = services.ONLY_PARTNERS_REGISTER

    def has_permission(self, request, view):
        return visibility.registers_webhook_endpoints(request.user)


ENDPOINT_ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The endpoint's id (from the list)."
)


@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Your organisation's webhook endpoints: where its system is told about events.

    Each delivery is a POST of a small JSON document (`type`, `timestamp`, and `data` with the
    `event_id`, the record's `reference` and a `link` that needs sign-in; never personal
    details), signed as Standard Webhooks specifies. Answer with any 2xx status within
    10 seconds; anything else is retried with backoff, with the same `webhook-id` (except
    410 Gone, which stops deliveries of that event to the endpoint).
    """

    queryset = Channel.objects.filter(kind=Channel.Kind.WEBHOOK).order_by("pk")
    serializer_class = WebhookEndpointSerializer
    permission_classes = [permissions.IsAuthenticated, IsPartner]
    rule_actions = {
        "partial_update": visibility.CHANGE,
        "destroy": visibility.CHANGE,
        "rotate_secret": visibility.CHANGE,
    }
    audit_reads = False  # where an organisation is told: nothing about a young person
    extra_problems = {
        "create": {
            409: "A request with this Idempotency-Key is still being processed: retry shortly.",
        },
        "partial_update": preconditions.PATCH_PROBLEMS,
        "rotate_secret": {
            409: "The secret was rotated in the last 24 hours (`Retry-After` says when another "
            "rotation is possible), or a request with this Idempotency-Key is still being "
            "processed.",
        },
    }

    @extend_schema(summary="Your organisation's webhook endpoints, oldest first")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="One of your webhook endpoints (without its secret)",
        description="The answer's `ETag` is the endpoint's version: send it as `If-Match` to "
        "change the endpoint.",
        parameters=[ENDPOINT_ID, preconditions.etag_parameter(200)],
    )
    def retrieve(self, request, *args, **kwargs):
        channel = self.get_object()
        return preconditions.with_etag(
            Response(self.represent(WebhookEndpointSerializer, channel)),
            channel,
            services.WEBHOOK_ENDPOINT_VERSION_FIELDS,
        )

    @extend_schema(
        summary="Register a webhook endpoint",
        description=(
            "Registers an address of your system to which the chosen events are POSTed, and "
            "returns it with its **signing secret, shown only in this response** (it is never "
            "listed or read again: store it now).\n\n"
            "The address must be `https://` and its host must resolve, only to public "
            "addresses; otherwise `url` is a 422 field error. Event type names are listed by "
            f"`{EVENTS_LINK}`.\n\n"
            f"**`{HEADER}` is required**: send a new UUID for each new endpoint, and the same "
            "one, with the same body, when you retry. A replayed answer (which carries the "
            f"same secret) has `{REPLAYED_HEADER}: true`."
        ),
        request=WebhookEndpointCreateSerializer,
        parameters=created_parameters("endpoint"),
        responses={
            201: OpenApiResponse(
                WebhookEndpointCreatedSerializer,
                description="The endpoint, with its signing secret (shown this once).",
            )
        },
    )
    def create(self, request, *args, **kwargs):
        return idempotent(
            request,
            lambda: self._create(request),
            missing=f"Send an {HEADER} header (a new UUID for each new endpoint) so that a "
            "retry cannot register the endpoint twice.",
        )

    def _create(self, request):
        serializer = WebhookEndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # An ApplicationError (the organisation's limit) is a 422 validation-failed problem
        # (problem_exception_handler), not about a field.
        channel = services.webhook_endpoint_create(by=request.user, **serializer.validated_data)
        # The signing secret, shown this once to whoever made it (not a field partners read).
        body = WebhookEndpointCreatedSerializer(channel).data
        location = request.build_absolute_uri(
            reverse("api:webhook-endpoint-detail", args=[channel.pk])
        )
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Change a webhook endpoint's events, description or whether it is on",
        description="Sets the fields given; the others stay as they are. The address cannot "
        "be changed: register a new endpoint (with a new secret) and delete this one. Safe to "
        "retry: it sets values, it does not add to them.\n\n"
        "**`If-Match` is required**: the `ETag` of the endpoint as you last read it (GET). If "
        "it has changed since, nothing is saved (412): read it again. The answer carries the "
        "endpoint's new `ETag`.",
        parameters=[
            ENDPOINT_ID,
            preconditions.IF_MATCH_PARAMETER,
            preconditions.etag_parameter(200),
        ],
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        channel = self.get_object()
        if_match = preconditions.read_if_match(request)
        serializer = WebhookEndpointUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        channel = services.webhook_endpoint_update(
            endpoint=channel, by=request.user, if_match=if_match, **serializer.validated_data
        )
        return preconditions.with_etag(
            Response(self.represent(WebhookEndpointSerializer, channel)),
            channel,
            services.WEBHOOK_ENDPOINT_VERSION_FIELDS,
        )

    @extend_schema(
        summary="Rotate a webhook endpoint's signing secret",
        description="Makes a new signing secret and answers with it (shown this once). For 24 "
        "hours deliveries are signed with both the new and the old secret (two signatures in "
        "`webhook-signature`, as Standard Webhooks allows), so your system can move to the new "
        "one without refusing a delivery. A second rotation within those 24 hours is refused "
        "(409, with `Retry-After`), so the secret you still use never stops signing "
        "unannounced.\n\n"
        f"**`{HEADER}` is required**: a retry with the same key gets the same new secret "
        "instead of making another.",
        parameters=[ENDPOINT_ID, KEY_PARAMETER],
        request=None,
        responses={200: WebhookSecretSerializer},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        return idempotent(
            request,
            lambda: self._rotate(request),
            missing=f"Send an {HEADER} header (a new UUID for each rotation) so that a retry "
            "cannot rotate the secret twice.",
        )

    def _rotate(self, request):
        channel = self.get_object()
        try:
            channel = services.webhook_endpoint_rotate_secret(endpoint=channel, by=request.user)
        except services.SecretRotationInProgress as e:
            wait = max(1, math.ceil((e.until - timezone.now()).total_seconds()))
            raise ProblemException(
                "secret-rotation-in-progress", e.messages[0], headers={"Retry-After": str(wait)}
            ) from e
        # The new signing secret, shown this once to whoever rotated it.
        return Response(WebhookSecretSerializer(channel).data)

    @extend_schema(
        summary="Delete a webhook endpoint",
        description="Deletes the endpoint and its secret: nothing more is sent to it. "
        "Deliveries to it that were still waiting (being retried) are given up. To pause "
        "deliveries instead, set `is_active` to `false`.",
        parameters=[ENDPOINT_ID],
        request=None,
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def destroy(self, request, *args, **kwargs):
        services.webhook_endpoint_delete(endpoint=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["webhooks"])
class EventTypeViewSet(ApiViewMixin, viewsets.ViewSet):
    """The kinds of event a webhook endpoint can be sent."""

    @extend_schema(
        summary="Event types a webhook endpoint can ask for",
        description="The names to give in a webhook endpoint's `event_types`; each delivery's "
        "`type` is one of them.",
        responses={200: EventTypeSerializer(many=True)},
    )
    def list(self, request):
        kinds = [
            {"name": name, "title": kind.title, "summary": kind.summary}
            for name, kind in EVENT_TYPES.items()
        ]
        return Response(EventTypeSerializer(kinds, many=True).data)
