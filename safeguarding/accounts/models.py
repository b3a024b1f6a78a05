"""Organisations, teams and users: who works where, in what role."""

from django.contrib.auth.models import AbstractUser, Group
from django.db import models


class Organisation(models.Model):
    """A local authority or a partner agency."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        POLICE = "police", "Police"
        SCHOOL = "school", "School or college"
        TRANSPORT = "transport", "Transport (rail, bus, stations)"
        BUSINESS = "business", "Business (fast food, shops)"
        HOUSING = "housing", "Housing"
        HEALTH = "health", "Health"
        YOUTH_SERVICE = "youth_service", "Youth service"
        FIRE = "fire", "Fire and rescue"
        FAITH_COMMUNITY = "faith_community", "Faith or community group"
        VOLUNTARY = "voluntary", "Voluntary sector"
        RESIDENTS = "residents", "Residents' association"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # The local authority a partner works with; a local authority's own is itself (null).
    authority = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partners",
        limit_choices_to={"kind": "local_authority"},
        help_text="For a partner agency: the local authority it works with.",
    )
    safeguarding_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_local_authority(self) -> bool:
        return self.kind == self.Kind.LOCAL_AUTHORITY

    @property
    def authority_id_for_access(self):
        """The local authority whose records this organisation's users work on."""
        return self.pk if self.is_local_authority else self.authority_id


class Team(models.Model):
    """A team in a local authority. Its guardian group holds the team's object grants."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="teams",
        limit_choices_to={"kind": "local_authority"},
    )
    name = models.CharField(max_length=200)
    # Object grants to the whole team (its caseload) are stored against this group.
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="team", editable=False
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_in_org")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.group_id is None:
            self.group = Group.objects.create(name=f"team:{self.organisation_id}:{self.name}")
        super().save(*args, **kwargs)


class User(AbstractUser):
    class Role(models.TextChoices):
        SOCIAL_WORKER = "social_worker", "Social worker"
        TEAM_MANAGER = "team_manager", "Team manager"
        SENIOR_MANAGER = "senior_manager", "Senior manager"
        PARTNER = "partner", "Partner agency user"
        ADMINISTRATOR = "administrator", "Administrator"
        # The authority's data protection officer (UK GDPR Articles 37-39): its access logs,
        # retention and subject access requests; no casework, no user administration.
        DATA_PROTECTION_OFFICER = "data_protection_officer", "Data protection officer"

    STAFF_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER)

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.SOCIAL_WORKER)
    job_title = models.CharField(max_length=200, blank=True)
    # Set only by the demo seed (``manage.py seed_borough``, development only): this login may
    # skip the second factor, and only while SAFEGUARDING_MODE is not production
    # (safeguarding.accounts.middleware.second_factor_exempt). Production ignores it.
    mfa_exempt_demo = models.BooleanField(
        "demo user without a second factor",
        default=False,
        editable=False,
        help_text="Development only: a demo login that signs in without a second factor.",
    )
    # Separation of duties (accounts/separation.py): the administrator who added this account,
    # who may not also activate it; and when someone else last changed its email address
    # (password reset links are held for a while after, PASSWORD_RESET_HOLD_AFTER_EMAIL_CHANGE).
    added_by = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    email_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The out-of-hours manager's break-glass (cases/restrictions/breakglass.py): may open a
    # restricted young person they are not named on, for BREAK_GLASS_MINUTES, giving a reason.
    # Set by an administrator in the admin, never on themselves (separation.py).
    may_break_glass = models.BooleanField(
        "out-of-hours manager",
        default=False,
        help_text=(
            "Out-of-hours manager: may open a restricted record they are not named on, "
            "giving a reason."
        ),
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if (
            self.role != self.Role.ADMINISTRATOR
            and not self.is_superuser
            and not self.organisation_id
        ):
            errors["organisation"] = (
                "Every user except an administrator belongs to an organisation."
            )
        if self.team_id and self.team.organisation_id != self.organisation_id:
            errors["team"] = "The team must belong to the user's organisation."
        if self.role in (self.Role.SOCIAL_WORKER, self.Role.TEAM_MANAGER) and not self.team_id:
            errors["team"] = "Social workers and team managers belong to a team."
        if (
            self.role == self.Role.PARTNER
            and self.organisation_id
            and self.organisation.is_local_authority
        ):
            errors["role"] = "Partner agency users belong to a partner organisation."
        if (
            self.role in self.STAFF_ROLES
            and self.organisation_id
            and not self.organisation.is_local_authority
        ):
            errors["role"] = "Council staff roles belong to a local authority."
        if (
            self.role == self.Role.DATA_PROTECTION_OFFICER
            and self.organisation_id
            and not self.organisation.is_local_authority
        ):
            errors["role"] = "The data protection officer belongs to a local authority."
        if errors:
            raise ValidationError(errors)

    @property
    def is_council_staff(self) -> bool:
        """For templates: :func:`safeguarding.accounts.visibility.is_council_staff`."""
        from safeguarding.accounts import visibility

        return visibility.is_council_staff(self)
