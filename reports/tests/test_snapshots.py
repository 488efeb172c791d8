"""Stored statuses (reports.snapshots): the same numbers as the engine, fresh after every change."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from plans import services as plan_services
from plans.models import Plan, Task
from plans.selectors import task_scope
from reports import engine, services, snapshots
from reports.models import ProgressReport, StatusGeneration, StatusSnapshot
from reports.selectors import cockpit, rollups, tasks_with_status, tasks_with_status_counted
from reports.status import task_statuses

pytestmark = pytest.mark.django_db
PAST = dt.date(2021, 6, 30)


def _tasks():
    return list(Task.objects.alive().select_related("plan", "node").order_by("pk"))


@pytest.mark.parametrize("day", [dt.date(2021, 1, 10), dt.date(2021, 4, 12), PAST, dt.date(2021, 12, 31)])
def test_stored_statuses_equal_computed_ones(day):
    tasks = _tasks()
    computed = task_statuses(tasks, day)
    first = snapshots.statuses_on(day, tasks)  # computes and stores
    assert StatusSnapshot.objects.filter(day=day).count() == len(tasks)
    again = snapshots.statuses_on(day, tasks)  # read back from the rows
    assert first == computed
    assert again == computed


def test_rollups_and_cockpit_from_stored_rows_match_the_engine(users):
    office = users["office"]
    tasks = [t for t in _tasks() if t.plan.status in ("active", "closed")]
    statuses = task_statuses(tasks, PAST)
    for by in ("unit", "leader", "area", "block"):
        expected = {r.key: r for r in rollups(office, by, PAST, tasks=tasks, statuses=statuses)}
        stored = {r.key: r for r in rollups(office, by, PAST)}
        assert list(stored) == list(expected), by  # same groups, same order
        for key, row in expected.items():
            got = stored[key]
            assert got.rollup.count == row.rollup.count
            assert got.rollup.by_status == row.rollup.by_status
            assert got.rollup.by_light == row.rollup.by_light
            assert got.rollup.by_computed_light == row.rollup.by_computed_light
            assert got.late_reports == row.late_reports
            assert got.rollup.weighted_completion == pytest.approx(row.rollup.weighted_completion)
    data = cockpit(office, PAST)
    assert data.total == len(tasks)
    assert data.by_light["red"] == sum(1 for s in statuses.values() if s.light is engine.Light.RED)
    assert [t.pk for t, _s in data.red] == [
        t.pk for t in sorted(tasks, key=lambda t: (t.deadline, t.code)) if statuses[t.pk].light is engine.Light.RED
    ]
    assert all(s == statuses[t.pk] for t, s in data.red)


def test_a_unit_users_rollup_counts_only_its_tasks(users):
    reporter = users["zjj_reporter"]
    scope = list(task_scope(reporter).filter(plan__status__in=["active", "closed"]).select_related("plan", "node"))
    rows = rollups(reporter, "unit", PAST)
    assert sum(r.rollup.count for r in rows) == len(scope)


def test_the_status_filter_equals_filtering_computed_statuses(users):
    tasks = _tasks()
    statuses = task_statuses(tasks, PAST)
    for status in ("lagging", "on_track", "overdue"):
        wanted = {t.pk for t in tasks if statuses[t.pk].status.value == status}
        assert set(tasks_with_status(Task.objects.alive(), PAST, status=status).values_list("pk", flat=True)) == wanted
    red = {t.pk for t in tasks if statuses[t.pk].light.value == "red"}
    assert set(tasks_with_status(Task.objects.alive(), PAST, light="red").values_list("pk", flat=True)) == red


def test_the_counted_status_filter_fills_missing_rows_and_counts_in_the_users_scope(users):
    """The list's count (fixed SQL around the scope's compiled query): a unit user's scope, the day's rows
    missing at first, then stored; status, light and both."""
    reporter = users["zjj_reporter"]
    scoped = list(task_scope(reporter).select_related("plan", "node").order_by("pk"))
    statuses = task_statuses(scoped, PAST)
    StatusSnapshot.objects.filter(day=PAST).delete()
    for wanted in (
        {"status": "on_track"},
        {"light": "red"},
        {"status": "overdue", "light": "red"},
        {"status": "lagging"},
    ):
        expected = {
            t.pk for t in scoped if all(getattr(statuses[t.pk], key).value == value for key, value in wanted.items())
        }
        qs, count = tasks_with_status_counted(task_scope(reporter), PAST, **wanted)
        assert count == len(expected), wanted
        assert set(qs.values_list("pk", flat=True)) == expected
    assert StatusSnapshot.objects.filter(day=PAST).count() >= len(scoped)  # the first call stored the day
    assert tasks_with_status_counted(Task.objects.none(), PAST, status="on_track")[1] == 0


def _open_period_task():
    """A demo key task given a deadline in the future, so today has an open reporting period."""
    task = Task.objects.select_related("plan", "node").get(object="老旧小区改造提升", node__kind="key_task")
    today = timezone.localdate()
    Task.objects.filter(pk=task.pk).update(
        start_date=today - dt.timedelta(days=60), deadline=today.replace(year=today.year + 1)
    )
    snapshots.status_refresh(tasks=[task], since=None)
    return Task.objects.select_related("plan", "node").get(pk=task.pk)


def test_an_approval_changes_todays_cockpit_immediately(users):
    task = _open_period_task()
    today = timezone.localdate()
    office, reporter, head = users["office"], users["zjj_reporter"], users["zjj_head"]
    before = cockpit(office, today)  # fills today's rows
    assert StatusSnapshot.objects.filter(day=today, task=task).exists()
    period = task_statuses([task], today)[task.pk].current_period
    assert period is not None
    report = services.report_start(actor=reporter, task=task, period_end=period.end, due_date=period.due)
    report = services.report_save(
        actor=reporter, report=report, value=task.target_value, narrative="全部完成，待核验。", submit=True
    )
    services.report_approve(actor=head, report=report)
    after = cockpit(office, today)
    fresh = task_statuses([task], today)[task.pk]
    assert fresh.actual == float(task.target_value)
    assert snapshots.statuses_on(today, [task])[task.pk] == fresh
    row = next(r for r in after.units if r.key == task.lead_unit.name)
    old = next(r for r in before.units if r.key == task.lead_unit.name)
    assert row.rollup.weighted_completion > old.rollup.weighted_completion


def test_a_past_dated_judgement_invalidates_history_from_its_date(users):
    task = Task.objects.select_related("plan", "node").get(object="规范村建设", node__kind="key_task")
    snapshots.statuses_on(dt.date(2021, 3, 31), [task])
    snapshots.statuses_on(dt.date(2021, 10, 15), [task])
    assert snapshots.statuses_on(dt.date(2021, 10, 15), [task])[task.pk].light is not engine.Light.GREEN
    services.judgement_record(
        actor=users["office"], task=task, likelihood="highly_likely", reason="已落实", recorded_on=dt.date(2021, 10, 8)
    )
    days = set(StatusSnapshot.objects.filter(task=task).values_list("day", flat=True))
    assert dt.date(2021, 3, 31) in days  # before the judgement: still valid, kept
    assert dt.date(2021, 10, 15) not in days  # after it: deleted, recomputed on the next read
    stored = snapshots.statuses_on(dt.date(2021, 10, 15), [task])[task.pk]
    assert stored.light is engine.Light.GREEN and stored.judgement.reason == "已落实"
    assert stored == task_statuses([task], dt.date(2021, 10, 15))[task.pk]


def test_a_task_edit_invalidates_every_day(users):
    task = Task.objects.select_related("plan", "node").get(object="规范村建设", node__kind="key_task")
    snapshots.statuses_on(dt.date(2021, 3, 31), [task])
    Plan.objects.filter(pk=task.plan_id).update(status="draft")  # a draft plan lets the target change
    task = Task.objects.select_related("plan", "node").get(pk=task.pk)
    doubled = task.target_value * 2
    data = plan_services.TaskData(
        title=task.node.title,
        deadline=task.deadline,
        start_date=task.start_date,
        target_value=doubled,
        target_unit=task.target_unit,
        responsible_post=task.responsible_post,
        lead_unit=task.lead_unit,
        co_units=list(task.co_units.all()),
        milestones=[],
    )
    plan_services.task_update(actor=users["office"], task=task, data=data, expected_version=task.version)
    assert not StatusSnapshot.objects.filter(task=task, day=dt.date(2021, 3, 31)).exists()
    stored = snapshots.statuses_on(dt.date(2021, 3, 31), [task])[task.pk]
    assert stored.target == float(doubled)


def test_a_fill_that_raced_a_change_is_not_stored():
    task = _tasks()[0]
    day = dt.date(2021, 5, 5)
    read = snapshots._generations([task.pk])
    results = task_statuses([task], day)  # computed from the inputs as they were
    snapshots.status_refresh(tasks=[task], since=day)  # a change lands meanwhile
    assert snapshots._store(day, results, read, overwrite=False) == 0
    assert not StatusSnapshot.objects.filter(task=task, day=day).exists()
    assert StatusGeneration.objects.get(task=task).generation == read[task.pk] + 1


def test_a_calendar_override_invalidates_from_its_date(client_as):
    tasks = _tasks()
    snapshots.statuses_on(dt.date(2021, 3, 1), tasks)
    snapshots.statuses_on(dt.date(2021, 9, 30), tasks)
    response = client_as("office").post("/calendar/", {"date": "2021-05-06", "is_workday": "on", "name": "测试调休"})
    assert response.status_code == 302
    assert StatusSnapshot.objects.filter(day=dt.date(2021, 3, 1)).count() == len(tasks)
    assert not StatusSnapshot.objects.filter(day=dt.date(2021, 9, 30)).exists()


def test_the_sweep_stores_the_day_for_every_live_task_and_prunes_old_days():
    tasks = _tasks()
    snapshots.statuses_on(dt.date(2021, 3, 17), tasks)  # an ordinary day long ago
    snapshots.statuses_on(dt.date(2021, 3, 31), tasks)  # a month end
    day = dt.date(2021, 6, 30)
    assert snapshots.status_refresh(as_of=day) == len(tasks)
    assert StatusSnapshot.objects.filter(day=day).count() == len(tasks)
    assert not StatusSnapshot.objects.filter(day=dt.date(2021, 3, 17)).exists()
    assert StatusSnapshot.objects.filter(day=dt.date(2021, 3, 31)).count() == len(tasks)
    assert snapshots.statuses_on(day, tasks) == task_statuses(tasks, day)


def test_a_co_operating_units_report_does_not_touch_the_tasks_statuses(users):
    reporter = users["fgw_reporter"]
    task = Task.objects.alive().select_related("plan", "node").filter(co_units=reporter.unit_id).first()
    assert task is not None
    snapshots.statuses_on(PAST, [task])
    generation = StatusGeneration.objects.get(task=task).generation
    report = services.report_start(actor=reporter, task=task, period_end=dt.date(2021, 12, 26), due_date=PAST)
    services.report_save(actor=reporter, report=report, value=Decimal(3), narrative="配合完成", submit=True)
    assert not ProgressReport.objects.get(pk=report.pk).is_lead
    assert StatusGeneration.objects.get(task=task).generation == generation


def test_the_api_filters_by_status_and_returns_history(client, users):
    from accounts.services import token_issue

    headers = {"Authorization": f"Bearer {token_issue(user=users['office'])}"}
    tasks = _tasks()
    statuses = task_statuses(tasks, PAST)
    lagging = sorted((t.plan.year, t.code) for t in tasks if statuses[t.pk].status.value == "lagging")
    page = client.get(f"/api/v1/tasks?status=lagging&as_of={PAST}&page_size=200", headers=headers).json()
    assert page["count"] == len(lagging) and {r["status"] for r in page["results"]} == {"lagging"}
    # The first call filled the day (rows were missing); the second counts stored rows only.
    again = client.get(f"/api/v1/tasks?status=lagging&as_of={PAST}&page_size=200", headers=headers).json()
    assert again == page
    second = client.get(f"/api/v1/tasks?status=lagging&as_of={PAST}&page_size=2&page=2", headers=headers).json()
    assert second["count"] == len(lagging) and [r["id"] for r in second["results"]] == [
        r["id"] for r in page["results"][2:4]
    ]
    # The status and light of a filtered page come from the filter's join: each the engine's own.
    assert page["results"], "the demo has lagging tasks on this day"
    assert [(r["status"], r["light"]) for r in page["results"]] == [
        (statuses[r["id"]].status.value, statuses[r["id"]].light.value) for r in page["results"]
    ]
    red = client.get(f"/api/v1/tasks?light=red&as_of={PAST}&page_size=200", headers=headers).json()
    assert red["count"] == sum(1 for t in tasks if statuses[t.pk].light.value == "red")
    assert all(statuses[r["id"]].light.value == "red" == r["light"] for r in red["results"])
    everything = client.get(f"/api/v1/tasks?as_of={PAST}&page_size=200", headers=headers).json()
    assert {(r["id"], r["status"], r["light"]) for r in everything["results"]} == {
        (t.pk, statuses[t.pk].status.value, statuses[t.pk].light.value) for t in tasks
    }
    task = tasks[0]
    detail = client.get(f"/api/v1/tasks/{task.pk}?as_of={PAST}", headers=headers).json()
    assert detail["status"]["status"] == statuses[task.pk].status.value
    assert len(detail["reports"]) == ProgressReport.objects.filter(task=task).exclude(state="draft").count()
    assert isinstance(detail["history"], list)
    response = client.get("/api/v1/tasks/ledger.xlsx?status=lagging&as_of=2021-06-30", headers=headers)
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_a_catch_up_that_raced_a_change_stores_nothing_and_keeps_the_mark(monkeypatch):
    task = _tasks()[0]
    today = timezone.localdate()
    snapshots.status_refresh(tasks=[task], since=today, defer=True)
    real = snapshots.task_statuses

    def change_lands_meanwhile(tasks, day, **kw):
        results = real(tasks, day, **kw)  # computed from the inputs as they were
        snapshots.status_refresh(tasks=[task], since=today, defer=True)
        return results

    monkeypatch.setattr(snapshots, "task_statuses", change_lands_meanwhile)
    assert snapshots.status_catch_up() == 0
    assert not StatusSnapshot.objects.filter(task=task, day=today).exists()
    assert StatusGeneration.objects.get(task=task).refresh_due
    monkeypatch.setattr(snapshots, "task_statuses", real)
    assert snapshots.status_catch_up() == 1
    assert not StatusGeneration.objects.get(task=task).refresh_due


def test_a_change_of_every_task_is_caught_up_in_batches_equal_to_the_engine():
    tasks = _tasks()
    today = timezone.localdate()
    snapshots.statuses_on(today, tasks)
    snapshots.status_refresh(everything=True, since=None)  # a calendar edit: nothing recomputed inline
    assert not StatusSnapshot.objects.filter(day=today).exists()
    assert StatusGeneration.objects.filter(refresh_due=True).count() == len(tasks)
    assert snapshots.status_catch_up(batch=3) == len(tasks)
    assert not StatusGeneration.objects.filter(refresh_due=True).exists()
    assert StatusSnapshot.objects.filter(day=today).count() == len(tasks)
    assert snapshots.statuses_on(today, tasks) == task_statuses(tasks, today)
    assert cockpit_counts_equal_the_engine(today, tasks)


def cockpit_counts_equal_the_engine(day, tasks) -> bool:
    """The day's intervals (what rollups count) hold the engine's values for every task."""
    from reports.intervals import values_of
    from reports.models import StatusInterval

    stored = {
        iv.task_id: (iv.status, iv.light, iv.computed_light, iv.late, iv.completion)
        for iv in StatusInterval.objects.filter(valid_from__lte=day, valid_to__gt=day)
    }
    return stored == {pk: values_of(r) for pk, r in task_statuses(tasks, day).items()}


def test_the_sweep_clears_marks_a_lost_enqueue_left():
    task = _tasks()[0]
    today = timezone.localdate()
    snapshots.status_refresh(tasks=[task], since=today, defer=True)  # its enqueue never ran (tests have no worker)
    snapshots.status_refresh(as_of=today)
    assert not StatusGeneration.objects.filter(refresh_due=True).exists()
    assert snapshots.statuses_on(today, [task]) == task_statuses([task], today)


def test_the_sweep_computes_each_task_once_and_leaves_no_mark(monkeypatch):
    """The sweep stores today's row of every live task and clears their marks in the same transaction:
    its catch-up afterwards does not compute the marked tasks a second time."""
    from collections import Counter

    tasks = _tasks()
    today = timezone.localdate()
    snapshots.status_refresh(tasks=tasks[:3], since=today, defer=True)  # submissions whose catch-up never ran
    assert StatusGeneration.objects.filter(refresh_due=True).count() == 3
    real, evaluated = snapshots.task_statuses, Counter()

    def counted(chosen, day, **kw):
        chosen = list(chosen)
        evaluated.update(t.pk for t in chosen)
        return real(chosen, day, **kw)

    monkeypatch.setattr(snapshots, "task_statuses", counted)
    assert snapshots.status_refresh(as_of=today) == len(tasks)
    assert evaluated == Counter(t.pk for t in tasks)
    assert not StatusGeneration.objects.filter(refresh_due=True).exists()
    assert snapshots.statuses_on(today, tasks) == real(tasks, today)
    assert cockpit_counts_equal_the_engine(today, tasks)


def test_a_change_that_recomputes_at_once_keeps_the_marks_of_earlier_submissions():
    """A bump without `due` (a future-dated change, an approval) must not clear a submission's mark."""
    tasks = _tasks()
    today = timezone.localdate()
    snapshots.status_refresh(tasks=[tasks[0]], since=today, defer=True)
    snapshots.status_refresh(tasks=[tasks[0]], since=today + dt.timedelta(days=30))  # nothing due today
    snapshots.status_refresh(everything=True, since=today + dt.timedelta(days=30))
    assert StatusGeneration.objects.get(task=tasks[0]).refresh_due
    assert StatusGeneration.objects.filter(refresh_due=True).count() == 1
    assert snapshots.status_catch_up() == 1


