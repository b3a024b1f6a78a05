"""The front door: referrals from partner agencies and staff, and what they are about."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from cases.concerns.models import HarmCategory
from safeguarding.subjects.models import (
    Subject,
    new_reference,
)
from safeguarding.working_days import add_working_days


def one_working_day_after(moment: datetime) -> datetime:
    """The decision deadline for a referral: the same local time on the next working day
    (not a weekend or an English bank holiday: ``safeguarding.working_days``)."""
    local = timezone.localtime(moment)
    return local + timedelta(days=(add_working_days(local.date(), 1) - local.date()).days)


class Referral(models.Model):
    """A referral to the front door, from a partner agency or from staff."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        SCREENING = "screening", "Screening"
        DECIDED = "decided", "Decided"
        CLOSED = "closed", "Closed"

    TRANSITIONS = {
        Status.RECEIVED: {Status.SCREENING, Status.DECIDED},
        Status.SCREENING: {Status.DECIDED},
        Status.DECIDED: {Status.CLOSED},
        Status.CLOSED: set(),
    }

    class Decision(models.TextChoices):
        NO_FURTHER_ACTION = "nfa", "No further action"
        SIGNPOST = "signpost", "Signpost"
        EARLY_HELP = "early_help", "Early help"
        YOUNG_PERSON_ASSESSMENT = "yp_assessment", "Assessment of the young person"
        STRATEGY_DISCUSSION = "strategy", "Strategy discussion"
        CONTEXT_ASSESSMENT = "context_assessment", "Context assessment"
        MACE = "mace", "Refer to MACE"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        URGENT = "urgent", "Urgent (same day)"
        IMMEDIATE = "immediate", "Immediate risk of harm"

    class Consent(models.TextChoices):
        GIVEN = "given", "Consent given"
        NOT_GIVEN = "not_given", "Consent not given"
        NOT_SOUGHT = "not_sought", "Not sought (would increase risk or not appropriate)"

    class LawfulBasis(models.TextChoices):
        PUBLIC_TASK = "public_task", "Public task (UK GDPR 6(1)(e))"
        LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (UK GDPR 6(1)(c))"
        VITAL_INTERESTS = "vital_interests", "Vital interests (UK GDPR 6(1)(d))"
        CONSENT = "consent", "Consent (UK GDPR 6(1)(a))"

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_received"
    )
    reference = models.CharField(max_length=16, unique=True, editable=False)
    source_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_made"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referrer_name = models.CharField(max_length=200)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    decision_due_at = models.DateTimeField()
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    harm_categories = models.ManyToManyField(HarmCategory, related_name="referrals")
    narrative = models.TextField()
    consent = models.CharField(max_length=16, choices=Consent.choices)
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices)
    lawful_basis_detail = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    decision = models.CharField(max_length=32, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at"]  # the front door works oldest first
        indexes = [
            models.Index(fields=["authority", "status", "received_at"]),
            models.Index(fields=["source_organisation", "received_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["received", "screening"], decision="")
                | (models.Q(status__in=["decided", "closed"]) & ~models.Q(decision="")),
                name="referral_decision_iff_decided",
            )
        ]

    def get_absolute_url(self):
        return reverse("cases:referral", args=[self.pk])

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("REF")
        if not self.decision_due_at:
            self.decision_due_at = one_working_day_after(self.received_at)
        super().save(*args, **kwargs)

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class ReferralSubject(models.Model):
    """Who or what a referral is about: as the referrer described it, and, once known, the
    council's record it has been linked to."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="about")
    kind = models.CharField(max_length=16, choices=Subject.Kind.choices)
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="referral_links"
    )
    # As described by the referrer (a person or a place).
    described_name = models.CharField(max_length=200, blank=True)
    described_date_of_birth = models.DateField(null=True, blank=True)
    described_address = models.TextField(blank=True)
    described_postcode = models.CharField(max_length=10, blank=True)
    described_place_kind = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject__isnull=False) | ~models.Q(described_name=""),
                name="referral_subject_linked_or_described",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} in {self.referral}"
