"""The demo borough's subject records: places and their guardians, young people, peer groups
and their members, and the relationships between young people (steps of
``builder.BoroughBuilder``, run after the organisations and staff).

Places, guardians and peer groups are few (about one row in 300 at any scale) and are used as
model instances afterwards: the ORM writes them (``writer.bulk``). Young people, memberships
and relationships grow with the borough and go in as tuples through the ``TableWriter``, chunk
by chunk. What the later steps read (``casework.py``, ``referrals.py``) is kept on the
builder: ``context_list`` and ``context_cum`` (the places, and a long-tailed weight per place
that makes hotspots), ``schools``, ``people_at``, ``people`` (a :class:`~.core.Person` each),
``groups``, ``group_home`` and ``members``.
"""

from collections import defaultdict
from datetime import date, timedelta
from itertools import accumulate, pairwise

from cases.models import YoungPerson
from contexts.models import Context, ContextGuardian
from peers.models import PeerGroup, PeerGroupMembership, Relationship
from safeguarding.accounts.models import Organisation
from safeguarding.subjects.models import InformationSource, Reliability, Subject

from .core import BuilderCore, Person, pick, weighted
from .data import (
    CONFIDENCES,
    HERITAGES,
    RELIABILITY_WEIGHTS,
    SHORT_NAMES,
    SOURCE_WEIGHTS,
    TEAM_CUM,
    TEAM_DISTRICTS,
    VULNERABILITIES,
)
from .places import (
    CONTEXT_KIND_WEIGHTS,
    CURATED_CONTEXTS,
    GUARDIAN_KINDS,
    GUARDIAN_ROLES,
    PEER_GROUP_NAMES,
    PLACE_SUFFIXES,
    PLACE_WORDS,
    C,
)
from .writer import bulk

