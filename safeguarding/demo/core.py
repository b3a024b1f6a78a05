"""What every part of the demo borough's builder shares.

:class:`Plan` (how much of everything at a scale), :class:`Person` (what the builder remembers
of each young person), :func:`pick` (a weighted draw), and :class:`BuilderCore`: the builder's
state, the primary keys and references it takes from the database in blocks, the subjects
every record points at, and the small random helpers (postcodes, addresses, NHS numbers,
times). The steps that make the borough build on it: ``records.py`` (places, young people,
peer groups, relationships), ``casework.py`` (cases, concerns, actions, grants),
``referrals.py`` and ``builder.py`` (organisations and staff, and the run).
"""

from __future__ import annotations

import random
from bisect import bisect
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

from django.utils import timezone

from cases.models import one_working_day_after
from safeguarding.accounts.models import Organisation
from safeguarding.subjects.models import Subject, new_references

from .data import (
    ADULT_FIRST,
    ADULT_LAST,
    BLOCKS,
    DEFAULT_SEED,
    FORCED_REFERRALS,
    HOUR_CUM,
    HOURS,
    INWARD_LETTERS,
    STREETS,
)
from .writer import TableWriter

# The columns of the builder's Subject rows, in the order its tuples give them.
SUBJECT_FIELDS = ("id", "kind", "reference", "authority_id")


@dataclass(frozen=True)
class Plan:
    """How much of everything to make at a given scale (all linear in ``scale``)."""

    scale: float
    young_people: int
    contexts: int
    peer_groups: int
    concerns: int
    referrals: int

    @classmethod
    def for_scale(cls, scale: float, concerns_per_young_person: float | None = None) -> Plan:
        young_people = max(1, round(300 * scale))
        if concerns_per_young_person is None:
            concerns = max(1, round(2000 * scale))
        else:  # e.g. 10 at scale 333: 100,000 young people and a million concerns
            concerns = max(1, round(young_people * concerns_per_young_person))
        return cls(
            scale=scale,
            young_people=young_people,
            contexts=max(40, round(40 * scale)),
            peer_groups=max(1, round(20 * scale)),
            concerns=concerns,
            # At least one referral for every status and decision, whatever the scale.
            referrals=max(len(FORCED_REFERRALS), round(400 * scale)),
        )


class Person:
    """What the builder remembers about a young person after writing it (kept small)."""

    __slots__ = (
        "address",
        "age",
        "case_team",
        "dob",
        "family",
        "given",
        "heritage",
        "id",
        "initials",
        "postcode",
        "restricted",
        "school_id",
        "subject_id",
        "team",
        "worker",
    )

    def __init__(self, **values):
        for slot in self.__slots__:
            setattr(self, slot, values.get(slot))


@dataclass
class DemoLogin:
    username: str
    role: str
    where: str


@dataclass
class Result:
    authority: Organisation
    logins: list[DemoLogin] = field(default_factory=list)


def weighted(mapping: dict) -> tuple[list, list]:
    """Population and cumulative weights, for :func:`pick`."""
    return list(mapping), list(accumulate(mapping.values()))


def pick(rng: random.Random, population, cum_weights: list):
    """``rng.choices(population, cum_weights=cum_weights)[0]``: the same draw from the same
    random number (so the same seed gives the same borough), without building a list per call.
    """
    return population[
        bisect(cum_weights, rng.random() * (cum_weights[-1] + 0.0), 0, len(cum_weights) - 1)
    ]


