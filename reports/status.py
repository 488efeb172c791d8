"""Feeding the status engine from the database, in bulk (a fixed number of queries for any number of tasks).

Everything a page, the API, an export or the cockpit shows about where a task
stands comes from `task_statuses`, so every screen and file shows the same
numbers.
"""

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from core.measures import MeasureScope, get_measure
from core.rows import id_chunks
from core.workcalendar import work_calendar
from core.workdays import WorkCalendar
from plans import treepath
from plans.models import Milestone, Plan, Task
from reports import engine
from reports.models import Judgement, ProgressReport

# Working days after the period end on which a key task's report is due; lower levels are due
# `plan.stagger_workdays` earlier per level (weekly: key tasks Tuesday, sub-tasks Monday).
BASE_DUE_OFFSET = {"weekly": 2, "monthly": 5, "quarterly": 5}


class DueDates:
    """Due dates of reporting periods, memoised: many tasks share period ends and levels."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._cache: dict[tuple[str, int, int, date], date] = {}

    def due(self, plan: Plan, level: int, period_end: date) -> date:
        key = (plan.cadence, plan.stagger_workdays, level, period_end)
        if key not in self._cache:
            offset = max(BASE_DUE_OFFSET[plan.cadence] - plan.stagger_workdays * level, 0)
            self._cache[key] = self.calendar.add_workdays(period_end, offset)
        return self._cache[key]

    def periods(self, plan: Plan, level: int, start: date, deadline: date) -> list[engine.ReportingPeriod]:
        """The reporting periods from `start` to the period holding `deadline` (see `task_periods`)."""
        # A deadline moved before the start (old data) still gives the task one period, the deadline's,
        # rather than none: the engine, the inbox and the form must agree on it.
        start = min(start, deadline)
        return engine.reporting_periods(
            start, deadline, engine.Cadence(plan.cadence), lambda end: self.due(plan, level, end)
        )


def task_levels(tasks: Iterable[Task]) -> dict[int, int]:
    """0 for a key task, 1 for its sub-tasks, … : the number of task nodes above each task."""
    tasks = list(tasks)
    plan_ids = {t.plan_id for t in tasks}
    above = {path for t in tasks for path in treepath.ancestor_paths(t.node.path)}
    if len(above) <= 500:
        # A few tasks (a submission, a refresh): look up only their ancestors' paths, not every
        # task of the plan (6 ms for a 1 300-task plan, twice per submission).
        candidates = Task.objects.filter(plan_id__in=plan_ids, node__path__in=above)
    else:
        candidates = Task.objects.filter(plan_id__in=plan_ids)
    task_paths = set(candidates.values_list("node__path", flat=True))
    levels = {}
    for task in tasks:
        path = task.node.path
        levels[task.pk] = sum(1 for above in treepath.ancestor_paths(path) if above in task_paths)
    return levels


def thresholds_for(plan: Plan) -> engine.Thresholds:
    return engine.Thresholds(
        lag_yellow_percent=float(plan.lag_yellow_percent), lag_red_percent=float(plan.lag_red_percent)
    )


def _local_date(moment) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def engine_inputs(
    tasks: list[Task], *, calendar: WorkCalendar | None = None, levels: dict[int, int] | None = None
) -> dict[int, engine.TaskInput]:
    """TaskInput per task: milestones, the lead unit's submitted reports, judgements, reporting periods.

    Five queries whatever the number of tasks (milestones, reports, judgements, calendar, task paths;
    the first three per `core.rows.IDS_PER_STATEMENT` tasks);
    three when the caller passes the calendar and every task's level (a submission has read both to
    choose its period). Reports of every date are passed: the engine itself ignores what was not
    approved by the as-of date.
    """
    milestones = defaultdict(list)
    reports = defaultdict(list)
    judgements = defaultdict(list)
    for ids in id_chunks(t.pk for t in tasks):  # one read each for a district; a province's in chunks
        for task_id, day, value in Milestone.objects.filter(task_id__in=ids, planned_value__isnull=False).values_list(
            "task_id", "date", "planned_value"
        ):
            assert value is not None  # the query excludes milestones without a planned value
            milestones[task_id].append(engine.Milestone(day, value))
        rows = ProgressReport.objects.filter(
            task_id__in=ids, is_lead=True, first_submitted_at__isnull=False
        ).values_list("task_id", "period_end", "value", "first_submitted_at", "approved_at", "state")
        for task_id, period_end, value, first_submitted, approved_at, state in rows:
            assert first_submitted is not None  # the query keeps submitted reports only
            approved_on = _local_date(approved_at) if state == ProgressReport.State.APPROVED else None
            reports[task_id].append(
                engine.Report(
                    period_end,
                    value if value is not None else Decimal(0),
                    timezone.localtime(first_submitted).date(),
                    approved_on,
                )
            )
        for task_id, recorded_on, likelihood, reason in (
            Judgement.objects.filter(task_id__in=ids)
            .order_by("recorded_on", "id")
            .values_list("task_id", "recorded_on", "likelihood", "reason")
        ):
            judgements[task_id].append(engine.Judgement(recorded_on, engine.Likelihood(likelihood), reason))
    dues = DueDates(calendar or work_calendar())
    if levels is None or any(t.pk not in levels for t in tasks):
        levels = task_levels(tasks)
    inputs = {}
    for task in tasks:
        inputs[task.pk] = task_input(
            task,
            milestones=milestones[task.pk],
            reports=reports[task.pk],
            periods=task_periods(task, levels[task.pk], dues),
            judgements=judgements[task.pk],
        )
    return inputs


def task_input(
    task: Task,
    *,
    milestones: Iterable[engine.Milestone] | None = None,
    reports: Iterable[engine.Report] = (),
    periods: Iterable[engine.ReportingPeriod] = (),
    judgements: Iterable[engine.Judgement] = (),
) -> engine.TaskInput:
    """The engine's view of one task. Without `milestones`, the task's own are read (prefetched or one query):
    enough for the planned curve (`engine.trajectory`), which the chart and the report form draw from."""
    if milestones is None:
        milestones = [
            engine.Milestone(m.date, m.planned_value) for m in task.milestones.all() if m.planned_value is not None
        ]
    return engine.TaskInput(
        start=min(task.start_date, task.deadline),
        deadline=task.deadline,
        target=task.target_value if task.target_value and task.target_value > 0 else None,
        milestones=list(milestones),
        reports=list(reports),
        periods=list(periods),
        verified_on=task.verified_on,
        judgements=list(judgements),
    )


def task_statuses(
    tasks: Iterable[Task],
    as_of: date,
    *,
    calendar: WorkCalendar | None = None,
    levels: dict[int, int] | None = None,
) -> dict[int, engine.StatusResult]:
    """The engine's result for each task as of a date. `tasks` need `plan` and `node` loaded (select_related)."""
    tasks = list(tasks)
    inputs = engine_inputs(tasks, calendar=calendar, levels=levels)
    for task in tasks:
        inputs[task.pk] = input_on(task, inputs[task.pk], as_of)
    thresholds = {}
    results = {}
    for task in tasks:
        if task.plan_id not in thresholds:
            thresholds[task.plan_id] = thresholds_for(task.plan)
        results[task.pk] = engine.evaluate(inputs[task.pk], as_of, thresholds[task.plan_id])
    return results


