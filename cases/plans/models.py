"""Safety plans (issue 15): a young person's safety plan, or a context safety plan for a place,
a school or a peer group, with its goals, the responses (``cases.Action`` rows grouped under
the plan and a goal), the measures of each goal and their dated values, and its reviews.

PRACTICE.md, "Plans, responses and measures": a few goals (for a context, positive statements
of what a safe context looks like, drawn from the assessment's sides), responses owned by
named organisations with due dates, measures per goal with a baseline and dated review values,
review dates; ending a plan needs a reason and a manager's sign-off."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from safeguarding.subjects.models import Subject


class Plan(models.Model):
    """One safety plan on one subject.

    ``kind`` follows the subject: a young person's safety plan for a young person, a context
    safety plan for a place (``contexts.Context``, schools included) or a peer group.

    Workflow: draft → active → ending (a manager's sign-off of the end is waiting: a
    ``safeguarding.approvals`` approval, never by the person who asked) → ended; a returned end
    request puts it back to active. ``next_review_on``: when it is next reviewed (each review
    sets the next). A young person's plan also holds where they feel safe, the adults they
    trust, what to do if they feel unsafe and the places to avoid: as text in their words, and
    as links to the places on our records where they are known.
    """

    class Kind(models.TextChoices):
        YOUNG_PERSON = "young_person", "Young person's safety plan"
        CONTEXT = "context", "Context safety plan"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ENDING = "ending", "Ending: waiting for sign-off"
        ENDED = "ended", "Ended"

    OPEN_STATUSES = (Status.DRAFT, Status.ACTIVE, Status.ENDING)

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(max_length=16, choices=Kind.choices, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    source_assessment = models.ForeignKey(
        "cases.Assessment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
        help_text="The approved assessment the plan was started from, if any.",
    )
    source_decision = models.ForeignKey(
        "cases.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
        help_text="The meeting's decision the plan was started from (a context conference's "
        "agreeing a context plan, say), if any.",
    )
    started_on = models.DateField(default=timezone.localdate)
    next_review_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # A young person's plan (blank on a context plan).
    safe_places = models.TextField(blank=True)
    trusted_adults = models.TextField(blank=True)
    if_unsafe = models.TextField(blank=True, help_text="What to do if they feel unsafe.")
    places_to_avoid = models.TextField(blank=True)
    safe_place_links = models.ManyToManyField(
        "contexts.Context", blank=True, related_name="plans_as_safe_place"
    )
    places_to_avoid_links = models.ManyToManyField(
        "contexts.Context", blank=True, related_name="plans_as_place_to_avoid"
    )
    #: Context plans and the plans of the young people they affect (both ways).
    linked_plans = models.ManyToManyField("self", blank=True, symmetrical=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "active", "ending", "ended"]),
                name="plan_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status="ended", ended_on__isnull=False)
                | (~models.Q(status="ended") & models.Q(ended_on__isnull=True)),
                name="plan_ended_on_iff_ended",
            ),
        ]
        indexes = [
            models.Index(fields=["subject", "status"]),
            # Plans due for review, soonest first.
            models.Index(fields=["status", "next_review_on", "id"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def reference(self) -> str:
        return f"PLN-{self.pk:06d}" if self.pk else "PLN-(new)"

    def get_absolute_url(self):
        return reverse("plans:plan", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def for_young_person(self) -> bool:
        return self.kind == self.Kind.YOUNG_PERSON

    def is_review_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return bool(
            self.status == self.Status.ACTIVE
            and self.next_review_on
            and self.next_review_on < today
        )


class Goal(models.Model):
    """One goal of a plan: for a context, a positive statement of what a safe context looks
    like (``source``: the key of the assessment's side it was drafted from, if it was)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    statement = models.TextField()
    source = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "position", "id"]

    def __str__(self):
        return f"Goal {self.position + 1} of {self.plan_id}"


