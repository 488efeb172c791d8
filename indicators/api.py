"""REST API for indicators (指标): the catalogue, one indicator with its values and derived figures, entering a value.

The same selectors, services and access rules as the pages. Values are given in the indicator's display
unit (`unit`, e.g. 亿元); `kind` is estimate | preliminary | final; derived figures are computed.
"""

from datetime import date
from decimal import Decimal

from ninja import Router, Status

from accounts.roles import Perm
from core.api import In, Out, require_api_perm
from indicators import selectors, services
from indicators.models import Indicator, IndicatorValue

router = Router(tags=["indicators"])
READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


class ErrorOut(Out):
    detail: str
    field: str | None = None


class IndicatorOut(Out):
    id: int
    name: str
    unit: str
    base_unit: str
    frequency: str
    accumulation: str
    direction: str
    price_basis: str
    source_unit: str | None
    measure_key: str
    latest_period: str | None
    latest_value: float | None
    latest_kind: str | None
    target: float | None
    completion: float | None
    light: str | None


class PointOut(Out):
    period: str
    value: float
    kind: str
    derived: bool
    growth_yoy: float | None
    growth_prev: float | None
    cagr: float | None
    multiple: float | None
    share: float | None = None  # % of the total indicator's value of the same period (null without a total)


class TargetOut(Out):
    year: int
    horizon: str
    modality: str
    value: float


class RevisionOut(Out):
    id: int
    period: str
    kind: str
    value: float
    state: str
    entered_at: str
    approved_at: str | None
    superseded_at: str | None


class IndicatorDetailOut(IndicatorOut):
    values: list[PointOut]
    targets: list[TargetOut]
    history: list[RevisionOut]


class ValueIn(In):
    period: str
    value: Decimal | str
    unit: str = ""
    kind: str = IndicatorValue.Kind.FINAL
    note: str = ""


def _f(indicator: Indicator, value: Decimal | None) -> float | None:
    shown = selectors.shown(indicator, value)
    return None if shown is None else float(shown)


def summary_out(row: selectors.Summary) -> dict:
    ind = row.indicator
    return {
        "id": ind.pk,
        "name": ind.name,
        "unit": ind.shown_unit,
        "base_unit": ind.unit,
        "frequency": ind.frequency,
        "accumulation": ind.accumulation,
        "direction": ind.direction,
        "price_basis": ind.price_basis,
        "source_unit": ind.source_unit.name if ind.source_unit else None,
        "measure_key": ind.measure_key,
        "latest_period": row.latest.period if row.latest else None,
        "latest_value": _f(ind, row.latest.value) if row.latest else None,
        "latest_kind": row.latest.kind if row.latest else None,
        "target": _f(ind, row.target.value) if row.target else None,
        "completion": row.completion,
        "light": str(row.light) if row.light else None,
    }


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


@router.get("/indicators", response=list[IndicatorOut])
def indicator_list(request, tag: int | None = None, unit: int | None = None, frequency: str = "", page: int = 1,
                   as_of: date | None = None):  # fmt: skip
    """The catalogue, one page of 50: latest value, target, completion and light per indicator."""
    require_api_perm(request, *READ)
    f = selectors.CatalogueFilter(tag=tag, unit=unit, frequency=frequency, page=max(1, min(page, 10**6)), as_of=as_of)
    return [summary_out(row) for row in selectors.catalogue(request.user, f)[1]]


@router.get("/indicators/{indicator_id}", response=IndicatorDetailOut)
def indicator_detail(request, indicator_id: int, as_of: date | None = None):
    """One indicator: its series (best value per period) with derived figures, targets and every revision."""
    require_api_perm(request, *READ)
    indicator = selectors.indicator_get_for_user(request.user, indicator_id)
    return _detail_out(indicator, as_of)


def _detail_out(indicator: Indicator, as_of: date | None = None) -> dict:
    detail = selectors.indicator_detail(indicator, as_of)
    out = summary_out(selectors.summarise([indicator], as_of)[0])
    out["values"] = [
        {"period": p.period, "value": _f(indicator, p.value), "kind": p.kind, "derived": p.derived,
         "growth_yoy": p.growth_yoy, "growth_prev": p.growth_prev, "cagr": p.cagr, "multiple": p.multiple,
         "share": p.share}
        for p in detail.points
    ]  # fmt: skip
    out["targets"] = [
        {"year": t.year, "horizon": t.horizon, "modality": t.modality, "value": _f(indicator, t.value)}
        for t in detail.targets
    ]
    out["history"] = [_revision_out(indicator, v) for v in detail.history]
    return out


@router.post("/indicators/{indicator_id}/values", response={201: RevisionOut, 400: ErrorOut, 403: ErrorOut})
def value_create(request, indicator_id: int, payload: ValueIn):
    """Enter a value (the office's counts at once; a unit reporter's waits for the head's approval)."""
    require_api_perm(request, Perm.PLAN_EDIT, Perm.REPORT_DRAFT)
    indicator = selectors.indicator_get_for_user(request.user, indicator_id)
    value = services.value_enter(actor=request.user, indicator=indicator, **payload.dict())
    return Status(201, _revision_out(indicator, value))


def _revision_out(indicator: Indicator, v: IndicatorValue) -> dict:
    return {
        "id": v.pk,
        "period": v.period,
        "kind": v.kind,
        "value": _f(indicator, v.value),
        "state": v.state,
        "entered_at": _when(v.created_at),
        "approved_at": _when(v.approved_at),
        "superseded_at": _when(v.superseded_at),
    }
