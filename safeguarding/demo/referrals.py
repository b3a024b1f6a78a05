"""The referrals at the demo borough's front door (a step of ``builder.BoroughBuilder``, run
after the casework's concerns).

One referral in every status and with every decision (``data.FORCED_REFERRALS``), then drawn
ones: from partner agencies and from staff, about young people and places, linked to their
records (or, while new, often only described), each with the deadline for its decision filled in
as ``Referral.save()`` would.
"""

from datetime import timedelta
from itertools import accumulate

from cases.models import HarmCategory, Referral, ReferralSubject
from contexts.models import Context
from safeguarding.subjects.models import Subject

from .core import BuilderCore, Person, pick
from .data import (
    CONSENT_CUM,
    CONSENTS,
    CONTEXT_REFERRAL_NARRATIVES,
    DE,
    DECISION_CUM,
    DECISION_REASONS,
    EMAIL_DOMAIN,
    FORCED_REFERRALS,
    FRONT_DOOR,
    HARMS,
    HISTORY_DAYS,
    LOCATIONS_IN_WORDS,
    REFERRAL_ENDINGS,
    REFERRAL_SOURCE_WEIGHTS,
    REFERRER_ROLES,
    ST,
    STATUS_CUM,
    STATUSES,
    URGENCIES,
    URGENCY_CUM,
    R,
)
from .places import C

# The columns of the rows this step writes, in the order its tuples give them.
REFERRAL_FIELDS = (
    "id",
    "authority_id",
    "reference",
    "decision_due_at",
    "received_at",
    "source_organisation_id",
    "referred_by_id",
    "referrer_name",
    "referrer_role",
    "referrer_email",
    "referrer_phone",
    "urgency",
    "narrative",
    "consent",
    "lawful_basis",
    "status",
    "decision",
    "decision_reason",
    "decided_by_id",
    "decided_at",
)
REFERRAL_SUBJECT_FIELDS = (
    "referral_id",
    "kind",
    "subject_id",
    "described_name",
    "described_date_of_birth",
    "described_address",
    "described_postcode",
    "described_place_kind",
)


