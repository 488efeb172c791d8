"""The pure derivations: periods, growth, CAGR, multiples, judgement, units, the contradiction check."""

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators import derive
from reports.engine.vocabulary import Light

rates = st.floats(min_value=-50, max_value=80, allow_nan=False)
years = st.integers(min_value=1, max_value=15)
levels = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e12"), places=2)


@given(rates, years, rates, years)
def test_cagr_over_two_composed_spans_equals_their_composition(r1, n1, r2, n2):
    start = 100.0
    middle = start * (1 + r1 / 100) ** n1
    end = middle * (1 + r2 / 100) ** n2
    whole = derive.cagr(start, end, n1 + n2)
    assert whole == pytest.approx(derive.compose_growth([(r1, n1), (r2, n2)]), abs=1e-6)
    assert derive.cagr(start, middle, n1) == pytest.approx(r1, abs=1e-6)


@given(levels, levels)
def test_growth_and_multiple_agree(a, b):
    assert derive.growth(b, a) == pytest.approx((derive.multiple(b, a) - 1) * 100)
    assert derive.cagr(a, b, 1) == pytest.approx(derive.growth(b, a), rel=1e-9, abs=1e-9)


def test_the_seed_multiple_is_nominal_and_not_the_published_real_growth():
    nominal = derive.cagr(Decimal("463"), Decimal("773"), 5)
    assert nominal == pytest.approx(10.79, abs=0.01)  # current prices
    assert abs(nominal - 7.3) > 3  # the published 7.3 %/yr is at comparable prices: another indicator
    assert derive.compose_growth([(7.3, 5)]) == pytest.approx(7.3)
    assert (1.073**5) == pytest.approx(1.422, abs=0.001)  # real multiple 1.42× vs nominal 1.67×


def test_without_a_positive_base_nothing_is_derived():
    assert derive.growth(Decimal(5), Decimal(0)) is None
    assert derive.growth(None, Decimal(1)) is None
    assert derive.cagr(0, 10, 5) is None and derive.cagr(1, 2, 0) is None
    assert derive.multiple(Decimal(1), None) is None
    assert derive.share(Decimal(1), Decimal(0)) is None
    assert derive.share(Decimal(25), Decimal(100)) == 25


@pytest.mark.parametrize(
    ("text", "shown", "kind"),
    [
        ("2021", "2021", "year"),
        ("2021q2", "2021Q2", "quarter"),
        ("2021-03", "2021-03", "month"),
        ("2016-2020", "2016-2020", "span"),
    ],  # fmt: skip
)
def test_periods_read_and_print(text, shown, kind):
    period = derive.parse_period(text)
    assert (str(period), period.kind) == (shown, kind)
    assert derive.parse_period(str(period)) == period


@pytest.mark.parametrize("text", ["", "2021-13", "2021Q5", "2020-2016", "21", "2021年", "1800", "abc"])
def test_unknown_periods_are_refused(text):
    with pytest.raises(derive.PeriodError):
        derive.parse_period(text)


