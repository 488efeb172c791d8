"""Escalation of late orders, the nightly sweep (idempotent), the demo records, the workdays command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from notifications.models import Notification
from reports.models import StatusSnapshot
from supervision import services
from supervision.escalation import Rung
from supervision.models import OrderEscalation, Rectification, SupervisionOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def compounds(task_by_object):
    return task_by_object("老旧小区改造提升")  # 区住建局, responsible leader 分管城建副区长 (leader_cj)


def issue(users, task, **kwargs):
    values = {"kind": "reminder", "content": "进度滞后", "issued_on": dt.date(2021, 9, 30), "response_workdays": 5}
    return services.order_issue(actor=users["office"], tasks=[task], unit=task.lead_unit, **{**values, **kwargs})


def kinds(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_late_order_climbs_the_chain_and_escalates_once_per_rung(users, compounds):
    order = issue(users, compounds)  # due 2021-10-13
    assert services.order_escalate(order=order, today=dt.date(2021, 10, 13)).decision.is_late is False
    first = services.order_escalate(order=order, today=dt.date(2021, 10, 14))  # 1 working day late
    assert first.new_rungs == [Rung.REPORTER] and not first.level_raised
    assert kinds(users["zjj_reporter"]) == ["order.issued", "order.late"]
    assert "order.late" not in kinds(users["zjj_head"])

    third = services.order_escalate(order=order, today=dt.date(2021, 10, 18))  # 14, 15, 18: 3 late
    assert third.new_rungs == [Rung.UNIT_HEAD] and third.level_raised
    order.refresh_from_db()
    assert (order.kind, order.level) == ("reminder", "order")  # 催办 → 督办; what was issued stays recorded
    assert "order.escalated" in kinds(users["zjj_head"]) and "order.late" in kinds(users["zjj_head"])
    assert "order.late" not in kinds(users["leader_cj"])

    again = services.order_escalate(order=order, today=dt.date(2021, 10, 18))
    assert again.new_rungs == [] and not again.level_raised and again.notified == 0

    services.order_escalate(order=order, today=dt.date(2021, 10, 20))  # 5 late: the responsible leader
    assert "order.late" in kinds(users["leader_cj"])
    assert "order.late" not in kinds(users["leader"])  # 区长 is not this task's leader
    last = services.order_escalate(order=order, today=dt.date(2021, 10, 25))  # 8 late: 通报, the office
    order.refresh_from_db()
    assert order.level == "notice" and last.level_raised
    assert "order.late" in kinds(users["office"])
    assert list(OrderEscalation.objects.filter(order=order).values_list("rung", flat=True)) == [1, 2, 3, 4]
    assert AuditEvent.objects.filter(verb="order.escalate", object_id=str(order.pk)).count() == 4


def test_an_answered_order_is_not_escalated(users, compounds):
    order = issue(users, compounds)
    services.order_acknowledge(actor=users["zjj_reporter"], order=order)
    services.order_respond(actor=users["zjj_reporter"], order=order, text="已整改")
    assert services.order_escalate(order=order, today=dt.date(2021, 11, 30)) is None
    order.refresh_from_db()
    assert order.level == "reminder" and not order.escalations.exists()


def test_a_sent_back_order_is_chased_against_its_new_due_date(users, compounds):
    order = issue(users, compounds)
    services.order_acknowledge(actor=users["zjj_reporter"], order=order)
    services.order_respond(actor=users["zjj_reporter"], order=order, text="已整改")
    services.order_return(actor=users["office"], order=order, reason="请补充", today=dt.date(2021, 10, 15))
    order.refresh_from_db()
    assert order.due_date == dt.date(2021, 10, 20)  # 3 working days after 10-15
    assert not services.order_escalate(order=order, today=dt.date(2021, 10, 20)).decision.is_late
    assert services.order_escalate(order=order, today=dt.date(2021, 10, 21)).new_rungs == [Rung.REPORTER]


def run_sweep(day: str) -> str:
    out = StringIO()
    call_command("sweep", "--as-of", day, stdout=out)
    return out.getvalue()


def test_the_sweep_twice_sends_nothing_twice(users, compounds):
    order = issue(users, compounds)
    due_soon = issue(users, compounds, issued_on=dt.date(2021, 10, 14), response_workdays=5)  # due 10-21
    output = run_sweep("2021-10-20")
    assert "as of 2021-10-20" in output and "late orders: 1" in output
    counts = (
        Notification.objects.count(),
        OrderEscalation.objects.count(),
        AuditEvent.objects.count(),
        StatusSnapshot.objects.count(),
    )
    assert counts[0] > 0 and counts[3] > 0
    assert Notification.objects.filter(kind="order.due", object_id=str(due_soon.pk)).count() == 2  # reporter, head
    assert Notification.objects.filter(kind="report.late").exists()  # notifications.report_reminders ran
    order.refresh_from_db()
    assert order.level == "order"  # 5 working days late on 10-20

    run_sweep("2021-10-20")
    assert (
        Notification.objects.count(),
        OrderEscalation.objects.count(),
        AuditEvent.objects.count(),
        StatusSnapshot.objects.count(),
    ) == counts


def test_the_sweep_snapshots_statuses_of_active_plans(users, compounds):
    run_sweep("2021-06-30")
    snapshot = StatusSnapshot.objects.get(task=compounds, day=dt.date(2021, 6, 30))
    assert snapshot.light == "green" and snapshot.status == "on_track"  # docs/reporting.md's worked example


def test_a_late_rectification_is_reported_once(users, compounds):
    inspection = services.inspection_record(
        actor=users["office"], inspected_on=dt.date(2021, 8, 12), inspectors="督查室", place="现场"
    )
    finding = services.finding_add(actor=users["office"], inspection=inspection, text="围挡破损")
    item = services.rectification_open(
        actor=users["office"],
        finding=finding,
        unit=compounds.lead_unit,
        deadline=dt.date(2021, 8, 26),
        requirement="修复围挡",
        today=dt.date(2021, 8, 13),
    )
    assert services.rectification_remind_late(item=item, today=dt.date(2021, 8, 26)) == 0
    assert run_sweep("2021-08-27").splitlines()[-1] == "late rectifications reminded: 1"
    assert run_sweep("2021-08-30").splitlines()[-1] == "late rectifications reminded: 0"  # told once per deadline
    assert Notification.objects.filter(kind="rectification.late", recipient=users["zjj_head"]).count() == 1
    assert Rectification.objects.get().state == "open"


def test_bad_as_of_is_a_clear_error():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("sweep", "--as-of", "2021-13-01")


def test_the_demo_records_load_once_and_escalated_orders_stay_quiet(users):
    from supervision.demo import load_demo_supervision

    assert load_demo_supervision() == 3
    assert load_demo_supervision() == 0
    numbers = list(SupervisionOrder.objects.order_by("seq").values_list("number", "state", "level"))
    assert numbers == [
        ("二七督〔2021〕1号", "closed", "reminder"),
        ("二七督〔2021〕2号", "verified", "order"),
        ("二七督〔2021〕3号", "issued", "notice"),
    ]
    assert SupervisionOrder.objects.get(seq=2).due_date == dt.date(2021, 10, 13)
    before = Notification.objects.filter(kind__startswith="order.").count()
    run_sweep("2021-12-20")  # every rung of order 3 was already reminded in 2021: nothing new
    assert Notification.objects.filter(kind__startswith="order.").count() == before
    # The next order of 2021 continues the demo's numbering.
    [task] = SupervisionOrder.objects.get(seq=3).target_objects()
    assert issue(users, task).number == "二七督〔2021〕4号"


# --- manage.py workdays ---------------------------------------------------------------------------


def workdays(*args) -> str:
    out = StringIO()
    call_command("workdays", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("add", "2021-09-30", "5"), "2021-10-13"),  # over National Day
        (("add", "2021-02-10", "3"), "2021-02-20"),  # the make-up Saturday after the Spring Festival
        (("add", "2021-02-07", "0"), "2021-02-07"),  # a make-up Sunday is itself a working day
        (("add", "2021-10-13", "-5"), "2021-09-30"),
        (("add", "2021-10-02", "0"), "2021-10-08"),  # a holiday moves forward, never back
        (("between", "2021-09-30", "2021-10-13"), "5"),
        (("between", "2021-10-13", "2021-09-30"), "-5"),
        (("between", "2021-02-10", "2021-02-17"), "0"),
        (("add", "2027-01-01", "1"), "2027-01-04"),  # 2027: Monday–Friday fallback
        (("between", "2026-12-31", "2027-01-08"), "6"),
    ],
)
def test_workdays_command(args, expected):
    assert workdays(*args) == expected


def test_workdays_warns_about_unconfigured_years():
    err = StringIO()
    call_command("workdays", "add", "2027-02-10", "3", stdout=StringIO(), stderr=err)
    assert "2027" in err.getvalue() and "该年度法定节假日未配置" in err.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "2021-02-30", "1"), "is not a date"),
        (("add", "2021-09-30", "five"), "whole number"),
        (("between", "yesterday", "2021-01-01"), "is not a date"),
        ((), "Say what to count"),
        (("between", "2021-01-01", "9999-12-31"), "超出工作日历的范围"),
        (("add", "2021-01-01", "100000"), "超出工作日历的范围"),
        (("add", "1900-01-01", "1"), "超出工作日历的范围"),
    ],
)
def test_workdays_bad_input_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("workdays", *args, stdout=StringIO(), stderr=StringIO())


def test_workdays_exits_1_on_bad_input():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "workdays", "add", "2021-13-01", "1"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and "is not a date" in result.stderr
