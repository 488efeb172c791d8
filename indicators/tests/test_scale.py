"""seed_scale's indicator generator: ten years of monthly values, deterministic, readable by the selectors."""

from datetime import date

import pytest

from indicators import selectors
from indicators.models import Indicator, IndicatorValue
from scale.indicator_city import build_indicators

pytestmark = pytest.mark.django_db


def test_generated_indicators_have_ten_years_of_months(users):
    added = build_indicators(3, seed=1, today=date(2021, 6, 30), log=lambda _m: None)
    generated = Indicator.objects.filter(name__contains="（生成")
    assert generated.count() == 3
    finals = IndicatorValue.objects.filter(indicator__in=generated, kind="final")
    assert finals.count() == 3 * 120 and added > 360
    assert finals.order_by("period_key").first().period == "2011-07"
    rows = selectors.summarise(list(generated), as_of=date(2021, 7, 31))
    assert all(r.latest.period == "2021-06" and r.target and len(r.spark) == 12 for r in rows)
