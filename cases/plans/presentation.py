"""How a plan's measures are shown: each measure's values over time as a small line chart
drawn in SVG on the server (no JavaScript; it prints), its target as a dashed line, with the
same data as a table; and its trend (the latest value against the baseline, in the measure's
direction). No queries: give measures read with ``values_seen`` (``selectors.plan_goals``)."""

from dataclasses import dataclass
from decimal import Decimal

from cases.models import Measure

#: The chart's size in SVG units, and its inner margin.
WIDTH, HEIGHT, PAD = 320, 120, 12


@dataclass(frozen=True)
class Trend:
    key: str  # "better", "worse", "same", "none" (no value yet)
    label: str
    tag: str  # the GOV.UK tag colour

    @classmethod
    def of(cls, measure: Measure, latest) -> "Trend":
        if latest is None:
            return cls("none", "No value yet", "grey")
        verdict = measure.better(latest, measure.baseline_value)
        if verdict is None:
            return cls("same", "No change", "yellow")
        return cls("better", "Improving", "green") if verdict else cls("worse", "Worse", "red")


def _scale(measure: Measure, numbers: list[Decimal]) -> tuple[Decimal, Decimal]:
    low, high = Measure.RANGES[measure.kind]
    if high is None or measure.kind == Measure.Kind.COUNT:
        low, high = min(numbers), max(numbers)
    if high == low:
        high = low + 1
    return low, high


def measure_chart(measure: Measure, *, notes_of: int | None = None) -> dict:
    """The chart and table of ``measure`` (read with ``values_seen``). ``notes_of``: for a
    partner agency, its organisation's id: the notes of values others recorded are left out
    (as the API does: ``cases/plans/api.py``). Returns ``points`` (the SVG
    polyline's, baseline first), ``dots`` (each ``{"x", "y"}``), ``target_y``, ``width``,
    ``height``, ``label`` (the chart's accessible name, saying every value), ``rows`` (the
    table: ``{"on", "value", "note", "by", "baseline"}``, oldest first), ``trend`` (:class:`Trend`)
    and ``met`` (the latest value reaches the target)."""
    values = list(getattr(measure, "values_seen", []))
    series = [(measure.baseline_on, measure.baseline_value)] + [
        (v.recorded_on, v.value) for v in values
    ]
    low, high = _scale(measure, [n for _, n in series] + [measure.target_value])
    first, last = series[0][0], series[-1][0]
    days = max((last - first).days, 1)

    def x(day):
        if len(series) == 1:
            return WIDTH // 2
        return round(PAD + (day - first).days / days * (WIDTH - 2 * PAD))

    def y(number):
        return round(HEIGHT - PAD - float((number - low) / (high - low)) * (HEIGHT - 2 * PAD))

    dots = [{"x": x(day), "y": y(number)} for day, number in series]
    latest = values[-1].value if values else None
    target = measure.shown(measure.target_value)
    described = ", ".join(f"{measure.shown(n)} on {d:%-d %b %Y}" for d, n in series)
    rows = [
        {
            "on": measure.baseline_on,
            "value": measure.shown(measure.baseline_value),
            "note": "Baseline",
            "by": "",
            "baseline": True,
        }
    ] + [
        {
            "on": v.recorded_on,
            "value": measure.shown(v.value),
            "note": v.note if notes_of is None or v.organisation_id == notes_of else "",
            "by": v.organisation.name if v.organisation_id else str(v.recorded_by or ""),
            "baseline": False,
        }
        for v in values
    ]
    met = latest is not None and measure.better(measure.target_value, latest) is not True
    return {
        "measure": measure,
        "width": WIDTH,
        "height": HEIGHT,
        "points": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "target_y": y(measure.target_value),
        "label": (
            f"{measure.name}, baseline first: {described}. Target {target} "
            f"({measure.get_direction_display().lower()}). The same data is in the table."
        ),
        "rows": rows,
        "trend": Trend.of(measure, latest),
        "latest": measure.shown(latest) if latest is not None else "",
        "target": target,
        "baseline": measure.shown(measure.baseline_value),
        "met": met,
    }


def goal_rows(goals, *, notes_of: int | None = None) -> list[dict]:
    """Each goal (``selectors.plan_goals``) with its measures' charts: ``{"goal", "charts",
    "actions"}``. ``notes_of``: see :func:`measure_chart`."""
    return [
        {
            "goal": goal,
            "charts": [measure_chart(m, notes_of=notes_of) for m in goal.measures_seen],
            "actions": goal.actions_seen,
        }
        for goal in goals
    ]
