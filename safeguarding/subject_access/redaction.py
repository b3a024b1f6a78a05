"""Redaction: other people's information replaced by a neutral label, each with its reason.

A redaction is a dict (kept in ``Bundle.redactions``)::

    {"id": "R3", "value": "Jay Smith", "label": "Young person A", "reason": "...",
     "source": "compiled" | "added", "active": True, "withdrawn_reason": "", "by": "", "at": ""}

Applied to every string of every item (title, text and each structured field's value): a
known value is replaced wherever it stands as whole words (not inside another word), whatever
its case (:func:`segments`). Longer values are matched first, so "Jay Smith" is one redaction,
not "Jay" and then " Smith". A withdrawn redaction (``active`` false, with the officer's
reason) is shown as written.
"""

import re
from dataclasses import dataclass

#: Reasons, with the law that allows each (what the bundle's list of redactions says).
ANOTHER_YOUNG_PERSON = "Another young person's personal data (UK GDPR Art. 15(4))"
THIRD_PARTY = "Third party information (DPA 2018 Sch. 2 Part 3 para 16)"
PARTNER_STAFF = (
    "Partner agency staff member: third party information (DPA 2018 Sch. 2 Part 3 para 16)"
)
POLICE_SOURCE = (
    "Police intelligence source: the prevention or detection of crime "
    "(DPA 2018 Sch. 2 Part 1 para 2)"
)

#: What a redacted value becomes in the PDF and the JSON: its label in square brackets.
SHOWN = "[{label}]"


def _pattern(values: list[str]) -> re.Pattern | None:
    if not values:
        return None
    ordered = sorted({v for v in values if v.strip()}, key=len, reverse=True)
    if not ordered:
        return None
    alternatives = "|".join(re.escape(v) for v in ordered)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Redactor:
    """The active redactions of a bundle, compiled once into one pattern."""

    pattern: re.Pattern | None
    by_value: dict[str, dict]

    @classmethod
    def of(cls, redactions: list[dict]) -> "Redactor":
        active = [r for r in redactions if r.get("active", True) and r["value"].strip()]
        by_value = {}
        for redaction in active:
            by_value.setdefault(redaction["value"].casefold(), redaction)
        return cls(_pattern([r["value"] for r in active]), by_value)

    def segments(self, text: str) -> list[tuple[str, dict | None]]:
        """``text`` cut into pieces: ``(text, None)`` as written, ``(matched, redaction)`` where
        a redaction applies."""
        text = "" if text is None else str(text)
        if self.pattern is None or not text:
            return [(text, None)] if text else []
        pieces, at = [], 0
        for match in self.pattern.finditer(text):
            if match.start() > at:
                pieces.append((text[at : match.start()], None))
            pieces.append((match.group(0), self.by_value[match.group(0).casefold()]))
            at = match.end()
        if at < len(text):
            pieces.append((text[at:], None))
        return pieces

    def apply(self, text: str) -> str:
        """``text`` with every redacted value replaced by ``[label]``."""
        return "".join(
            SHOWN.format(label=r["label"]) if r else piece for piece, r in self.segments(text)
        )

    def count(self, text: str) -> dict[str, int]:
        """How many times each redaction (by id) applies in ``text``."""
        counts: dict[str, int] = {}
        for _piece, redaction in self.segments(text):
            if redaction:
                counts[redaction["id"]] = counts.get(redaction["id"], 0) + 1
        return counts


def item_strings(item: dict) -> list[str]:
    """Every string of an item that redaction applies to."""
    return [item.get("title", ""), item.get("text", "")] + [
        str(value) for _label, value in item.get("fields", [])
    ]


def redacted_item(item: dict, redactor: Redactor) -> dict:
    """A copy of ``item`` with every string redacted (what the PDF and the JSON hold)."""
    return {
        **item,
        "title": redactor.apply(item.get("title", "")),
        "text": redactor.apply(item.get("text", "")),
        "fields": [
            [redactor.apply(label), redactor.apply(str(value))]
            for label, value in item.get("fields", [])
        ],
    }


def highlighted_item(item: dict, redactor: Redactor) -> dict:
    """A copy of ``item`` whose strings are lists of segments (for the officer's review, where
    each redaction is highlighted with its label and reason)."""
    return {
        **item,
        "title": redactor.segments(item.get("title", "")),
        "text": redactor.segments(item.get("text", "")),
        "fields": [
            (redactor.apply(label), redactor.segments(str(value)))
            for label, value in item.get("fields", [])
        ],
    }


def usage(items: list[dict], redactions: list[dict]) -> dict[str, int]:
    """How many times each active redaction applies across the items (by id)."""
    redactor = Redactor.of(redactions)
    totals: dict[str, int] = {}
    for item in items:
        for text in item_strings(item):
            for rid, n in redactor.count(text).items():
                totals[rid] = totals.get(rid, 0) + n
    return totals


class Labeller:
    """Hands out neutral labels and builds the redaction list while a bundle is compiled: one
    label per person (all their names share it), a new id per value."""

    def __init__(self, own_names: list[str]):
        self.own = {n.casefold() for n in own_names if n and n.strip()}
        self.redactions: list[dict] = []
        self._labels: dict[tuple[str, object], str] = {}
        self._values: set[str] = set()
        self._counters = {"young_person": 0, "third_party": 0}

    def _label(self, kind: str, key) -> str:
        if (kind, key) in self._labels:
            return self._labels[(kind, key)]
        if kind == "young_person":
            n = self._counters["young_person"]
            self._counters["young_person"] += 1
            label = f"Young person {_letters(n)}"
        elif kind == "partner_staff":
            label = "Partner agency staff member"
        elif kind == "police_source":
            label = "Police source"
        else:
            self._counters["third_party"] += 1
            label = f"Third party {self._counters['third_party']}"
        self._labels[(kind, key)] = label
        return label

    def redact(self, kind: str, key, values, reason: str) -> str:
        """Redact each of ``values`` (names of one person, or a phrase) under the label of
        ``(kind, key)``; the label. A value that is one of the subject's own names, or is
        already redacted, is left."""
        label = self._label(kind, key)
        for value in values:
            value = " ".join(str(value or "").split())
            folded = value.casefold()
            if len(value) < 2 or folded in self.own or folded in self._values:
                continue
            self._values.add(folded)
            self.redactions.append(
                {
                    "id": f"R{len(self.redactions) + 1}",
                    "value": value,
                    "label": label,
                    "reason": reason,
                    "source": "compiled",
                    "active": True,
                    "withdrawn_reason": "",
                    "by": "",
                    "at": "",
                }
            )
        return label


def _letters(n: int) -> str:
    """0 → A, 25 → Z, 26 → AA …"""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
