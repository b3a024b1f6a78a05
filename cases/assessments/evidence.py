"""The evidence pack: what the product already knows about an assessment's subject, drafted
when the assessment is opened, for the practitioner to accept, edit or drop.

A definition's ``evidence`` names a builder ``builder(subject, user) -> list[Item]`` (in
``packs.py``: ``place``, ``peer_group``, ``young_person``) that drafts the items; the
engine keeps them as ``EvidenceItem`` rows (``models.py``) on the assessment. Builders read
only through the one visibility rule (``visibility.restrict``/``about``/``concerns_about``), as
the user opening the assessment, and write no young person's name into an item's text: an
item that is about a young person, a group or a place links its ``Subject`` (``subject``), and
the page shows the name only to a viewer the rule lets see that subject.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Item:
    """One piece of evidence.

    * ``section``: the key of the definition's section it supports ("" for the whole
      assessment);
    * ``kind``: what it is (:data:`KINDS`);
    * ``text``: what it says, in neutral words with no young person's name (for example
      "7 concerns of child criminal exploitation here in March 2026");
    * ``source``, ``reliability``: ``InformationSource`` and ``Reliability`` values
      (``safeguarding.subjects.models``) — for a summary of several records, the least reliable
      of them and ``"other"`` unless they share one source;
    * ``occurred_on``: the date it is about (the latest, for a summary), or ``None``;
    * ``subject``: the ``Subject`` it names (a young person, a group, a place), or ``None``;
    * ``record``: ``"app_label.model:pk"`` of the record it comes from, or "".
    """

    section: str
    kind: str
    text: str
    source: str
    reliability: str
    occurred_on: date | None = None
    subject: object | None = None
    record: str = ""


#: The kinds of evidence item, and how the pack heads them.
KINDS = {
    "concerns": "Concerns by harm and month",
    "young_person": "Young people linked through concerns",
    "peer_group": "Peer groups linked through concerns",
    "place": "Places linked through concerns",
    "guardian": "Guardians of the place",
    "referral": "Recent referrals",
    "membership": "Group memberships",
    "relationship": "Relationships",
    "missing": "Missing episodes",
    "previous": "From the previous assessment",
}
