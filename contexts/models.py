"""Contexts: the places, schools and online spaces where young people are harmed or kept safe."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from safeguarding.subjects.models import Subject, SubjectRecord


class Context(SubjectRecord):
    subject_kind = Subject.Kind.CONTEXT

    class Kind(models.TextChoices):
        PARK = "park", "Park or open space"
        ESTATE = "estate", "Estate, block or stairwell"
        TRANSPORT_HUB = "transport_hub", "Station or transport hub"
        TRANSPORT_ROUTE = "transport_route", "Transport route (bus, train)"
        SHOP = "shop", "Takeaway, shop or business"
        SCHOOL = "school", "School or college"
        ONLINE = "online", "Online space"
        OTHER = "other", "Other place"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"])]

    def get_absolute_url(self):
        return reverse("contexts:context", args=[self.pk])

    def __str__(self):
        return self.name


class ContextGuardian(models.Model):
    """An organisation or adult with influence over a context (a "capable guardian")."""

    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="guardians")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guardianships",
    )
    name = models.CharField(
        max_length=200, blank=True, help_text="The adult or role, e.g. 'Station duty manager'."
    )
    role = models.CharField(max_length=200, blank=True)
    present_when = models.CharField(
        "when they are present",
        max_length=200,
        blank=True,
        help_text="For example, weekdays 7am to 7pm, or match days.",
    )
    contact = models.CharField("how to contact them", max_length=200, blank=True)
    notes = models.TextField(blank=True)
    told_of_concerns = models.BooleanField(
        default=False,
        help_text="The organisation asked to be told when a concern is logged at this place "
        "(on its notification channels that receive 'Concern logged at a place').",
    )
    #: Ended guardians stay on the place's page (under "No longer guardians"), never deleted.
    ended_on = models.DateField(null=True, blank=True)
    ended_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["context", "organisation__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | ~models.Q(name=""),
                name="guardian_has_organisation_or_name",
            )
        ]

    def __str__(self):
        return self.name or str(self.organisation)

    def get_absolute_url(self):
        return self.context.get_absolute_url()


# Object-level grants (django-guardian, direct foreign keys rather than its generic tables).
class ContextUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Context, on_delete=models.CASCADE)


class ContextGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Context, on_delete=models.CASCADE)
