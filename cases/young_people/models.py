"""Young people: who they are, their other names and the harms flagged on them."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Replace, Upper
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.concerns.models import HarmCategory
from safeguarding.subjects.models import (
    InformationSource,
    Subject,
    SubjectRecord,
)


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
    # Blank when only one name is known (never a placeholder: templates say "not known").
    family_name = models.CharField(
        max_length=100, blank=True, help_text="Leave this empty if they have only one name."
    )
    #: The full name as a referrer gave it, when the record was made from it: the given and
    #: family names were split from it at the last space (cases/young_people/names.py), so it
    #: is kept and shown until someone who knows checks the split.
    name_as_given = models.CharField(
        max_length=200,
        blank=True,
        help_text="The full name as the referrer gave it, before it was split.",
    )
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
        return " ".join(n for n in (self.preferred_name or self.given_name, self.family_name) if n)

    def get_additional_data(self) -> dict | None:
        """What django-auditlog adds to this record's audit rows: ``{"break_glass": True}`` on
        a row written for an out-of-hours manager while their break-glass access to it is
        open (``cases/restrictions/breakglass.py``), so reads under break-glass stand out in
        the access log; None otherwise."""
        from cases.restrictions.breakglass import acting_under_break_glass

        return {"break_glass": True} if acting_under_break_glass(self) else None

    def age_on(self, day: date) -> int | None:
        if not self.date_of_birth:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def clean(self):
        from .dates import check_date_of_birth

        if self.restricted and not self.restricted_reason:
            raise ValidationError({"restricted_reason": "Say why the record is restricted."})
        try:  # the admin (full_clean): the same rule as every other way in
            check_date_of_birth(self.date_of_birth)
        except ValidationError as error:
            raise ValidationError({"date_of_birth": error.messages}) from None


class Alias(models.Model):
    """Another name a young person is known by (a nickname, a street or online name, a former
    name), with where we learnt it. An alias that is no longer used is ended (``ended_on``,
    with a reason), never deleted: it stays in the record's history and in search (a young
    person may still be referred under an old name). ``ended_on`` empty: in use."""

    class Kind(models.TextChoices):
        NICKNAME = "nickname", "Nickname or shortened name"
        STREET = "street", "Street name"
        ONLINE = "online", "Online name or username"
        FORMER = "former", "Former or other legal name"
        SPELLING = "spelling", "Other spelling"
        OTHER = "other", "Other"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    source = models.CharField(
        "where the name came from",
        max_length=32,
        choices=InformationSource.choices,
        blank=True,
    )
    notes = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField("no longer used from", null=True, blank=True)
    ended_reason = models.CharField(max_length=500, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "aliases"
        ordering = ["name", "pk"]

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


class YoungPersonUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(YoungPerson, on_delete=models.CASCADE)


class YoungPersonGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(YoungPerson, on_delete=models.CASCADE)