class ReferralSteps(BuilderCore):
    """The step that makes the borough's referrals (see the module's docstring)."""

    def referrals(self):
        rng = self.rng
        categories = list(HarmCategory.objects.filter(is_active=True).values_list("pk", flat=True))
        source_kinds = [k for k in REFERRAL_SOURCE_WEIGHTS if self.orgs_by_kind[k]]
        source_cum = list(accumulate(REFERRAL_SOURCE_WEIGHTS[k] for k in source_kinds))
        partner_user = {u.organisation_id: u for u in self.users if u.role == R.PARTNER}
        triage = [m.pk for m in (self.managers[FRONT_DOOR], *self.managers[:FRONT_DOOR])]
        decisions = DE.values
        contexts_only = [c for c in self.context_list if c.kind != C.ONLINE] or self.context_list
        through = Referral.harm_categories.through
        windows = {
            ST.RECEIVED: (0, 1),
            ST.SCREENING: (0, 2),
            ST.DECIDED: (1, 21),
            ST.CLOSED: (21, HISTORY_DAYS),
        }
        la = self.la.pk
        total, made = self.plan.referrals, 0
        while made < total:
            n = min(self.CHUNK, total - made)
            ids = self.take_ids(Referral, n)
            references = self.take_references(Referral, "REF", n)
            referrals, about = [], []
            for j, pk, reference in zip(range(made, made + n), ids, references, strict=True):
                if j < len(FORCED_REFERRALS):
                    status, decision = FORCED_REFERRALS[j]
                else:
                    status = pick(rng, STATUSES, STATUS_CUM)
                    decision = ""
                    if status in (ST.DECIDED, ST.CLOSED):
                        decision = pick(rng, decisions, DECISION_CUM)
                received = self.moment(*windows[status])
                decided_at = None
                if decision:
                    decided_at = min(received + timedelta(hours=rng.uniform(1, 30)), self.now)
                kind = pick(rng, source_kinds, source_cum)
                org = rng.choice(self.orgs_by_kind[kind])
                if org is self.la:
                    referrer = rng.choice(self.staff)
                else:
                    referrer = partner_user.get(org.pk) if rng.random() < 0.5 else None
                slug_cats = rng.sample(categories, k=min(len(categories), rng.randint(1, 2)))
                subjects = self._referral_subjects(status, decision, contexts_only)
                first_yp = next((p for p, _ in subjects if isinstance(p, Person)), None)
                place = next((c.name for c, _ in subjects if isinstance(c, Context)), None)
                if first_yp:
                    text = rng.choice(rng.choice(HARMS)[2]).format(
                        yp=first_yp.initials, place=place or rng.choice(LOCATIONS_IN_WORDS)
                    )
                else:
                    text = rng.choice(CONTEXT_REFERRAL_NARRATIVES).format(place=place)
                consent = pick(rng, CONSENTS, CONSENT_CUM)
                # The draws in the order the columns were always drawn in (same seed, same data).
                referrer_name = referrer.get_full_name() if referrer else self.adult_name()
                phone = f"020 7946 0{rng.randint(0, 999):03d}"
                urgency = pick(rng, URGENCIES, URGENCY_CUM)
                narrative = f"{text} {rng.choice(REFERRAL_ENDINGS)}"
                lawful_basis = (
                    Referral.LawfulBasis.CONSENT
                    if consent == Referral.Consent.GIVEN and rng.random() < 0.2
                    else Referral.LawfulBasis.PUBLIC_TASK
                )
                referrals.append(
                    (
                        pk,
                        la,
                        reference,  # Referral.save() would set it, and the deadline
                        self.decision_due(received),
                        received,
                        org.pk,
                        referrer.pk if referrer else None,
                        referrer_name,
                        referrer.job_title if referrer and org is self.la else REFERRER_ROLES[kind],
                        f"referrals@{EMAIL_DOMAIN}" if org is self.la else org.safeguarding_email,
                        phone,
                        urgency,
                        narrative,
                        consent,
                        lawful_basis,
                        status,
                        decision,
                        DECISION_REASONS[decision] if decision else "",
                        rng.choice(triage) if decision else None,
                        decided_at,
                    )
                )
                about.append((subjects, slug_cats))
            self.writer.write(Referral, REFERRAL_FIELDS, referrals)
            rows, harm_rows = [], []
            for pk, (subjects, cats) in zip(ids, about, strict=True):
                for thing, linked in subjects:
                    rows.append(self._referral_subject(pk, thing, linked))
                harm_rows += [(pk, c) for c in cats]
            self.writer.write(ReferralSubject, REFERRAL_SUBJECT_FIELDS, rows)
            self.writer.write(through, ("referral_id", "harmcategory_id"), harm_rows)
            made += n

    def _referral_subjects(self, status, decision, places):
        """Who and what a referral is about: (Person or Context, linked to the record?)."""
        rng = self.rng
        # New referrals are often not yet matched to a record at the front door.
        linked = status not in (ST.RECEIVED, ST.SCREENING) or rng.random() < 0.5
        if decision == DE.CONTEXT_ASSESSMENT or rng.random() < 0.08:
            subjects = [(rng.choice(places), linked)]
            # An assessment of the young person or a strategy discussion is about a young
            # person (cases/front_door/services.py, WORK_STARTED_ON): the service refuses one
            # about a place only, so the demo has none.
            if decision in (DE.YOUNG_PERSON_ASSESSMENT, DE.STRATEGY_DISCUSSION) or (
                rng.random() < 0.5
            ):
                subjects.append((rng.choice(self.people), linked))
            return subjects
        people = rng.sample(self.people, k=min(len(self.people), rng.choice((1, 1, 1, 2))))
        subjects = [(p, linked) for p in people]
        if rng.random() < 0.15:
            subjects.append((rng.choice(places), linked))
        return subjects

    def _referral_subject(self, referral_id: int, thing, linked: bool) -> tuple:
        """A ReferralSubject row (REFERRAL_SUBJECT_FIELDS) for a Person or a Context."""
        if isinstance(thing, Person):
            return (
                referral_id,
                Subject.Kind.YOUNG_PERSON,
                thing.subject_id if linked else None,
                f"{thing.given} {thing.family}",
                thing.dob,
                thing.address,
                thing.postcode,
                "",
            )
        return (
            referral_id,
            Subject.Kind.CONTEXT,
            thing.subject_id if linked else None,
            thing.name,
            None,
            "",
            thing.postcode,
            thing.kind,
        )
