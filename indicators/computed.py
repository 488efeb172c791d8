"""Values of computed indicators (计算指标): taken from a registered measure (core.measures), never typed.

Each period's value is the measure over that period's records (from the start of the year for a
cumulative-to-date indicator), as known at the period's end or the as-of day, whichever is earlier;
the rows behind a value are the measure's rows, each linking to its record.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from core.measures import Measure, MeasureScope, get_measure
from indicators import derive
from indicators.models import Indicator

RECENT = {"month": 12, "quarter": 8, "year": 5}
ROW_LIMIT = 50


def measure_of(indicator: Indicator) -> Measure | None:
    try:
        return get_measure(indicator.measure_key) if indicator.measure_key else None
    except LookupError:
        return None


def parse_params(text: str) -> tuple[tuple[str, str], ...]:
    """ "object=老旧小区;type=x" → (("object", "老旧小区"), ("type", "x"))."""
    pairs = []
    for part in (text or "").split(";"):
        name, _, value = part.partition("=")
        if name.strip() and value.strip():
            pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def bounds(period: derive.Period) -> tuple[dt.date, dt.date]:
    """First and last day of a period."""
    if period.kind == "month":
        return dt.date(period.year, period.index, 1), dt.date(
            period.year, period.index, calendar.monthrange(period.year, period.index)[1]
        )
    if period.kind == "quarter":
        last = period.index * 3
        return dt.date(period.year, last - 2, 1), dt.date(period.year, last, calendar.monthrange(period.year, last)[1])
    if period.kind == "span":
        return dt.date(period.year, 1, 1), dt.date(period.end_year, 12, 31)
    return dt.date(period.year, 1, 1), dt.date(period.year, 12, 31)


def scope_for(indicator: Indicator, period: derive.Period, as_of: dt.date) -> MeasureScope:
    start, end = bounds(period)
    if indicator.accumulation == Indicator.Accumulation.CUMULATIVE:
        start = dt.date(end.year, 1, 1) if period.kind != "span" else start
    return MeasureScope(start=start, end=min(end, as_of), params=parse_params(indicator.measure_params))


def recent_periods(indicator: Indicator, as_of: dt.date, count: int | None = None) -> list[derive.Period]:
    """The indicator's last periods up to the as-of day, oldest first."""
    n = count or RECENT[indicator.frequency]
    if indicator.frequency == "month":
        current = derive.Period(as_of.year, "month", as_of.month)
    elif indicator.frequency == "quarter":
        current = derive.Period(as_of.year, "quarter", (as_of.month + 2) // 3)
    else:
        current = derive.Period(as_of.year, "year")
    periods = [current]
    while len(periods) < n:
        periods.append(derive.previous_period(periods[-1]))
    return list(reversed(periods))


@dataclass
class ComputedValue:
    period: str
    value: Decimal


def computed_series(
    indicator: Indicator, as_of: dt.date | None = None, count: int | None = None
) -> list[ComputedValue]:
    measure = measure_of(indicator)
    if measure is None:
        return []
    day = as_of or timezone.localdate()
    return [
        ComputedValue(str(p), measure.value(scope_for(indicator, p, day)))
        for p in recent_periods(indicator, day, count)
    ]


@dataclass
class Row:
    label: str
    url: str


def computed_rows(indicator: Indicator, period: str, as_of: dt.date | None = None) -> list[Row]:
    """The records a computed value counts (the first ROW_LIMIT), each linking to its page."""
    measure = measure_of(indicator)
    if measure is None:
        return []
    scope = scope_for(indicator, derive.parse_period(period), as_of or timezone.localdate())
    return [Row(measure.row_label(r), measure.row_url(r)) for r in measure.rows(scope)[:ROW_LIMIT]]
