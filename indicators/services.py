"""Writes on indicators (指标): catalogue, values (enter, approve, return), targets. Keyword-only, atomic, audited.

Who may write (the same rules as tasks and reports): the office (督查室) keeps the catalogue and the
targets and may enter values, which count at once; a unit's reporter (填报员) enters values only for the
indicators its unit is responsible for, and its head (单位负责人) approves or returns them.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record
from core.errors import ServiceError
from core.measures import get_measure
from core.validation import number_problem, problem_text
from indicators import derive
from indicators.computed import parse_params
from indicators.models import CockpitIndicator, Indicator, IndicatorTarget, IndicatorValue
from org.models import Unit
from plans.models import DimensionTag, Plan

STORED = Decimal("0.000001")  # IndicatorValue.value: 28 digits, 6 after the point


def _forbidden() -> ServiceError:
    return ServiceError(_("You do not have permission to do this."), code="forbidden")


def _is_office(actor: User | None) -> bool:
    return actor is None or actor.has_luoshi_perm(Perm.PLAN_EDIT)


def can_enter(actor: User, indicator: Indicator) -> bool:
    """The office, or a reporter of the indicator's responsible unit."""
    if _is_office(actor):
        return True
    return (
        actor.has_luoshi_perm(Perm.REPORT_DRAFT) and bool(actor.unit_id) and actor.unit_id == indicator.source_unit_id
    )


def can_approve(actor: User, value: IndicatorValue) -> bool:
    """The head of the responsible unit; the office for an indicator without one."""
    unit_id = value.indicator.source_unit_id
    if unit_id is None:
        return _is_office(actor)
    return actor.has_luoshi_perm(Perm.REPORT_APPROVE) and actor.unit_id == unit_id


def _user(actor: User | None) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _number(raw: object, label: str) -> Decimal:
    try:
        number = derive.parse_number(raw)
    except ValueError:
        raise ServiceError(_("%(field)s is not a number.") % {"field": label}, field="value") from None
    problem = number_problem(number, max_digits=22, decimal_places=0)
    if problem is not None:
        raise ServiceError(problem_text(problem, label), field="value")
    return number


def _period(indicator: Indicator, raw: str) -> derive.Period:
    try:
        period = derive.parse_period(raw)
    except derive.PeriodError:
        raise ServiceError(
            _("Unknown period “%(period)s”: write 2021, 2021Q1, 2021-03 or 2016-2020.") % {"period": raw},
            field="period",
        ) from None
    if not derive.period_fits(period, indicator.frequency):
        raise ServiceError(
            _("The period %(period)s does not fit a %(frequency)s indicator.")
            % {"period": period, "frequency": indicator.get_frequency_display()},
            field="period",
        )
    return period


def _to_base(indicator: Indicator, value: Decimal, unit: str) -> Decimal:
    try:
        stored = derive.to_base(value, unit or indicator.shown_unit, indicator.unit)
    except derive.UnitError:
        raise ServiceError(
            _("The unit “%(unit)s” cannot be converted into %(indicator_unit)s.")
            % {"unit": unit, "indicator_unit": indicator.shown_unit or "—"},
            field="unit",
        ) from None
    problem = number_problem(stored, max_digits=28, decimal_places=6)
    if problem is not None:
        raise ServiceError(problem_text(problem, _("value")), field="value")
    return stored.quantize(STORED)


def _value_snapshot(value: IndicatorValue) -> dict:
    return {
        "indicator": str(value.indicator),
        "period": value.period,
        "kind": value.kind,
        "value": value.value,
        "entered_unit": value.entered_unit,
        "state": value.state,
        "derived": value.derived,
    }


