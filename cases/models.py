"""Young people, episodes of work (cases), concerns and referrals."""

from datetime import date, datetime, timedelta

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Replace, Upper
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from safeguarding.subjects.models import (
    InformationSource,
    Reliability,
    Subject,
    SubjectRecord,
    new_reference,
)


class HarmCategory(models.Model):
    """Reference data: the kinds of harm concerns and referrals are about."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name_plural = "harm categories"

    def __str__(self):
        return self.name


def compact_postcode():
    """A young person's postcode in capitals without spaces ("eb4 7qt" is "EB47QT"): what a
    search by postcode compares, and what an index of it holds (one expression for both, so the
    index serves the search)."""
    return Replace(Upper("postcode"), models.Value(" "), models.Value(""))


class YoungPerson(SubjectRecord):
    subject_kind = Subject.Kind.YOUNG_PERSON

    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        NON_BINARY = "non_binary", "Non-binary"
        OTHER = "other", "Other"
        NOT_KNOWN = "not_known", "Not known"

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.NOT_KNOWN)
    ethnicity = models.CharField(max_length=100, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    school = models.ForeignKey(
        "contexts.Context",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pupils",
        limit_choices_to={"kind": "school"},
    )
    nhs_number = models.CharField("NHS number", max_length=12, blank=True)
    unique_pupil_number = models.CharField(max_length=13, blank=True)
    vulnerabilities = models.TextField(
        blank=True, help_text="For example: looked after, SEND, missing from education."
    )
    restricted = models.BooleanField(
        default=False, help_text="Visible only to staff named on the record."
    )
    restricted_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "young people"
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            # Search by date of birth and by postcode (safeguarding/search.py). Names are
            # searched through the trigram indexes of migration 0004 (tuned in 0011).
            models.Index(fields=["date_of_birth"], name="cases_yp_date_of_birth"),
            models.Index(compact_postcode(), name="cases_yp_compact_postcode"),
        ]

    def get_absolute_url(self):
        return reverse("cases:young-person", args=[self.pk])

    def __str__(self):
        # The reference, not the name: str() ends up in audit rows, admin messages and logs.
        return self.subject.reference if self.subject_id else "new young person"

    @property
    def full_name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int | None:
        if not self.date_of_birth:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def clean(self):
        if self.restricted and not self.restricted_reason:
            raise ValidationError({"restricted_reason": "Say why the record is restricted."})


class Alias(models.Model):
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "aliases"

    def __str__(self):
        return f"alias of {self.young_person}"


class HarmFlag(models.Model):
    """A warning flag on a young person's record, reviewed by a date."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="flags")
    harm_category = models.ForeignKey(HarmCategory, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_on = models.DateField(default=timezone.localdate)
    review_by = models.DateField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-raised_on"]

    def __str__(self):
        return f"{self.harm_category} flag on {self.young_person}"


class Case(models.Model):
    """An episode of work on a subject: a young person, a peer group or a context.

    Status workflow: open → closing (awaiting manager sign-off) → closed; a closing case can be
    reopened. A closed case stays closed: new work is a new episode.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSING = "closing", "Closing (awaiting sign-off)"
        CLOSED = "closed", "Closed"

    TRANSITIONS = {
        Status.OPEN: {Status.CLOSING, Status.CLOSED},
        Status.CLOSING: {Status.OPEN, Status.CLOSED},
        Status.CLOSED: set(),
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


class Concern(models.Model):
    """Something that happened, logged by a practitioner, about one or more subjects."""

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="concerns"
    )
    reference = models.CharField(max_length=16, unique=True, editable=False)
    occurred_at = models.DateTimeField()
    location_description = models.CharField(
        max_length=300, blank=True, help_text="Where, in words, when it is not a known context."
    )
    narrative = models.TextField("what happened")
    harm_categories = models.ManyToManyField(HarmCategory, related_name="concerns")
    source = models.CharField(max_length=32, choices=InformationSource.choices)
    source_detail = models.CharField(max_length=200, blank=True)
    reliability = models.CharField(max_length=16, choices=Reliability.choices)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="logged_concerns",
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    subjects = models.ManyToManyField(Subject, through="ConcernSubject", related_name="concerns")

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["authority", "occurred_at"])]

    def get_absolute_url(self):
        return reverse("cases:concern", args=[self.pk])

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("CN")
        super().save(*args, **kwargs)


class ConcernSubject(models.Model):
    """A subject a concern is about, and its part in it."""

    class Part(models.TextChoices):
        HARMED = "harmed", "Harmed"
        AT_RISK = "at_risk", "At risk"
        HARMING = "harming", "Harming others"
        WITNESS = "witness", "Witness"
        LOCATION = "location", "Where it happened"
        LINKED_CONTEXT = "linked_context", "Linked context"
        PEER_GROUP = "peer_group", "Peer group involved"

    PARTS_BY_KIND = {
        Subject.Kind.YOUNG_PERSON: {Part.HARMED, Part.AT_RISK, Part.HARMING, Part.WITNESS},
        Subject.Kind.CONTEXT: {Part.LOCATION, Part.LINKED_CONTEXT},
        Subject.Kind.PEER_GROUP: {Part.PEER_GROUP},
    }

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="involvements")
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="concern_involvements"
    )
    part = models.CharField(max_length=16, choices=Part.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concern", "subject"], name="subject_once_per_concern")
        ]

    def __str__(self):
        return f"{self.subject} in {self.concern}"

    def clean(self):
        if self.subject_id and self.part not in self.PARTS_BY_KIND[self.subject.kind]:
            raise ValidationError({"part": "That part does not fit this kind of subject."})


class ConcernAudience(models.Model):
    """Who may see a concern, worked out ahead for each place or peer group it is about.

    A busy place gathers tens of thousands of concerns, and whether someone may see each one
    depends on the *other* subjects of that concern (the young people in it). Deciding that row
    by row costs a page several index probes per concern for every concern ever logged at the
    place. So, for each place or peer group a concern is about, this table lists who may see
    the concern under the concern rule (``safeguarding.accounts.visibility.concern_rule``):

    * a team (``team_group``, the guardian group its grants are held by) whose grants let its
      members see it;
    * a person (``user``): who logged it, and anyone named on one of the records that decide it;
    * the authority's senior managers (neither set), when the rule lets them see it.

    Derived, never edited by hand: ``cases.audience`` rewrites a concern's rows in the same
    transaction as anything the rule reads changes (its involvements, a grant on one of its
    subjects, a young person's restriction). Read only through ``visibility.concerns_about``.
    Young people are not listed: a concern about a young person someone may see is one they
    may see, so their pages need no table.
    """

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+", db_index=False)
    occurred_at = models.DateTimeField()
    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    team_group = models.ForeignKey(
        "auth.Group", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )

    class Meta:
        indexes = [
            # Each audience's concerns at a place, newest first (and counted in date windows).
            # (Covering: a place's concerns are counted from the index alone.)
            models.Index(
                fields=["subject", "team_group", "-occurred_at"],
                include=["concern", "authority"],
                condition=models.Q(team_group__isnull=False),
                name="concern_audience_team",
            ),
            models.Index(
                fields=["subject", "user", "-occurred_at"],
                include=["concern", "authority"],
                condition=models.Q(user__isnull=False),
                name="concern_audience_user",
            ),
            models.Index(
                fields=["subject", "authority", "-occurred_at"],
                include=["concern"],
                condition=models.Q(team_group__isnull=True, user__isnull=True),
                name="concern_audience_authority",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team_group__isnull=True) | models.Q(user__isnull=True),
                name="concern_audience_one_kind",
            )
        ]

    def __str__(self):
        return f"Audience of concern {self.concern_id} at subject {self.subject_id}"


def one_working_day_after(moment: datetime) -> datetime:
    """The decision deadline for a referral: the same local time on the next working day
    (not a weekend or an English bank holiday)."""
    due = timezone.localtime(moment) + timedelta(days=1)
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=[due.year, due.year + 1])
    while due.weekday() >= 5 or due.date() in bank_holidays:
        due += timedelta(days=1)
    return due


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


class YoungPersonUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(YoungPerson, on_delete=models.CASCADE)


class YoungPersonGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(YoungPerson, on_delete=models.CASCADE)


class Action(models.Model):
    """Something someone must do about a subject, by a date: owned by a worker or by a partner
    organisation (for example in a context safety plan). Plans will group actions; until then
    an action hangs directly off its subject."""

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


# --- borough-wide figures (hotspots and themes), worked out ahead -----------------------------


class BoroughFigures(models.Model):
    """When an authority's borough-wide figures were last worked out (``cases.figures``).

    Hotspots and themes count across the whole borough: a million concerns at a large
    authority's size. Counting them for every page would cost seconds, so they are counted
    ahead — every ``BOROUGH_FIGURES_REFRESH_SECONDS`` by Celery beat (in-process with ``make
    run``), and when the demo borough is seeded — into
    ``PlaceConcernCount``, ``MonthlyConcernCount`` and ``MonthlyReferralCount``; pages say when.
    """

    authority = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    worked_out_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField(null=True, blank=True, help_text="The last day the windows include.")
    seconds = models.FloatField(null=True, blank=True, help_text="How long working out took.")

    class Meta:
        verbose_name_plural = "borough figures"

    def __str__(self):
        return f"Figures of {self.authority_id} as of {self.as_of}"


class PlaceConcernCount(models.Model):
    """Concerns at a place in the last 30, 90 and 365 days up to ``BoroughFigures.as_of`` and in
    the same number of days before, of one harm (or of any harm: ``harm`` empty)."""

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    place = models.ForeignKey("contexts.Context", on_delete=models.CASCADE, related_name="+")
    harm = models.ForeignKey(HarmCategory, null=True, on_delete=models.CASCADE, related_name="+")
    current_30 = models.PositiveIntegerField(default=0)
    previous_30 = models.PositiveIntegerField(default=0)
    current_90 = models.PositiveIntegerField(default=0)
    previous_90 = models.PositiveIntegerField(default=0)
    current_365 = models.PositiveIntegerField(default=0)
    previous_365 = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["authority", "harm"], name="place_count_authority_harm")]

    def __str__(self):
        return f"Concerns at {self.place_id}"


class MonthlyConcernCount(models.Model):
    """Concerns per month of one harm, at places of one kind (``place_kind`` empty: anywhere)."""

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(help_text="The first day of the month.")
    harm = models.ForeignKey(HarmCategory, on_delete=models.CASCADE, related_name="+")
    place_kind = models.CharField(max_length=32, blank=True)
    concerns = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["authority", "place_kind", "month"])]

    def __str__(self):
        return f"Concerns in {self.month:%Y-%m}"


class MonthlyReferralCount(models.Model):
    """Referrals received per month from one organisation, with one decision (empty: not
    decided yet)."""

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(help_text="The first day of the month.")
    source_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    decision = models.CharField(max_length=32, blank=True)
    referrals = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["authority", "month"])]

    def __str__(self):
        return f"Referrals in {self.month:%Y-%m}"
