"""Schemes, computing and publishing a month, appeals and adjustments, on the demo district's 2021 records."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from audit.models import AuditEvent
from core.errors import ServiceError
from evaluation import services
from evaluation.compute import period_compute
from evaluation.demo import default_components, load_demo_scheme
from evaluation.models import Adjustment, Appeal, Component, Period, Scheme, ScoreRow
from notifications.models import Notification
from org.models import Unit
from reports.models import ProgressReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def june(users):
    scheme = load_demo_scheme(users["office"])
    return Period.objects.get(scheme=scheme, start=dt.date(2021, 6, 1))


def zjj():
    return Unit.objects.get(code="zjj")


def test_bad_scheme_refused_nothing_written(users):
    comps = default_components()
    comps[0]["weight"] = "40"
    with pytest.raises(ServiceError) as err:
        services.scheme_create(actor=users["office"], year=2022, name="x", components=comps, groups=[("g", [])])
    assert "90" in err.value.message and "100" in err.value.message
    with translation.override("zh-hans"), pytest.raises(ServiceError) as err:
        services.scheme_create(actor=users["office"], year=2022, name="x", components=comps, groups=[("g", [])])
    assert err.value.message == "各项分值合计为 90，与总分 100 不符。"
    comps = default_components()
    comps[1]["rule"] = {"kind": "banded", "bands": [["0", "0.7", "0"], ["0.6", "1", "1"]]}
    with pytest.raises(ServiceError) as err:
        services.scheme_create(actor=users["office"], year=2022, name="x", components=comps, groups=[("g", [])])
    assert "0–0.7" in err.value.message
    comps = default_components()
    comps[2]["source"] = "nowhere.count"
    with pytest.raises(ServiceError):
        services.scheme_create(actor=users["office"], year=2022, name="x", components=comps, groups=[("g", [])])
    assert not Scheme.objects.filter(year=2022).exists() and not Component.objects.filter(scheme__year=2022).exists()


def test_compute_is_repeatable_and_links_rows(june):
    first = period_compute(june)
    again = period_compute(june)
    assert [(r.unit.pk, r.score.total, r.score.rank) for r in first] == [
        (r.unit.pk, r.score.total, r.score.rank) for r in again
    ]
    row = next(r for r in first if r.unit.code == "zjj")
    delivery = next(c for c in row.components if c["key"] == "delivery")
    assert "lead tasks" in delivery["detail"] or "项" in delivery["detail"]
    # 区住建局 leads red tasks in June 2021: they are listed with a link to each task.
    assert delivery["rows"] and all(r["url"].startswith("/tasks/") for r in delivery["rows"])
    assert Decimal(delivery["points"]) < Decimal(50)
    assert sum(Decimal(c["points"]) for c in row.components) == row.score.total
    groups = {r.group.name for r in first}
    assert groups == {"区直部门", "街道（镇）"}


def test_publish_freezes_scores_and_notifies_heads(june, users):
    services.period_publish(actor=users["office"], period=june)
    june.refresh_from_db()
    assert june.version == 1 and june.scheme.locked
    row = ScoreRow.objects.get(period=june, unit=zjj())
    assert AuditEvent.objects.filter(verb="period.publish", object_id=str(june.pk)).exists()
    assert Notification.objects.filter(recipient=users["zjj_head"], kind="evaluation.published").exists()
    # A report approved later does not move the published score.
    ProgressReport.objects.filter(unit=zjj(), due_date__month=6, due_date__year=2021).update(first_submitted_at=None)
    assert ScoreRow.objects.get(period=june, unit=zjj()).total == row.total
    with pytest.raises(ServiceError):
        services.period_publish(actor=users["office"], period=june)
    with pytest.raises(ServiceError):
        services.scheme_update(actor=users["office"], scheme=june.scheme, components=default_components())


def test_appeal_upheld_republishes_a_new_version(june, users):
    services.period_publish(actor=users["office"], period=june)
    june.refresh_from_db()
    appeal = services.appeal_create(actor=users["zjj_head"], period=june, component_key="delivery",
                                    reason="任务已完成，佐证见附件", today=june.published_on)  # fmt: skip
    assert Notification.objects.filter(recipient=users["office"], kind="evaluation.appeal").exists()
    services.appeal_decide(
        actor=users["office"], appeal=appeal, uphold=True, note="核实属实", corrected_points=Decimal(50)
    )
    june.refresh_from_db()
    assert june.version == 2
    old = ScoreRow.objects.get(period=june, version=1, unit=zjj())
    new = ScoreRow.objects.get(period=june, version=2, unit=zjj())
    assert new.adjusted_by_appeal and not old.adjusted_by_appeal
    delta = Decimal(50) - Decimal(next(c for c in old.components if c["key"] == "delivery")["points"])
    assert new.total == old.total + delta
    assert (
        ScoreRow.objects.filter(period=june, version=2).count()
        == ScoreRow.objects.filter(period=june, version=1).count()
    )
    assert Notification.objects.filter(recipient=users["zjj_head"], kind="evaluation.appeal_decided").exists()


def test_appeal_rejected_keeps_version(june, users):
    services.period_publish(actor=users["office"], period=june)
    june.refresh_from_db()
    appeal = services.appeal_create(actor=users["zjj_head"], period=june, component_key="reporting", reason="迟报有因",
                                    today=june.published_on)  # fmt: skip
    with pytest.raises(ServiceError):
        services.appeal_decide(actor=users["office"], appeal=appeal, uphold=False, note=" ")
    services.appeal_decide(actor=users["office"], appeal=appeal, uphold=False, note="理由不成立")
    appeal.refresh_from_db()
    june.refresh_from_db()
    assert appeal.state == Appeal.State.REJECTED and appeal.decision_note == "理由不成立" and june.version == 1


def test_appeal_outside_window_or_other_unit_refused(june, users):
    with time_machine.travel(dt.datetime(2021, 7, 5, 10, tzinfo=dt.UTC)):
        services.period_publish(actor=users["office"], period=june)
    june.refresh_from_db()
    assert june.published_on == dt.date(2021, 7, 5)
    # Five working days after Monday 5 July: Monday 12 July.
    assert services.appeal_deadline(june) == dt.date(2021, 7, 12)
    with pytest.raises(ServiceError) as err:
        services.appeal_create(actor=users["zjj_head"], period=june, component_key="delivery", reason="x",
                               today=dt.date(2021, 7, 13))  # fmt: skip
    assert "2021年7月12日" in err.value.message
    with pytest.raises(ServiceError):
        services.appeal_create(actor=users["zjj_head"], period=june, component_key="delivery", reason="x",
                               unit_id=Unit.objects.get(code="fgw").pk, today=dt.date(2021, 7, 6))  # fmt: skip
    with pytest.raises(ServiceError):
        services.appeal_create(actor=users["zjj_reporter"], period=june, component_key="delivery", reason="x",
                               today=dt.date(2021, 7, 6))  # fmt: skip
    assert not Appeal.objects.exists()


def test_adjustment_needs_a_second_office_user(june, users):
    from accounts.services import user_create
    from conftest import DEMO_PASSWORD

    adj = services.adjustment_create(actor=users["office"], unit=zjj(), kind="bonus", points=Decimal(2),
                                     day=dt.date(2021, 6, 15), reason="获市级表彰")  # fmt: skip
    before = next(r for r in period_compute(june) if r.unit.code == "zjj").score.total
    with pytest.raises(ServiceError):
        services.adjustment_decide(actor=users["office"], adjustment=adj, approve=True)
    second = user_create(actor=None, username="office2", display_name="督查室二", password=DEMO_PASSWORD,
                         unit=users["office"].unit)  # fmt: skip
    services.adjustment_decide(actor=second, adjustment=adj, approve=True)
    assert Adjustment.objects.get(pk=adj.pk).state == "approved"
    row = next(r for r in period_compute(june) if r.unit.code == "zjj")
    assert row.score.total == before + 2
    assert any(c["key"] == "adjustments" and c["rows"][0]["url"] == f"/evaluation/adjustments/{adj.pk}/"
               for c in row.components)  # fmt: skip


def test_a_locked_scheme_is_revised_as_a_copy(june, users):
    services.period_publish(actor=users["office"], period=june)
    scheme = Scheme.objects.get(pk=june.scheme_id)
    copy = services.scheme_revise(actor=users["office"], scheme=scheme)
    assert copy.version == scheme.version + 1 and not copy.locked
    assert list(copy.components.values_list("key", "weight")) == list(scheme.components.values_list("key", "weight"))
    assert [set(g.units.all()) for g in copy.groups.all()] == [set(g.units.all()) for g in scheme.groups.all()]
    comps = default_components()
    comps[0]["weight"], comps[1]["weight"] = "40", "30"
    services.scheme_update(actor=users["office"], scheme=copy, components=comps)
    assert str(copy.components.get(key="delivery").weight) == "40.00"
    assert str(scheme.components.get(key="delivery").weight) == "50.00"  # the published one is untouched


def test_period_open_checks_dates(june, users):
    with pytest.raises(ServiceError):
        services.period_open(actor=users["office"], scheme=june.scheme, kind="quarter", start=dt.date(2021, 7, 1),
                             end=dt.date(2021, 6, 30), label="x")  # fmt: skip
    with pytest.raises(ServiceError):
        services.period_open(actor=users["office"], scheme=june.scheme, kind="quarter", start=dt.date(2022, 1, 1),
                             end=dt.date(2022, 3, 31), label="x")  # fmt: skip
    q = services.period_open(actor=users["office"], scheme=june.scheme, kind="quarter", start=dt.date(2021, 4, 1),
                             end=dt.date(2021, 6, 30), label="2021年二季度")  # fmt: skip
    assert q.kind == "quarter" and len(period_compute(q)) == len(period_compute(june))