# The columns of the rows each step writes, in the order its tuples give them.
YOUNG_PERSON_FIELDS = (
    "id",
    "subject_id",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address",
    "postcode",
    "school_id",
    "nhs_number",
    "vulnerabilities",
)
MEMBERSHIP_FIELDS = (
    "peer_group_id",
    "young_person_id",
    "joined_on",
    "left_on",
    "confidence",
    "source",
    "source_detail",
    "recorded_by_id",
)
RELATIONSHIP_FIELDS = (
    "from_person_id",
    "to_person_id",
    "kind",
    "source",
    "reliability",
    "notes",
    "started_on",
    "recorded_by_id",
)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class RecordSteps(BuilderCore):
    """The steps that make the borough's subject records (see the module's docstring)."""

    def contexts(self):
        rng = self.rng
        rows = list(CURATED_CONTEXTS)
        names = {name for _, name, _, _ in rows}
        kinds, cum = weighted(CONTEXT_KIND_WEIGHTS)
        while len(rows) < self.plan.contexts:
            kind = pick(rng, kinds, cum)
            word, suffix = rng.choice(PLACE_WORDS), rng.choice(PLACE_SUFFIXES[kind])
            if kind == C.TRANSPORT_ROUTE:
                name = f"{word} {suffix} {rng.randint(100, 499)}"
            elif kind == C.ONLINE:
                name = f"'{word} Crew' {suffix} on a messaging app"
            else:
                name = f"{word} {suffix}"
            base, n = name, 2
            while name in names:
                name, n = f"{base} ({n})", n + 1
            names.add(name)
            orgs = self._guardian_orgs(kind)
            picked = rng.sample(orgs, k=min(len(orgs), rng.randint(0, 1)))
            rows.append((kind, name, "", [o.name for o in picked]))
        # Places are few (13,000 at scale 333) and used as models below: the ORM writes them.
        subject_ids = self.subjects(Subject.Kind.CONTEXT, len(rows))
        contexts = []
        for subject_id, (kind, name, description, _) in zip(subject_ids, rows, strict=True):
            online = kind == C.ONLINE
            contexts.append(
                Context(
                    subject_id=subject_id,
                    name=name,
                    kind=kind,
                    description=description,
                    address="" if online else f"{name}\nEastbrook",
                    postcode="" if online else self.postcode(range(1, 9)),
                    created_by=rng.choice(self.staff),
                )
            )
        self.writer.wait()  # the subjects are in their table before the places point at them
        self.context_list = bulk(Context, contexts)
        guardians = []
        for ctx, (kind, _, _, partner_names) in zip(self.context_list, rows, strict=True):
            for org_name in partner_names:
                guardians.append(
                    ContextGuardian(
                        context=ctx,
                        organisation=self.org_by_name[org_name],
                        role=GUARDIAN_ROLES[kind][1],
                    )
                )
            if rng.random() < 0.6 or not partner_names:
                guardians.append(
                    ContextGuardian(
                        context=ctx,
                        name=GUARDIAN_ROLES[kind][0],
                        role=GUARDIAN_ROLES[kind][1],
                        contact=f"020 7946 0{rng.randint(0, 999):03d}",
                        notes="Met during a walkabout; willing to share concerns with the team.",
                    )
                )
        bulk(ContextGuardian, guardians)
        # Harm gathers in a few places: a long-tailed weight per place makes hotspots.
        self.context_cum = list(accumulate(1 / (i + 3) for i in range(len(self.context_list))))
        rng.shuffle(self.context_list)
        self.schools = [c for c in self.context_list if c.kind == C.SCHOOL]
        self.school_subject = {s.pk: s.subject_id for s in self.schools}
        self.people_at = defaultdict(list)  # context id -> indexes of people who go there

    def _schools_by_stage(self) -> dict[str, list[Context]]:
        """Schools by who goes there, read from their names (the curated ones and generated)."""
        stages = defaultdict(list)
        for school in self.schools:
            name = school.name
            if "Primary" in name:
                stages["primary"].append(school)
            elif "College" in name:
                stages["college"].append(school)
            elif "Girls" in name:
                stages["girls"].append(school)
            elif "Referral Unit" in name:
                stages["ap"].append(school)
            else:
                stages["mixed"].append(school)
        # Generated boroughs always have schools of each stage; fall back just in case.
        for stage in ("primary", "college", "girls", "mixed"):
            stages[stage] = stages[stage] or self.schools
        return stages

    def _guardian_orgs(self, kind) -> list[Organisation]:
        return [o for k in GUARDIAN_KINDS[kind] for o in self.orgs_by_kind[k]]

    def young_people(self):
        rng = self.rng
        heritage_cum = list(accumulate(h[0] for h in HERITAGES))
        ages = list(range(10, 18))
        age_cum = list(accumulate([2, 4, 7, 11, 15, 18, 16, 12]))
        genders = [("male", 55), ("female", 42), ("non_binary", 1.5), ("not_known", 1.5)]
        gender_pop, gender_cum = weighted(dict(genders))
        teams = range(len(self.teams))
        schools = self._schools_by_stage()
        # School choices by age and gender, made once (the lists are concatenated per pupil
        # otherwise).
        secondary = {
            girls: schools["girls" if girls else "mixed"] + schools["mixed"] + schools["ap"][:1]
            for girls in (True, False)
        }
        people, rows = [], []  # rows: young people not yet written, as tuples
        for _ in range(self.plan.young_people):
            team = pick(rng, teams, TEAM_CUM)
            sibling = people[-1] if people and rng.random() < 0.08 else None
            heritage = pick(rng, HERITAGES, heritage_cum)
            if sibling:  # same family, same home
                heritage = sibling.heritage
            gender = pick(rng, gender_pop, gender_cum)
            girls, boys = heritage[2], heritage[3]
            names = girls if gender == "female" else boys if gender == "male" else girls + boys
            age = pick(rng, ages, age_cum)
            dob = _years_before(self.today, age + 1) + timedelta(days=rng.randint(1, 365))
            if sibling:
                team, family = sibling.team, sibling.family
                address, postcode = sibling.address, sibling.postcode
            else:
                family = rng.choice(heritage[4])
                address, postcode = self.address(), self.postcode(TEAM_DISTRICTS[team])
            given = rng.choice(names)
            school = None
            if age <= 10:
                school = rng.choice(schools["primary"])
            elif age <= 15:
                school = rng.choice(secondary[gender == "female"])
            elif rng.random() < 0.7:  # some 16-17s are not in education, employment or training
                school = rng.choice(schools["college"])
            person = Person(
                id=None,
                heritage=heritage,
                team=team,
                given=given,
                family=family,
                dob=dob,
                age=age,
                initials=f"{given[0]}{family[0]}",
                address=address,
                postcode=postcode,
                school_id=school.pk if school else None,
                restricted=False,
            )
            people.append(person)
            # The draws in the order the columns were always drawn in (same seed, same people).
            preferred = SHORT_NAMES.get(given, "") if rng.random() < 0.5 else ""
            ethnicity = heritage[1] if rng.random() < 0.92 else ""
            nhs_number = self.nhs_number() if rng.random() < 0.85 else ""
            vulnerabilities = (
                " ".join(rng.sample(VULNERABILITIES, k=rng.randint(1, 2)))
                if rng.random() < 0.45
                else ""
            )
            rows.append(
                (
                    given,
                    family,
                    preferred,
                    dob,
                    gender,
                    ethnicity,
                    address,
                    postcode,
                    person.school_id,
                    nhs_number,
                    vulnerabilities,
                )
            )
            # Where this young person spends time (1-3 places, hotspots more likely).
            # (dict.fromkeys, not set: a set of records iterates in primary-key order, which
            # differs between databases and would make the data depend on them.)
            haunts = rng.choices(
                self.context_list, cum_weights=self.context_cum, k=rng.randint(1, 3)
            )
            index = len(people) - 1
            for ctx in dict.fromkeys(haunts):
                self.people_at[ctx.pk].append(index)
            if school and school not in haunts:
                self.people_at[school.pk].append(index)
            if len(rows) == self.CHUNK:
                self._write_people(people[-len(rows) :], rows)
                rows = []
        self._write_people(people[len(people) - len(rows) :], rows)
        self.people = people
        self.siblings = [
            (a, b) for a, b in pairwise(people) if a.address == b.address and a.family == b.family
        ]

    def _write_people(self, people: list[Person], rows: list[tuple]):
        """Subjects first, then the young people that point at them; ids noted on each Person."""
        subject_ids = self.subjects(Subject.Kind.YOUNG_PERSON, len(rows))
        ids = self.take_ids(YoungPerson, len(rows))
        self.writer.write(
            YoungPerson,
            YOUNG_PERSON_FIELDS,
            [(pk, sid, *row) for pk, sid, row in zip(ids, subject_ids, rows, strict=True)],
        )
        for person, pk, subject_id in zip(people, ids, subject_ids, strict=True):
            person.id, person.subject_id = pk, subject_id

    def peer_groups(self):
        rng = self.rng
        groups, homes, names = [], [], set()
        for _ in range(self.plan.peer_groups):
            home = pick(rng, self.context_list, self.context_cum)
            name = rng.choice(PEER_GROUP_NAMES[home.kind]).format(home.name)
            base, n = name, 2
            while name in names:
                name, n = f"{base} ({n})", n + 1
            names.add(name)
            since = (self.today - timedelta(days=rng.randint(60, 700))).strftime("%B %Y")
            groups.append(
                PeerGroup(
                    name=name,
                    description=(
                        f"Identified through concerns logged since {since}. Mostly aged "
                        f"{rng.randint(13, 15)}-{rng.randint(15, 17)}; members describe it as "
                        "a friendship group."
                    ),
                    created_by=rng.choice(self.staff),
                )
            )
            homes.append(home)
        # Groups are few (6,700 at scale 333) and used as models below: the ORM writes them.
        subject_ids = self.subjects(Subject.Kind.PEER_GROUP, len(groups))
        for group, subject_id in zip(groups, subject_ids, strict=True):
            group.subject_id = subject_id
        self.writer.wait()  # the subjects are in their table before the groups point at them
        bulk(PeerGroup, groups)
        self.groups = groups
        self.group_home = {g.pk: h for g, h in zip(groups, homes, strict=True)}
        self.members = defaultdict(list)  # group id -> [(person index, joined, left)]
        memberships = []
        everyone = range(len(self.people))
        source_pop, source_cum = weighted(SOURCE_WEIGHTS)
        for group, home in zip(groups, homes, strict=True):
            local = self.people_at.get(home.pk) or []
            size = rng.randint(3, 8)
            # sample() draws the same from a range as from the list of it, without the copy.
            pool = local if len(local) >= size else everyone
            for idx in rng.sample(pool, k=min(size, len(pool))):
                joined = self.today - timedelta(days=rng.randint(30, 720))
                left = None
                if rng.random() < 0.25:
                    left = joined + timedelta(days=rng.randint(14, (self.today - joined).days))
                self.members[group.pk].append((idx, joined, left))
                memberships.append(
                    (
                        group.pk,
                        self.people[idx].id,
                        joined,
                        left,
                        rng.choice(CONFIDENCES),
                        pick(rng, source_pop, source_cum),
                        "Seen together on several occasions",
                        rng.choice(self.staff).pk,
                    )
                )
        self.writer.write(PeerGroupMembership, MEMBERSHIP_FIELDS, memberships)

    def relationships(self):
        rng = self.rng
        people, rows, seen = self.people, [], set()
        kind = Relationship.Kind
        source_pop, source_cum = weighted(SOURCE_WEIGHTS)
        rel_pop, rel_cum = weighted(RELIABILITY_WEIGHTS)

        def add(a: Person, b: Person, rel_kind, source, reliability, notes=""):
            key = (min(a.id, b.id), max(a.id, b.id), rel_kind)
            if a.id == b.id or key in seen:
                return
            seen.add(key)
            started_on = (
                None
                if rel_kind == kind.FAMILY
                else self.today - timedelta(days=rng.randint(30, 600))
            )
            row = (a.id, b.id, rel_kind, source, reliability, notes, started_on)
            rows.append((*row, rng.choice(self.staff).pk))

        for a, b in self.siblings:
            add(a, b, kind.FAMILY, InformationSource.FAMILY, Reliability.CONFIRMED, "Siblings")
        for members in self.members.values():
            for (i, _, _), (j, _, _) in pairwise(members):
                add(
                    people[i],
                    people[j],
                    rng.choice([kind.FRIEND, kind.FRIEND, kind.ASSOCIATE]),
                    InformationSource.PROFESSIONAL,
                    Reliability.RELIABLE,
                )
        target = round(1.2 * len(people))
        # Bounded: a tiny borough may not have enough distinct pairs to reach the target.
        for _ in range(target * 3):
            if len(rows) >= target or len(people) < 2:
                break
            a, b = rng.sample(people, 2)
            roll = rng.random()
            if roll < 0.06:
                older, younger = (a, b) if a.age >= b.age else (b, a)
                add(
                    older,
                    younger,
                    kind.EXPLOITS,
                    InformationSource.POLICE,
                    rng.choice([Reliability.RELIABLE, Reliability.UNTESTED]),
                    "Police intelligence suggests the older young person directs the younger.",
                )
            elif roll < 0.15 and min(a.age, b.age) >= 13:
                add(a, b, kind.PARTNER, InformationSource.YOUNG_PERSON, Reliability.RELIABLE)
            else:
                add(
                    a,
                    b,
                    rng.choice([kind.FRIEND, kind.ASSOCIATE, kind.IN_CONTACT]),
                    pick(rng, source_pop, source_cum),
                    pick(rng, rel_pop, rel_cum),
                )
        for start in range(0, len(rows), self.CHUNK):
            self.writer.write(Relationship, RELATIONSHIP_FIELDS, rows[start : start + self.CHUNK])