def test_a_history_fill_up_to_today_keeps_todays_stored_interval():
    from reports import intervals
    from reports.models import StatusInterval

    tasks = _tasks()
    today = timezone.localdate()
    # Stored through today, most tasks in intervals that began days ago (what the sweep extends).
    intervals.history_fill(today - dt.timedelta(days=10), today + dt.timedelta(days=1))
    assert StatusInterval.objects.filter(valid_from__lt=today, valid_to__gt=today).exists()
    intervals.history_fill(today - dt.timedelta(days=5), today)
    assert StatusInterval.objects.filter(valid_from__lte=today, valid_to__gt=today).count() == len(tasks)
    assert cockpit_counts_equal_the_engine(today, tasks)
    assert cockpit_counts_equal_the_engine(today - dt.timedelta(days=3), tasks)


def _largest_in_list(statements: list[str]) -> int:
    """The most task ids bound in one `IN (…)` (other lists, e.g. a few tree paths, are not ids)."""
    import re

    lists = r'(?:"task_id"|"plans_task"\."id") IN \(([^()]*)\)'
    return max((group.count("%s") for sql in statements for group in re.findall(lists, sql)), default=0)


def test_reads_of_many_tasks_bind_their_ids_in_chunks_with_the_same_results(monkeypatch):
    """PostgreSQL's server-side binding takes at most 65 535 parameters a statement (core.rows.id_chunks)."""
    from django.db import connection

    from core import rows
    from reports.models import Judgement, StatusInterval

    judged = set(Judgement.objects.values_list("task_id", flat=True))
    tasks = sorted(_tasks(), key=lambda t: (t.pk not in judged, t.pk))[:10]
    assert len(tasks) == 10 and tasks[0].pk in judged  # a judgement read back in a chunk
    ids = [t.pk for t in tasks]
    day, other = PAST, dt.date(2021, 9, 30)
    expected, lights = task_statuses(tasks, day), task_statuses(tasks, other)
    snapshots.statuses_on(day, tasks[2:6])  # some rows stored, the others computed in the call
    snapshots.lights_on(other, ids[5:])
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    before = dict(StatusGeneration.objects.filter(task_id__in=ids).values_list("task_id", "generation"))
    monkeypatch.setattr(rows, "IDS_PER_STATEMENT", 3)
    monkeypatch.setattr(snapshots, "EAGER_LIMIT", 2)  # the change below: the many-task path
    with connection.execute_wrapper(record):
        assert snapshots.statuses_on(day, tasks) == expected
        assert snapshots.statuses_on(day, tasks) == expected  # every row stored now
        assert snapshots.lights_on(other, ids) == {pk: (r.status, r.light) for pk, r in lights.items()}
        # A change of more tasks than a refresh recomputes: the bump, drop and cut in chunks.
        snapshots.status_refresh(tasks=tasks, since=None)
    assert 0 < _largest_in_list(statements) <= 3
    after = dict(StatusGeneration.objects.filter(task_id__in=ids).values_list("task_id", "generation"))
    assert after == {pk: before.get(pk, 0) + 1 for pk in ids}  # created at 0 by the first read, or read before
    assert not StatusSnapshot.objects.filter(task_id__in=ids).exists()
    assert not StatusInterval.objects.filter(task_id__in=ids).exists()