@transaction.atomic
def value_enter(
    *,
    actor: User | None,
    indicator: Indicator,
    period: str,
    value: object,
    unit: str = "",
    kind: str = IndicatorValue.Kind.FINAL,
    note: str = "",
    stated_multiple: object = None,
    multiple_base: str = "",
) -> IndicatorValue:
    """Record a value for a period in the unit it was written in (stored in the base unit).

    A second value of the same kind is a revision: it waits beside the current one until approved. A
    final value (年报) is entered once per period; a duplicate is refused.
    """
    if actor is not None and not can_enter(actor, indicator):
        raise _forbidden()
    if indicator.measure_key:
        raise ServiceError(_("A computed indicator takes its values from records; they are not typed in."))
    if kind not in IndicatorValue.Kind.values:
        raise ServiceError(_("Choose estimate, preliminary or final."), field="kind")
    parsed = _period(indicator, period)
    stored = _to_base(indicator, _number(value, _("value")), unit)
    multiple = None
    if stated_multiple not in (None, ""):
        multiple = _number(stated_multiple, _("stated multiple"))
        if multiple <= 0:
            raise ServiceError(_("A multiple must be positive."), field="stated_multiple")
        _period(indicator, multiple_base)
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()  # one writer per series at a time
    current = IndicatorValue.objects.filter(
        indicator=indicator,
        period=str(parsed),
        kind=kind,
        superseded_at__isnull=True,
        state__in=["pending", "approved"],
    )
    if kind == IndicatorValue.Kind.FINAL and current.exists():
        raise ServiceError(
            _("A final value for %(period)s is already recorded; a final value is entered once.") % {"period": parsed},
            field="period",
            code="duplicate_final",
        )
    now = timezone.now()
    for pending in current.filter(state=IndicatorValue.State.PENDING):
        pending.superseded_at = now  # replaced before approval: kept in the history
        pending.save(update_fields=["superseded_at"])
    created = IndicatorValue.objects.create(
        indicator=indicator,
        period=str(parsed),
        period_key=derive.period_key(parsed),
        kind=kind,
        value=stored,
        entered_unit=unit or indicator.shown_unit,
        note=note.strip()[:300],
        stated_multiple=multiple,
        multiple_base=multiple_base.strip(),
        created_by=_user(actor),
    )
    audit_record(actor=actor, verb="indicator_value.enter", obj=created, after=_value_snapshot(created))
    if _is_office(actor):
        _approve(actor, created)
    return created


def _approve(actor: User | None, value: IndicatorValue) -> None:
    now = timezone.now()
    IndicatorValue.objects.filter(
        indicator_id=value.indicator_id,
        period=value.period,
        kind=value.kind,
        state=IndicatorValue.State.APPROVED,
        superseded_at__isnull=True,
    ).exclude(pk=value.pk).update(superseded_at=now)
    value.state, value.approved_by, value.approved_at = IndicatorValue.State.APPROVED, _user(actor), now
    value.save(update_fields=["state", "approved_by", "approved_at"])
    audit_record(actor=actor, verb="indicator_value.approve", obj=value, after=_value_snapshot(value))


def _lock_pending(actor: User, value: IndicatorValue) -> IndicatorValue:
    locked = IndicatorValue.objects.select_for_update().select_related("indicator").get(pk=value.pk)
    if not can_approve(actor, locked):
        raise _forbidden()
    if locked.state != IndicatorValue.State.PENDING or locked.superseded_at is not None:
        raise ServiceError(_("Only a value awaiting approval can be approved or returned."), code="not_pending")
    return locked


@transaction.atomic
def value_approve(*, actor: User, value: IndicatorValue) -> IndicatorValue:
    """The responsible unit's head approves (审核通过): the value counts, the one it revises is superseded."""
    locked = _lock_pending(actor, value)
    _approve(actor, locked)
    return locked


@transaction.atomic
def value_return(*, actor: User, value: IndicatorValue, reason: str) -> IndicatorValue:
    """The head sends the value back (退回) with a reason; it stays in the history."""
    if not reason.strip():
        raise ServiceError(_("Give the reason for returning the value."), field="reason")
    locked = _lock_pending(actor, value)
    before = _value_snapshot(locked)
    locked.state, locked.returned_reason = IndicatorValue.State.RETURNED, reason.strip()[:500]
    locked.save(update_fields=["state", "returned_reason"])
    audit_record(actor=actor, verb="indicator_value.return", obj=locked, before=before,
                 after={**_value_snapshot(locked), "reason": locked.returned_reason})  # fmt: skip
    return locked


