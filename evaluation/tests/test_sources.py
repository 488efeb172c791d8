"""Components plug in through core.measures; a year as its weighted months."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

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


def test_projects_and_enterprises_measures_score_as_components(users):
    """The real measures the projects and enterprises apps register, as components (`measure:<key>`): a unit's
    input is its own records in the period, and each point links to them. (The demo's 2021 scheme cannot
    show this: the demo projects and firms live in the current year; docs/evaluation.md.)"""
    from enterprises.tests.factories import firm, request
    from projects.tests.factories import make_project

    zjj, fgw = Unit.objects.get(code="zjj"), Unit.objects.get(code="fgw")
    project = make_project(year=2021)
    make_project(code="XM-T-002", year=2021, unit_code="fgw")
    make_project(code="XM-T-003", year=2021, unit_code="fgw")
    first = request(firm(1), received_on=dt.date(2021, 6, 3))
    request(firm(2), received_on=dt.date(2021, 7, 1))  # outside the period
    share = {"kind": "linear", "low": "0", "high": "2"}
    components = [
        {"key": "projects", "label": "重大项目", "source": "measure:projects.count", "weight": "40", "rule": share},
        {"key": "requests", "label": "企业诉求", "source": "measure:enterprises.requests", "weight": "60",
         "rule": {"kind": "linear", "low": "0", "high": "1"}},
    ]  # fmt: skip
    scheme = services.scheme_create(actor=users["office"], year=2021, name="测", components=components,
                                    groups=[("g", [zjj.pk, fgw.pk])])  # fmt: skip
    period = services.period_open(actor=users["office"], scheme=scheme, kind="month", start=dt.date(2021, 6, 1),
                                  end=dt.date(2021, 6, 30), label="2021年6月")  # fmt: skip
    rows = {r.unit.code: r for r in period_compute(period)}
    # zjj: 1 project of 2 → 20 points, 1 request handled → 60; fgw: 2 projects → 40, no request → 0.
    assert (rows["zjj"].score.total, rows["fgw"].score.total) == (80, 40)
    projects_part, requests_part = rows["zjj"].components
    project_url = reverse("projects:detail", args=[project.pk])
    assert projects_part["rows"] == [{"label": f"{project.code} {project.name}", "url": project_url}]
    assert [r["url"] for r in requests_part["rows"]] == [reverse("enterprises:request_detail", kwargs={"pk": first.pk})]
