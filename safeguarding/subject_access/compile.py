"""Compiling a subject access bundle: every record the young person is a subject of or is
mentioned in, as one chronology, with the redactions of everyone else.

Read through the rule with ``visibility.ACCOUNT`` only (the officer's own authority's
records, restricted or not): concerns (``ConcernSubject``), referrals linked to them
(``ReferralSubject``), case notes, peer group memberships and relationships, assessments about
them and those that name them (``AssessmentMention``), meetings about them and agenda items
about them in other meetings (a MACE panel), safety plans and their goals, warning notes, and
their own record.

Redacted (:mod:`safeguarding.subject_access.redaction`): the names and aliases of the other
young people linked to the same records (co-subjects of a concern or a referral, the other
members of a group, the other side of a relationship, others named in an assessment or on a
meeting's agenda), the names of partner agency staff (referrers, meeting invitees), persons of
concern held on an agenda by reference, and the source named for police information.
"""

from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from cases.models import (
    AgendaItem,
    Alias,
    Assessment,
    AssessmentMention,
    CaseNote,
    Concern,
    ConcernSubject,
    Decision,
    EvidenceItem,
    Goal,
    Invitee,
    Meeting,
    MinutesSection,
    Plan,
    Referral,
    ReferralSubject,
    WarningNote,
    YoungPerson,
)
from peers.models import PeerGroupMembership, Relationship
from safeguarding.accounts import visibility
from safeguarding.accounts.models import Organisation
from safeguarding.subjects.models import InformationSource, Subject

from . import redaction as r
from .models import SubjectAccessRequest

ACCOUNT = visibility.ACCOUNT


def _read(user, model):
    return visibility.restrict(user, model, ACCOUNT)


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localdate(value).isoformat()
    return value.isoformat()