@transaction.atomic
def target_set(
    *,
    actor: User | None,
    indicator: Indicator,
    year: int,
    value: object,
    unit: str = "",
    modality: str = IndicatorTarget.Modality.MUST,
    horizon: str = IndicatorTarget.Horizon.YEAR,
) -> IndicatorTarget:
    """Set the target for a year (or the five-year plan end), 确保 or 力争, in the unit written."""
    if not _is_office(actor):
        raise _forbidden()
    if not derive.MIN_YEAR <= int(year) <= derive.MAX_YEAR:
        raise ServiceError(_("Unknown year %(year)s.") % {"year": year}, field="year")
    if modality not in IndicatorTarget.Modality.values or horizon not in IndicatorTarget.Horizon.values:
        raise ServiceError(_("Choose 确保 or 力争."), field="modality")
    stored = _to_base(indicator, _number(value, _("target")), unit)
    target, created = IndicatorTarget.objects.update_or_create(
        indicator=indicator,
        year=int(year),
        horizon=horizon,
        modality=modality,
        defaults={"value": stored, "entered_unit": unit or indicator.shown_unit, "created_by": _user(actor)},
    )
    audit_record(actor=actor, verb="indicator_target.set", obj=target,
                 after={"year": target.year, "horizon": horizon, "modality": modality, "value": stored})  # fmt: skip
    return target


@dataclass
class IndicatorData:
    """The catalogue fields of an indicator (unit is the base unit; display_unit how people write it)."""

    name: str
    unit: str
    display_unit: str = ""
    frequency: str = Indicator.Frequency.YEAR
    accumulation: str = Indicator.Accumulation.PERIOD
    direction: str = Indicator.Direction.HIGHER
    price_basis: str = ""
    source_unit: Unit | None = None
    definition: str = ""
    measure_key: str = ""
    measure_params: str = ""
    tags: list[DimensionTag] = field(default_factory=list)
    total: Indicator | None = None
    reviewed: bool = True
    is_demo: bool = False

    FIELDS = ("name", "unit", "display_unit", "frequency", "accumulation", "direction", "price_basis",
              "source_unit", "definition", "measure_key", "measure_params", "total", "reviewed", "is_demo")  # fmt: skip


def _check(data: IndicatorData, pk: int | None) -> None:
    data.name, data.unit, data.display_unit = data.name.strip(), data.unit.strip(), data.display_unit.strip()
    if not data.name:
        raise ServiceError(_("Give the indicator a name."), field="name")
    if derive.base_unit(data.unit) != data.unit:
        raise ServiceError(_("Store values in the base unit (元, 人, 平方米); show them in 亿元 via the display unit."),
                           field="unit")  # fmt: skip
    if data.display_unit and derive.base_unit(data.display_unit) != data.unit:
        raise ServiceError(
            _("The unit “%(unit)s” cannot be converted into %(indicator_unit)s.")
            % {"unit": data.display_unit, "indicator_unit": data.unit},
            field="display_unit",
        )
    if data.measure_key:
        try:
            measure = get_measure(data.measure_key)
        except LookupError:
            raise ServiceError(_("No measure %(key)s is registered.") % {"key": data.measure_key},
                               field="measure_key") from None  # fmt: skip
        unknown = [name for name, _value in parse_params(data.measure_params) if name not in measure.params]
        if unknown:
            raise ServiceError(_("The measure does not take the parameter %(name)s.") % {"name": unknown[0]},
                               field="measure_params")  # fmt: skip
    if data.total is not None and (data.total.pk == pk or data.total.unit != data.unit):
        raise ServiceError(_("The total must be another indicator in the same unit (%(unit)s).") % {"unit": data.unit},
                           field="total")  # fmt: skip
    same = Indicator.objects.filter(name=data.name, unit=data.unit)
    if (same.exclude(pk=pk) if pk else same).exists():
        raise ServiceError(_("An indicator with this name and unit already exists."), field="name")


