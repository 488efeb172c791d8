"""Status intervals (reports.intervals): the rollup fields stored once per stretch of equal days."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from plans import services as plan_services
from plans.models import PlanNode, Task
from reports import intervals, services, snapshots
from reports.models import StatusInterval, StatusSnapshot
from reports.selectors import cockpit, rollups
from reports.status import task_statuses

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _tasks():
    return list(Task.objects.alive().select_related("plan", "node").order_by("pk"))


def _covering(day):
    found = {}
    for iv in StatusInterval.objects.filter(valid_from__lte=day, valid_to__gt=day):
        assert iv.task_id not in found, "intervals of a task overlap"
        found[iv.task_id] = (iv.status, iv.light, iv.computed_light, iv.late, iv.completion)
    return found


def test_intervals_equal_computed_statuses_on_every_day():
    tasks = _tasks()
    start, end = dt.date(2021, 1, 1), dt.date(2022, 3, 1)
    written = intervals.history_fill(start, end, tasks)
    days = (end - start).days
    assert written < len(tasks) * days / 10  # stored when they change, not per day
    day = start
    while day < end:
        computed = {pk: intervals.values_of(r) for pk, r in task_statuses(tasks, day).items()}
        assert _covering(day) == computed, day
        day += DAY * 3  # every third day: a year of the demo plan in a few seconds, still every kind of day


def test_history_fill_replaces_what_the_range_held():
    tasks = _tasks()
    intervals.history_fill(dt.date(2021, 3, 1), dt.date(2021, 9, 1), tasks)
    intervals.history_fill(dt.date(2021, 5, 1), dt.date(2021, 7, 1), tasks)
    for day in (dt.date(2021, 4, 30), dt.date(2021, 5, 1), dt.date(2021, 6, 30)):
        computed = {pk: intervals.values_of(r) for pk, r in task_statuses(tasks, day).items()}
        assert _covering(day) == computed
    # After the second range the first one's tail is no longer covered: computed on request, not wrong.
    assert set(_covering(dt.date(2021, 8, 1))) <= {t.pk for t in tasks}


def test_the_sweep_extends_the_interval_while_values_stay_the_same():
    tasks = _tasks()
    day = dt.date(2021, 11, 20)
    snapshots.status_refresh(as_of=day)
    snapshots.status_refresh(as_of=day + DAY)
    computed = task_statuses(tasks, day)
    following = task_statuses(tasks, day + DAY)
    same = [pk for pk in computed if intervals.values_of(computed[pk]) == intervals.values_of(following[pk])]
    assert same
    for pk in same:
        iv = StatusInterval.objects.get(task_id=pk)
        assert (iv.valid_from, iv.valid_to) == (day, day + 2 * DAY)
    for pk in set(computed) - set(same):
        assert StatusInterval.objects.filter(task_id=pk).count() == 2


def test_a_past_dated_judgement_cuts_the_intervals_at_its_date(users):
    tasks = _tasks()
    intervals.history_fill(dt.date(2021, 1, 1), dt.date(2022, 1, 1), tasks)
    task = Task.objects.select_related("plan", "node").get(object="规范村建设", node__kind="key_task")
    judged = dt.date(2021, 10, 8)
    services.judgement_record(
        actor=users["office"], task=task, likelihood="highly_likely", reason="已落实", recorded_on=judged
    )
    mine = StatusInterval.objects.filter(task=task)
    assert mine.exists()
    today = timezone.localdate()
    # Cut at the judgement's date; only today's interval, recomputed at once by the change, follows.
    assert max(mine.filter(valid_from__lt=today).values_list("valid_to", flat=True)) == judged
    assert list(mine.filter(valid_to__gt=judged).values_list("valid_from", flat=True)) == [today]
    # The office's rollup of a day after the judgement counts the judged (green) light, as the engine does.
    office = users["office"]
    later = dt.date(2021, 10, 15)
    chosen = [t for t in tasks if t.plan.status in ("active", "closed")]
    expected = {r.key: r.rollup.by_light for r in rollups(office, "unit", later, tasks=chosen)}
    assert {r.key: r.rollup.by_light for r in rollups(office, "unit", later)} == expected
    assert _covering(later)[task.pk][1] == "green"


def test_the_cockpit_of_a_filled_past_day_computes_nothing_for_its_counts(users):
    tasks = _tasks()
    day = dt.date(2021, 7, 20)
    intervals.history_fill(day - 10 * DAY, day + 10 * DAY, tasks)
    assert intervals.ensure_covered(Task.objects.alive(), day) == 0
    data = cockpit(users["office"], day)
    statuses = task_statuses(tasks, day)
    assert data.by_light["red"] == sum(
        1 for t in tasks if t.plan.status in ("active", "closed") and statuses[t.pk].light.value == "red"
    )
    assert all(s == statuses[t.pk] for t, s in data.red + data.overdue)


def test_the_migration_carries_day_rows_over_merging_equal_days():
    tasks = _tasks()
    first = dt.date(2021, 11, 20)
    for i in range(3):
        snapshots.statuses_on(first + i * DAY, tasks)
    StatusInterval.objects.all().delete()
    module = importlib.import_module("reports.migrations.0004_status_interval")
    module.carry_snapshots_over(apps, None)
    for i in range(3):
        day = first + i * DAY
        expected = {
            r.task_id: (r.status, r.light, r.computed_light, r.late, r.completion)
            for r in StatusSnapshot.objects.filter(day=day)
        }
        assert _covering(day) == expected
    assert StatusInterval.objects.count() < StatusSnapshot.objects.count()


def test_area_rollup_in_sql_equals_the_tree_grouping_with_nested_areas_and_a_moved_task(users):
    office = users["office"]
    task = Task.objects.select_related("plan", "node").get(object="规范村建设", node__kind="key_task")
    area = PlanNode.objects.get_parent(task.node)
    assert area.kind == "area"
    inner = plan_services.node_add(actor=office, plan=task.plan, parent=area, title="内层片区", kind="area")
    innermost = plan_services.node_add(actor=office, plan=task.plan, parent=inner, title="最内层片区", kind="area")
    plan_services.task_move(actor=office, task=task, area=innermost)  # with its sub-tasks, two areas deeper
    tasks = [t for t in _tasks() if t.plan.status in ("active", "closed")]
    day = dt.date(2021, 7, 20)
    intervals.history_fill(day, day + DAY, tasks)
    statuses = task_statuses(tasks, day)
    expected = rollups(office, "area", day, tasks=tasks, statuses=statuses)  # Python, per task's tree path
    got = rollups(office, "area", day)  # SQL, grouped by parent path
    assert [(r.key, r.ref) for r in got] == [(r.key, r.ref) for r in expected]
    assert "最内层片区" in {r.key for r in got}
    for row, want in zip(got, expected, strict=True):
        assert (row.rollup.count, row.rollup.by_status, row.rollup.by_light) == (
            want.rollup.count,
            want.rollup.by_status,
            want.rollup.by_light,
        )
        assert row.rollup.by_computed_light == want.rollup.by_computed_light
        assert row.late_reports == want.late_reports
        assert row.rollup.weighted_completion == pytest.approx(want.rollup.weighted_completion)


def test_the_cockpit_reads_units_and_areas_together_with_the_numbers_of_each_alone(users):
    """One pass for both groupings (GROUPING SETS on PostgreSQL, two queries on SQLite): the same rows
    as the unit and area rollups read apart, a task without a lead unit in the unit set's "—" row."""
    office = users["office"]
    loner = Task.objects.alive().filter(node__kind="key_task").order_by("pk").first()
    Task.objects.filter(pk=loner.pk).update(lead_unit=None)
    tasks = [t for t in _tasks() if t.plan.status in ("active", "closed")]
    day = dt.date(2021, 7, 20)
    intervals.history_fill(day, day + DAY, tasks)
    c = cockpit(office, day)
    for by, together in (("unit", sorted(c.units, key=lambda r: (r.key, r.ref or 0))), ("area", c.areas)):
        apart = rollups(office, by, day)
        if by == "unit":
            apart.sort(key=lambda r: (r.key, r.ref or 0))
        assert [
            (r.key, r.ref, r.rollup.count, r.rollup.by_status, r.rollup.by_light, r.late_reports) for r in together
        ] == [(r.key, r.ref, r.rollup.count, r.rollup.by_status, r.rollup.by_light, r.late_reports) for r in apart]
        assert [r.rollup.weighted_completion for r in together] == pytest.approx(
            [r.rollup.weighted_completion for r in apart]
        )
    assert next(r for r in c.units if r.key == "—").rollup.count >= 1
    assert c.total == sum(r.rollup.count for r in c.areas) == len(tasks)


