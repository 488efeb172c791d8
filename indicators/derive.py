"""Derived figures of an indicator series (指标派生): periods, growth, CAGR, multiples, shares, on-target
judgement, unit conversion and the contradiction check. Pure: no Django import.

Derived figures are computed, never typed in. One rule runs through them: a figure derived here is
always on the same price basis as its inputs. Chinese statistics publish levels at current prices
(现价) and growth at comparable prices (可比价): 773 / 463 ≈ 1.67 is a nominal multiple, and its
CAGR (≈ 10.8 %/yr) is not the published real growth of 7.3 %/yr. A stated growth rate is therefore
an indicator of its own; nothing here turns levels into a "growth at comparable prices".
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from reports.engine.vocabulary import DEFAULT_THRESHOLDS, Light, Thresholds

# === periods ====================================================================================


class Frequency(StrEnum):
    MONTH = "month"  # 月
    QUARTER = "quarter"  # 季
    YEAR = "year"  # 年


class PeriodError(ValueError):
    """A period text that is not one of the forms below, or not one the indicator's frequency has."""


_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_SPAN = re.compile(r"^(\d{4})-(\d{4})$")
MIN_YEAR, MAX_YEAR = 1949, 2100


@dataclass(frozen=True, order=True)
class Period:
    """A statistical period: a year (2021), a quarter (2021Q1), a month (2021-03) or a span of years
    (2016-2020, a five-year plan). `index` is the quarter or month (0 for a year or a span)."""

    year: int
    kind: str  # "year" | "quarter" | "month" | "span"
    index: int = 0
    end_year: int = 0  # the last year of a span

    def __str__(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}Q{self.index}"
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "span":
            return f"{self.year}-{self.end_year}"
        return str(self.year)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Chronological by end: 2021-03 < 2021Q1 (same end, month first) < … < 2021 (year last)."""
        end_year = self.end_year if self.kind == "span" else self.year
        month = {"month": self.index, "quarter": self.index * 3, "year": 12, "span": 12}[self.kind]
        return (end_year, month, {"month": 0, "quarter": 1, "year": 2, "span": 3}[self.kind])

    def years(self) -> float:
        """The length in years (a span 2016-2020 is five years)."""
        return {"month": 1 / 12, "quarter": 0.25, "year": 1.0}.get(self.kind, float(self.end_year - self.year + 1))


def period_key(period: Period) -> str:
    """A sortable text for the database (2021-03-0, 2021-03-1 for 2021Q1, 2021-12-2 for 2021)."""
    end_year, month, rank = period.sort_key
    return f"{end_year:04d}-{month:02d}-{rank}"


@functools.lru_cache(maxsize=4096)  # a page parses the same few hundred period texts over and over
def parse_period(text: str) -> Period:
    """2021 | 2021Q1 | 2021-03 | 2016-2020 → Period; anything else raises PeriodError."""
    raw = (text or "").strip().upper()
    period: Period | None = None
    if m := _YEAR.match(raw):
        period = Period(int(m[1]), "year")
    elif m := _QUARTER.match(raw):
        period = Period(int(m[1]), "quarter", int(m[2]))
    elif m := _MONTH.match(raw):
        period = Period(int(m[1]), "month", int(m[2]))
    elif (m := _SPAN.match(raw)) and int(m[1]) < int(m[2]):
        period = Period(int(m[1]), "span", end_year=int(m[2]))
    if period is None or not MIN_YEAR <= period.year <= MAX_YEAR or period.end_year > MAX_YEAR:
        raise PeriodError(text)
    return period


def period_fits(period: Period, frequency: str) -> bool:
    """Whether an indicator of `frequency` takes a value for `period`: its own periods, plus years and
    spans (an annual total of a monthly series, a five-year figure)."""
    own = {Frequency.MONTH: "month", Frequency.QUARTER: "quarter", Frequency.YEAR: "year"}[Frequency(frequency)]
    return period.kind in (own, "year", "span")


def previous_period(period: Period) -> Period:
    """The period before (环比): 2021-01 → 2020-12, 2021Q1 → 2020Q4, 2021 → 2020."""
    if period.kind == "month":
        return (
            Period(period.year - 1, "month", 12)
            if period.index == 1
            else Period(period.year, "month", period.index - 1)
        )
    if period.kind == "quarter":
        return (
            Period(period.year - 1, "quarter", 4)
            if period.index == 1
            else Period(period.year, "quarter", period.index - 1)
        )
    if period.kind == "span":
        length = period.end_year - period.year + 1
        return Period(period.year - length, "span", end_year=period.end_year - length)
    return Period(period.year - 1, "year")


def same_period_last_year(period: Period) -> Period:
    """The period a year-on-year growth compares with (同比)."""
    if period.kind == "span":
        return Period(period.year - 1, "span", end_year=period.end_year - 1)
    return Period(period.year - 1, period.kind, period.index)


def elapsed_fraction(period: Period) -> float:
    """How much of its year a cumulative-to-date (累计) value covers: 2021-03 → 0.25."""
    return {"month": period.index / 12, "quarter": period.index / 4}.get(period.kind, 1.0)


# === growth, CAGR, multiples, shares ============================================================


def growth(current: Decimal | None, previous: Decimal | None) -> float | None:
    """Growth in percent (增长%): (current / previous − 1) × 100; None without a positive base."""
    if current is None or previous is None or previous <= 0:
        return None
    return (float(current) / float(previous) - 1) * 100


def cagr(start: Decimal | float | None, end: Decimal | float | None, years: float) -> float | None:
    """Compound annual growth rate in percent (年均增长%) from `start` to `end` over `years` years.

    Same basis in, same basis out: levels at current prices give a nominal CAGR.
    """
    if start is None or end is None or years <= 0 or float(start) <= 0 or float(end) < 0:
        return None
    return (math.pow(float(end) / float(start), 1 / years) - 1) * 100


def compose_growth(rates: list[tuple[float, float]]) -> float:
    """The annual rate over consecutive spans given as (rate %, years): the geometric composition."""
    total_years = sum(years for _, years in rates)
    if total_years <= 0:
        raise ValueError("no years")
    log_sum = sum(years * math.log1p(rate / 100) for rate, years in rates)
    return math.expm1(log_sum / total_years) * 100


def multiple(value: Decimal | None, base: Decimal | None) -> float | None:
    """How many times the base year (是…的N倍); None without a positive base."""
    if value is None or base is None or base <= 0:
        return None
    return float(value) / float(base)


def share(part: Decimal | None, total: Decimal | None) -> float | None:
    """Share of a total in percent (占比%)."""
    if part is None or total is None or total <= 0:
        return None
    return float(part) / float(total) * 100


def level_from_multiple(value: Decimal, stated_multiple: Decimal) -> Decimal:
    """The base-year level a stated multiple implies (773亿 ÷ 1.67 → 462.9亿): a derived value, never a stated one."""
    if stated_multiple <= 0:
        raise ValueError("a multiple must be positive")
    return (value / stated_multiple).quantize(Decimal("0.000001"))


def multiple_contradicts(stated: Decimal, value: Decimal, base: Decimal) -> bool:
    """Whether a stated multiple disagrees with two stated levels of the same basis beyond its rounding.

    1.67 is "1.665 up to 1.675": 773 / 463 = 1.6695… agrees; 773 / 400 = 1.93 contradicts.
    """
    if base <= 0:
        return False
    exponent = stated.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    half_step = Decimal(1).scaleb(-places) / 2
    return abs(value / base - stated) > half_step + Decimal("1e-9")


# === on-target judgement ========================================================================


class Direction(StrEnum):
    HIGHER = "higher"  # 越大越好 (GDP, revenue)
    LOWER = "lower"  # 越小越好 (energy per unit of GDP, unemployment)


def expected_value(target: Decimal, *, cumulative: bool, fraction: float) -> float:
    """What a value should reach by now: a cumulative-to-date value a pro-rata share of the annual
    target, a period value (or a rate) the target itself."""
    return float(target) * fraction if cumulative else float(target)


def completion(value: Decimal | None, target: Decimal | None, direction: str = Direction.HIGHER) -> float | None:
    """Completion of the target in percent (完成率): value/target, or target/value when lower is better."""
    if value is None or target is None:
        return None
    if Direction(direction) == Direction.LOWER:
        return None if value <= 0 else float(target) / float(value) * 100
    return None if target <= 0 else float(value) / float(target) * 100


def judge(
    value: Decimal | None,
    target: Decimal | None,
    *,
    direction: str = Direction.HIGHER,
    cumulative: bool = False,
    fraction: float = 1.0,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Light | None:
    """The light of a value against its target (达标研判): green on or beyond the expected value, yellow
    when behind by more than the plan's yellow lag, red beyond the red lag (percent of the expected)."""
    if value is None or target is None:
        return None
    expected = expected_value(target, cumulative=cumulative, fraction=fraction)
    if expected == 0:
        return Light.GREEN if (float(value) >= 0) == (Direction(direction) == Direction.HIGHER) else Light.YELLOW
    behind = expected - float(value) if Direction(direction) == Direction.HIGHER else float(value) - expected
    lag = behind / abs(expected) * 100
    if lag > thresholds.lag_red_percent:
        return Light.RED
    if lag > thresholds.lag_yellow_percent:
        return Light.YELLOW
    return Light.GREEN


