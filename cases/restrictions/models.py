"""Restrictions, the record of who is named on a restricted young person and why, and
break-glass access.

The grant rows (``cases.YoungPersonUserObjectPermission``, written through
``safeguarding.accounts.grants``) stay what the visibility rule reads; :class:`NamedStaff` is
the register beside them: who was named, on what basis, by whom, when and why, and when that
ended. :class:`Restriction` is one period of a record being restricted, with its review date;
:class:`BreakGlassAccess` a time-limited read of a record its user is not named on.

They are not registered with django-auditlog: each step writes its own audit row on the young
person (restricted, kept, lifted: ``services.audit``; named or un-named by hand:
``cases/naming.py``; break-glass: ``breakglass.break_glass``), and the grant rows it changes
are audited as ever.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Restriction(models.Model):
    """One period of a young person's record being restricted (``YoungPerson.restricted``):
    why, by whom, when it is next reviewed, and when and why it was lifted. At most one open
    (not lifted) restriction per young person. Reviews keep it with a new review date or lift
    it (``services.restriction_review``), each audited on the young person."""

    young_person = models.ForeignKey(
        "cases.YoungPerson", on_delete=models.PROTECT, related_name="restrictions"
    )
    reason = models.TextField()
    restricted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    restricted_at = models.DateTimeField(default=timezone.now)
    review_on = models.DateField("review date")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["review_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_open_restriction_per_young_person",
            )
        ]
        indexes = [
            models.Index(
                fields=["review_on"],
                condition=models.Q(lifted_at__isnull=True),
                name="cases_restriction_due",
            )
        ]

    def __str__(self):
        return f"Restriction of {self.young_person}"

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None


class NamedStaff(models.Model):
    """Someone named on a restricted young person, on one basis, for a while (``ended_at``
    empty: still). The same person may be named on more than one basis at once (the allocated
    worker who was also named by hand): they stay named while any of their rows is open."""

    class Basis(models.TextChoices):
        ALLOCATED = "allocated", "Allocated worker"
        MANAGER = "manager", "Manager of the team holding the record"
        BY_HAND = "by_hand", "Named by a manager"

    #: The bases kept by the services of the work itself (allocation, transfer, a manager
    #: joining or leaving the team), never by hand.
    AUTOMATIC = (Basis.ALLOCATED, Basis.MANAGER)

    young_person = models.ForeignKey(
        "cases.YoungPerson", on_delete=models.CASCADE, related_name="named_staff_rows"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=16, choices=Basis.choices)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    named_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["named_at", "pk"]
        verbose_name_plural = "named staff"
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "user", "basis"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_naming_per_basis",
            )
        ]

    def __str__(self):
        return f"{self.get_basis_display()} on {self.young_person}"


class BreakGlassAccess(models.Model):
    """An out-of-hours manager's time-limited read of a young person's record they may not
    otherwise see (``breakglass.break_glass``): VIEW from ``started_at`` until ``expires_at``
    (or ``ended_at``, if they close it sooner). The visibility rule probes it by
    (user, young person, expiry)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    young_person = models.ForeignKey(
        "cases.YoungPerson", on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    reason = models.TextField()
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name_plural = "break-glass accesses"
        indexes = [
            models.Index(
                fields=["user", "young_person", "expires_at"],
                condition=models.Q(ended_at__isnull=True),
                name="cases_break_glass_open",
            )
        ]

    def __str__(self):
        return f"Break-glass on {self.young_person}"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.ended_at is None and self.started_at <= now < self.expires_at
