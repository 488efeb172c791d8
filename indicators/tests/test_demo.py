"""The demo series: the seed's figures linked to their sentences, the derived 2015 base, generated series."""

from decimal import Decimal

import pytest

from decomposition.demo import plan_figures
from indicators import selectors
from indicators.demo import load_demo_indicators
from indicators.models import CockpitIndicator, Indicator, IndicatorValue

pytestmark = pytest.mark.django_db


def test_demo_series(demo_plan, users):
    added = load_demo_indicators(plan_figures(demo_plan))
    assert added > 200 and load_demo_indicators(plan_figures(demo_plan)) == 0  # idempotent
    gdp = Indicator.objects.get(name="地区生产总值", unit="元")
    estimate = gdp.values.get(period="2020", kind="estimate")
    assert estimate.value == Decimal("77300000000") and estimate.entered_unit == "亿元"
    quote = demo_plan.source_text[estimate.source_offset : estimate.source_offset + len(estimate.source_quote)]
    assert quote == estimate.source_quote and "773亿元" in quote
    base = gdp.values.get(period="2015")
    assert base.derived and float(base.value) == pytest.approx(773e8 / 1.67)
    assert not gdp.values.filter(period="2019").exists()  # nothing invented where the text states nothing
    growth = Indicator.objects.get(name="经济年均增速")
    assert growth.price_basis == "comparable" and growth.values.get().value == Decimal("7.3")
    points = {p.period: p for p in selectors.indicator_detail(gdp).points}
    assert points["2020"].kind == "final" and points["2021"].multiple == pytest.approx(812.4e8 / float(base.value))
    # a nominal multiple over 2015 is not the published real growth
    assert abs(points["2020"].cagr - 7.3) > 2
    assert not selectors.indicator_detail(gdp).contradictions
    assert IndicatorValue.objects.filter(indicator__is_demo=True, superseded_at__isnull=False).count() == 1
    assert CockpitIndicator.objects.count() == 7
    panel = selectors.cockpit_panel(users["office"])
    assert [r.indicator.name for r in panel][0] == "地区生产总值" and all(r.latest for r in panel)


def test_a_monthly_cumulative_chart_meets_its_target_in_december(demo_plan):
    load_demo_indicators(plan_figures(demo_plan))
    fai = Indicator.objects.get(name="固定资产投资", unit="元")
    chart = selectors.chart_data(selectors.indicator_detail(fai))
    assert chart["target"][chart["periods"].index("2021-12")] == 440.0
    assert chart["kinds"]["estimate"][chart["periods"].index("2021-06")] is not None


def test_demo_computed_indicator_links_to_the_tasks_it_counts_and_tags(demo_plan):
    import datetime as dt

    from plans.models import Task

    load_demo_indicators(plan_figures(demo_plan))
    done = Indicator.objects.get(name="验收完成任务数")
    assert done.measure_key == "tasks.done" and not done.values.exists()  # computed, never typed
    day = dt.date(2021, 3, 31)
    before = selectors.indicator_detail(done, day)
    task = Task.objects.filter(plan=demo_plan, is_deleted=False, verified_on__isnull=True).order_by("code").first()
    Task.objects.filter(pk=task.pk).update(verified_on=dt.date(2021, 2, 3))
    detail = selectors.indicator_detail(done, day)
    assert detail.points[-1].period == "2021Q1" and detail.points[-1].value == before.points[-1].value + 1
    assert len(detail.rows) == detail.points[-1].value  # the value is the rows it links to
    assert any(str(task.pk) in r.url and task.code in r.label for r in detail.rows)
    retail = Indicator.objects.get(name="社会消费品零售总额", unit="元")
    assert {t.name for t in retail.tags.all()} >= {"高端商贸业"}
