"""Assessment kinds are declared, not hand-built page by page.

An assessment kind (a place assessment, an exploitation screening …) is a :class:`Definition`:
its sections, each with its questions (prompt, hint, answer type), the subjects it may be
about, how its evidence pack is drafted and how its result is summed up. The one engine
(``cases/assessments/services.py``, ``views.py``, the templates under
``templates/assessments/``) builds every page, form, validation message and summary from it.

**Versions.** A definition is identified by ``(kind, version)``. Once a version has shipped it
is never edited: a changed question is a new version, declared beside the old one. An
assessment keeps the version it was started with (``Assessment.version``) and always renders
with it (:func:`definition`). ``tests/assessments/test_definitions.py`` keeps the digest of
every shipped version, so editing one fails the build.

**Adding a kind or a question** is a declaration in ``cases/assessments/kinds/`` (registered in
``kinds/__init__.py``) plus a test; nothing else changes.

Answer types (``Question.type``), and what an answer holds (``Assessment.answers[key]``, a
dict):

* :data:`TEXT` — ``{"value": str}``
* :data:`YES_POSSIBLE_NO` — ``{"value": "yes"|"possible"|"no"|"not_known"}``
* :data:`RAG` — ``{"value": "red"|"amber"|"green", "evidence": str}`` (red/amber/green with
  the evidence for the rating: the school assessment's indicators)
* :data:`RATING` — ``{"value": int}`` from ``Question.scale`` (low to high)
* :data:`CHOICE` — ``{"value": str}``, one of ``Question.choices``
* :data:`DATE` — ``{"value": "YYYY-MM-DD"}``
* :data:`LINKED_SUBJECTS` — ``{"value": [subject references], "note": str}``: young people,
  places or groups the answer is about, picked from those the user may see
* :data:`INDICATOR` — ``{"value": yes|possible|no|not_known, "evidence": str,
  "when": "current"|"historic"}``: an exploitation screening indicator, the evidence (what is
  known, with its source) kept apart from the worker's judgement, which is a :data:`TEXT`
  question of its own
* :data:`WEIGHT` — ``{"value": 0..10, "reason": str}``: how much one context drives the harm

Any answer may also hold ``"carried_from"``: the reference of the approved assessment it was
carried forward from, until the practitioner changes it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TEXT = "text"
YES_POSSIBLE_NO = "yes_possible_no"
RAG = "rag"
RATING = "rating"
CHOICE = "choice"
DATE = "date"
LINKED_SUBJECTS = "linked_subjects"
INDICATOR = "indicator"
WEIGHT = "weight"

ANSWER_TYPES = (
    TEXT,
    YES_POSSIBLE_NO,
    RAG,
    RATING,
    CHOICE,
    DATE,
    LINKED_SUBJECTS,
    INDICATOR,
    WEIGHT,
)

YES_POSSIBLE_NO_CHOICES = (
    ("yes", "Yes"),
    ("possible", "Possible"),
    ("no", "No"),
    ("not_known", "Not known"),
)
RAG_CHOICES = (("red", "Red"), ("amber", "Amber"), ("green", "Green"))
WHEN_CHOICES = (
    ("current", "Current (in the last 6 months)"),
    ("historic", "Historic (more than 6 months ago)"),
)

#: The threshold level a context assessment ends with (PRACTICE.md, "The three assessment
#: triangles": universal; universal partnership plus; complex or high risk).
THRESHOLD_CHOICES = (
    ("universal", "Universal"),
    ("universal_plus", "Universal partnership plus"),
    ("complex", "Complex or high risk"),
)
#: What a context assessment recommends (PRACTICE.md).
RECOMMENDATION_CHOICES = (
    ("nfa", "No further action"),
    ("universal_actions", "Universal partners' actions"),
    ("context_conference", "Context conference"),
    ("joint_mace", "Joint work with the MACE panel"),
)
#: An exploitation screening's levels (PRACTICE.md, "Exploitation screening").
LEVEL_CHOICES = (("low", "Low"), ("medium", "Medium"), ("high", "High"))


@dataclass(frozen=True)
class Question:
    """One question of a section.

    ``key``: unique within the definition (the key of its answer); ``prompt``: the question as
    the form asks it (a GOV.UK label or legend); ``hint``: the GOV.UK hint under it;
    ``type``: one of :data:`ANSWER_TYPES`; ``required``: must be answered before its section
    is complete; ``choices``: for :data:`CHOICE` (value, label) pairs; ``scale``: for
    :data:`RATING`, the (value, label) pairs low to high; ``subject_kinds``: for
    :data:`LINKED_SUBJECTS`, the ``Subject.Kind`` values that may be linked; ``domain``: for
    :data:`INDICATOR`, the domain it belongs to (missing episodes, education …)."""

    key: str
    prompt: str
    type: str = TEXT
    hint: str = ""
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    scale: tuple[tuple[int, str], ...] = ()
    subject_kinds: tuple[str, ...] = ()
    domain: str = ""

    def __post_init__(self):
        if self.type not in ANSWER_TYPES:
            raise ValueError(f"{self.key}: unknown answer type {self.type!r}")
        if self.type == CHOICE and not self.choices:
            raise ValueError(f"{self.key}: a choice question needs choices")
        if self.type == RATING and not self.scale:
            raise ValueError(f"{self.key}: a rating question needs a scale")


@dataclass(frozen=True)
class Section:
    """A part of the assessment, completed on a page of its own, in any order.

    ``key``: unique within the definition (in the section's URL); ``title``: its heading;
    ``description``: what it is about, in the practitioners' words (shown at the top of its
    page); ``questions``: in order; ``evidence``: the evidence pack items shown beside it are
    those whose ``section`` is this key."""

    key: str
    title: str
    questions: tuple[Question, ...]
    description: str = ""


@dataclass(frozen=True)
class Definition:
    """A kind of assessment, one version of it.

    * ``kind``: an ``Assessment.Kind`` value; ``version``: 1, 2 …; ``title``: what the pages
      call it; ``purpose``: one paragraph, in the practitioners' words, of what it is for (the
      help page and the start page show it); ``source``: where the tool comes from.
    * ``subject_kinds``: the ``Subject.Kind`` values it may be about; ``context_kinds``: for a
      context, the ``Context.Kind`` values (empty: any).
    * ``sections``: in order; the last is usually the conclusion (:func:`conclusion`).
    * ``evidence``: the dotted path of ``builder(subject, user) -> list[evidence.Item]``, which
      drafts the evidence pack when it is opened (``cases/assessments/packs.py``); "": none.
    * ``outcome``: ``outcome(answers) -> dict`` of the ``Assessment`` columns its answers set
      when it is submitted (``threshold``, ``level_suggested``, ``level``, ``next_review_on``
      …); ``None``: the conclusion's threshold, if it has one.
    * ``due_working_days``: ``None`` for the ``ASSESSMENT_DUE_WORKING_DAYS`` setting, or a
      number of its own.
    * ``partner_completes``: a partner agency of the subject may fill it in (a school's
      designated safeguarding lead, the school assessment).
    * ``extra``: what is particular to the kind, as named hooks the engine calls if present
      (every one optional; adding or changing one does not change :meth:`digest`). The engine
      never asks which kind it is: it asks for a hook.

      - ``"validate"``: ``validate(answers) -> {question key: message}``, the kind's own
        checks when a section is marked complete and on submission
        (``services.section_problems``; only messages for the section's questions count).
      - ``"summary_template"``: a template included on the assessment's page and its print
        view above the answers once it is no longer being written (not in a partner agency's
        summary of a place assessment); it reads the engine's context (``assessment``,
        ``definition``, ``sections`` …) and ``kind`` (below).
      - ``"summary_context"``: ``summary_context(assessment, user) -> dict``, the ``kind``
        context of the summary template. It may read the database through the one rule, a
        fixed number of queries (``selectors.previous_approved``, say); ``user`` is the viewer.
      - ``"section_templates"``: ``{section key: template}``, included at the top of that
        section's page, before its questions; it reads ``section_extra`` (below).
      - ``"section_context"``: ``section_context(section key, answers, today) -> dict``, the
        ``section_extra`` context of the section's page (every section; ``{}`` for none). No
        database reads: ``answers`` are the assessment's, ``today`` a ``date``.
      - ``"initial"``: ``initial(section key, answers, today) -> {question key: answer
        dict}``, values the section's form is pre-filled with where the question is not
        answered yet (shapes in the module docstring). They are shown marked as pre-filled,
        still editable, and saved only when the practitioner saves the section.

      Kind-specific values the hooks or other code read (screening: ``"score"``,
      ``"suggested_level"``, ``"review_on"``, ``"reviews"``; weighting: ``"heaviest"``;
      school: ``"scorecard"``) are declared beside them in ``kinds/``.
    """

    kind: str
    version: int
    title: str
    purpose: str
    subject_kinds: tuple[str, ...]
    sections: tuple[Section, ...]
    source: str = ""
    context_kinds: tuple[str, ...] = ()
    evidence: str = ""
    outcome: Callable[[dict], dict] | None = None
    due_working_days: int | None = None
    partner_completes: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        seen_sections, seen_questions = set(), set()
        for section in self.sections:
            if section.key in seen_sections:
                raise ValueError(f"{self.kind} v{self.version}: section {section.key} twice")
            seen_sections.add(section.key)
            for question in section.questions:
                if question.key in seen_questions:
                    raise ValueError(f"{self.kind} v{self.version}: question {question.key} twice")
                seen_questions.add(question.key)

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise LookupError(f"{self.kind} v{self.version} has no section {key}")

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, key: str) -> Question:
        for question in self.questions():
            if question.key == key:
                return question
        raise LookupError(f"{self.kind} v{self.version} has no question {key}")

    def digest(self) -> str:
        """A digest of what the definition asks (sections, questions, their types, choices):
        the tests keep each shipped version's, so a shipped version is never edited."""
        import hashlib
        import json

        body = [
            [s.key, s.title, s.description]
            + [
                [
                    q.key,
                    q.prompt,
                    q.type,
                    q.hint,
                    q.required,
                    q.choices,
                    q.scale,
                    q.subject_kinds,
                    q.domain,
                ]
                for q in s.questions
            ]
            for s in self.sections
        ]
        return hashlib.sha256(json.dumps([self.kind, self.version, body]).encode()).hexdigest()