# === units ======================================================================================


class UnitError(ValueError):
    """A unit that cannot be converted into the indicator's unit (万人 for an indicator in 元)."""


_SCALES = (("万亿", Decimal(10) ** 12), ("千万", Decimal(10) ** 7), ("百万", Decimal(10) ** 6),
           ("亿", Decimal(10) ** 8), ("万", Decimal(10) ** 4), ("千", Decimal(10) ** 3))  # fmt: skip
# Units that are another unit times a factor (not a 万/亿 prefix).
_ALIASES = {"平方公里": ("平方米", Decimal(10) ** 6), "公顷": ("平方米", Decimal(10) ** 4)}
# Units whose first character is not a scale (千克 is a kilogram, 千瓦 a kilowatt; 万 never starts one).
_UNSCALED = ("千克", "千瓦", "千米", "千瓦时", "千伏安")


def unit_parts(unit: str) -> tuple[Decimal, str]:
    """(factor, base unit): 亿元 → (10⁸, 元), 万平方米 → (10⁴, 平方米), 平方公里 → (10⁶, 平方米), % → (1, %)."""
    text = (unit or "").strip()
    factor = Decimal(1)
    if not text.startswith(_UNSCALED):
        for prefix, scale in _SCALES:
            if text.startswith(prefix) and len(text) > len(prefix):
                factor, text = scale, text[len(prefix) :]
                break
    if text in _ALIASES:
        base, alias_factor = _ALIASES[text]
        return factor * alias_factor, base
    return factor, text


