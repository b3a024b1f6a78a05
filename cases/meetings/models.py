"""Meetings about young people and contexts (PRACTICE.md, "Meetings"): strategy discussions,
MACE panels, context conferences and professionals' meetings; who was invited and who came,
the reports sent before, the agenda, the decisions, the minutes and their circulation.

A meeting's actions are ``cases.Action`` rows with ``meeting`` set (owner: a worker or a
partner organisation, and a due date). Its clocks (``clocks.py``) are counted in working days
from the day it was held: the settings ``STRATEGY_RECORD_CIRCULATED_WORKING_DAYS``,
``ICPC_DUE_WORKING_DAYS``, ``MINUTES_CIRCULATED_WORKING_DAYS`` and the context conference's
review months.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from safeguarding.subjects.models import Subject


class Meeting(models.Model):
    """One meeting. ``subject``: the young person (strategy discussion), the place, group or
    school (context conference) or whoever a professionals' meeting is about; ``None`` for a
    MACE panel, whose agenda items name its subjects instead.

    Workflow: scheduled → held → minutes drafted → minutes approved (by the chair) →
    circulated; or cancelled before it is held. ``previous``: the meeting this one follows (a
    MACE panel's last sitting, a context conference's earlier conference). ``sequence`` counts
    the changes sent to invitees (the calendar invitation's SEQUENCE, RFC 5545)."""

    class Kind(models.TextChoices):
        STRATEGY = "strategy", "Strategy discussion"
        MACE = "mace", "MACE panel"
        CONTEXT_CONFERENCE = "context_conference", "Context conference"
        PROFESSIONALS = "professionals", "Professionals' meeting"

    class Stage(models.TextChoices):
        INITIAL = "initial", "Initial"
        REVIEW = "review", "Review"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        MINUTES_DRAFTED = "minutes_drafted", "Minutes drafted"
        MINUTES_APPROVED = "minutes_approved", "Minutes approved"
        CIRCULATED = "circulated", "Minutes circulated"
        CANCELLED = "cancelled", "Cancelled"

    HELD_STATUSES = (
        Status.HELD,
        Status.MINUTES_DRAFTED,
        Status.MINUTES_APPROVED,
        Status.CIRCULATED,
    )

    kind = models.CharField(max_length=24, choices=Kind.choices)
    stage = models.CharField(max_length=8, choices=Stage.choices, blank=True)
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField(
        max_length=120, blank=True, help_text="A MACE panel's name, e.g. 'North MACE panel'."
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="following"
    )
    source_assessment = models.ForeignKey(
        "cases.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    online = models.BooleanField(default=False)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_chaired"
    )
    co_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings_co_chaired",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    held_on = models.DateField(null=True, blank=True)
    #: The day the minutes (a strategy discussion's record) must be circulated by.
    record_due_on = models.DateField(null=True, blank=True)
    #: A strategy discussion that decided an initial child protection conference: its due day.
    icpc_due_on = models.DateField(null=True, blank=True)
    icpc_held_on = models.DateField(null=True, blank=True)
    #: A context conference: the day its review must be held by.
    review_due_on = models.DateField(null=True, blank=True)
    next_meeting_on = models.DateField(null=True, blank=True)
    minutes_summary = models.TextField(blank=True)
    minutes_drafted_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    circulated_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="mace") | models.Q(subject__isnull=False),
                name="meeting_about_a_subject_unless_mace",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["authority", "status", "starts_at"]),
            models.Index(fields=["status", "record_due_on"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def reference(self) -> str:
        return f"MTG-{self.pk:06d}" if self.pk else "MTG-(new)"

    @property
    def name(self) -> str:
        """What pages and the calendar call it: its kind (and stage), or a MACE panel's title,
        and its reference. Never a child's details."""
        label = self.get_kind_display()
        if self.stage:
            label = f"{self.get_stage_display()} {label.lower()}"
        if self.title:
            label = self.title
        return f"{label} {self.reference}"

    def get_absolute_url(self):
        return reverse("meetings:meeting", args=[self.pk])

    @property
    def held(self) -> bool:
        return self.status in self.HELD_STATUSES

    @property
    def where(self) -> str:
        if self.online and self.location:
            return f"Online and {self.location}"
        return "Online" if self.online else self.location


class Invitee(models.Model):
    """Someone invited: a member of staff or a partner's user (``user``), an organisation
    (``organisation``, with a named person or not), or a partner with no account (an
    ``email`` with a ``name`` and ``role``). Attendance is recorded once the meeting is held."""

    class Attendance(models.TextChoices):
        INVITED = "invited", "Not recorded"
        ATTENDED = "attended", "Attended"
        APOLOGIES = "apologies", "Apologies"
        REPORT_ONLY = "report_only", "Sent a report only"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_invitations",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_invitations",
    )
    name = models.CharField(max_length=120, blank=True)
    role = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    attendance = models.CharField(
        max_length=16, choices=Attendance.choices, default=Attendance.INVITED
    )
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False)
                | models.Q(organisation__isnull=False)
                | ~models.Q(email=""),
                name="invitee_is_someone",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="invitee_user_once",
            ),
        ]

    def __str__(self):
        return f"Invitee {self.pk} of {self.meeting_id}"

    @property
    def shown_name(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.username
        return self.name or (self.organisation.name if self.organisation_id else self.email)


class MeetingReport(models.Model):
    """A report an invitee sent before the meeting (text; received when written here)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reports")
    invitee = models.ForeignKey(
        Invitee, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "received_at", "id"]

    def __str__(self):
        return f"Report {self.pk} for {self.meeting_id}"


class AgendaItem(models.Model):
    """One item on the agenda: a subject (a young person, a place, a group), a person of
    concern held as a reference only (``reference``: a police nominal number, never a name),
    or a theme. ``minutes_allowed``: its time box; ``discussion`` and ``update``: what was
    said and what changed (a MACE panel records the screening level it agreed in
    ``level``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField(default=0)
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    reference = models.CharField(
        max_length=40, blank=True, help_text="A person of concern's reference, never a name."
    )
    theme = models.CharField(max_length=200, blank=True)
    minutes_allowed = models.PositiveSmallIntegerField(default=10)
    discussion = models.TextField(blank=True)
    update = models.TextField(blank=True)
    level = models.CharField(max_length=8, blank=True)
    shareable = models.BooleanField(default=False)

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject__isnull=False)
                | ~models.Q(reference="")
                | ~models.Q(theme=""),
                name="agenda_item_is_about_something",
            )
        ]

    def __str__(self):
        return f"Agenda item {self.pk} of {self.meeting_id}"


class Decision(models.Model):
    """A decision, with its reasons and any dissent (who disagreed and why). For a strategy
    discussion, ``outcome`` says what it decided (PRACTICE.md) and ``icpc`` whether an initial
    child protection conference is to be held (due ``ICPC_DUE_WORKING_DAYS`` after)."""

    class Outcome(models.TextChoices):
        SECTION_47 = "section_47", "Section 47 enquiry"
        EXTRA_FAMILIAL = "extra_familial", "Extra-familial harm pathway"
        NO_FURTHER_ACTION = "nfa", "No further action"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    text = models.TextField()
    reason = models.TextField(blank=True)
    dissent = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    icpc = models.BooleanField(default=False)
    shareable = models.BooleanField(default=False)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "made_at", "id"]

    def __str__(self):
        return f"Decision {self.pk} of {self.meeting_id}"


class MinutesSection(models.Model):
    """A section of the minutes. ``shareable``: partners invited read it; the rest is the
    council's."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    position = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=120)
    text = models.TextField()
    shareable = models.BooleanField(default=False)

    class Meta:
        ordering = ["meeting", "position", "id"]

    def __str__(self):
        return f"Minutes section {self.pk} of {self.meeting_id}"
