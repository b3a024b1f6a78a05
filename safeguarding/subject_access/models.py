"""A subject access request and its compiled bundle.

The right of access (UK GDPR Article 15): a person may have a copy of the personal data held
about them. The request is answered within one calendar month of receipt (Article 12(3)),
extendable by two further months where the request is complex or one of several, the person
told why (:mod:`safeguarding.subject_access.dates`).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from safeguarding.subjects.models import new_reference


class SubjectAccessRequest(models.Model):
    """One request for a young person's records, kept by the data protection officer of the
    authority that holds them.

    Workflow: received → identity checked → compiled (a bundle gathered) → reviewed (the
    officer has looked at every redaction) → sent → closed; refused (with a reason) from any
    step before it is sent. ``due_on``: one calendar month after ``received_on``;
    ``extended_due_on``: the later date an extension set (with ``extension_reason``)."""

    class Relationship(models.TextChoices):
        YOUNG_PERSON = "young_person", "The young person"
        PARENT_CARER = "parent_carer", "Parent or carer"
        REPRESENTATIVE = "representative", "A representative with authority"

    class IdentityMethod(models.TextChoices):
        PHOTO_ID = "photo_id", "Photo identification seen"
        KNOWN = "known", "Known to the service (verified by their worker)"
        DOCUMENTS = "documents", "Documents checked (birth certificate, letters)"
        AUTHORITY = "authority", "Representative's authority checked (signed consent, court order)"
        OTHER = "other", "Other"

    class Scope(models.TextChoices):
        EVERYTHING = "everything", "Everything held"
        DATE_RANGE = "date_range", "Records between two dates"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IDENTITY_CHECKED = "identity_checked", "Identity checked"
        COMPILED = "compiled", "Compiled"
        REVIEWED = "reviewed", "Reviewed"
        SENT = "sent", "Sent"
        CLOSED = "closed", "Closed"
        REFUSED = "refused", "Refused"

    #: Answered or ended: no longer due.
    FINISHED = (Status.SENT, Status.CLOSED, Status.REFUSED)

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    reference = models.CharField(max_length=16, unique=True, editable=False)
    young_person = models.ForeignKey(
        "cases.YoungPerson", on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    requester_name = models.CharField("requester's name", max_length=200)
    requester_relationship = models.CharField(
        "who is asking", max_length=16, choices=Relationship.choices
    )
    requester_contact = models.TextField(
        "how to reach them", help_text="An address, an email address or a telephone number."
    )
    identity_method = models.CharField(
        "how identity was checked", max_length=16, choices=IdentityMethod.choices, blank=True
    )
    identity_notes = models.TextField(blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    identity_checked_on = models.DateField(null=True, blank=True)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.EVERYTHING)
    scope_from = models.DateField(null=True, blank=True)
    scope_to = models.DateField(null=True, blank=True)
    scope_notes = models.TextField(blank=True)
    received_on = models.DateField()
    due_on = models.DateField(help_text="One calendar month after it was received.")
    extended_due_on = models.DateField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    refusal_reason = models.TextField(blank=True)
    sent_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "subject access request"
        indexes = [models.Index(fields=["authority", "status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope="everything")
                | models.Q(scope_from__isnull=False, scope_to__isnull=False),
                name="sar_date_range_has_dates",
            ),
            models.CheckConstraint(
                condition=models.Q(extended_due_on__isnull=True) | ~models.Q(extension_reason=""),
                name="sar_extension_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="sar_refusal_has_reason",
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("SAR")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("subject_access:request", args=[self.pk])

    @property
    def current_due_on(self):
        """The day it must be answered by: the extended date, if extended."""
        return self.extended_due_on or self.due_on

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return not self.finished and self.current_due_on < today


class Bundle(models.Model):
    """The records compiled for a request (one bundle; compiling again replaces it).

    ``items``: a list of dicts ``{"date": "YYYY-MM-DD", "kind", "reference", "title", "text",
    "fields": [[label, value], ...]}``, oldest first, as read from the records (names of others
    included: redaction is applied when the bundle is shown or written out, so the officer may
    withdraw one). ``redactions``: a list of dicts ``{"id", "value", "label", "reason",
    "source": "compiled"|"added", "active", "withdrawn_reason", "by", "at"}``
    (:mod:`safeguarding.subject_access.redaction`)."""

    request = models.OneToOneField(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="bundle"
    )
    items = models.JSONField(default=list)
    redactions = models.JSONField(default=list)
    compiled_at = models.DateTimeField(default=timezone.now)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "subject access bundle"

    def __str__(self):
        return f"Bundle of {self.request_id}"
