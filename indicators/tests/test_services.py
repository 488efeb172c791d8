"""Indicator writes: entry by the responsible unit, approval by its head, revisions, targets, bad input."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from core.errors import ServiceError
from indicators import selectors
from indicators.models import CockpitIndicator, Indicator, IndicatorTarget, IndicatorValue
from indicators.services import IndicatorData, indicator_create, target_set, value_approve, value_enter, value_return

pytestmark = pytest.mark.django_db


@pytest.fixture
def gdp(users):
    return indicator_create(
        actor=users["office"],
        data=IndicatorData(name="测试生产总值", unit="元", display_unit="亿元", source_unit=users["zjj_reporter"].unit),
    )


def counts():
    return (IndicatorValue.objects.count(), IndicatorTarget.objects.count(), AuditEvent.objects.count())


def test_reporter_enters_head_approves_and_a_final_supersedes_the_estimate(users, gdp):
    estimate = value_enter(actor=users["zjj_reporter"], indicator=gdp, period="2021", value="780", unit="亿元",
                           kind="estimate")  # fmt: skip
    assert (estimate.value, estimate.state, estimate.entered_unit) == (Decimal("78000000000"), "pending", "亿元")
    assert selectors.series_for([gdp.pk]) == {}  # not counted before approval
    value_approve(actor=users["zjj_head"], value=estimate)
    assert selectors.series_for([gdp.pk])[gdp.pk][0].kind == "estimate"
    final = value_enter(actor=users["office"], indicator=gdp, period="2021", value="7912000", unit="万元", kind="final")
    assert final.state == "approved"  # the office's own entry counts at once
    point = selectors.series_for([gdp.pk])[gdp.pk][0]
    assert (point.kind, point.value) == ("final", Decimal("79120000000"))
    assert [v.kind for v in selectors.history(gdp)] == ["final", "estimate"]  # both stay visible
    assert AuditEvent.objects.filter(verb__startswith="indicator_value.").count() >= 4


def test_a_revised_estimate_supersedes_the_approved_one_only_once_approved(users, gdp):
    first = value_enter(actor=users["office"], indicator=gdp, period="2021", value="780", unit="亿元", kind="estimate")
    revision = value_enter(actor=users["zjj_reporter"], indicator=gdp, period="2021", value="790", unit="亿元",
                           kind="estimate")  # fmt: skip
    assert selectors.series_for([gdp.pk])[gdp.pk][0].value == first.value
    value_approve(actor=users["zjj_head"], value=revision)
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert selectors.series_for([gdp.pk])[gdp.pk][0].value == Decimal("79000000000")
    # as of before the revision was approved, the office knew the first estimate
    as_of = selectors.series_for([gdp.pk], as_of=dt.date.today() - dt.timedelta(days=1))
    assert as_of == {}
    IndicatorValue.objects.filter(pk=first.pk).update(
        created_at=first.created_at - dt.timedelta(days=3), approved_at=first.created_at - dt.timedelta(days=3)
    )
    known = selectors.series_for([gdp.pk], as_of=dt.date.today() - dt.timedelta(days=1))[gdp.pk][0]
    assert known.value == Decimal("78000000000")


def test_another_units_reporter_and_head_are_refused(users, gdp):
    before = counts()
    with pytest.raises(ServiceError) as refused:
        value_enter(actor=users["fgw_reporter"], indicator=gdp, period="2021", value="1", unit="亿元")
    assert refused.value.code == "forbidden" and counts() == before
    value = value_enter(actor=users["zjj_reporter"], indicator=gdp, period="2021", value="1", unit="亿元")
    with pytest.raises(ServiceError):
        value_approve(actor=users["zjj_reporter"], value=value)
    with pytest.raises(ServiceError):
        value_return(actor=users["zjj_head"], value=value, reason="  ")
    value_return(actor=users["zjj_head"], value=value, reason="口径不对")
    value.refresh_from_db()
    assert value.state == "returned" and value.returned_reason == "口径不对"


@pytest.mark.parametrize(
    ("period", "value", "unit", "field"),
    [
        ("2021-13", "1", "亿元", "period"),
        ("2021-03", "1", "亿元", "period"),
        ("2021", "1", "万人", "unit"),
        ("2021", "约一百", "亿元", "value"),
        ("2021", "1e30", "亿元", "value"),
    ],  # fmt: skip
)
def test_bad_input_names_the_field_and_writes_nothing(users, gdp, period, value, unit, field):
    before = counts()
    with pytest.raises(ServiceError) as refused:
        value_enter(actor=users["office"], indicator=gdp, period=period, value=value, unit=unit)
    assert refused.value.field == field and refused.value.message
    assert counts() == before


def test_a_duplicate_final_is_refused(users, gdp):
    value_enter(actor=users["office"], indicator=gdp, period="2021", value="790", unit="亿元", kind="final")
    before = counts()
    with pytest.raises(ServiceError) as refused:
        value_enter(actor=users["office"], indicator=gdp, period="2021", value="791", unit="亿元", kind="final")
    assert refused.value.code == "duplicate_final" and counts() == before


def test_targets_and_the_light(users, gdp):
    target_set(actor=users["office"], indicator=gdp, year=2021, value="800", unit="亿元", modality="must")
    target_set(actor=users["office"], indicator=gdp, year=2021, value="820", unit="亿元", modality="strive")
    value_enter(actor=users["office"], indicator=gdp, period="2021", value="700", unit="亿元", kind="final")
    (row,) = selectors.summarise([gdp])
    assert row.target.modality == "must" and row.target_shown == Decimal(800)
    assert row.completion == pytest.approx(87.5) and row.light == "yellow"
    with pytest.raises(ServiceError):
        target_set(actor=users["zjj_head"], indicator=gdp, year=2021, value="1", unit="亿元")


def test_derived_figures_of_an_annual_series(users, gdp):
    for year, value in (("2015", "463"), ("2019", "700"), ("2020", "773")):
        value_enter(actor=users["office"], indicator=gdp, period=year, value=value, unit="亿元")
    points = selectors.indicator_detail(gdp).points
    last = points[-1]
    assert last.growth_yoy == pytest.approx((773 / 700 - 1) * 100)
    assert last.multiple == pytest.approx(773 / 463) and last.cagr == pytest.approx(10.79, abs=0.01)


def test_a_contradicting_multiple_is_flagged(users, gdp):
    value_enter(actor=users["office"], indicator=gdp, period="2015", value="400", unit="亿元")
    value_enter(actor=users["office"], indicator=gdp, period="2020", value="773", unit="亿元", stated_multiple="1.67",
                multiple_base="2015")  # fmt: skip
    detail = selectors.indicator_detail(gdp)
    assert len(detail.contradictions) == 1
    # flagged on the catalogue and the cockpit panel too, not only on its page
    page, rows = selectors.catalogue(users["office"], selectors.CatalogueFilter())
    assert [r.contradicted for r in rows if r.indicator == gdp] == [True]
    CockpitIndicator.objects.create(indicator=gdp, rank=1)
    assert [r.contradicted for r in selectors.cockpit_panel(users["office"])] == [True]


def test_an_agreeing_multiple_is_not_flagged(users, gdp):
    value_enter(actor=users["office"], indicator=gdp, period="2015", value="463", unit="亿元")
    value_enter(actor=users["office"], indicator=gdp, period="2020", value="773", unit="亿元", stated_multiple="1.67",
                multiple_base="2015")  # fmt: skip
    assert selectors.contradicted_ids([gdp.pk]) == set() and not selectors.indicator_detail(gdp).contradictions


def test_computed_indicators_refuse_typed_values(users):
    with pytest.raises(ServiceError) as refused:
        indicator_create(actor=users["office"], data=IndicatorData(name="x", unit="个", measure_key="no.such"))
    assert refused.value.field == "measure_key"
    assert not Indicator.objects.filter(name="x").exists()


def test_the_catalogue_page_is_bounded_in_queries(users):
    for n in range(12):
        ind = indicator_create(actor=None, data=IndicatorData(name=f"指标{n}", unit="元", frequency="month"))
        for month in range(1, 13):
            value_enter(actor=None, indicator=ind, period=f"2021-{month:02d}", value=str(month * 10), unit="元")
        target_set(actor=None, indicator=ind, year=2021, value="100", unit="元")
    selectors.catalogue(users["office"], selectors.CatalogueFilter())  # the user's roles are read once
    with CaptureQueriesContext(connection) as few:
        selectors.catalogue(users["office"], selectors.CatalogueFilter())
    for n in range(12, 30):
        ind = indicator_create(actor=None, data=IndicatorData(name=f"指标{n}", unit="元", frequency="month"))
        value_enter(actor=None, indicator=ind, period="2021-01", value="1", unit="元")
    with CaptureQueriesContext(connection) as many:
        page, rows = selectors.catalogue(users["office"], selectors.CatalogueFilter())
    assert len(many) == len(few) and len(rows) == 30 + Indicator.objects.exclude(name__startswith="指标").count()


def test_a_computed_indicator_counts_verified_tasks_and_links_to_them(users, task_by_object):
    task = task_by_object("老旧小区改造提升")
    type(task).objects.filter(pk=task.pk).update(verified_on=dt.date(2021, 6, 30))
    ind = indicator_create(
        actor=users["office"],
        data=IndicatorData(
            name="老旧小区改造完成",
            unit="个",
            frequency="year",
            measure_key="tasks.done",
            measure_params="object=老旧小区",
        ),  # fmt: skip
    )
    detail = selectors.indicator_detail(ind, as_of=dt.date(2021, 12, 31))
    assert detail.points[-1].period == "2021" and detail.points[-1].value == 1 and detail.points[-2].value == 0
    assert [r.url for r in detail.rows] == [f"/tasks/{task.pk}/"]
    (row,) = selectors.summarise([ind], as_of=dt.date(2021, 12, 31))
    assert row.latest.value == 1 and row.latest.computed
    with pytest.raises(ServiceError):
        value_enter(actor=users["office"], indicator=ind, period="2021", value="5")
    with pytest.raises(ServiceError) as refused:
        indicator_create(actor=users["office"], data=IndicatorData(name="y", unit="个", measure_key="tasks.done",
                                                                   measure_params="colour=red"))  # fmt: skip
    assert refused.value.field == "measure_params"


def test_computed_indicators_on_a_page_share_measure_calls_and_are_bounded(users):
    def computed(n: int) -> None:
        for i in range(n):
            data = IndicatorData(name=f"完成{i}", unit="个", frequency="year", measure_key="tasks.done")
            indicator_create(actor=users["office"], data=data)

    computed(1)
    selectors.catalogue(users["office"], selectors.CatalogueFilter())
    with CaptureQueriesContext(connection) as one:
        selectors.catalogue(users["office"], selectors.CatalogueFilter())
    Indicator.objects.filter(measure_key="tasks.done").delete()
    computed(selectors.COMPUTED_PER_PAGE + 5)  # same measure and scope: computed once per page
    with CaptureQueriesContext(connection) as many:
        page, rows = selectors.catalogue(users["office"], selectors.CatalogueFilter())
    assert len(many) == len(one)
    done = [r for r in rows if r.indicator.measure_key]
    assert len([r for r in done if r.latest]) == selectors.COMPUTED_PER_PAGE  # the rest: open the detail


def test_merge_a_new_name_into_an_existing_indicator(users, gdp):
    from indicators.services import cockpit_move, indicator_merge

    office = users["office"]
    value_enter(actor=office, indicator=gdp, period="2020", value="773", unit="亿元")
    new = indicator_create(actor=office, data=IndicatorData(name="GDP总量", unit="元", reviewed=False))
    value_enter(actor=office, indicator=new, period="2020", value="770", unit="亿元", kind="estimate")
    value_enter(actor=office, indicator=new, period="2019", value="700", unit="亿元")
    clash = value_enter(actor=office, indicator=new, period="2020", value="771", unit="亿元")
    before = counts()
    with pytest.raises(ServiceError) as refused:  # both hold a final for 2020
        indicator_merge(actor=office, source=new, into=gdp)
    assert refused.value.field == "into" and "2020" in str(refused.value)
    assert counts() == before and Indicator.objects.filter(pk=new.pk).exists()
    people = indicator_create(actor=office, data=IndicatorData(name="人口数", unit="人"))
    with pytest.raises(ServiceError):  # another unit
        indicator_merge(actor=office, source=new, into=people)
    with pytest.raises(ServiceError):  # only a reviewer's job, and only for a new name
        indicator_merge(actor=users["zjj_reporter"], source=new, into=gdp)
    IndicatorValue.objects.filter(pk=clash.pk).delete()
    CockpitIndicator.objects.create(indicator=new, rank=1)
    indicator_merge(actor=office, source=new, into=gdp)
    assert not Indicator.objects.filter(pk=new.pk).exists()
    moved = sorted(gdp.values.values_list("period", "kind"))
    assert moved == [("2019", "final"), ("2020", "estimate"), ("2020", "final")]
    assert CockpitIndicator.objects.get().indicator == gdp
    assert AuditEvent.objects.filter(verb="indicator.merge").count() == 1
    # the office orders the cockpit list
    other = indicator_create(actor=office, data=IndicatorData(name="另一指标", unit="元"))
    CockpitIndicator.objects.create(indicator=other, rank=2)
    cockpit_move(actor=office, indicator=other, up=True)
    assert [r.indicator for r in selectors.cockpit_panel(office)] == [other, gdp]
    cockpit_move(actor=office, indicator=other, up=True)  # already first: unchanged
    cockpit_move(actor=office, indicator=other, up=False)
    assert [r.indicator for r in selectors.cockpit_panel(office)] == [gdp, other]
    with pytest.raises(ServiceError):
        cockpit_move(actor=users["zjj_reporter"], indicator=gdp, up=False)
