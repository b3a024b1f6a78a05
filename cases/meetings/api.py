"""The partner API's meetings (/api/v1/meetings/): the meetings the caller's organisation (or,
signed in, the caller) is invited to, and sending a report before one.

Read through the one rule (``visibility.meeting_rule``: a partner sees only the meetings it is
invited to) and the disclosure list (when, where, what kind, where it is in its workflow; never
the council's minutes summary). A report is ``services.meeting_report_send``: refused once the
meeting is held (422)."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from safeguarding.api.idempotency import HEADER, REPLAYED_HEADER, created_parameters, idempotent
from safeguarding.api.serializers import StrictSerializer, TextField
from safeguarding.api.views import RestrictedViewSet

from . import services
from .models import Meeting


class MeetingSubjectSerializer(serializers.Serializer):
    kind = serializers.CharField()
    reference = serializers.CharField()


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The meeting's reference, e.g. `MTG-000123`.")
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    stage = serializers.CharField(allow_blank=True, help_text="A context conference's stage.")
    status = serializers.ChoiceField(choices=Meeting.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    where = serializers.CharField(allow_blank=True, help_text="A place, or `Online`.")
    subject = MeetingSubjectSerializer(
        allow_null=True, help_text="What it is about, by reference (none for a MACE panel)."
    )


class MeetingReportCreateSerializer(StrictSerializer):
    text = TextField(
        max_length=20000,
        multiline=True,
        help_text="Your organisation's report for the meeting (read by the chair and council).",
    )


class MeetingReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meeting = serializers.CharField(source="meeting.reference")
    text = serializers.CharField()
    received_at = serializers.DateTimeField()


@extend_schema(tags=["meetings"])
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Meetings your organisation is invited to: strategy discussions, MACE panels, context
    conferences and professionals' meetings."""

    queryset = Meeting.objects.select_related("subject").order_by("-starts_at", "-pk")
    serializer_class = MeetingSerializer
    extra_problems = {
        "reports": {
            409: "A request with this Idempotency-Key is still being processed: retry shortly.",
        }
    }

    @extend_schema(summary="Meetings your organisation is invited to, newest first")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="One meeting your organisation is invited to")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Send your report for a meeting",
        description=(
            "Before the meeting is held. Each call adds a report.\n\n"
            f"**`{HEADER}` is required**: a new UUID for each new report, the same one, with "
            f"the same body, when you retry. A replayed answer carries `{REPLAYED_HEADER}: true`."
        ),
        request=MeetingReportCreateSerializer,
        parameters=created_parameters("report"),
        responses={201: OpenApiResponse(MeetingReportSerializer, description="The report.")},
    )
    @action(detail=True, methods=["post"], url_path="reports")
    def reports(self, request, *args, **kwargs):
        meeting = self.get_object()
        return idempotent(
            request,
            lambda: self._report(request, meeting),
            missing=f"Send an {HEADER} header (a new UUID for each new report) so that a retry "
            "cannot send the report twice.",
        )

    def _report(self, request, meeting):
        serializer = MeetingReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.meeting_report_send(
            by=request.user, meeting=meeting, text=serializer.validated_data["text"]
        )
        data = MeetingReportSerializer(report).data
        location = request.build_absolute_uri(reverse("api:meeting-detail", args=[meeting.pk]))
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})