def conclusion(*, threshold_prompt: str = "Threshold level for this context") -> Section:
    """The section every context assessment ends with (PRACTICE.md): the analysis, the
    threshold level for the context and the recommendation; the sign-off follows."""
    return Section(
        key="conclusion",
        title="Analysis and recommendation",
        description=(
            "Bring together what the sections found: what makes this context harmful or safe, "
            "and what must change."
        ),
        questions=(
            Question(
                "analysis",
                "Analysis",
                hint="What the evidence shows, what it means for the young people, and how "
                "reliable it is.",
            ),
            Question("threshold", threshold_prompt, type=CHOICE, choices=THRESHOLD_CHOICES),
            Question(
                "recommendation", "Recommendation", type=CHOICE, choices=RECOMMENDATION_CHOICES
            ),
            Question(
                "recommendation_reason",
                "Why this recommendation",
                required=False,
            ),
            Question(
                "partner_summary",
                "Summary for partners",
                hint="What the partners with influence over this context are told once it is "
                "approved. Name no young person.",
                required=False,
            ),
        ),
    )


_DEFINITIONS: dict[tuple[str, int], Definition] = {}


def register(*definitions: Definition) -> None:
    """Declare definitions (from ``kinds/__init__.py``). A ``(kind, version)`` twice is an
    error."""
    for d in definitions:
        if (d.kind, d.version) in _DEFINITIONS:
            raise ValueError(f"{d.kind} v{d.version} is declared twice")
        _DEFINITIONS[(d.kind, d.version)] = d


def definition(kind: str, version: int | None = None) -> Definition:
    """The definition of ``kind`` at ``version`` (the one an assessment used), or the current
    (highest) version. ``LookupError`` if there is none."""
    from . import kinds  # noqa: F401  (declares them)

    if version is None:
        versions = [v for (k, v) in _DEFINITIONS if k == kind]
        if not versions:
            raise LookupError(f"No assessment kind {kind}")
        version = max(versions)
    try:
        return _DEFINITIONS[(kind, version)]
    except KeyError:
        raise LookupError(f"No assessment kind {kind} version {version}") from None


def current() -> list[Definition]:
    """The current version of every kind, in the order of ``Assessment.Kind``."""
    from . import kinds  # noqa: F401

    latest: dict[str, Definition] = {}
    for (kind, _version), d in sorted(_DEFINITIONS.items()):
        latest[kind] = d
    return list(latest.values())


def all_versions() -> list[Definition]:
    from . import kinds  # noqa: F401

    return [d for _, d in sorted(_DEFINITIONS.items())]