class Measure(models.Model):
    """How a goal's progress is measured: a baseline (value and date), a target, which way is
    better, and who records its values (a worker of the council, or a partner organisation:
    exactly one). The values a kind allows are in :data:`RANGES`."""

    class Kind(models.TextChoices):
        COUNT = "count", "Count"
        PERCENTAGE = "percentage", "Percentage"
        RATING = "rating", "Rating from 1 to 10"
        YES_NO = "yes_no", "Yes or no"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    #: The values each kind allows, inclusive (a count has no upper bound): (lowest, highest).
    RANGES = {
        Kind.COUNT: (Decimal(0), None),
        Kind.PERCENTAGE: (Decimal(0), Decimal(100)),
        Kind.RATING: (Decimal(1), Decimal(10)),
        Kind.YES_NO: (Decimal(0), Decimal(1)),
    }

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    baseline_value = models.DecimalField(max_digits=10, decimal_places=2)
    baseline_on = models.DateField()
    target_value = models.DecimalField(max_digits=10, decimal_places=2)
    recorder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures_to_record",
    )
    recorder_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures_to_record",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["goal", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recorder_user__isnull=False, recorder_organisation__isnull=True)
                | models.Q(recorder_user__isnull=True, recorder_organisation__isnull=False),
                name="measure_has_one_recorder",
            )
        ]
        indexes = [models.Index(fields=["recorder_organisation"])]

    def __str__(self):
        return self.name

    @property
    def plan(self):
        return self.goal.plan

    def allows(self, value: Decimal) -> bool:
        low, high = self.RANGES[self.kind]
        if value < low or (high is not None and value > high):
            return False
        if self.kind in (self.Kind.COUNT, self.Kind.RATING, self.Kind.YES_NO):
            return value == value.to_integral_value()
        return True

    def better(self, value: Decimal, than: Decimal) -> bool | None:
        """Whether ``value`` is better than ``than`` (``None``: the same)."""
        if value == than:
            return None
        return (value > than) == (self.direction == self.Direction.HIGHER)

    def shown(self, value) -> str:
        """A value as the practitioner reads it ("Yes", "7", "35%")."""
        if value is None:
            return ""
        if self.kind == self.Kind.YES_NO:
            return "Yes" if value else "No"
        number = f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)
        return f"{number}%" if self.kind == self.Kind.PERCENTAGE else number


class MeasureValue(models.Model):
    """One dated value of a measure, recorded at a review or by the partner asked to record
    it. One value per measure per day: recording one again for the same day replaces it (a
    correction; ``measure_value_record``)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=10, decimal_places=2)
    recorded_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The organisation of whoever recorded it.",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measure", "recorded_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "recorded_on"], name="measure_value_once_a_day"
            )
        ]

    def __str__(self):
        return f"{self.value} on {self.recorded_on}"


class PlanReview(models.Model):
    """A review of a plan: when it was held, the progress on each goal (``progress``: a list of
    ``{"goal": goal id, "statement": the goal's words then, "progress": one of
    :data:`PROGRESS_CHOICES`, "note": text}``), what changes, and the next review date."""

    PROGRESS_CHOICES = (
        ("better", "Better"),
        ("same", "No change"),
        ("worse", "Worse"),
        ("met", "Goal met"),
    )

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField()
    progress = models.JSONField(default=list, blank=True)
    changes = models.TextField(blank=True, help_text="What changes in the plan.")
    next_review_on = models.DateField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "-held_on", "-id"]

    def __str__(self):
        return f"Review of {self.plan_id} on {self.held_on}"

    def get_absolute_url(self):
        return reverse("plans:review", args=[self.pk])


class PlanEvent(models.Model):
    """One step in a plan's history (added, never changed): each an entry in the subject's
    chronology."""

    class Kind(models.TextChoices):
        STARTED = "started", "Plan started"
        ACTIVATED = "activated", "Plan agreed and active"
        REVIEWED = "reviewed", "Plan reviewed"
        END_REQUESTED = "end_requested", "Plan end sent for sign-off"
        END_RETURNED = "end_returned", "Plan end returned with comments"
        ENDED = "ended", "Plan ended"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.plan_id})"
