"""Concerns: what was seen or heard, whom and where it involves, who may see it, and the
borough's figures of concerns and referrals worked out ahead (``cases.figures``)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from safeguarding.subjects.models import (
    InformationSource,
    Reliability,
    Subject,
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