class BuilderCore:
    """The builder's state and the helpers its steps share (see ``builder.BoroughBuilder``).

    ``CHUNK``: rows are generated and written this many at a time (one COPY per table per
    chunk), so memory stays flat at any scale. (The concerns' random draws are made chunk by
    chunk: changing it changes which borough a seed gives.) ``BLOCK``: ids and references are
    taken from the database this many at a time (see :meth:`take_ids`). Both are read from the
    builder, so a test may set them smaller on its class.
    """

    CHUNK = 5000
    BLOCK = 50_000

    def __init__(
        self,
        scale: float = 1.0,
        seed: int = DEFAULT_SEED,
        concerns_per_young_person: float | None = None,
        *,
        use_copy: bool | None = None,
    ):
        self.plan = Plan.for_scale(scale, concerns_per_young_person)
        self.rng = random.Random(seed)
        # Whole minutes: nothing seeded claims a precision it does not have.
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_current_timezone()
        self.latest = self.now - timedelta(hours=1)  # nothing seeded happened in the last hour
        self.writer = TableWriter(use_copy=use_copy)
        # model (and, for references, prefix) -> ids and references taken from the database in
        # blocks, not yet used: a context's spare reference is not a young person's
        self.spare_ids: dict[type, deque] = defaultdict(deque)
        self.spare_references: dict[tuple[type, str], deque] = defaultdict(deque)
        self.due_after: dict[date, timedelta] = {}  # see decision_due()
        self.result: Result | None = None

    # -- helpers ---------------------------------------------------------------------------

    def take_ids(self, model, count: int) -> list[int]:
        """The next ``count`` primary keys for ``model``, in order.

        Taken from the database ``BLOCK`` at a time: asking waits for the background COPYs to
        finish, so asking once per chunk would stop the database and the builder working at
        the same time. (Ids left over at the end are gaps in the sequence, as after a rollback.)
        """
        spare = self.spare_ids[model]
        if len(spare) < count:
            spare.extend(self.writer.ids(model, max(count - len(spare), self.BLOCK)))
        return [spare.popleft() for _ in range(count)]

    def take_references(self, model, prefix: str, count: int) -> list[str]:
        """The next ``count`` new references for ``model`` (with a unique ``reference``).

        References are random; among a million a repeat is unlikely (about 1 in 2,000) but
        would abort the whole seed at the unique constraint. So they are drawn ``BLOCK`` at a
        time and each block is checked against itself, the references still unused and the
        table, once every row made so far is in it (this borough's or another's); clashes are
        drawn again. That keeps memory flat, where remembering every reference would not.
        """
        spare = self.spare_references[(model, prefix)]
        wanted = max(count - len(spare), self.BLOCK) if len(spare) < count else 0
        while wanted:
            unused = set(spare)
            drawn = [r for r in dict.fromkeys(new_references(prefix, wanted)) if r not in unused]
            taken = self.writer.taken(model, "reference", drawn)
            fresh = [ref for ref in drawn if ref not in taken]
            spare.extend(fresh)
            wanted -= len(fresh)
        return [spare.popleft() for _ in range(count)]

    def subjects(self, kind: str, count: int) -> list[int]:
        """Write ``count`` new subjects of ``kind`` and return their ids, in order."""
        ids = self.take_ids(Subject, count)
        refs = self.take_references(Subject, Subject.PREFIXES[kind], count)
        la = self.la.pk
        self.writer.write(
            Subject,
            SUBJECT_FIELDS,
            [(pk, kind, ref, la) for pk, ref in zip(ids, refs, strict=True)],
        )
        return ids

    def postcode(self, districts) -> str:
        rng = self.rng
        letters = rng.choice(INWARD_LETTERS) + rng.choice(INWARD_LETTERS)
        return f"EB{rng.choice(districts)} {rng.randint(1, 9)}{letters}"

    def address(self) -> str:
        rng = self.rng
        if rng.random() < 0.35:
            return f"Flat {rng.randint(1, 96)}, {rng.choice(BLOCKS)}\nEastbrook"
        return f"{rng.randint(1, 180)} {rng.choice(STREETS)}\nEastbrook"

    def nhs_number(self) -> str:
        # 999 numbers are never issued to patients; the check digit still follows modulus 11.
        while True:
            digits = [9, 9, 9] + [self.rng.randint(0, 9) for _ in range(6)]
            check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
            if check == 10:
                continue
            digits.append(0 if check == 11 else check)
            s = "".join(map(str, digits))
            return f"{s[:3]} {s[3:6]} {s[6:]}"

    def moment(self, days_ago_min: int, days_ago_max: int) -> datetime:
        """A time on a day in the past, mostly afternoons and evenings (when most harm happens).

        Whole days back from today, never from the current time: the same seed then gives the
        same borough all day, whatever the hour it runs. (An aware local time, built directly:
        what ``timezone.make_aware`` would return, without its checks on a million calls.)
        """
        rng = self.rng
        day = self.today - timedelta(days=rng.randint(days_ago_min, days_ago_max))
        hour = pick(rng, HOURS, HOUR_CUM)
        when = datetime(day.year, day.month, day.day, hour, rng.randrange(0, 60, 5), tzinfo=self.tz)
        return when - timedelta(days=1) if when > self.latest else when

    def decision_due(self, received: datetime) -> datetime:
        """``one_working_day_after(received)``, worked out once per day received.

        The deadline is the same local time a whole number of working days later, and that
        number depends only on the day, so over 100,000 referrals it is worked out a few
        hundred times (the bank holidays are cached per year: ``safeguarding.working_days``).
        """
        local = timezone.localtime(received)
        day = local.date()
        if day not in self.due_after:
            self.due_after[day] = one_working_day_after(received).date() - day
        return local + self.due_after[day]

    def adult_name(self) -> str:
        return f"{self.rng.choice(ADULT_FIRST)} {self.rng.choice(ADULT_LAST)}"
