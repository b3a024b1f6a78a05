"""The retention schedule, legal holds, reviews of records due, and the stubs of records
disposed of (see the package's docstring)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RecordType(models.TextChoices):
    """The kinds of record the schedule covers. A young person's record is everything about
    them (cases, concerns, referrals, notes, documents, assessments, plans, meetings …)."""

    YOUNG_PERSON_PROTECTION = (
        "young_person_protection",
        "Young person with a child protection enquiry",
    )
    YOUNG_PERSON = "young_person", "Young person (child in need)"
    PLACE = "place", "Place"
    PEER_GROUP = "peer_group", "Peer group"
    NFA_REFERRAL = "nfa_referral", "Referral that never became a case (no further action)"


class StartsFrom(models.TextChoices):
    """The event the period is counted from."""

    LAST_ACTIVITY = "last_activity", "Last contact or activity"
    EIGHTEENTH_BIRTHDAY = (
        "eighteenth_birthday",
        "18th birthday (or last activity, if later)",
    )
    CLOSURE = "closure", "Closure (of the last case, or the referral's decision)"


class DisposalAction(models.TextChoices):
    ANONYMISE = "anonymise", "Anonymise"
    DELETE = "delete", "Delete"


class RetentionRule(models.Model):
    """How long an authority keeps one record type: ``years`` and ``months`` after
    ``starts_from``, then ``action``. One per (authority, record type); a missing one is the
    default of ``settings.RETENTION_DEFAULTS`` (``schedule.rules_for``)."""

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="retention_rules"
    )
    record_type = models.CharField(max_length=32, choices=RecordType.choices)
    years = models.PositiveSmallIntegerField(default=0)
    months = models.PositiveSmallIntegerField(default=0)
    starts_from = models.CharField(max_length=32, choices=StartsFrom.choices)
    action = models.CharField(max_length=16, choices=DisposalAction.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "record_type"], name="one_retention_rule_per_type"
            )
        ]
        ordering = ["authority", "record_type"]

    def __str__(self):
        return f"Retention of {self.get_record_type_display()} ({self.authority_id})"

    @property
    def period(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} year{'s' if self.years != 1 else ''}")
        if self.months:
            parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        return " and ".join(parts) or "no time"

    def describe(self) -> str:
        """The rule in words, e.g. "35 years after last contact or activity, then delete"."""
        return (
            f"{self.period} after {self.get_starts_from_display().lower()}, "
            f"then {self.get_action_display().lower()}"
        )


class RetentionRuleChange(models.Model):
    """A change of the schedule: who, when, why, and the rule before and after (in words)."""

    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    before = models.CharField(max_length=200)
    after = models.CharField(max_length=200)
    reason = models.TextField()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"Change {self.pk} of retention rule {self.rule_id}"


class HeldRecord(models.Model):
    """Abstract: which record (a subject, or a referral), by key and reference. The key
    (``subject:<id>`` or ``referral:<id>``) outlives the record; the reference is what pages
    show instead of a name."""

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    record_type = models.CharField(max_length=32, choices=RecordType.choices)
    record_key = models.CharField(max_length=40)
    reference = models.CharField(max_length=16)
    subject = models.ForeignKey(
        "subjects.Subject", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referral = models.ForeignKey(
        "cases.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class LegalHold(HeldRecord):
    """A legal hold: while it is in force (not lifted) the record is never due nor disposed
    of (litigation, an inquiry, a police investigation, a subject access request)."""

    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_key"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_legal_hold_in_force_per_record",
            )
        ]

    def __str__(self):
        return f"Legal hold {self.pk} on {self.reference}"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None


class RetentionReview(HeldRecord):
    """A record due for review (written by the listing, ``listing.list_due``): ``due``
    waits for the officer; ``extended`` is kept to ``extended_to`` (a new date) and is due again
    then; ``disposed``: done (see its :class:`DisposalStub`)."""

    class Status(models.TextChoices):
        DUE = "due", "Due"
        EXTENDED = "extended", "Extended"
        DISPOSED = "disposed", "Disposed of"

    rule = models.ForeignKey(
        RetentionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DUE)
    listed_at = models.DateTimeField(default=timezone.now)
    extended_to = models.DateField(null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    extend_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record_key"], name="one_retention_review_per_record")
        ]
        indexes = [models.Index(fields=["authority", "status", "due_on", "id"])]

    def __str__(self):
        return f"Retention review {self.pk} of {self.reference}"


class DisposalStub(models.Model):
    """What is left of a record disposed of: its type, reference, the rule it was disposed of
    under (in words, as it was then), when, who authorised it, the action taken, and how many
    rows of each related model went (``removed``: ``{"app_label.Model": count}``)."""

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    record_type = models.CharField(max_length=32, choices=RecordType.choices)
    reference = models.CharField(max_length=16)
    rule = models.CharField(max_length=200)
    action = models.CharField(max_length=16, choices=DisposalAction.choices)
    review = models.OneToOneField(
        RetentionReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="stub"
    )
    disposed_at = models.DateTimeField(default=timezone.now)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    removed = models.JSONField(default=dict)

    class Meta:
        ordering = ["-disposed_at", "-pk"]

    def __str__(self):
        return f"Disposal of {self.reference}"
