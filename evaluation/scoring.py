"""Scoring (计分): rules as data, scheme validation, and a period's scores from plain inputs. Pure: no Django.

A scheme (考核方案) has a total (usually 100) and components, each with a weight and one rule of a
small fixed set of kinds — not a formula language:

- ``linear``: the input (a share, 0..1 usually) maps linearly from ``low`` (0 points) to ``high``
  (full weight), clamped; ``low > high`` scores a smaller input higher (e.g. a lag).
- ``banded``: half-open bands ``[from, to)`` each giving a fraction of the weight; bands do not overlap.
- ``deduction``: full weight less ``per_event`` for each event (an escalated order), at most ``cap``.

Bonus (加分) and deductions (扣分) approved by the office are added after the components; the bonus
total is capped by the scheme. Ranks are competition ranks (1, 2, 2, 4) by score, ties in name order,
so the same inputs give the same table whatever order they arrive in.

Problems are returned as `Problem`s carrying an English msgid and its parameters; the Django layer
translates them (this module imports no gettext).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

LINEAR = "linear"
BANDED = "banded"
DEDUCTION = "deduction"
RULE_KINDS = (LINEAR, BANDED, DEDUCTION)

CENT = Decimal("0.01")


def _d(value: float | int | str | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def plain(value: Decimal) -> str:
    """A decimal as people write it: 100, 2.5 (not 1E+2, not 2.50)."""
    text = format(value.normalize(), "f")
    return text


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Problem:
    """One reason a scheme is refused: `field` names the component (or 'weights'), `message` is a msgid."""

    field: str
    message: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self, translate: object = None) -> str:
        template = translate(self.message) if callable(translate) else self.message
        return str(template) % dict(self.params) if self.params else str(template)


@dataclass(frozen=True)
class Band:
    low: Decimal
    high: Decimal  # exclusive
    fraction: Decimal


@dataclass(frozen=True)
class Rule:
    kind: str
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(1)
    bands: tuple[Band, ...] = ()
    per_event: Decimal = Decimal(0)
    cap: Decimal | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> Rule:
        """A rule from its stored JSON form; raises ValueError on a shape that is not a rule."""
        kind = str(data.get("kind", ""))
        if kind == LINEAR:
            return cls(kind, low=_d(str(data["low"])), high=_d(str(data["high"])))
        if kind == BANDED:
            raw = data.get("bands") or []
            if not isinstance(raw, list):
                raise ValueError("bands")
            bands = tuple(Band(_d(str(b[0])), _d(str(b[1])), _d(str(b[2]))) for b in raw)
            return cls(kind, bands=bands)
        if kind == DEDUCTION:
            cap = data.get("cap")
            return cls(kind, per_event=_d(str(data["per_event"])), cap=None if cap in (None, "") else _d(str(cap)))
        raise ValueError(kind)

    def to_data(self) -> dict[str, object]:
        if self.kind == LINEAR:
            return {"kind": LINEAR, "low": str(self.low), "high": str(self.high)}
        if self.kind == BANDED:
            return {"kind": BANDED, "bands": [[str(b.low), str(b.high), str(b.fraction)] for b in self.bands]}
        return {"kind": DEDUCTION, "per_event": str(self.per_event), "cap": None if self.cap is None else str(self.cap)}

    def points(self, value: Decimal, weight: Decimal) -> Decimal:
        """Points out of `weight` for an input `value` (a share for linear/banded, an event count for deduction)."""
        if self.kind == LINEAR:
            share = (value - self.low) / (self.high - self.low)
            return weight * min(Decimal(1), max(Decimal(0), share))
        if self.kind == BANDED:
            for band in self.bands:
                if band.low <= value < band.high:
                    return weight * band.fraction
            # Outside every band: the nearest edge's band (a share of exactly 1 falls in [x, 1) otherwise).
            ordered = sorted(self.bands, key=lambda b: b.low)
            return weight * (ordered[-1].fraction if value >= ordered[-1].high else ordered[0].fraction)
        taken = self.per_event * value
        cap = weight if self.cap is None else min(self.cap, weight)
        return weight - min(taken, cap)


def rule_problems(rule: Rule, weight: Decimal, field_name: str) -> list[Problem]:
    out: list[Problem] = []
    if rule.kind not in RULE_KINDS:
        return [Problem(field_name, "Unknown rule kind %(kind)s.", (("kind", rule.kind),))]
    if rule.kind == LINEAR and rule.low == rule.high:
        out.append(Problem(field_name, "The lower and upper bounds of a linear rule must differ."))
    if rule.kind == BANDED:
        if not rule.bands:
            out.append(Problem(field_name, "A banded rule needs at least one band."))
        ordered = sorted(rule.bands, key=lambda b: (b.low, b.high))
        for band in ordered:
            if band.high <= band.low:
                out.append(Problem(field_name, "Band %(low)s–%(high)s is empty.", _band_params(band)))
            if not Decimal(0) <= band.fraction <= Decimal(1):
                out.append(Problem(field_name, "A band's share of the weight must be between 0 and 1."))
        for before, after in zip(ordered, ordered[1:], strict=False):
            if after.low < before.high:
                params = (
                    ("a", f"{plain(before.low)}–{plain(before.high)}"),
                    ("b", f"{plain(after.low)}–{plain(after.high)}"),
                )
                out.append(Problem(field_name, "Bands %(a)s and %(b)s overlap.", params))
    if rule.kind == DEDUCTION:
        if rule.per_event <= 0:
            out.append(Problem(field_name, "The deduction per event must be positive."))
        if rule.cap is not None and not Decimal(0) < rule.cap <= weight:
            out.append(Problem(field_name, "The deduction cap must be positive and at most the weight."))
    return out


def _band_params(band: Band) -> tuple[tuple[str, str], ...]:
    return (("low", plain(band.low)), ("high", plain(band.high)))


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    weight: Decimal
    rule: Rule


@dataclass(frozen=True)
class Scheme:
    total: Decimal
    components: tuple[Component, ...]
    bonus_cap: Decimal = Decimal(5)


def scheme_problems(scheme: Scheme) -> list[Problem]:
    """Everything wrong with a scheme (empty when it may be saved)."""
    out: list[Problem] = []
    if not scheme.components:
        out.append(Problem("components", "A scheme needs at least one component."))
    seen: set[str] = set()
    for c in scheme.components:
        if c.key in seen:
            out.append(Problem(c.key, "Component %(key)s appears twice.", (("key", c.key),)))
        seen.add(c.key)
        if c.weight <= 0:
            out.append(Problem(c.key, "The weight of %(label)s must be positive.", (("label", c.label),)))
        out.extend(rule_problems(c.rule, c.weight, c.key))
    weights = sum((c.weight for c in scheme.components), Decimal(0))
    if scheme.components and weights != scheme.total:
        params = (("sum", plain(weights)), ("total", plain(scheme.total)))
        out.append(Problem("weights", "The weights add up to %(sum)s, not the total %(total)s.", params))
    if scheme.bonus_cap < 0:
        out.append(Problem("bonus_cap", "The bonus cap cannot be negative."))
    return out


# --- inputs ---------------------------------------------------------------------------------------


def delivery_share(tasks: Iterable[tuple[Decimal, str]], *, yellow_credit: Decimal = Decimal("0.6")) -> Decimal | None:
    """Weighted delivery of a unit's lead tasks from their lights: green full, yellow partial, red zero.

    `tasks` are (weight, light) pairs; None when the unit leads no task (the component is then full).
    """
    credit = {"green": Decimal(1), "yellow": yellow_credit, "red": Decimal(0)}
    total = got = Decimal(0)
    for weight, light in tasks:
        total += weight
        got += weight * credit.get(light, Decimal(0))
    return got / total if total else None


def on_time_share(on_time: int, late: int, missing: int, *, late_credit: Decimal = Decimal("0.5")) -> Decimal | None:
    """Reporting discipline: on-time reports count fully, late ones `late_credit`, missing ones nothing."""
    due = on_time + late + missing
    if due == 0:
        return None
    return (Decimal(on_time) + late_credit * late) / due


# --- computation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitInput:
    unit_id: int
    name_key: str  # the unit's sort key (pinyin), breaks ties
    values: Mapping[str, Decimal | None]  # component key → input; None: nothing to score, full points
    bonus: Decimal = Decimal(0)
    deduction: Decimal = Decimal(0)
    overrides: Mapping[str, Decimal] = field(default_factory=dict)  # component key → points set on appeal


@dataclass(frozen=True)
class UnitScore:
    unit_id: int
    name_key: str
    points: dict[str, Decimal]
    bonus: Decimal
    deduction: Decimal
    total: Decimal
    rank: int = 0


def score_unit(scheme: Scheme, unit: UnitInput) -> UnitScore:
    points: dict[str, Decimal] = {}
    for c in scheme.components:
        if c.key in unit.overrides:
            points[c.key] = q2(min(c.weight, max(Decimal(0), unit.overrides[c.key])))
            continue
        value = unit.values.get(c.key)
        points[c.key] = c.weight if value is None else q2(c.rule.points(value, c.weight))
    bonus = q2(min(unit.bonus, scheme.bonus_cap))
    deduction = q2(unit.deduction)
    total = q2(sum(points.values(), Decimal(0)) + bonus - deduction)
    return UnitScore(unit.unit_id, unit.name_key, points, bonus, deduction, total)


def rank(scores: Iterable[UnitScore]) -> list[UnitScore]:
    """Competition ranks by total (1, 2, 2, 4); ties listed in name order, then by id."""
    ordered = sorted(scores, key=lambda s: (-s.total, s.name_key, s.unit_id))
    out: list[UnitScore] = []
    for i, s in enumerate(ordered):
        r = out[-1].rank if out and out[-1].total == s.total else i + 1
        out.append(UnitScore(s.unit_id, s.name_key, s.points, s.bonus, s.deduction, s.total, r))
    return out


def compute(scheme: Scheme, units: Sequence[UnitInput]) -> list[UnitScore]:
    """A group's ranked scores. The scheme must be valid (see `scheme_problems`)."""
    return rank(score_unit(scheme, u) for u in units)


def rank_changes(current: Iterable[UnitScore], previous: Mapping[int, int]) -> dict[int, int | None]:
    """Places gained (+) or lost (-) since the previous period; None for a unit not ranked then."""
    return {s.unit_id: (previous[s.unit_id] - s.rank if s.unit_id in previous else None) for s in current}


def weighted_months(months: Sequence[tuple[Decimal, Mapping[int, Decimal]]]) -> dict[int, Decimal]:
    """A year's totals from its months: (weight, unit → total) pairs; a unit absent from a month is not
    averaged over it (its weights are re-normalised over the months it was scored in)."""
    sums: dict[int, Decimal] = {}
    weights: dict[int, Decimal] = {}
    for weight, totals in months:
        for unit_id, total in totals.items():
            sums[unit_id] = sums.get(unit_id, Decimal(0)) + weight * total
            weights[unit_id] = weights.get(unit_id, Decimal(0)) + weight
    return {u: q2(sums[u] / weights[u]) for u in sums if weights[u]}
