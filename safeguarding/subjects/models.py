"""Subjects: what work is about.

A young person, a peer group and a context (a place, a school, an online space) are each a
*subject*. Every subject has exactly one row here, created with it, and anything that can be
about "any subject" (cases, concerns, referrals, and later assessments, plans and meetings)
points at this table. Adding a kind of record that attaches to subjects therefore needs no
change to the young person, peer group or context models.
"""

import secrets

from django.db import models

# Crockford's base32 without look-alike characters: references are read out over the phone.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference(prefix: str) -> str:
    """A random, non-sequential reference such as ``YP-7K2M9QDX4T``.

    References are what notifications and partners quote instead of a child's details, so they
    carry no information (no counts, no initials, no dates). Ten characters from 32 make a
    clash unlikely even among millions of rows (about 1 in 2,000 at a million); the unique
    constraint catches the rest.
    """
    return f"{prefix}-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))


# Byte -> character: the low five bits of a byte pick from the 32 characters. 256 = 8 x 32, so a
# uniformly random byte gives a uniformly random character, as secrets.choice does.
_REFERENCE_BYTES = bytes.maketrans(
    bytes(range(256)), "".join(_REFERENCE_ALPHABET[b % 32] for b in range(256)).encode("ascii")
)


def new_references(prefix: str, count: int) -> list[str]:
    """``count`` references like ``new_reference(prefix)``'s, drawn in one go (bulk creation).

    Same alphabet, length and randomness (one CSPRNG byte per character), about fifty times
    faster than calling ``new_reference`` in a loop. Not checked for clashes: callers that
    write many at once check against the table (the unique constraint is the last word).
    """
    raw = secrets.token_bytes(10 * count).translate(_REFERENCE_BYTES).decode("ascii")
    return [f"{prefix}-{raw[i : i + 10]}" for i in range(0, 10 * count, 10)]


class Reliability(models.TextChoices):
    """How far a piece of information can be relied on (recorded with its source)."""

    CONFIRMED = "confirmed", "Confirmed (seen or verified)"
    RELIABLE = "reliable", "Reliable source, not verified"
    UNTESTED = "untested", "Untested or second-hand"
    DOUBTFUL = "doubtful", "Doubtful"


class InformationSource(models.TextChoices):
    POLICE = "police", "Police"
    SCHOOL = "school", "School or college"
    YOUNG_PERSON = "young_person", "The young person"
    FAMILY = "family", "Family or carer"
    PROFESSIONAL = "professional", "Professional observation"
    PARTNER_AGENCY = "partner_agency", "Partner agency"
    COMMUNITY = "community", "Member of the public or community"
    ANONYMOUS = "anonymous", "Anonymous"
    OTHER = "other", "Other"


class Subject(models.Model):
    class Kind(models.TextChoices):
        YOUNG_PERSON = "young_person", "Young person"
        PEER_GROUP = "peer_group", "Peer group"
        CONTEXT = "context", "Context"

    PREFIXES = {Kind.YOUNG_PERSON: "YP", Kind.PEER_GROUP: "PG", Kind.CONTEXT: "CTX"}
    # The reverse accessor from a subject to its record, by kind.
    RECORD_ACCESSORS = {
        Kind.YOUNG_PERSON: "youngperson",
        Kind.PEER_GROUP: "peergroup",
        Kind.CONTEXT: "context",
    }

    kind = models.CharField(max_length=16, choices=Kind.choices, editable=False)
    reference = models.CharField(max_length=16, unique=True, editable=False)
    # The local authority whose record this is.
    authority = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="subjects",
        limit_choices_to={"kind": "local_authority"},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["authority", "kind"])]

    def __str__(self):
        return self.reference

    @classmethod
    def build(cls, *, kind: str, authority) -> "Subject":
        """An unsaved subject with a fresh reference (for bulk creation)."""
        return cls(kind=kind, authority=authority, reference=new_reference(cls.PREFIXES[kind]))

    def get_absolute_url(self):
        return self.concrete.get_absolute_url()

    @property
    def display_name(self) -> str:
        record = self.concrete
        return record.full_name if self.kind == self.Kind.YOUNG_PERSON else record.name

    @property
    def concrete(self):
        """The young person, peer group or context this subject is."""
        return getattr(self, self.RECORD_ACCESSORS[self.kind])


class SubjectRecord(models.Model):
    """Abstract base for the three kinds of subject.

    Saving a new one creates its ``Subject`` row first; give the owning local authority as
    ``authority=`` when constructing it. (Bulk creation builds the Subject rows itself.)
    """

    subject_kind: str = ""

    subject = models.OneToOneField(
        Subject, on_delete=models.PROTECT, related_name="%(class)s", editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.subject_id is None:
            authority = getattr(self, "_authority", None)
            if authority is None:
                raise ValueError(f"A new {self._meta.verbose_name} needs its authority")
            subject = Subject.build(kind=self.subject_kind, authority=authority)
            subject.save()
            self.subject = subject
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        return self.subject.reference

    @property
    def authority(self):
        return self.subject.authority

    @authority.setter
    def authority(self, value):
        self._authority = value
