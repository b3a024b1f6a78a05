"""Casework: episodes of work (cases), their allocations and transfers, actions, case notes
and documents."""

import uuid
from datetime import date

from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from safeguarding.subjects.models import (
    InformationSource,
    Reliability,
    Subject,
)


class Case(models.Model):
    """An episode of work on a subject: a young person, a peer group or a context.

    Status workflow: open → closing (the allocated worker or a team manager asks to close it,
    with the reason) → closed (the team manager of the case's team signs it off); a closing case
    the manager returns is open again. A closed case is reopened only by a team manager of its
    team, with a reason, within ``settings.CASE_REOPEN_DAYS`` days (28 by default) of its
    closure: local policy, following the usual practice of children's services that a case
    closed in error, or whose circumstances change within weeks, is reopened rather than
    re-referred; after that, new work is a new episode (a new case on the subject). Every
    step is a :class:`CaseStatusChange`; risk and review-date changes are
    :class:`CaseRiskChange` rows (``cases.casework.services``).
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSING = "closing", "Closing (awaiting sign-off)"
        CLOSED = "closed", "Closed"

    TRANSITIONS = {
        Status.OPEN: {Status.CLOSING, Status.CLOSED},
        Status.CLOSING: {Status.OPEN, Status.CLOSED},
        Status.CLOSED: {Status.OPEN},  # reopened within CASE_REOPEN_DAYS only
    }

    class Risk(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"
        NOT_ASSESSED = "not_assessed", "Not yet assessed"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="cases")
    allocated_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocated_cases",
        help_text="Empty while the case waits in the team's unallocated queue.",
    )
    risk = models.CharField(max_length=16, choices=Risk.choices, default=Risk.NOT_ASSESSED)
    next_review_due = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=~models.Q(status="closed"),
                name="one_open_case_per_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(status="closed", closed_at__isnull=False)
                | (~models.Q(status="closed") & models.Q(closed_at__isnull=True)),
                name="case_closed_at_iff_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["allocated_worker", "status"]),
            # A team's unallocated queue, longest waiting first, read a page at a time.
            models.Index(
                fields=["team", "opened_at", "id"],
                condition=models.Q(allocated_worker__isnull=True) & ~models.Q(status="closed"),
                name="case_unallocated_queue",
            ),
        ]

    def get_absolute_url(self):
        return reverse("cases:case", args=[self.pk])

    def __str__(self):
        return f"Case {self.pk} on {self.subject_id and self.subject.reference}"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class CaseRiskChange(models.Model):
    """A change of a case's risk level or next review date, or both, with why: rows are added,
    never rewritten (the history; ``services.case_risk_set``). ``*_before`` is what the case
    held until this change (``next_review_due_before`` empty when it had no date)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_changes")
    risk_before = models.CharField(max_length=16, choices=Case.Risk.choices)
    risk_after = models.CharField(max_length=16, choices=Case.Risk.choices)
    next_review_due_before = models.DateField(null=True, blank=True)
    next_review_due_after = models.DateField(null=True, blank=True)
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "changed_at", "id"]
        indexes = [models.Index(fields=["case", "changed_at"])]

    def __str__(self):
        return f"Risk or review change on case {self.case_id}"


class CaseStatusChange(models.Model):
    """A step of a case's closure: asked for (with the closure reason), signed off, returned
    to the worker (with the manager's comment), reopened (with why). Rows are added, never
    rewritten (the history; ``services.case_close_request`` and the rest)."""

    class Kind(models.TextChoices):
        CLOSE_REQUESTED = "close_requested", "Closure requested"
        SIGNED_OFF = "signed_off", "Closure signed off"
        RETURNED = "returned", "Closure returned"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status_before = models.CharField(max_length=16, choices=Case.Status.choices)
    status_after = models.CharField(max_length=16, choices=Case.Status.choices)
    reason = models.TextField(
        blank=True,
        help_text="The closure reason, the manager's comment on a return, or why it reopened.",
    )
    open_actions_handed_over = models.BooleanField(
        default=False,
        help_text="On a closure request: the worker confirmed the open actions are handed over.",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} on case {self.case_id}"


class Allocation(models.Model):
    """Who held a case, from when until when. Rows are added, never rewritten: the history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_allocation",
            )
        ]

    def __str__(self):
        return f"Allocation of case {self.case_id}"


class TransferRequest(models.Model):
    """A case offered to another team; the receiving team's manager accepts or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the receiving team"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfer_requests")
    from_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    to_team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="incoming_transfers"
    )
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="one_pending_transfer_per_case",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_team=models.F("to_team")), name="transfer_between_teams"
            ),
        ]

    def __str__(self):
        return f"Transfer of case {self.case_id}"