def base_unit(unit: str) -> str:
    return unit_parts(unit)[1]


def to_base(value: Decimal, unit: str, indicator_unit: str) -> Decimal:
    """A value entered in `unit` stored in the indicator's base unit: 773 亿元 → 77 300 000 000 元."""
    factor, base = unit_parts(unit)
    if base != base_unit(indicator_unit):
        raise UnitError(unit)
    return value * factor / unit_parts(indicator_unit)[0]


def from_base(value: Decimal, indicator_unit: str, shown_unit: str) -> Decimal:
    """A stored value shown back in the unit it was entered in (77 300 000 000 元 → 773 亿元)."""
    factor, base = unit_parts(shown_unit)
    if base != base_unit(indicator_unit):
        raise UnitError(shown_unit)
    return value * unit_parts(indicator_unit)[0] / factor


def parse_number(text: object) -> Decimal:
    """A number cell or field: 773, "773", "1,234.5", "7.3%" (the % is the unit's); text raises ValueError."""
    if isinstance(text, bool):
        raise ValueError(text)
    if isinstance(text, (int, Decimal)):
        return Decimal(text)
    if isinstance(text, float):
        if not math.isfinite(text):
            raise ValueError(text)
        return Decimal(repr(text))
    raw = str(text or "").strip().replace(",", "").replace("，", "").rstrip("%")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number