def test_a_task_bound_to_records_is_filled_with_its_measured_value():
    """数值来自记录: the engine sees the measure's value on each day, not reports (reports.status)."""
    tasks = _tasks()
    bound = next(t for t in tasks if t.target_value)
    Task.objects.filter(pk=bound.pk).update(measure_key="tasks.done", measure_params={})
    # Some tasks verified during the range, so the measure moves.
    verified = [t.pk for t in tasks if t.pk != bound.pk][:4]
    for n, pk in enumerate(verified):
        Task.objects.filter(pk=pk).update(verified_on=dt.date(2021, 5, 1) + DAY * 20 * n)
    tasks = _tasks()
    start, end = dt.date(2021, 4, 1), dt.date(2021, 8, 1)
    intervals.history_fill(start, end, tasks)
    day = start
    while day < end:
        computed = {pk: intervals.values_of(r) for pk, r in task_statuses(tasks, day).items()}
        assert _covering(day) == computed, day
        day += DAY * 5


def test_a_fill_handed_tasks_read_before_a_change_stores_what_the_changed_inputs_give(demo_plan, users):
    """The race rule's order: a long refill or sweep holds a task list read at its start; a plan's
    thresholds changed since (its generations bumped) must not be stored with the old thresholds under
    the new generation (reports.snapshots.generations_then_tasks)."""
    stale = _tasks()  # read before the change: their plan carries the old thresholds
    settings = {"cadence": demo_plan.cadence, "stagger_workdays": demo_plan.stagger_workdays}
    plan_services.plan_settings(
        actor=users["office"], plan=demo_plan, **settings, lag_yellow_percent=1, lag_red_percent=2
    )
    day = dt.date(2021, 6, 30)
    intervals.history_fill(day, day + DAY, stale)
    fresh = _tasks()
    assert _covering(day) == {pk: intervals.values_of(r) for pk, r in task_statuses(fresh, day).items()}
    assert _covering(day) != {pk: intervals.values_of(r) for pk, r in task_statuses(stale, day).items()}
