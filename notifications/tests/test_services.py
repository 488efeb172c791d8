"""notify() and follows, the report events wired into reports.services, and the sweep's reminders."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError

from core.errors import ServiceError
from notifications import services
from notifications.models import Delivery, Follow, Notification, UnitWebhook
from org.models import Unit
from plans import follows
from reports import services as reports
from reports.models import ProgressReport
from reports.reminders import followed_light_changes, report_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_compounds(task_by_object):
    return task_by_object("老旧小区改造提升")


def mine(user, **filters):
    return Notification.objects.filter(recipient=user, **filters)


# --- notify ----------------------------------------------------------------------------------------


def test_one_notification_per_active_recipient(users):
    users["fgw_reporter"].is_active = False
    users["fgw_reporter"].save(update_fields=["is_active"])
    created = services.notify(
        recipients=[users["zjj_reporter"], users["zjj_reporter"], users["zjj_head"], users["fgw_reporter"], None],
        kind="order.issued",
        title="督办单",
        obj=Unit.objects.get(code="zjj"),
    )
    assert sorted(n.recipient.username for n in created) == ["zjj_head", "zjj_reporter"]
    assert all(n.pk for n in created)
    note = mine(users["zjj_reporter"]).get()
    assert (note.object_type, note.object_id, note.read_at) == ("org.unit", str(Unit.objects.get(code="zjj").pk), None)


def test_a_dedupe_key_notifies_each_person_once(users):
    first = services.notify(recipients=[users["zjj_reporter"]], kind="report.due", title="a", dedupe_key="k:1")
    again = services.notify(
        recipients=[users["zjj_reporter"], users["zjj_head"]], kind="report.due", title="a", dedupe_key="k:1"
    )
    assert len(first) == 1
    assert [n.recipient.username for n in again] == ["zjj_head"]
    assert Notification.objects.filter(dedupe_key="k:1").count() == 2
    # Without a key the same event may repeat (two orders can share a title).
    services.notify(recipients=[users["zjj_reporter"]], kind="order.issued", title="b")
    services.notify(recipients=[users["zjj_reporter"]], kind="order.issued", title="b")
    assert mine(users["zjj_reporter"], title="b").count() == 2


def test_the_database_refuses_a_duplicate_dedupe_key(users):
    """What makes two sweeps running at once safe: the unique constraint, not the pre-check."""
    Notification.objects.create(recipient=users["zjj_reporter"], kind="report.due", title="a", dedupe_key="k")
    with pytest.raises(IntegrityError):
        Notification.objects.create(recipient=users["zjj_reporter"], kind="report.due", title="a", dedupe_key="k")


def test_deliveries_are_planned_per_channel_and_queued_on_commit(users, django_capture_on_commit_callbacks):
    zjj = Unit.objects.get(code="zjj")
    UnitWebhook.objects.create(unit=zjj, kind="wecom", url="http://robot.local/send?key=1")
    UnitWebhook.objects.create(unit=zjj, kind="dingtalk", url="http://robot.local/d?access_token=2", is_active=False)
    users["zjj_head"].email = "head@example.cn"
    users["zjj_head"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify(recipients=[users["zjj_reporter"], users["zjj_head"]], kind="order.late", title="逾期")
    emails = Delivery.objects.filter(channel="email")
    assert [d.target for d in emails] == ["head@example.cn"]  # the reporter has no address
    robot = Delivery.objects.get(channel="webhook")  # one message for the unit, none for the inactive robot
    assert robot.target == "http://robot.local/send"
    assert {m["name"] for m in robot.mentions} == {"区住建局填报员（演示）", "区住建局负责人（演示）"}
    assert len(callbacks) == 1  # one enqueue of both, after commit
    assert {d.status for d in Delivery.objects.all()} == {"pending"}


def test_no_email_when_switched_off(users, settings):
    settings.LUOSHI_NOTIFY_EMAIL = False
    users["zjj_head"].email = "head@example.cn"
    users["zjj_head"].save(update_fields=["email"])
    services.notify(recipients=[users["zjj_head"]], kind="order.late", title="逾期")
    assert not Delivery.objects.exists()


def test_requeue_picks_up_due_deliveries_only(users, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    users["zjj_head"].email = "head@example.cn"
    users["zjj_head"].save(update_fields=["email"])
    services.notify(recipients=[users["zjj_head"]], kind="order.late", title="逾期")
    delivery = Delivery.objects.get()
    assert services.deliveries_requeue(now=delivery.next_attempt_at) == 1
    assert services.deliveries_requeue(now=delivery.next_attempt_at - dt.timedelta(seconds=1)) == 0
    Delivery.objects.update(status="sent")
    assert services.deliveries_requeue() == 0


def test_retry_delay_doubles_up_to_the_cap(settings):
    settings.LUOSHI_NOTIFY_RETRY_BASE_SECONDS, settings.LUOSHI_NOTIFY_RETRY_MAX_SECONDS = 60, 300
    assert [services.retry_delay(n).total_seconds() for n in range(1, 6)] == [60, 120, 240, 300, 300]


# --- inbox -------------------------------------------------------------------------------------------


def test_marking_read_is_for_ones_own_notifications(users):
    note = services.notify(recipients=[users["zjj_reporter"]], kind="report.returned", title="退回")[0]
    with pytest.raises(ServiceError):
        services.notification_mark_read(actor=users["zjj_head"], notification=note)
    services.notification_mark_read(actor=users["zjj_reporter"], notification=note)
    first = Notification.objects.get(pk=note.pk).read_at
    assert first is not None
    services.notification_mark_read(actor=users["zjj_reporter"], notification=Notification.objects.get(pk=note.pk))
    assert Notification.objects.get(pk=note.pk).read_at == first  # the first read time stays


def test_mark_all_read_touches_only_mine(users):
    services.notify(recipients=[users["zjj_reporter"], users["zjj_head"]], kind="order.issued", title="x")
    services.notify(recipients=[users["zjj_reporter"]], kind="order.issued", title="y")
    assert services.notification_mark_all_read(actor=users["zjj_reporter"]) == 2
    assert not mine(users["zjj_reporter"], read_at__isnull=True).exists()
    assert mine(users["zjj_head"], read_at__isnull=True).count() == 1


# --- follows ---------------------------------------------------------------------------------------


def test_following_needs_read_access_to_the_task(users, old_compounds):
    assert follows.follow_toggle(actor=users["leader"], task=old_compounds) is True
    assert follows.follow_toggle(actor=users["leader"], task=old_compounds) is False
    with pytest.raises(ServiceError):
        follows.follow_toggle(actor=users["fgw_reporter"], task=old_compounds)  # 区发改委 has no part in T005
    with pytest.raises(ServiceError):
        follows.follow_set(actor=users["sysadmin"], task=old_compounds, follow=True)
    assert follows.follow_set(actor=users["office"], task=old_compounds, follow=True) is True
    assert follows.follow_set(actor=users["office"], task=old_compounds, follow=True) is False
    assert list(Follow.objects.values_list("user__username", flat=True)) == ["office"]


def test_followers_who_lost_access_hear_nothing(users, old_compounds):
    for name in ("leader", "zjj_reporter", "office"):
        follows.follow_set(actor=users[name], task=old_compounds, follow=True)
    reporter = users["zjj_reporter"]
    reporter.unit = Unit.objects.get(code="fgw")  # moved to another unit: T005 is out of scope now
    reporter.save(update_fields=["unit"])
    created = follows.followers_notify(task=old_compounds, kind="task.changed", title="变化", exclude=[users["office"]])
    assert [n.recipient.username for n in created] == ["leader"]
    assert created[0].url == f"/tasks/{old_compounds.pk}/"


# --- report events ---------------------------------------------------------------------------------


def _submitted(users, task, value="230"):
    report = reports.report_start(
        actor=users["zjj_reporter"], task=task, period_end=dt.date(2021, 12, 5), due_date=dt.date(2021, 12, 7)
    )
    return reports.report_save(
        actor=users["zjj_reporter"], report=report, value=Decimal(value), narrative="进展顺利", submit=True
    )


def test_submitting_notifies_the_unit_heads(users, old_compounds):
    report = _submitted(users, old_compounds)
    note = mine(users["zjj_head"]).get()
    assert note.kind == "report.submitted"
    assert note.url == "/reports/approvals/"
    assert (note.object_type, note.object_id) == ("reports.progressreport", str(report.pk))
    assert "T005" in note.title
    # Only 区住建局's heads: not its reporters, not other units' heads (fgw_head).
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"zjj_head"}


def test_returning_notifies_the_creator_with_the_reason(users, old_compounds):
    report = _submitted(users, old_compounds)
    reports.report_return(actor=users["zjj_head"], report=report, reason="请补充竣工验收材料")
    note = mine(users["zjj_reporter"]).get()
    assert note.kind == "report.returned"
    assert "请补充竣工验收材料" in note.body
    assert note.url == f"/reports/{report.pk}/edit/"


def test_approving_notifies_the_creator_and_the_followers_with_the_light(users, old_compounds):
    follows.follow_set(actor=users["leader"], task=old_compounds, follow=True)
    follows.follow_set(actor=users["zjj_head"], task=old_compounds, follow=True)  # the approver: not told
    report = _submitted(users, old_compounds)
    reports.report_approve(actor=users["zjj_head"], report=report)
    assert mine(users["zjj_reporter"]).get(kind="report.approved").url == f"/reports/{report.pk}/"
    news = mine(users["leader"]).get()
    assert news.kind == "task.changed"
    assert "230" in news.body and old_compounds.target_unit in news.body
    assert mine(users["zjj_head"], kind="task.changed").count() == 0


def test_a_failed_approval_notifies_nobody(users, old_compounds):
    report = _submitted(users, old_compounds)
    before = Notification.objects.count()
    with pytest.raises(ServiceError):
        reports.report_approve(actor=users["fgw_reporter"], report=report)
    assert Notification.objects.count() == before


def test_a_judgement_notifies_the_followers(users, old_compounds):
    follows.follow_set(actor=users["zjj_reporter"], task=old_compounds, follow=True)
    reports.judgement_record(
        actor=users["office"], task=old_compounds, likelihood="unlikely", reason="冬季停工", recorded_on=dt.date.today()
    )
    note = mine(users["zjj_reporter"]).get()
    assert note.kind == "task.changed" and "冬季停工" in note.body
    assert not mine(users["office"]).exists()


# --- the sweep's reminders -------------------------------------------------------------------------
# T005 (区住建局, weekly, key task: due the Tuesday after each Sunday) has approved reports up to the
# week ending 2021-11-28; after that nothing. Its responsible leader post is held by leader_cj.


def _t005(user, old_compounds, **filters):
    return mine(user, object_type="plans.task", object_id=str(old_compounds.pk), **filters)


def test_a_report_due_tomorrow_reminds_the_reporters(users, old_compounds):
    report_reminders(dt.date(2021, 12, 27))  # Monday; the week ending 12-26 is due Tuesday 12-28
    due = _t005(users["zjj_reporter"], old_compounds, kind="report.due").get(
        dedupe_key=f"report.due:{old_compounds.pk}:{old_compounds.lead_unit_id}:2021-12-26"
    )
    assert due.url == "/reports/"
    assert not _t005(users["zjj_head"], old_compounds, kind="report.due").exists()


def test_late_reports_climb_the_chain_as_lateness_grows(users, old_compounds):
    report_reminders(dt.date(2021, 12, 29))
    # Due 12-07 (16 working days late), 12-14 (11), 12-21 (6), 12-28 (1).
    late = {"2021-12-05", "2021-12-12", "2021-12-19", "2021-12-26"}

    def periods(user):
        return {n.dedupe_key.rsplit(":", 1)[1] for n in _t005(user, old_compounds, kind="report.late")}

    assert periods(users["zjj_reporter"]) == late
    assert periods(users["zjj_head"]) == late - {"2021-12-26"}  # from 3 working days
    assert periods(users["leader_cj"]) == late - {"2021-12-26"}  # from 5 working days
    assert _t005(users["leader_cj"], old_compounds).first().url == f"/tasks/{old_compounds.pk}/"

    report_reminders(dt.date(2021, 12, 30))  # the next night: nothing twice, the 12-26 week reaches nobody new
    assert periods(users["zjj_head"]) == late - {"2021-12-26"}
    assert _t005(users["zjj_reporter"], old_compounds, kind="report.late").count() == 4


def test_the_sweep_run_twice_notifies_nobody_twice():
    first = report_reminders(dt.date(2021, 12, 29))
    assert first > 0
    assert report_reminders(dt.date(2021, 12, 29)) == 0


def test_escalation_thresholds_come_from_settings(users, old_compounds, settings):
    settings.LUOSHI_REMINDER_ESCALATION = {"reporter": 1, "unit_head": 1, "leader": 20}
    report_reminders(dt.date(2021, 12, 29))
    assert _t005(users["zjj_head"], old_compounds, kind="report.late").count() == 4
    assert not _t005(users["leader_cj"], old_compounds).exists()


def test_a_submitted_report_is_not_chased(users, old_compounds):
    _submitted(users, old_compounds)  # the week ending 12-05
    report_reminders(dt.date(2021, 12, 29))
    keys = set(_t005(users["zjj_reporter"], old_compounds).values_list("dedupe_key", flat=True))
    assert not any(k.endswith("2021-12-05") for k in keys)
    assert any(k.endswith("2021-12-12") for k in keys)


def test_periods_due_more_than_a_month_ago_are_not_chased(users, old_compounds):
    # Without its October and November reports T005 owes many periods; a first sweep (or one after a
    # long pause) chases only those due in the last 31 days, not the whole history.
    ProgressReport.objects.filter(task=old_compounds, period_end__gte=dt.date(2021, 10, 1)).delete()
    report_reminders(dt.date(2021, 12, 29))
    periods = {n.dedupe_key.rsplit(":", 1)[1] for n in _t005(users["zjj_reporter"], old_compounds, kind="report.late")}
    assert periods == {"2021-11-28", "2021-12-05", "2021-12-12", "2021-12-19", "2021-12-26"}  # due 11-30 … 12-28


def test_a_draft_does_not_count_as_submitted(users, old_compounds):
    reports.report_start(
        actor=users["zjj_reporter"],
        task=old_compounds,
        period_end=dt.date(2021, 12, 26),
        due_date=dt.date(2021, 12, 28),
    )
    report_reminders(dt.date(2021, 12, 29))
    assert _t005(users["zjj_reporter"], old_compounds, dedupe_key__endswith="2021-12-26").exists()
    assert ProgressReport.objects.filter(task=old_compounds, period_end="2021-12-26", state="draft").exists()


def test_followers_hear_when_the_light_changes_overnight(users, old_compounds):
    from plans.models import Task
    from reports.status import task_statuses

    follows.follow_set(actor=users["leader"], task=old_compounds, follow=True)
    task = Task.objects.select_related("plan", "node").get(pk=old_compounds.pk)

    def changed(day: dt.date) -> bool:
        return (
            task_statuses([task], day - dt.timedelta(days=1))[task.pk].light
            != task_statuses([task], day)[task.pk].light
        )

    days = [dt.date(2021, 1, 2) + dt.timedelta(days=n) for n in range(400)]
    day = next(d for d in days if changed(d))
    quiet = next(d for d in days if not changed(d))
    assert followed_light_changes(day) == 1
    assert followed_light_changes(day) == 0  # once per day
    note = mine(users["leader"]).get()
    assert note.kind == "task.changed" and note.url == f"/tasks/{old_compounds.pk}/"
    assert followed_light_changes(quiet) == 0