class Action(models.Model):
    """Something someone must do about a subject, by a date: owned by a worker or by a partner
    organisation (for example in a context safety plan). An action may be a response in a
    safety plan (``plan``, and the plan's ``goal`` it serves, both of the same subject);
    otherwise it hangs directly off its subject."""

    class Status(models.TextChoices):
        OPEN = "open", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    due_on = models.DateField()
    #: The meeting that agreed it, if one did (``cases.meetings``).
    meeting = models.ForeignKey(
        "cases.Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    progress_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the owner was told it is overdue."
    )
    plan = models.ForeignKey(
        "cases.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    goal = models.ForeignKey(
        "cases.Goal", null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_user__isnull=False)
                | models.Q(owner_organisation__isnull=False),
                name="action_has_an_owner",
            )
        ]
        indexes = [
            models.Index(fields=["owner_user", "status"]),
            models.Index(fields=["owner_organisation", "status"]),
        ]

    def __str__(self):
        return f"Action {self.pk} on {self.subject_id and self.subject.reference}"

    @property
    def is_overdue(self) -> bool:
        return self.status in self.OPEN_STATUSES and self.due_on < date.today()


class CaseNote(models.Model):
    """A dated note on a young person, a place or a peer group: a visit, a contact, direct
    work, an observation at a place, a professionals' discussion or management oversight.

    ``occurred_at``: when the contact happened (in the past; the chronology's date);
    ``written_at``: when it was recorded. ``seen``/``seen_alone`` answer only for a young person
    (``None`` otherwise): whether the child was seen, and seen alone, as *Working Together to
    Safeguard Children* (2023) asks visits to record. A note is never deleted: one written in
    error is struck out (``struck_at``, ``struck_by``, ``strike_reason``) and stays on the
    record, shown struck through.
    """

    class Kind(models.TextChoices):
        VISIT = "visit", "Visit"
        CONTACT = "contact", "Contact"
        DIRECT_WORK = "direct_work", "Direct work"
        OBSERVATION = "observation", "Observation at a place"
        PROFESSIONALS = "professionals", "Professionals' discussion"
        OVERSIGHT = "oversight", "Management oversight"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="case_notes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField("when")
    present = models.TextField("who was present", blank=True)
    seen = models.BooleanField("young person seen", null=True, blank=True)
    seen_alone = models.BooleanField("young person seen alone", null=True, blank=True)
    text = models.TextField("note")
    source = models.CharField(max_length=32, choices=InformationSource.choices)
    reliability = models.CharField(max_length=16, choices=Reliability.choices)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)
    struck_at = models.DateTimeField(null=True, blank=True)
    struck_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    strike_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            # A subject's notes, newest first (its panel and its chronology).
            models.Index(fields=["subject", "-occurred_at", "-id"], name="case_note_by_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(seen_alone=True) | models.Q(seen=True),
                name="case_note_seen_alone_needs_seen",
            ),
        ]

    def __str__(self):
        return f"Case note {self.pk} on {self.subject_id and self.subject.reference}"

    def get_absolute_url(self):
        return reverse("cases:case-note", args=[self.pk])

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None

    @property
    def is_oversight(self) -> bool:
        return self.kind == self.Kind.OVERSIGHT


class _DocumentsStorage(LazyObject):
    """The ``documents`` storage of ``settings.STORAGES``, looked up when first used (and again
    after the setting changes, as in a test that keeps documents in a temporary directory)."""

    def _setup(self):
        from django.core.files.storage import storages

        self._wrapped = storages["documents"]


_documents_storage = _DocumentsStorage()


@receiver(setting_changed)
def _documents_storage_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _documents_storage._wrapped = empty


def documents_storage():
    """Where documents are kept: the ``documents`` storage of ``settings.STORAGES`` (a private
    directory, or S3-compatible storage in production), never under ``MEDIA_URL``."""
    return _documents_storage


def document_path(document, filename: str) -> str:
    """A stored document's name: its authority and its random reference, never the name it was
    uploaded with (which can name a child)."""
    return f"{document.subject.authority_id}/{document.reference.hex}"


class Document(models.Model):
    """A file attached to a subject, or to one of its case notes: a letter, minutes, a photo of
    a place. Its type is sniffed from its bytes when it is added
    (``cases.casework.documents.check_upload``); it is downloaded only through
    ``DocumentDownloadView`` (the rule, and an audit row for every download), by its
    ``reference``, never by its file name."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="documents")
    case_note = models.ForeignKey(
        CaseNote, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField("what it is", max_length=200)
    file = models.FileField(storage=documents_storage, upload_to=document_path, max_length=200)
    filename = models.CharField("file name", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(help_text="Bytes.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            models.Index(fields=["subject", "-uploaded_at", "-id"], name="document_by_subject"),
        ]

    def __str__(self):
        return f"Document {self.pk} on {self.subject_id and self.subject.reference}"

    def get_absolute_url(self):
        return reverse("cases:document", args=[self.reference])