def _snapshot(indicator: Indicator) -> dict:
    return {f: getattr(indicator, f"{f}_id" if f in ("source_unit", "total") else f) for f in IndicatorData.FIELDS}


@transaction.atomic
def indicator_create(*, actor: User | None, data: IndicatorData) -> Indicator:
    if not _is_office(actor):
        raise _forbidden()
    _check(data, None)
    indicator = Indicator.objects.create(**{f: getattr(data, f) for f in IndicatorData.FIELDS})
    indicator.tags.set(data.tags)
    audit_record(actor=actor, verb="indicator.create", obj=indicator, after=_snapshot(indicator))
    return indicator


@transaction.atomic
def indicator_update(*, actor: User | None, indicator: Indicator, data: IndicatorData) -> Indicator:
    if not _is_office(actor):
        raise _forbidden()
    _check(data, indicator.pk)
    if data.unit != indicator.unit and indicator.values.exists():
        raise ServiceError(_("The base unit of an indicator with values cannot change."), field="unit")
    before = _snapshot(indicator)
    for f in IndicatorData.FIELDS:
        setattr(indicator, f, getattr(data, f))
    indicator.save(update_fields=[*IndicatorData.FIELDS, "updated_at"])
    indicator.tags.set(data.tags)
    audit_record(actor=actor, verb="indicator.update", obj=indicator, before=before, after=_snapshot(indicator))
    return indicator


# === from a decomposed plan document ==============================================================

_DISPLAY = {
    "元": ("亿元", Decimal(10) ** 8),
    "人": ("万人", Decimal(10) ** 4),
    "平方米": ("万平方米", Decimal(10) ** 4),
}


def display_unit_for(unit: str, value: Decimal) -> str:
    """How people write a figure of this size: 77 300 000 000 元 → 亿元, 315 000 人 → 万人."""
    shown, threshold = _DISPLAY.get(unit, ("", Decimal(0)))
    if not shown or abs(value) < threshold:
        return "万元" if unit == "元" and abs(value) >= 10_000 else ""
    return shown


@dataclass
class DocumentFigure:
    """A reported figure read from a plan document: in base units, with the sentence it came from."""

    name: str
    unit: str
    value: Decimal
    period: str
    estimate: bool
    quote: str
    plan: Plan
    offset: int | None


@dataclass
class FigureOutcome:
    value: IndicatorValue | None  # None: a different figure is already recorded for the period
    created: bool = False
    new_indicator: bool = False


@transaction.atomic
def figure_accept(*, actor: User | None, figure: DocumentFigure) -> FigureOutcome:
    """Extend (or start) the series named like the figure: matched by name and base unit; a new name waits
    for review. The same figure again is found, not recorded twice; a different one is refused (None)."""
    if not _is_office(actor):
        raise _forbidden()
    name = figure.name.strip()
    factor, unit = derive.unit_parts(figure.unit.strip())
    value = (figure.value * factor).quantize(STORED)
    indicator = Indicator.objects.filter(name=name, unit=unit).first()
    new_indicator = indicator is None
    if indicator is None:
        indicator = indicator_create(
            actor=actor,
            data=IndicatorData(name=name, unit=unit, display_unit=display_unit_for(unit, value), reviewed=False),
        )
    kind = IndicatorValue.Kind.ESTIMATE if figure.estimate else IndicatorValue.Kind.FINAL
    existing = IndicatorValue.objects.filter(
        indicator=indicator, period=figure.period, kind=kind, state="approved", superseded_at__isnull=True
    ).first()
    if existing is not None:
        return FigureOutcome(existing if existing.value == value else None)
    shown = indicator.shown_unit
    created = value_enter(
        actor=actor,
        indicator=indicator,
        period=figure.period,
        value=derive.from_base(value, indicator.unit, shown) if shown else value,
        unit=shown,
        kind=kind,
    )
    created.source_quote, created.plan, created.source_offset = figure.quote, figure.plan, figure.offset
    created.save(update_fields=["source_quote", "plan", "source_offset"])
    return FigureOutcome(created, created=True, new_indicator=new_indicator)