@given(st.integers(min_value=1950, max_value=2099), st.integers(min_value=1, max_value=12))
def test_period_order_and_steps(year, month):
    p = derive.Period(year, "month", month)
    assert derive.previous_period(p).sort_key < p.sort_key
    assert derive.same_period_last_year(p) == derive.Period(year - 1, "month", month)
    keys = [
        derive.period_key(x) for x in (p, derive.Period(year, "quarter", (month + 2) // 3), derive.Period(year, "year"))
    ]
    assert keys == sorted(keys)
    assert derive.elapsed_fraction(p) == pytest.approx(month / 12)


def test_period_fits_the_frequency():
    assert derive.period_fits(derive.parse_period("2021-03"), "month")
    assert not derive.period_fits(derive.parse_period("2021-03"), "year")
    assert derive.period_fits(derive.parse_period("2016-2020"), "year")
    assert not derive.period_fits(derive.parse_period("2021Q1"), "month")


@pytest.mark.parametrize(
    ("value", "unit", "indicator_unit", "stored"),
    [
        ("773", "亿元", "元", "77300000000"),
        ("31.5", "万人", "人", "315000"),
        ("2569", "万平方米", "平方米", "25690000"),
        ("1.2", "平方公里", "平方米", "1200000"),
        ("5", "万元", "元", "50000"),
        ("7.3", "%", "%", "7.3"),
        ("12", "千克", "千克", "12"),
    ],  # fmt: skip
)
def test_units_convert_to_the_base_and_back(value, unit, indicator_unit, stored):
    base = derive.to_base(Decimal(value), unit, indicator_unit)
    assert base == Decimal(stored)
    assert derive.from_base(base, indicator_unit, unit) == Decimal(value)


@given(levels, st.sampled_from(["元", "万元", "亿元", "万亿元"]), st.sampled_from(["元", "万元", "亿元"]))
def test_unit_round_trip_is_exact(value, unit, shown):
    stored = derive.to_base(value, unit, "元")
    assert derive.from_base(stored, "元", unit) == value
    assert derive.to_base(derive.from_base(stored, "元", shown), shown, "元") == stored


@pytest.mark.parametrize(("unit", "indicator_unit"), [("万人", "元"), ("个", "元"), ("%", "元"), ("亿元", "人")])
def test_unconvertible_units_are_refused(unit, indicator_unit):
    with pytest.raises(derive.UnitError):
        derive.to_base(Decimal(1), unit, indicator_unit)


def test_numbers_from_cells():
    assert derive.parse_number("1,234.5") == Decimal("1234.5")
    assert derive.parse_number(7.3) == Decimal("7.3")
    assert derive.parse_number("7.3%") == Decimal("7.3")
    for bad in ("约773", "NaN", "", "773亿", float("inf"), True):
        with pytest.raises(ValueError):
            derive.parse_number(bad)


def test_stated_multiple_against_two_levels():
    assert not derive.multiple_contradicts(Decimal("1.67"), Decimal("773"), Decimal("463"))
    assert derive.multiple_contradicts(Decimal("1.67"), Decimal("773"), Decimal("400"))
    assert derive.multiple_contradicts(Decimal("1.6"), Decimal("773"), Decimal("463"))  # 1.669… is not 1.6±0.05
    derived = derive.level_from_multiple(Decimal("77300000000"), Decimal("1.67"))
    assert not derive.multiple_contradicts(Decimal("1.67"), Decimal("77300000000"), derived)


@given(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("100"), places=2), levels)
def test_a_derived_base_level_never_contradicts_its_multiple(stated, value):
    base = derive.level_from_multiple(value, stated)
    if base > 0:
        assert not derive.multiple_contradicts(stated, value, base) or base < Decimal("0.01")


def test_judgement_against_target():
    assert derive.judge(Decimal(95), Decimal(100)) == Light.GREEN
    assert derive.judge(Decimal(85), Decimal(100)) == Light.YELLOW
    assert derive.judge(Decimal(70), Decimal(100)) == Light.RED
    # a cumulative value in March is judged against a quarter of the annual target
    assert derive.judge(Decimal(25), Decimal(100), cumulative=True, fraction=0.25) == Light.GREEN
    assert derive.judge(Decimal(25), Decimal(100), cumulative=False, fraction=0.25) == Light.RED
    # lower is better: 110 against a ceiling of 100 lags by 10 % (not over), 130 is red
    assert derive.judge(Decimal(110), Decimal(100), direction="lower") == Light.GREEN
    assert derive.judge(Decimal(130), Decimal(100), direction="lower") == Light.RED
    assert derive.judge(None, Decimal(1)) is None
    assert derive.completion(Decimal(50), Decimal(200)) == 25
    assert derive.completion(Decimal(200), Decimal(100), "lower") == 50


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False), st.floats(min_value=1, max_value=1e9))
def test_judgement_is_monotone_in_the_value(value, target):
    lower = derive.judge(Decimal(repr(value)), Decimal(repr(target)))
    higher = derive.judge(Decimal(repr(value * 1.5 + 1)), Decimal(repr(target)))
    assert lower is not None and higher is not None and higher.severity <= lower.severity
    assert not math.isnan(derive.completion(Decimal(repr(value)), Decimal(repr(target))) or 0)
