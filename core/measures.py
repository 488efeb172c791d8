"""Computed measures (计算指标): named queries over records that give a figure and the rows behind it.

A figure that can be counted from records is never typed in: "帮扶企业3078家" is the number of
enterprises a query finds, and it links to them. Each app that owns records registers its own
measures here (a small registry of named queries, not a formula language); a computed indicator
names one measure by its key and takes its values from it.

The registry lives on the floor (`core`) so that any layer can consume a measure without importing
the app that owns the records: a task bound to a measure takes its actual value from it (plans and
reports), a computed indicator its values (indicators), a score component its input (evaluation).

An app registers in its `AppConfig.ready()`::

    from core.measures import Measure, register_measure

    register_measure(Measure(key="projects.started", label=_("开工项目数"), unit="个",
                             value=started_count, rows=started_rows, row_url=project_url))

`value(scope)` and `rows(scope)` must agree: the value is the count or sum over exactly the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class MeasureScope:
    """Where and when to measure: records of the period `start`..`end` (inclusive), as known on `end`.

    `plan_id`, `unit_id` and `tag_id` (a dimension tag: core block, industry) narrow the records when
    the measure's records carry them; a measure ignores a narrowing that does not apply to its rows.
    `params` are the measure's own narrowing (e.g. (("type", "小微企业园"), ("stage", "started")));
    a measure declares the names it accepts in `Measure.params`.
    """

    start: date
    end: date
    plan_id: int | None = None
    unit_id: int | None = None
    tag_id: int | None = None
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str, default: str = "") -> str:
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class Measure:
    """One named query: `key` is stable (stored on computed indicators), `unit` is the stored unit (元, 个, 人)."""

    key: str
    label: str
    unit: str
    value: Callable[[MeasureScope], Decimal]
    rows: Callable[[MeasureScope], Any]  # a QuerySet of the rows the value counts or sums
    row_url: Callable[[Any], str]
    row_label: Callable[[Any], str] = str
    description: str = ""
    # Names of the params this measure understands (a binding naming any other is refused).
    params: tuple[str, ...] = ()


_REGISTRY: dict[str, Measure] = {}


def register_measure(measure: Measure) -> Measure:
    """Add a measure; registering another measure under a key already taken is a programming error."""
    existing = _REGISTRY.get(measure.key)
    if existing is not None and existing != measure:
        raise ValueError(f"measure key {measure.key!r} is already registered")
    _REGISTRY[measure.key] = measure
    return measure


def get_measure(key: str) -> Measure:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise LookupError(f"no measure {key!r} is registered") from None


def all_measures() -> list[Measure]:
    return sorted(_REGISTRY.values(), key=lambda m: m.key)
