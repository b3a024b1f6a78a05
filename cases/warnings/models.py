"""Warning notes and their history."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguarding.subjects.models import Subject

#: The most a warning's summary holds: a banner's worth (two lines of the banner at desktop
#: width). The details go in a case note.
SUMMARY_MAX_LENGTH = 200


class WarningNote(models.Model):
    """A warning on a subject (a young person, a place or a peer group) that everyone who opens
    its page must see first: proposed by a worker, authorised by a team manager (or declined
    with a reason), reviewed by a date, ended with a reason. Never deleted: an ended or
    declined warning stays, with its history (:class:`WarningNoteEvent`).

    Status workflow: proposed → authorised → ended; proposed → declined. Only an authorised
    warning is *in force* (shown as the banner).

    Categories follow the warning markers councils' case management systems keep, in the
    practitioners' words: risks to staff (an employer's duty to assess the risks of lone and
    home visiting: Management of Health and Safety at Work Regulations 1999, reg. 3; HSE's
    guidance on protecting lone workers, INDG73), and risks to the young person and to others
    outside the home (*Working Together to Safeguard Children 2023*, chapter 3, extra-familial
    harm: criminal and sexual exploitation, serious violence). No national list exists: these
    are ours.
    """

    class Category(models.TextChoices):
        LONE_WORKING = "lone_working", "Risk to staff: do not visit alone"
        RISK_TO_STAFF = "risk_to_staff", "Risk to staff: violence or threats"
        RISK_TO_OTHERS = "risk_to_others", "Risk to other young people"
        EXPLOITATION = "exploitation", "Exploitation risk (criminal or sexual)"
        WEAPONS = "weapons", "Weapons"
        HARM_TO_SELF = "harm_to_self", "Risk of harm to self"
        ANIMALS = "animals", "Dangerous animals at the address"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for authorisation"
        AUTHORISED = "authorised", "In force"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    class Told(models.TextChoices):
        """Whether the person the warning is about (or, for a young person, their parents or
        carers) was told of it: the right to be informed (UK GDPR arts. 13 and 14), which may
        be set aside where telling them would be likely to cause serious harm (Data Protection
        Act 2018, schedule 3, part 3: social work data)."""

        YES = "yes", "Yes"
        NO_RISK = "no_risk", "No: telling them would put someone at risk"
        NOT_YET = "not_yet", "Not yet"
        NOT_APPLICABLE = "not_applicable", "Does not apply (a place or a group)"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="warning_notes")
    category = models.CharField(max_length=24, choices=Category.choices)
    summary = models.CharField(
        max_length=SUMMARY_MAX_LENGTH,
        help_text="What to know at a glance; the details go in a case note.",
    )
    told = models.CharField(
        "whether they were told", max_length=16, choices=Told.choices, default=Told.NOT_YET
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    review_on = models.DateField("review date")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["proposed", "authorised", "declined", "ended"]),
                name="warning_note_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status="ended", ended_at__isnull=False)
                | (~models.Q(status="ended") & models.Q(ended_at__isnull=True)),
                name="warning_note_ended_at_iff_ended",
            ),
        ]
        indexes = [
            # The banner: a subject's warnings in force.
            models.Index(fields=["subject", "status"]),
            # Team managers' lists: waiting for authorisation, and due for review, soonest first.
            models.Index(fields=["status", "review_on", "id"]),
        ]

    def __str__(self):
        return f"Warning note {self.pk} on {self.subject_id and self.subject.reference}"

    @property
    def in_force(self) -> bool:
        return self.status == self.Status.AUTHORISED


class WarningNoteEvent(models.Model):
    """One step in a warning note's history (rows are added, never changed): proposed,
    authorised, declined, reviewed (kept, with a new review date) or ended; who, when, the
    reason or note, and the review date set at that step. Each is an entry in the subject's
    chronology."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", "Warning note proposed"
        AUTHORISED = "authorised", "Warning note authorised"
        DECLINED = "declined", "Warning note declined"
        REVIEWED = "reviewed", "Warning note reviewed"
        ENDED = "ended", "Warning note ended"

    warning = models.ForeignKey(WarningNote, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["warning", "at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.warning_id})"
