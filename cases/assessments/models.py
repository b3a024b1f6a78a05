"""Assessments of a place, a peer group, a school or a young person, their evidence packs and
their history. What each kind asks is declared in ``definitions.py`` and ``kinds/``."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from safeguarding.subjects.models import InformationSource, Reliability, Subject


class Assessment(models.Model):
    """One assessment of one subject: a kind and the version of its definition, the answers
    (``answers``: question key → answer dict, shapes in ``definitions.py``), which sections are
    complete, and where it is in its workflow.

    Workflow: draft → submitted → approved, or submitted → returned (with comments) →
    submitted again. The sign-off is a ``safeguarding.approvals`` approval, never by the person
    who asked for it. ``due_on`` is ``started_on`` plus the kind's working days (English bank
    holidays skipped: ``safeguarding.working_days``); an assessment not approved by then is
    overdue.
    """

    class Kind(models.TextChoices):
        PLACE = "place", "Neighbourhood or place assessment"
        PEER_GROUP = "peer_group", "Friendship and peer group assessment"
        SCHOOL = "school", "School assessment"
        SCREENING = "screening", "Exploitation screening"
        WEIGHTING = "weighting", "Context weighting"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for sign-off"
        RETURNED = "returned", "Returned with comments"
        APPROVED = "approved", "Approved"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(help_text="The version of the kind's definition.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(default=dict, blank=True)
    sections_done = models.JSONField(default=list, blank=True)
    started_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True, help_text="The day it was approved.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: A partner agency filling it in (a school's designated safeguarding lead), if one does.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # What the answers concluded, kept as columns for lists, charts and the subject's page.
    threshold = models.CharField(max_length=16, blank=True)
    recommendation = models.CharField(max_length=24, blank=True)
    level_suggested = models.CharField(max_length=8, blank=True)
    level = models.CharField(max_length=8, blank=True)
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "submitted", "returned", "approved"]),
                name="assessment_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status="approved", completed_on__isnull=False)
                | (~models.Q(status="approved") & models.Q(completed_on__isnull=True)),
                name="assessment_completed_on_iff_approved",
            ),
        ]
        indexes = [
            models.Index(fields=["subject", "kind", "status"]),
            # Overdue lists: those not yet approved, soonest due first.
            models.Index(fields=["status", "due_on", "id"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def reference(self) -> str:
        return f"ASM-{self.pk:06d}" if self.pk else "ASM-(new)"

    def get_absolute_url(self):
        return reverse("assessments:assessment", args=[self.pk])

    @property
    def definition(self):
        """The definition of the version it was started with (``definitions.definition``)."""
        from .definitions import definition

        return definition(self.kind, self.version)

    @property
    def open(self) -> bool:
        """Being written: a draft or returned (the author may change its answers)."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def school_name(self) -> str:
        """The school's name, for a school assessment ("" for any other kind): read the
        subject's place with it (``select_related("subject__context")``)."""
        if self.kind != self.Kind.SCHOOL:
            return ""
        return self.subject.context.name

    @property
    def threshold_label(self) -> str:
        from .definitions import THRESHOLD_CHOICES

        return dict(THRESHOLD_CHOICES).get(self.threshold, "")

    @property
    def recommendation_label(self) -> str:
        from .definitions import RECOMMENDATION_CHOICES

        return dict(RECOMMENDATION_CHOICES).get(self.recommendation, "")

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status != self.Status.APPROVED and self.due_on < today


class EvidenceItem(models.Model):
    """One item of an assessment's evidence pack (``evidence.Item``), drafted when it was
    opened: suggested until the practitioner accepts, edits or drops it. ``text`` names no
    young person; ``linked_subject`` does, shown by name only to a viewer the rule lets see
    it."""

    class State(models.TextChoices):
        SUGGESTED = "suggested", "Not yet looked at"
        ACCEPTED = "accepted", "Accepted"
        EDITED = "edited", "Accepted with changes"
        DROPPED = "dropped", "Dropped"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    section = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=24)
    text = models.TextField()
    source = models.CharField(max_length=32, choices=InformationSource.choices)
    reliability = models.CharField(max_length=16, choices=Reliability.choices)
    occurred_on = models.DateField(null=True, blank=True)
    linked_subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    record = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.SUGGESTED)
    edited_text = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "section", "position", "id"]

    def __str__(self):
        return f"Evidence {self.pk} for {self.assessment_id}"

    @property
    def shown_text(self) -> str:
        return self.edited_text if self.state == self.State.EDITED else self.text

    @property
    def kept(self) -> bool:
        return self.state in (self.State.ACCEPTED, self.State.EDITED)


class AssessmentEvent(models.Model):
    """One step in an assessment's history (added, never changed): started, submitted,
    returned (with the comments), approved. Each is an entry in the subject's chronology."""

    class Kind(models.TextChoices):
        STARTED = "started", "Assessment started"
        SUBMITTED = "submitted", "Assessment sent for sign-off"
        RETURNED = "returned", "Assessment returned with comments"
        APPROVED = "approved", "Assessment approved"

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.assessment_id})"


class AssessmentMention(models.Model):
    """A young person, peer group or place an assessment names (in a linked-subjects answer
    or a kept evidence item), set when it is submitted: an entry in *that* subject's
    chronology, for staff who may see both it and the assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="mentions")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "subject"], name="assessment_mention_once"
            )
        ]

    def __str__(self):
        return f"Mention of {self.subject_id} in {self.assessment_id}"