def _at(value) -> str:
    """A sort key: the moment, as ISO text (a date sorts at its midnight)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time()).isoformat()
    return str(value)


def _item(when, kind, reference, title, text="", fields=()) -> dict:
    return {
        "date": _day(when),
        "at": _at(when),
        "kind": kind,
        "reference": reference,
        "title": title,
        "text": text or "",
        "fields": [[label, str(value)] for label, value in fields if value not in (None, "")],
    }


def _names(person: YoungPerson, aliases=()) -> list[str]:
    """Every name a young person is known by, longest first: their full names, given and
    preferred names alone, family name alone (never redacted where it is also the subject's
    own, as a sibling's is: :class:`redaction.Labeller`) and aliases."""
    names = [
        person.full_name,
        f"{person.given_name} {person.family_name}".strip(),
        person.name_as_given,
        person.preferred_name,
        person.given_name,
        person.family_name,
        *aliases,
    ]
    return sorted({n for n in names if n and n.strip()}, key=len, reverse=True)


class Compiler:
    """One compilation, for one officer and one request (:func:`compile_bundle`)."""

    def __init__(self, user, request: SubjectAccessRequest):
        self.user = user
        self.request = request
        self.person = visibility.require(user, request.young_person, ACCOUNT)
        self.subject = self.person.subject
        own_aliases = list(
            _read(user, Alias).filter(young_person=self.person).values_list("name", flat=True)
        )
        self.own_aliases = own_aliases
        self.labels = r.Labeller(_names(self.person, own_aliases))
        self.items: list[dict] = []
        self._people: dict[int, tuple[YoungPerson, list[str]]] = {}

    # --- who else ---------------------------------------------------------------------

    def _load_people(self, young_person_ids) -> None:
        wanted = {pk for pk in young_person_ids if pk and pk not in self._people}
        wanted.discard(self.person.pk)
        if not wanted:
            return
        aliases: dict[int, list[str]] = {}
        for yp_id, name in (
            _read(self.user, Alias)
            .filter(young_person_id__in=wanted)
            .values_list("young_person_id", "name")
        ):
            aliases.setdefault(yp_id, []).append(name)
        for person in _read(self.user, YoungPerson).filter(pk__in=wanted):
            self._people[person.pk] = (person, aliases.get(person.pk, []))

    def other_young_person(self, young_person_id: int) -> str:
        """Redact another young person (every name and alias); their label."""
        self._load_people([young_person_id])
        person, aliases = self._people.get(young_person_id, (None, []))
        if person is None:
            return ""
        names = _names(person, aliases)
        self.labels.redact("young_person", person.pk, names, r.ANOTHER_YOUNG_PERSON)
        return names[0]

    def _subject_names(self, subjects) -> list[str]:
        """Names of subjects other than the young person's own: young people redacted (their
        names, to be replaced by labels), places and groups as named."""
        subjects = [s for s in subjects if s is not None and s.pk != self.subject.pk]
        self._load_people(s.youngperson.pk for s in subjects if s.kind == Subject.Kind.YOUNG_PERSON)
        shown = []
        for s in subjects:
            if s.kind == Subject.Kind.YOUNG_PERSON:
                name = self.other_young_person(s.youngperson.pk)
                if name:
                    shown.append(name)
            else:
                shown.append(s.display_name)
        return shown

    def described_person(self, name: str) -> str:
        """Redact a young person named only as a referrer described them."""
        self.labels.redact(
            "young_person", ("described", name.casefold()), [name], r.ANOTHER_YOUNG_PERSON
        )
        return name

    def partner_staff(self, *values: str) -> str:
        key = (values[0] or "").casefold()
        self.labels.redact("partner_staff", key, [v for v in values if v], r.PARTNER_STAFF)
        return values[0]

    def source_detail(self, source: str, detail: str) -> str:
        """Who the information came from: a police source or a third party is redacted; the
        young person's own word, their family's and a professional's are not."""
        detail = (detail or "").strip()
        if not detail:
            return ""
        if source == InformationSource.POLICE:
            self.labels.redact("police_source", detail.casefold(), [detail], r.POLICE_SOURCE)
        elif source in (InformationSource.SCHOOL, InformationSource.PARTNER_AGENCY):
            self.partner_staff(detail)
        elif source in (
            InformationSource.COMMUNITY,
            InformationSource.ANONYMOUS,
            InformationSource.OTHER,
        ):
            self.labels.redact("third_party", detail.casefold(), [detail], r.THIRD_PARTY)
        return detail

    # --- the records --------------------------------------------------------------------

    def record(self):
        p = self.person
        self.items.append(
            _item(
                p.created_at,
                "Record",
                self.subject.reference,
                "Your record",
                "",
                [
                    ("Name", p.full_name),
                    ("Other names", ", ".join(self.own_aliases)),
                    ("Date of birth", p.date_of_birth and f"{p.date_of_birth:%-d %B %Y}"),
                    ("Gender", p.get_gender_display()),
                    ("Ethnicity", p.ethnicity),
                    ("Address", " ".join(p.address.split())),
                    ("Postcode", p.postcode),
                    ("Vulnerabilities", p.vulnerabilities),
                ],
            )
        )

    def concerns(self):
        mine = {
            row.concern_id: row
            for row in _read(self.user, ConcernSubject).filter(subject=self.subject)
        }
        if not mine:
            return
        others: dict[int, list] = {}
        for row in (
            _read(self.user, ConcernSubject)
            .filter(concern_id__in=mine)
            .exclude(subject=self.subject)
            .select_related("subject__youngperson", "subject__context", "subject__peergroup")
        ):
            others.setdefault(row.concern_id, []).append(row.subject)
        concerns = (
            _read(self.user, Concern)
            .filter(pk__in=mine)
            .prefetch_related("harm_categories")
            .order_by("occurred_at", "pk")
        )
        for concern in concerns:
            subjects = others.get(concern.pk, [])
            people = self._subject_names(
                [s for s in subjects if s.kind == Subject.Kind.YOUNG_PERSON]
            )
            places = [s.display_name for s in subjects if s.kind != Subject.Kind.YOUNG_PERSON]
            harms = ", ".join(h.name for h in concern.harm_categories.all())
            detail = self.source_detail(concern.source, concern.source_detail)
            self.items.append(
                _item(
                    concern.occurred_at,
                    "Concern",
                    concern.reference,
                    f"Concern: {harms}" if harms else "Concern",
                    concern.narrative,
                    [
                        ("Your part", mine[concern.pk].get_part_display()),
                        ("Where", "; ".join([concern.location_description, *places]).strip("; ")),
                        ("Other young people", ", ".join(people)),
                        ("Source", concern.get_source_display()),
                        ("Source detail", detail),
                        ("Reliability", concern.get_reliability_display()),
                    ],
                )
            )

    def referrals(self):
        ids = set(
            _read(self.user, ReferralSubject)
            .filter(subject=self.subject)
            .values_list("referral_id", flat=True)
        )
        if not ids:
            return
        others: dict[int, list] = {}
        for row in (
            _read(self.user, ReferralSubject)
            .filter(referral_id__in=ids)
            .filter(~Q(subject=self.subject) | Q(subject__isnull=True))
            .select_related("subject__youngperson", "subject__context", "subject__peergroup")
        ):
            others.setdefault(row.referral_id, []).append(row)
        referrals = (
            _read(self.user, Referral)
            .filter(pk__in=ids)
            .select_related("source_organisation")
            .order_by("received_at", "pk")
        )
        for referral in referrals:
            named = []
            for row in others.get(referral.pk, []):
                if row.subject_id:
                    named += self._subject_names([row.subject])
                elif row.described_name and row.kind == Subject.Kind.YOUNG_PERSON:
                    named.append(self.described_person(row.described_name))
                elif row.described_name:
                    named.append(row.described_name)
            source = referral.source_organisation
            referrer = referral.referrer_name
            if source.kind != Organisation.Kind.LOCAL_AUTHORITY:
                self.partner_staff(
                    referral.referrer_name, referral.referrer_email, referral.referrer_phone
                )
            decision = referral.get_decision_display()
            if decision and referral.decision_reason:
                decision = f"{decision}: {referral.decision_reason}"
            self.items.append(
                _item(
                    referral.received_at,
                    "Referral",
                    referral.reference,
                    f"Referral from {source.name}",
                    referral.narrative,
                    [
                        ("Referred by", referrer),
                        ("Urgency", referral.get_urgency_display()),
                        ("Others in the referral", ", ".join(named)),
                        ("Decision", decision),
                    ],
                )
            )

    def case_notes(self):
        for note in (
            _read(self.user, CaseNote).filter(subject=self.subject).order_by("occurred_at", "pk")
        ):
            struck = ""
            if note.is_struck:
                struck = f"Struck out on {_day(note.struck_at)}: {note.strike_reason}"
            self.items.append(
                _item(
                    note.occurred_at,
                    "Case note",
                    f"NOTE-{note.pk:06d}",
                    note.get_kind_display(),
                    note.text,
                    [
                        ("Who was present", note.present),
                        ("Source", note.get_source_display()),
                        ("Struck out", struck),
                    ],
                )
            )

    def peers(self):
        memberships = list(
            _read(self.user, PeerGroupMembership)
            .filter(young_person=self.person)
            .select_related("peer_group__subject")
        )
        members: dict[int, list[int]] = {}
        for group_id, yp_id in (
            _read(self.user, PeerGroupMembership)
            .filter(peer_group_id__in=[m.peer_group_id for m in memberships])
            .exclude(young_person=self.person)
            .values_list("peer_group_id", "young_person_id")
        ):
            members.setdefault(group_id, []).append(yp_id)
        self._load_people(yp for ids in members.values() for yp in ids)
        for m in memberships:
            group = m.peer_group
            names = [self.other_young_person(yp) for yp in members.get(group.pk, [])]
            left = ""
            if m.left_on:
                left = f"{m.left_on:%-d %B %Y}" + (f": {m.left_reason}" if m.left_reason else "")
            self.items.append(
                _item(
                    m.joined_on or m.recorded_at,
                    "Peer group",
                    group.reference,
                    f"Member of the peer group {group.name}",
                    group.description,
                    [
                        ("Joined", m.joined_on and f"{m.joined_on:%-d %B %Y}"),
                        ("Left", left),
                        ("Confidence", m.get_confidence_display()),
                        ("Source", m.get_source_display()),
                        ("Other members", ", ".join(n for n in names if n)),
                    ],
                )
            )
        relationships = list(
            _read(self.user, Relationship).filter(
                Q(from_person=self.person) | Q(to_person=self.person)
            )
        )
        self._load_people(
            rel.to_person_id if rel.from_person_id == self.person.pk else rel.from_person_id
            for rel in relationships
        )
        for rel in relationships:
            outgoing = rel.from_person_id == self.person.pk
            other = self.other_young_person(rel.to_person_id if outgoing else rel.from_person_id)
            if rel.kind == Relationship.Kind.EXPLOITS:
                title = f"Exploits {other}" if outgoing else f"Exploited by {other}"
            else:
                title = f"{rel.get_kind_display()}: {other}"
            self.items.append(
                _item(
                    rel.started_on or rel.recorded_at,
                    "Relationship",
                    f"REL-{rel.pk:06d}",
                    title,
                    rel.notes,
                    [
                        ("Source", rel.get_source_display()),
                        ("Reliability", rel.get_reliability_display()),
                        ("Ended", rel.ended_on and f"{rel.ended_on:%-d %B %Y}"),
                    ],
                )
            )

    def _answers_text(self, assessment: Assessment) -> str:
        """An assessment's answers as lines of "question: answer", linked subjects by name."""
        from cases.assessments import definitions as d

        try:
            definition = assessment.definition
        except (KeyError, LookupError):
            return ""
        references = set()
        for section in definition.sections:
            for q in section.questions:
                answer = assessment.answers.get(q.key) or {}
                if q.type == d.LINKED_SUBJECTS:
                    references.update(answer.get("value") or [])
        by_reference = {
            s.reference: s
            for s in _read(self.user, Subject)
            .filter(reference__in=references)
            .select_related("youngperson", "context", "peergroup")
        }
        lines = []
        for section in definition.sections:
            for q in section.questions:
                answer = assessment.answers.get(q.key)
                if not answer:
                    continue
                value = answer.get("value")
                if q.type == d.LINKED_SUBJECTS:
                    subjects = [by_reference[ref] for ref in value or [] if ref in by_reference]
                    named = self._subject_names(subjects)
                    if any(s.pk == self.subject.pk for s in subjects):
                        named = ["you", *named]
                    value = ", ".join(named)
                elif q.choices:
                    value = dict(q.choices).get(value, value)
                elif q.scale:
                    value = dict(q.scale).get(value, value)
                extra = [answer.get(k) for k in ("evidence", "note", "reason") if answer.get(k)]
                text = "; ".join(str(v) for v in [value, *extra] if v not in (None, ""))
                if text:
                    lines.append(f"{q.prompt}: {text}")
        return "\n".join(lines)

    def _kept_evidence(self, assessment_ids, **filters) -> dict[int, list[str]]:
        kept: dict[int, list[str]] = {}
        for item in (
            _read(self.user, EvidenceItem)
            .filter(assessment_id__in=assessment_ids, **filters)
            .filter(state__in=[EvidenceItem.State.ACCEPTED, EvidenceItem.State.EDITED])
        ):
            kept.setdefault(item.assessment_id, []).append(item.shown_text)
        return kept

    def assessments(self):
        about = list(_read(self.user, Assessment).filter(subject=self.subject))
        evidence = self._kept_evidence([a.pk for a in about])
        for assessment in about:
            text = self._answers_text(assessment)
            if evidence.get(assessment.pk):
                text = "\n".join([text, "Evidence:", *evidence[assessment.pk]]).strip()
            self.items.append(
                _item(
                    assessment.started_at,
                    "Assessment",
                    assessment.reference,
                    assessment.get_kind_display(),
                    text,
                    [
                        ("Status", assessment.get_status_display()),
                        ("Threshold", assessment.threshold_label),
                        ("Recommendation", assessment.recommendation_label),
                        ("Level", assessment.level),
                    ],
                )
            )
        mentions = list(
            _read(self.user, AssessmentMention)
            .filter(subject=self.subject)
            .exclude(assessment__subject=self.subject)
            .select_related(
                "assessment__subject__context",
                "assessment__subject__peergroup",
                "assessment__subject__youngperson",
            )
        )
        ids = [m.assessment_id for m in mentions]
        also: dict[int, list] = {}
        for row in (
            _read(self.user, AssessmentMention)
            .filter(assessment_id__in=ids)
            .exclude(subject=self.subject)
            .select_related("subject__youngperson", "subject__context", "subject__peergroup")
        ):
            also.setdefault(row.assessment_id, []).append(row.subject)
        about_them = self._kept_evidence(ids, linked_subject=self.subject)
        for mention in mentions:
            assessment = mention.assessment
            where = assessment.subject
            where_name = (
                self._subject_names([where])[0]
                if where.kind == Subject.Kind.YOUNG_PERSON
                else where.display_name
            )
            named = self._subject_names(
                [s for s in also.get(assessment.pk, []) if s.pk != where.pk]
            )
            self.items.append(
                _item(
                    mention.at,
                    "Named in an assessment",
                    assessment.reference,
                    f"Named in the {assessment.get_kind_display().lower()} of {where_name}",
                    "\n".join(about_them.get(assessment.pk, [])),
                    [
                        ("Status", assessment.get_status_display()),
                        ("Also named", ", ".join(named)),
                    ],
                )
            )

    def _meeting_people(self, meeting_ids) -> None:
        """Redact, for these meetings: partner agencies' people invited, persons of concern on
        their agendas (held by reference), and the young people on them."""
        for invitee in (
            _read(self.user, Invitee)
            .filter(meeting_id__in=meeting_ids)
            .select_related("user", "organisation", "user__organisation")
        ):
            org = invitee.organisation or (invitee.user.organisation if invitee.user_id else None)
            if org is not None and org.kind == Organisation.Kind.LOCAL_AUTHORITY:
                continue
            names = [invitee.name, invitee.email]
            if invitee.user_id:
                names += [invitee.user.get_full_name(), invitee.user.email]
            names = [n for n in names if n]
            if names:
                self.partner_staff(*names)
        agenda = (
            _read(self.user, AgendaItem)
            .filter(meeting_id__in=meeting_ids)
            .exclude(subject=self.subject)
            .select_related("subject__youngperson", "subject__context", "subject__peergroup")
        )
        for item in agenda:
            if item.reference:
                self.labels.redact(
                    "third_party", item.reference.casefold(), [item.reference], r.THIRD_PARTY
                )
            if item.subject_id and item.subject.kind == Subject.Kind.YOUNG_PERSON:
                self._subject_names([item.subject])

    def meetings(self):
        meetings = list(
            _read(self.user, Meeting).filter(subject=self.subject).order_by("starts_at", "pk")
        )
        agenda = list(
            _read(self.user, AgendaItem)
            .filter(subject=self.subject)
            .exclude(meeting__subject=self.subject)
            .select_related("meeting")
        )
        ids = {m.pk for m in meetings} | {a.meeting_id for a in agenda}
        self._meeting_people(ids)
        decisions: dict[int, list[Decision]] = {}
        for decision in _read(self.user, Decision).filter(meeting_id__in=ids):
            decisions.setdefault(decision.meeting_id, []).append(decision)
        minutes: dict[int, list[MinutesSection]] = {}
        for section in _read(self.user, MinutesSection).filter(
            meeting_id__in=[m.pk for m in meetings]
        ):
            minutes.setdefault(section.meeting_id, []).append(section)

        def said(decision):
            parts = [decision.text]
            if decision.reason:
                parts.append(f"because {decision.reason}")
            if decision.dissent:
                parts.append(f"(dissent: {decision.dissent})")
            return " ".join(parts)

        for meeting in meetings:
            text = [meeting.minutes_summary] + [
                f"{s.heading}: {s.text}" for s in minutes.get(meeting.pk, [])
            ]
            self.items.append(
                _item(
                    meeting.starts_at,
                    "Meeting",
                    meeting.reference,
                    meeting.name,
                    "\n".join(t for t in text if t),
                    [
                        ("Status", meeting.get_status_display()),
                        *[
                            (f"Decision {n}", said(d))
                            for n, d in enumerate(decisions.get(meeting.pk, []), 1)
                        ],
                    ],
                )
            )
        for item in agenda:
            meeting = item.meeting
            own = [d for d in decisions.get(meeting.pk, []) if d.agenda_item_id == item.pk]
            self.items.append(
                _item(
                    meeting.starts_at,
                    "Meeting agenda item",
                    meeting.reference,
                    f"Discussed at {meeting.name}",
                    "\n".join(t for t in (item.discussion, item.update) if t),
                    [
                        ("Level agreed", item.level),
                        *[(f"Decision {n}", said(d)) for n, d in enumerate(own, 1)],
                    ],
                )
            )

    def plans(self):
        plans = list(_read(self.user, Plan).filter(subject=self.subject))
        goals: dict[int, list[Goal]] = {}
        for goal in _read(self.user, Goal).filter(plan__in=plans):
            goals.setdefault(goal.plan_id, []).append(goal)
        for plan in plans:
            self.items.append(
                _item(
                    plan.started_on,
                    "Safety plan",
                    plan.reference,
                    plan.get_kind_display(),
                    "",
                    [
                        ("Status", plan.get_status_display()),
                        ("Where you feel safe", plan.safe_places),
                        ("Adults you trust", plan.trusted_adults),
                        ("If you feel unsafe", plan.if_unsafe),
                        ("Places to avoid", plan.places_to_avoid),
                        *[
                            (f"Goal {n}", g.statement)
                            for n, g in enumerate(goals.get(plan.pk, []), 1)
                        ],
                        ("Ended", plan.end_reason),
                    ],
                )
            )

    def warnings(self):
        for warning in _read(self.user, WarningNote).filter(subject=self.subject):
            self.items.append(
                _item(
                    warning.proposed_at,
                    "Warning note",
                    f"WRN-{warning.pk:06d}",
                    f"Warning note: {warning.get_category_display()}",
                    warning.summary,
                    [
                        ("Status", warning.get_status_display()),
                        ("Whether you were told", warning.get_told_display()),
                        ("Review date", f"{warning.review_on:%-d %B %Y}"),
                        ("Ended", warning.end_reason),
                    ],
                )
            )

    def run(self) -> tuple[list[dict], list[dict]]:
        self.record()
        self.concerns()
        self.referrals()
        self.case_notes()
        self.peers()
        self.assessments()
        self.meetings()
        self.plans()
        self.warnings()
        items = self.items
        request = self.request
        if request.scope == SubjectAccessRequest.Scope.DATE_RANGE:
            start, end = request.scope_from.isoformat(), request.scope_to.isoformat()
            items = [i for i in items if i["kind"] == "Record" or start <= i["date"] <= end]
        items.sort(key=lambda i: (i["at"], i["kind"], i["reference"]))
        return items, self.labels.redactions


def compile_bundle(user, request: SubjectAccessRequest) -> tuple[list[dict], list[dict]]:
    """The items (oldest first) and the redactions of ``request``'s bundle, read through the
    rule with ``ACCOUNT`` for ``user`` (its young person not theirs to account for:
    ``RecordNotFound``). Shapes: :class:`safeguarding.subject_access.models.Bundle`."""
    return Compiler(user, request).run()
