"""Computing a period (计算): read the sources for every unit of every group, score with `evaluation.scoring`.

Repeatable and side-effect free apart from the stored task statuses `reports.snapshots` fills: the
preview page and publishing call the same `period_compute`, so what the office previews is what it
publishes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import ServiceError
from evaluation import scoring
from evaluation.models import Adjustment, Component, Period, Scheme, ScoreRow, UnitGroup
from evaluation.sources import Input, Window, source_function
from org.models import Unit


@dataclass
class ComputedRow:
    group: UnitGroup
    unit: Unit
    score: scoring.UnitScore
    components: list[dict]
    rank_change: int | None = None


def pure_scheme(scheme: Scheme, components: list[Component] | None = None) -> scoring.Scheme:
    comps = components if components is not None else list(scheme.components.all())
    return scoring.Scheme(
        total=Decimal(scheme.total),
        components=tuple(
            scoring.Component(c.key, c.label, Decimal(c.weight), scoring.Rule.from_data(c.rule)) for c in comps
        ),
        bonus_cap=Decimal(scheme.bonus_cap),
    )


def _adjustments(units: list[int], start: date, end: date) -> dict[int, tuple[Decimal, Decimal, list[dict]]]:
    out: dict[int, tuple[Decimal, Decimal, list[dict]]] = defaultdict(lambda: (Decimal(0), Decimal(0), []))
    approved = Adjustment.objects.filter(
        unit_id__in=units, state=Adjustment.State.APPROVED, day__gte=start, day__lte=end
    ).order_by("day", "pk")
    for a in approved:
        bonus, deduction, rows = out[a.unit_id]
        if a.kind == Adjustment.Kind.BONUS:
            bonus += a.points
        else:
            deduction += a.points
        sign = "+" if a.kind == Adjustment.Kind.BONUS else "−"
        rows.append(
            {"label": f"{sign}{a.points} {a.reason[:40]}", "url": reverse("evaluation:adjustment", args=[a.pk])}
        )
        out[a.unit_id] = (bonus, deduction, rows)
    return out


def previous_ranks(period: Period) -> dict[int, int]:
    """Each unit's rank in the latest published version of the previous period of the same kind."""
    before = (
        Period.objects.filter(kind=period.kind, end__lt=period.start, version__gt=0, scheme__year=period.scheme.year)
        .order_by("-end")
        .first()
    )
    if before is None:
        return {}
    return dict(ScoreRow.objects.filter(period=before, version=before.version).values_list("unit_id", "rank"))


def period_compute(period: Period) -> list[ComputedRow]:
    """Every unit's score, rank and change of rank, per group, from the records as of the period's end."""
    scheme = period.scheme
    if period.kind == Period.Kind.YEAR and period.year_mode == Period.YearMode.MONTHS:
        return _year_from_months(period)
    components = list(scheme.components.all())
    pure = pure_scheme(scheme, components)
    window = Window(period.start, period.end, Decimal(scheme.yellow_credit), Decimal(scheme.late_credit))
    groups = list(scheme.groups.prefetch_related("units"))
    all_units = sorted({u.pk for g in groups for u in g.units.all()})
    inputs: dict[str, dict[int, Input]] = {}
    for c in components:
        try:
            read = source_function(c.source)
        except LookupError:
            raise ServiceError(_("Component %(label)s names an unknown source %(source)s.") % {
                "label": c.label, "source": c.source}, field="components") from None  # fmt: skip
        inputs[c.key] = read(window, all_units)
    adjustments = _adjustments(all_units, period.start, period.end)
    previous = previous_ranks(period)
    out: list[ComputedRow] = []
    for g in groups:
        units = {u.pk: u for u in g.units.all()}
        unit_inputs = []
        for pk, unit in units.items():
            bonus, deduction, _rows = adjustments.get(pk, (Decimal(0), Decimal(0), []))
            values = {c.key: inputs[c.key][pk].value for c in components}
            unit_inputs.append(scoring.UnitInput(pk, unit.sort_key, values, bonus=bonus, deduction=deduction))
        changes_base = scoring.compute(pure, unit_inputs)
        changes = scoring.rank_changes(changes_base, previous)
        for s in changes_base:
            comps = []
            for c in components:
                item = inputs[c.key][s.unit_id]
                comps.append({
                    "key": c.key, "label": c.label, "weight": str(c.weight), "points": str(s.points[c.key]),
                    "input": None if item.value is None else str(round(item.value, 4)),
                    "detail": item.detail, "rows": item.rows,
                })  # fmt: skip
            adj_rows = adjustments.get(s.unit_id, (0, 0, []))[2]
            if adj_rows:
                comps.append({"key": "adjustments", "label": _("Bonus and deductions"), "weight": "",
                              "points": str(s.bonus - s.deduction), "input": None, "detail": "",
                              "rows": adj_rows})  # fmt: skip
            out.append(ComputedRow(g, units[s.unit_id], s, comps, changes[s.unit_id]))
    return out


def _year_from_months(period: Period) -> list[ComputedRow]:
    """年考核 as the weighted months: each month's latest published total (month weights equal)."""
    months = list(
        Period.objects.filter(
            kind=Period.Kind.MONTH, version__gt=0, start__gte=period.start, end__lte=period.end
        ).order_by("start")
    )
    if not months:
        raise ServiceError(_("No month of this year is published yet."), field="period")
    groups = list(period.scheme.groups.prefetch_related("units"))
    totals: dict[int, dict[int, Decimal]] = {}
    for m in months:
        totals[m.pk] = {
            u: Decimal(t)
            for u, t in ScoreRow.objects.filter(period=m, version=m.version).values_list("unit_id", "total")
        }
    year = scoring.weighted_months([(Decimal(1), totals[m.pk]) for m in months])
    previous = previous_ranks(period)
    out = []
    for g in groups:
        units = {u.pk: u for u in g.units.all() if u.pk in year}
        scores = scoring.rank(
            scoring.UnitScore(pk, u.sort_key, {}, Decimal(0), Decimal(0), year[pk]) for pk, u in units.items()
        )
        changes = scoring.rank_changes(scores, previous)
        for s in scores:
            comps = [
                {"key": f"m{m.start.month:02}", "label": m.label, "weight": "", "input": None, "detail": "",
                 "points": str(totals[m.pk].get(s.unit_id, "")),
                 "rows": [{"label": m.label, "url": reverse("evaluation:period", args=[m.pk])}]}
                for m in months
            ]  # fmt: skip
            out.append(ComputedRow(g, units[s.unit_id], s, comps, changes[s.unit_id]))
    return out