def input_on(task: Task, inp: engine.TaskInput, as_of: date) -> engine.TaskInput:
    """What the engine sees of the task on the day: its inputs (`engine_inputs`), with a bound task's
    reports replaced by its measured value as known that day (`measured_reports`: queries per day)."""
    return dataclasses.replace(inp, reports=measured_reports(task, as_of)) if task.measure_key else inp


def measure_scope(task: Task, end: date) -> MeasureScope:
    """The scope a bound task measures on `end`: its records from the task's start, as known on `end`."""
    params = tuple(sorted((str(k), str(v)) for k, v in (task.measure_params or {}).items()))
    return MeasureScope(start=min(task.start_date, end), end=end, plan_id=task.plan_id, params=params)


def measured_reports(task: Task, as_of: date) -> list[engine.Report]:
    """A bound task's (数值来自记录) evidence: the measure's value on the as-of date, in place of reports.

    The value counts only records known by then. A second point one velocity window earlier (when the
    task had begun) gives the engine a recent pace to project from, as a quarter of reports would.
    Bound tasks have no reporting calendar (`task_periods`), so nothing is ever missing or late.
    """
    measure = get_measure(task.measure_key)
    days = [as_of]
    earlier = as_of - timedelta(days=engine.DEFAULT_THRESHOLDS.velocity_window_days)
    if earlier > task.start_date:
        days.insert(0, earlier)
    return [engine.Report(day, measure.value(measure_scope(task, day)), day, day) for day in days]


@dataclasses.dataclass(frozen=True)
class MeasuredRows:
    """What a bound task's detail shows: the measure, its value and the first rows behind it."""

    label: str
    unit: str
    value: Decimal
    count: int
    rows: list[tuple[str, str]]  # (label, url)


def measured_rows(task: Task, as_of: date, *, limit: int = 50) -> MeasuredRows | None:
    """The rows a bound task's actual counts as of a date (first `limit`, with the full count); None if unbound."""
    if not task.measure_key:
        return None
    measure = get_measure(task.measure_key)
    scope = measure_scope(task, as_of)
    rows = measure.rows(scope)
    return MeasuredRows(
        label=measure.label,
        unit=measure.unit,
        value=measure.value(scope),
        count=rows.count(),
        rows=[(measure.row_label(row), measure.row_url(row)) for row in rows[:limit]],
    )


def task_periods(task: Task, level: int | None = None, dues: DueDates | None = None) -> list[engine.ReportingPeriod]:
    """A task's reporting periods with their due dates: the one home of this calendar.

    The engine, 我的填报, the report form, the API, reminders and the demo all take periods from here
    (or from `DueDates.periods` where no Task row exists yet), so they cannot disagree on a start
    date or a due date. `level` (0 = key task) is looked up when not given; pass `dues` when
    calling for many tasks (due dates are memoised in it).
    """
    if task.measure_key:
        return []  # 数值来自记录: the actual comes from records, no progress report is ever due
    if level is None:
        level = task_levels([task])[task.pk]
    return (dues or DueDates(work_calendar())).periods(task.plan, level, task.start_date, task.deadline)


def current_period(periods: Iterable[engine.ReportingPeriod], today: date) -> engine.ReportingPeriod | None:
    """The period a unit should be reporting on now: the earliest one whose due date has not passed."""
    return next((p for p in periods if p.due >= today), None)


def period_ending(periods: Iterable[engine.ReportingPeriod], end: date) -> engine.ReportingPeriod | None:
    """The period that ends on `end`, None if `end` is not a period end of the task."""
    return next((p for p in periods if p.end == end), None)
