"""Sign-off: a generic approval of something a practitioner asks a manager to agree.

PRACTICE.md: "a generic approval (requested → approved / returned with comments), never by the
requester, for assessments, screening overrides, plans agreed or ended, case closures,
warnings." One :class:`Approval` row is one request for sign-off of one *target* (any model: an
assessment today, a plan or a closure later), about the subject whose team decides it. The
target's own model keeps its own workflow and history; it learns the decision through the
callback it registered (``registry.register``), in the decision's transaction.

How to reuse it for another kind of target: ``docs/approvals.md``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q

from safeguarding.subjects.models import Subject


class Approval(models.Model):
    """A request for sign-off of ``target``, and its decision.

    ``subject``: the young person's, place's or peer group's ``Subject`` whose team decides
    (a team manager who may change it: ``visibility``'s rule for approvals). ``what`` names the
    kind of thing (``"Neighbourhood or place assessment"``), ``reference`` the target's
    reference (``"ASM-000012"``) and ``link`` its path: what lists and notifications show, so
    none of the three may hold personal data. ``note``: what the requester adds for the
    manager; ``comments``: the manager's, required when returning.

    Status: requested → approved, returned (with comments) or withdrawn (by the requester).
    At most one approval of a target waits at a time; a target returned and changed is asked
    for again with a new row, so the rows of a target are its sign-off history.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for sign-off"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned with comments"
        WITHDRAWN = "withdrawn", "Withdrawn"

    #: Statuses that say a manager decided (``decided_by`` and ``decided_at`` set).
    DECIDED = (Status.APPROVED, Status.RETURNED)

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="approvals")
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    what = models.CharField(max_length=200)
    reference = models.CharField(max_length=32)
    link = models.CharField(max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals_requested"
    )
    requested_at = models.DateTimeField()
    note = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approvals_decided",
    )
    #: When it stopped waiting: decided (approved, returned) or withdrawn.
    decided_at = models.DateTimeField(null=True, blank=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["requested", "approved", "returned", "withdrawn"]),
                name="approval_status_known",
            ),
            # Never signed off by the one who asked (NULL while waiting: the check passes).
            models.CheckConstraint(
                condition=~Q(decided_by=F("requested_by")),
                name="approval_not_decided_by_requester",
            ),
            models.UniqueConstraint(
                fields=["target_type", "target_id"],
                condition=Q(status="requested"),
                name="approval_one_waiting_per_target",
            ),
            # Waiting: nobody decided yet. Decided: by whom and when. Withdrawn: when only.
            models.CheckConstraint(
                condition=(
                    Q(status="requested", decided_by__isnull=True, decided_at__isnull=True)
                    | Q(
                        status__in=["approved", "returned"],
                        decided_by__isnull=False,
                        decided_at__isnull=False,
                    )
                    | Q(status="withdrawn", decided_by__isnull=True, decided_at__isnull=False)
                ),
                name="approval_decision_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned", comments=""),
                name="approval_returned_with_comments",
            ),
        ]
        indexes = [
            # What waits (My work's "Waiting for your sign-off"), oldest first.
            models.Index(
                fields=["requested_at", "id"],
                condition=Q(status="requested"),
                name="approval_waiting",
            ),
            # What waits on one subject (its page, its team's lists).
            models.Index(
                fields=["subject", "requested_at"],
                condition=Q(status="requested"),
                name="approval_waiting_on_subject",
            ),
            # A target's sign-off history; what one person asked for.
            models.Index(
                fields=["target_type", "target_id", "requested_at"], name="approval_of_target"
            ),
            models.Index(fields=["requested_by", "status"], name="approval_requested_by"),
        ]

    def __str__(self):
        return f"Sign-off of {self.reference}"

    @property
    def waiting(self) -> bool:
        return self.status == self.Status.REQUESTED

    @property
    def target_label(self) -> str:
        """The target's ``app_label.ModelName`` (what its callback is registered under)."""
        return ContentType.objects.get_for_id(self.target_type_id).model_class()._meta.label