@transaction.atomic
def cockpit_choose(*, actor: User | None, indicator: Indicator, shown: bool) -> bool:
    """Put the indicator on the cockpit panel (last in order) or take it off; the office's list."""
    if not _is_office(actor):
        raise _forbidden()
    if shown:
        last = CockpitIndicator.objects.order_by("-rank").values_list("rank", flat=True).first() or 0
        _row, created = CockpitIndicator.objects.get_or_create(indicator=indicator, defaults={"rank": last + 1})
    else:
        created = bool(CockpitIndicator.objects.filter(indicator=indicator).delete()[0])
    if created:
        audit_record(actor=actor, verb="indicator.cockpit", obj=indicator, after={"shown": shown})
    return shown


@transaction.atomic
def cockpit_move(*, actor: User | None, indicator: Indicator, up: bool) -> None:
    """Move the indicator one place up or down the cockpit panel (the office's order; ranks renumbered 1..n)."""
    if not _is_office(actor):
        raise _forbidden()
    rows = list(CockpitIndicator.objects.select_for_update().order_by("rank", "indicator__name"))
    at = next((i for i, row in enumerate(rows) if row.indicator_id == indicator.pk), None)
    if at is None:
        raise ServiceError(_("This indicator is not on the cockpit."), field="indicator")
    other = at - 1 if up else at + 1
    if not 0 <= other < len(rows):
        return  # already first (or last): nothing to move
    rows[at], rows[other] = rows[other], rows[at]
    for rank, row in enumerate(rows, start=1):
        if row.rank != rank:
            row.rank = rank
            row.save(update_fields=["rank"])
    audit_record(actor=actor, verb="indicator.cockpit_move", obj=indicator, after={"rank": other + 1})


@transaction.atomic
def indicator_merge(*, actor: User | None, source: Indicator, into: Indicator) -> Indicator:
    """Merge an indicator flagged new (a name decomposition made up, 待审核) into an existing one: its
    values, targets and cockpit place move over, then it is deleted. Refused, with nothing moved, when
    the units differ or both hold a current value of the same period and kind (or a target of the same
    year), naming the first clash."""
    if not _is_office(actor):
        raise _forbidden()
    if source.reviewed:
        raise ServiceError(_("Only an indicator flagged new can be merged into another."), field="into")
    if into.pk == source.pk:
        raise ServiceError(_("Choose another indicator to merge into."), field="into")
    if into.unit != source.unit:
        raise ServiceError(
            _("The units differ (%(source)s, %(into)s): the values cannot be merged.")
            % {"source": source.unit or "—", "into": into.unit or "—"},
            field="into",
        )
    current = {"superseded_at__isnull": True, "state__in": ["pending", "approved"]}
    theirs = set(into.values.filter(**current).values_list("period", "kind", "state"))
    clash = next((v for v in source.values.filter(**current).order_by("period_key") if
                  (v.period, v.kind, v.state) in theirs), None)  # fmt: skip
    if clash is not None:
        raise ServiceError(
            _("Both indicators hold a %(kind)s for %(period)s: settle that value first, then merge.")
            % {"kind": clash.get_kind_display(), "period": clash.period},
            field="into",
        )
    years = set(into.targets.values_list("year", "horizon", "modality"))
    target = next((t for t in source.targets.all() if (t.year, t.horizon, t.modality) in years), None)
    if target is not None:
        raise ServiceError(
            _("Both indicators have a target for %(year)s: settle that target first, then merge.")
            % {"year": target.year},
            field="into",
        )
    moved = source.values.update(indicator=into)
    source.targets.update(indicator=into)
    Indicator.objects.filter(total=source).update(total=into)
    if CockpitIndicator.objects.filter(indicator=into).exists():
        CockpitIndicator.objects.filter(indicator=source).delete()
    else:
        CockpitIndicator.objects.filter(indicator=source).update(indicator=into)
    into.tags.add(*source.tags.all())
    audit_record(actor=actor, verb="indicator.merge", obj=into,
                 before={"merged": source.pk, "name": source.name}, after={"values": moved})  # fmt: skip
    source.delete()
    return into
