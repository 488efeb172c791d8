"""Components plug in through core.measures; a year as its weighted months."""

import datetime as dt
from decimal import Decimal

import pytest

from core import measures
from evaluation import services
from evaluation.compute import period_compute
from evaluation.demo import load_demo_scheme
from evaluation.models import Period
from org.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted_units():
    """A measure over units (as projects or enterprises would register one): 1 for 区住建局, else 0."""

    def rows(scope):
        return Unit.objects.filter(pk=scope.unit_id, code="zjj")

    measure = measures.Measure(
        key="test.eval_units", label="测试计数", unit="个",
        value=lambda scope: Decimal(rows(scope).count()), rows=rows, row_url=lambda u: f"/org/units/{u.pk}/",
    )  # fmt: skip
    measures._REGISTRY[measure.key] = measure
    yield measure
    measures._REGISTRY.pop(measure.key, None)


def test_a_component_may_name_a_registered_measure(users, counted_units):
    zjj, fgw = Unit.objects.get(code="zjj"), Unit.objects.get(code="fgw")
    components = [
        {"key": "m", "label": "项目", "source": "measure:test.eval_units", "weight": "100",
         "rule": {"kind": "linear", "low": "0", "high": "1"}},
    ]  # fmt: skip
    scheme = services.scheme_create(actor=users["office"], year=2021, name="测", components=components,
                                    groups=[("g", [zjj.pk, fgw.pk])])  # fmt: skip
    period = services.period_open(actor=users["office"], scheme=scheme, kind="quarter", start=dt.date(2021, 4, 1),
                                  end=dt.date(2021, 6, 30), label="2021年二季度")  # fmt: skip
    rows = {r.unit.code: r for r in period_compute(period)}
    assert rows["zjj"].score.total == 100 and rows["fgw"].score.total == 0
    assert rows["zjj"].components[0]["rows"] == [{"label": str(zjj), "url": f"/org/units/{zjj.pk}/"}]
    assert (rows["zjj"].score.rank, rows["fgw"].score.rank) == (1, 2)


def test_a_year_as_its_weighted_months(users):
    scheme = load_demo_scheme(users["office"])
    months = Period.objects.filter(scheme=scheme, kind="month", start__in=[dt.date(2021, 5, 1), dt.date(2021, 6, 1)])
    for m in months:
        services.period_publish(actor=users["office"], period=m)
    year = services.period_open(actor=users["office"], scheme=scheme, kind="year", start=dt.date(2021, 1, 1),
                                end=dt.date(2021, 12, 31), label="2021年度")  # fmt: skip
    rows = {r.unit.code: r for r in period_compute(year)}
    from evaluation.models import ScoreRow

    may, june = (ScoreRow.objects.get(period__start=d, period__scheme=scheme, unit__code="zjj").total
                 for d in (dt.date(2021, 5, 1), dt.date(2021, 6, 1)))  # fmt: skip
    assert rows["zjj"].score.total == (may + june) / 2
    assert [c["label"] for c in rows["zjj"].components] == ["2021年5月", "2021年6月"]
