"""Plans as the partner API reads and writes them (``/api/v1/plans/…``, ``cases/plans/api.py``).

What a plan shows is *the caller's part of it*: the plan's reference, kind, status and dates,
what it is about (by reference), and the actions and measures the caller may see under the
visibility rule — for a partner agency, the responses its organisation owns and the measures it
records; never another organisation's. Nothing of a young person's safety plan (safe places,
trusted adults, what to do if unsafe, places to avoid) is a field here, for anyone; and a
goal's words are shown to a partner only on a context plan (on a young person's plan they are
about the young person). Input serializers check shapes and formats only; the services decide
(a date in the future, a value outside the measure's range: 422 with the service's words).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safeguarding.api.serializers import StrictDateField, StrictSerializer, TextField

from ..api.serializers import ACTION_PROGRESS_CHOICES, ActionSubjectSerializer
from ..models import Action, Measure, Plan

#: A measure value as stored (``MeasureValue.value``: ten digits, two after the point).
VALUE_DIGITS, VALUE_PLACES = 10, 2


class NumberField(serializers.DecimalField):
    """A decimal number from a JSON number only (DRF's own field would also read ``"12"``, a
    string, which the schema's ``type: number`` does not allow), at most ``VALUE_PLACES``
    decimal places; answered as a JSON number (two decimal places at most, so exact)."""

    default_error_messages = {"not_a_number": "Give a number (a JSON number, not text)."}

    def __init__(self, **kwargs):
        super().__init__(VALUE_DIGITS, VALUE_PLACES, coerce_to_string=False, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("not_a_number")
        return super().to_internal_value(data)

    def to_representation(self, value):
        # A float, not a Decimal: the same JSON number whether the answer is rendered now or
        # replayed from its stored copy (idempotency.py stores ``response.data`` as JSON).
        return float(super().to_representation(value))


class GoalSerializer(serializers.Serializer):
    """The goal an action or a measure serves."""

    id = serializers.IntegerField()
    statement = serializers.CharField(
        allow_null=True,
        help_text="The goal's words (a positive statement of what a safe place looks like). "
        "Null for a partner on a young person's plan: its goals are about the young person.",
    )


class PlanActionSerializer(serializers.Serializer):
    """One of the plan's responses (an action) the caller may see."""

    id = serializers.IntegerField()
    goal = serializers.SerializerMethodField(help_text="The goal it serves (its id), if any.")
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=Action.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    due_on = serializers.DateField()
    overdue = serializers.BooleanField(source="is_overdue")
    progress_note = serializers.CharField(allow_blank=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_goal(self, action):
        # Worked out by the view from the rows it read (``goal_of``): the disclosure list
        # gives a partner an action's own fields, and the goal is the plan's.
        return self.context["goal_of"].get(action.pk)


class LatestValueSerializer(serializers.Serializer):
    value = NumberField()
    recorded_on = serializers.DateField()


class MeasureSerializer(serializers.Serializer):
    """A measure the caller may see (a partner: one its organisation is asked to record)."""

    id = serializers.IntegerField()
    goal = serializers.SerializerMethodField(help_text="The goal it measures (its id).")
    name = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=Measure.Kind.choices,
        help_text="`count` (a whole number from 0), `percentage` (0 to 100), `rating` (a whole "
        "number from 1 to 10) or `yes_no` (1 for yes, 0 for no).",
    )
    kind_label = serializers.CharField(source="get_kind_display")
    direction = serializers.ChoiceField(
        choices=Measure.Direction.choices, help_text="Whether higher or lower values are better."
    )
    baseline_value = NumberField()
    baseline_on = serializers.DateField(help_text="Values may be recorded from this date to today.")
    target_value = NumberField()
    latest = serializers.SerializerMethodField(help_text="The latest value recorded, if any.")

    @extend_schema_field({"type": "integer"})
    def get_goal(self, measure) -> int:
        return self.context["goal_of_measure"][measure.pk]

    @extend_schema_field(LatestValueSerializer(allow_null=True))
    def get_latest(self, measure):
        latest = self.context.get("latest", {}).get(measure.pk)
        return LatestValueSerializer(latest).data if latest is not None else None


class PlanSubjectSerializer(ActionSubjectSerializer):
    """What the plan is about, by reference."""


class PlanSummarySerializer(serializers.Serializer):
    """A plan in a list: what it is, where it is, and what it asks of the caller."""

    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The plan's reference, e.g. `PLN-000123`.")
    kind = serializers.ChoiceField(choices=Plan.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.ChoiceField(choices=Plan.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    subject = PlanSubjectSerializer(help_text="What the plan is about, by reference.")
    started_on = serializers.DateField()
    next_review_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)


class PlanSerializer(PlanSummarySerializer):
    """One plan: the caller's part of it (its actions and measures) and the goals they serve."""

    goals = GoalSerializer(many=True, help_text="The goals your actions and measures serve.")
    actions = PlanActionSerializer(many=True, help_text="The plan's actions you may see.")
    measures = MeasureSerializer(many=True, help_text="The plan's measures you may see.")


class PlanActionProgressSerializer(StrictSerializer):
    """Progress on a plan's action: either field, or both."""

    status = serializers.ChoiceField(
        choices=ACTION_PROGRESS_CHOICES,
        required=False,
        help_text="Cancelling an action is the council's decision, not available here.",
    )
    progress_note = TextField(
        required=False,
        allow_blank=True,
        max_length=5000,
        multiline=True,
        help_text="What has been done so far (replaces the previous note).",
    )


class MeasureValueSerializer(serializers.Serializer):
    """One dated value of a measure."""

    id = serializers.IntegerField()
    value = NumberField()
    recorded_on = serializers.DateField()
    note = serializers.SerializerMethodField(
        help_text="The note recorded with it: to a partner, for its own organisation's values "
        "only (null for the others: the council's notes stay with the council)."
    )
    by_your_organisation = serializers.SerializerMethodField(
        help_text="Whether your organisation recorded it."
    )
    recorded_at = serializers.DateTimeField()

    # Both worked out by the view from the rows it read (``value_notes``: the notes the caller
    # may read, by value; ``ours``: the caller's organisation's values).

    @extend_schema_field({"type": "string", "nullable": True})
    def get_note(self, value) -> str | None:
        return self.context["value_notes"].get(value.pk)

    @extend_schema_field({"type": "boolean"})
    def get_by_your_organisation(self, value) -> bool:
        return value.pk in self.context["ours"]


class MeasureValueInSerializer(StrictSerializer):
    """A value of a measure on a date."""

    value = NumberField(
        min_value=0,
        help_text="A JSON number with at most two decimal places, in the measure's range "
        "(its `kind`): a count from 0, a percentage 0 to 100, a rating 1 to 10, 1 or 0 for "
        "yes or no.",
    )
    recorded_on = StrictDateField(
        help_text="The day the value is for: from the measure's baseline date to today, not in "
        "the future. One value per measure per day: a second one for the same day replaces "
        "the first (a correction)."
    )
    note = TextField(
        required=False,
        allow_blank=True,
        max_length=2000,
        multiline=True,
        help_text="How the value was found (e.g. 'walkabout with the youth team, 6pm').",
    )
