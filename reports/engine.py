"""The status engine (进度研判): where a task stands on a given day, and how sure we are. Pure: no Django import.

For one task and an as-of date the engine compares the planned trajectory with
the approved progress reports and answers: what should be done by now, what is
done, how far behind, at what pace, when it will finish at that pace, which
status (未启动 / 正常推进 / 进度滞后 / 逾期 / 已完成 / 未报送) and which warning light
(红黄绿灯). Every view can be shown "as of" a past date, so nothing here reads
the clock or any data dated after the as-of date.

The precise rules, with a worked example, are in docs/status-engine.md; the
docstrings below say why each rule is the way it is.

The module also holds the helpers that work on many results or reports:
`rollup` (counts and weighted completion per plan node, unit, leader …),
`detect_stale_reports` (copied narratives, values that never move, reused
evidence) and `reporting_periods` (the reporting calendar of one task).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

PERCENT_TARGET = 100.0
# Quantities arrive as Decimal from the database or as float from elsewhere; the engine computes in float.
Quantity = float | Decimal
# A float noise floor: a lag this small (relative to the target) is "on the trajectory", not behind it.
_EPSILON = 1e-9
# A pace so slow that completion is more than a century away is no pace at all.
_MAX_PROJECTION_DAYS = 36_500


# === vocabulary =================================================================================
# Codes only: their words (Chinese, and English under the English UI) live once, in reports/labels.py.


class Status(StrEnum):
    """The task status shown in every list (任务状态)."""

    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    LAGGING = "lagging"
    OVERDUE = "overdue"
    DONE = "done"
    MISSING = "missing"


class Light(StrEnum):
    """The warning light (红黄绿灯), ordered green < yellow < red."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def severity(self) -> int:
        return _LIGHT_SEVERITY[self]


_LIGHT_SEVERITY = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


class Likelihood(StrEnum):
    """The office's likelihood-of-delivery judgement (完成可能性研判), recorded with a reason."""

    HIGHLY_LIKELY = "highly_likely"
    LIKELY = "likely"
    UNLIKELY = "unlikely"
    HIGHLY_UNLIKELY = "highly_unlikely"


# Four judgements onto three lights: the two confident ones share green, so any doubt the office
# records ("unlikely") still shows as a colour change, and only "highly unlikely" is red.
JUDGEMENT_LIGHTS = {
    Likelihood.HIGHLY_LIKELY: Light.GREEN,
    Likelihood.LIKELY: Light.GREEN,
    Likelihood.UNLIKELY: Light.YELLOW,
    Likelihood.HIGHLY_UNLIKELY: Light.RED,
}


class Reason(StrEnum):
    """Why a result is what it is: machine-readable codes the UI translates and filters on."""

    BEFORE_START = "before_start"
    NOTHING_EXPECTED_YET = "nothing_expected_yet"
    VERIFIED_DONE = "verified_done"
    AWAITING_VERIFICATION = "awaiting_verification"
    COMPLETED_LATE = "completed_late"
    OVERDUE = "overdue"
    REPORT_MISSING = "report_missing"
    REPORT_LATE = "report_late"
    LAG_OVER_YELLOW = "lag_over_yellow"
    LAG_OVER_RED = "lag_over_red"
    PROJECTION_MISSES_DEADLINE = "projection_misses_deadline"
    STALLED = "stalled"
    INSUFFICIENT_HISTORY = "insufficient_history"
    JUDGEMENT_OVERRIDE = "judgement_override"


# The computed light is the most severe colour among the reasons; reasons not listed are informational.
REASON_LIGHTS = {
    Reason.OVERDUE: Light.RED,
    Reason.LAG_OVER_RED: Light.RED,
    Reason.PROJECTION_MISSES_DEADLINE: Light.RED,
    Reason.LAG_OVER_YELLOW: Light.YELLOW,
    Reason.REPORT_MISSING: Light.YELLOW,
    Reason.REPORT_LATE: Light.YELLOW,
}

# A report submitted after its due date, or none at all for the current period: a late report.
LATE_REPORT_REASONS = frozenset({Reason.REPORT_LATE, Reason.REPORT_MISSING})


# === inputs =====================================================================================


@dataclass(frozen=True, slots=True)
class Milestone:
    """A planned point on the trajectory (节点): by `due`, `planned_value` done in total (cumulative)."""

    due: dt.date
    planned_value: Quantity


@dataclass(frozen=True, slots=True)
class Report:
    """One progress report (进展报送) as the engine needs it.

    `period_end` is the end of the reporting period it answers, equal to that
    `ReportingPeriod.end`. `value` is cumulative (total done since the start),
    in the task's unit, or a percent for a task without a numeric target.
    `submitted_on` is the first submission (a report returned and resubmitted
    was still submitted on time); `approved_on` is the unit head's approval,
    None while pending or returned.
    """

    period_end: dt.date
    value: Quantity
    submitted_on: dt.date
    approved_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ReportingPeriod:
    """A reporting period of the task: reports describe the state at `end` and must be approved by `due`."""

    end: dt.date
    due: dt.date


@dataclass(frozen=True, slots=True)
class Judgement:
    """A likelihood-of-delivery judgement; the latest one recorded on or before the as-of date applies."""

    recorded_on: dt.date
    likelihood: Likelihood
    reason: str = ""


@dataclass(frozen=True, slots=True)
class TaskInput:
    """Everything the engine reads about one task.

    `target` None means a milestone or percent task, measured against 100 (%).
    `verified_on` is the day the office verified completion (核验), None if not yet.
    """

    start: dt.date
    deadline: dt.date
    target: Quantity | None = None
    milestones: Sequence[Milestone] = ()
    reports: Sequence[Report] = ()
    periods: Sequence[ReportingPeriod] = ()
    verified_on: dt.date | None = None
    judgements: Sequence[Judgement] = ()

    def __post_init__(self) -> None:
        if self.deadline < self.start:
            raise ValueError(f"deadline {self.deadline} is before start {self.start}")
        if self.target is not None and not self.target > 0:
            raise ValueError(f"target must be positive, got {self.target}")

    @property
    def target_value(self) -> float:
        return PERCENT_TARGET if self.target is None else float(self.target)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The plan's warning thresholds (预警阈值); the defaults are the SPEC's.

    Lags are percentages of the target. The projection tolerance is a percentage
    of the task's planned duration, so a year-long task may be projected up to
    ~36 days late, a month-long one 3 days, before the projection turns it red.
    The velocity is measured over the last `velocity_window_days` of reports and
    only when they span at least `min_velocity_span_days`, so one early report
    cannot swing the projection.
    """

    lag_yellow_percent: float = 10.0
    lag_red_percent: float = 25.0
    projection_tolerance_percent: float = 10.0
    velocity_window_days: int = 90
    min_velocity_span_days: int = 28

    def __post_init__(self) -> None:
        if not 0 <= self.lag_yellow_percent <= self.lag_red_percent:
            raise ValueError("thresholds must satisfy 0 <= lag_yellow_percent <= lag_red_percent")
        if self.projection_tolerance_percent < 0 or self.velocity_window_days < 1 or self.min_velocity_span_days < 1:
            raise ValueError("projection tolerance and velocity windows must be positive")


DEFAULT_THRESHOLDS = Thresholds()


# === output =====================================================================================


@dataclass(frozen=True, slots=True)
class StatusResult:
    """Where a task stands as of `as_of`.

    `expected_value` is the trajectory at the as-of date, for display. The lag
    is measured at `measured_on`, the latest date for which the unit owes a
    figure (see `evaluate`), against `expected_at_measurement` there.
    `light` is what is shown: `computed_light` unless a judgement overrides it.
    """

    as_of: dt.date
    status: Status
    light: Light
    computed_light: Light
    reasons: tuple[Reason, ...]
    target: float
    expected_value: float
    actual: float
    actual_period_end: dt.date | None
    measured_on: dt.date
    expected_at_measurement: float
    lag: float
    lag_percent: float
    completion: float
    velocity_per_day: float | None
    pace_ratio: float | None
    projected_completion: dt.date | None
    projected_slip_days: int | None
    current_period: ReportingPeriod | None
    missing_periods: int
    judgement: Judgement | None

    @property
    def report_late(self) -> bool:
        """The unit is behind on its reporting calendar (迟报 or 未报): what rollups count as late reports."""
        return any(reason in LATE_REPORT_REASONS for reason in self.reasons)

    @property
    def needs_supervision_order(self) -> bool:
        """Red items are proposed for a supervision order (督办单); the shown light decides."""
        return self.light is Light.RED


# === the trajectory =============================================================================


class Trajectory:
    """The planned cumulative value over time (计划进度曲线), piecewise linear from (start, 0) to (deadline, target).

    Milestones in between bend it. Untidy milestone lists are repaired rather
    than rejected, so no stored data can crash a page: milestones on or before
    the start or on or after the deadline are dropped (the deadline always
    carries the target), values are clipped to [0, target] and made
    non-decreasing, and of two milestones on one date the higher wins. Forms
    should reject such lists up front.
    """

    __slots__ = ("_days", "_values")

    def __init__(self, task: TaskInput) -> None:
        target = task.target_value
        start, deadline = task.start.toordinal(), task.deadline.toordinal()
        planned: dict[int, float] = {}
        for milestone in task.milestones:
            day = milestone.due.toordinal()
            if start < day < deadline:
                value = min(max(float(milestone.planned_value), 0.0), target)
                planned[day] = max(value, planned.get(day, 0.0))
        self._days = [start]
        self._values = [0.0]
        for day in sorted(planned):
            self._days.append(day)
            self._values.append(max(planned[day], self._values[-1]))
        self._days.append(deadline)
        self._values.append(target)

    def points(self) -> list[tuple[dt.date, float]]:
        """The corner points, for drawing the planned curve."""
        return [(dt.date.fromordinal(day), value) for day, value in zip(self._days, self._values, strict=True)]

    def value_at(self, day: float) -> float:
        """The planned cumulative value on a day (an ordinal): 0 before the start, the target from the deadline."""
        if day >= self._days[-1]:
            return self._values[-1]
        if day <= self._days[0]:
            return 0.0
        right = bisect_right(self._days, day)
        return _interpolate(day, self._days[right - 1], self._days[right], self._values[right - 1], self._values[right])

    def schedule_position(self, value: float, on_day: float) -> float:
        """The day the plan reaches `value`, as close to `on_day` as the plan allows (earned schedule).

        The plan reaches a value on a single day, or on a stretch of days where it
        stays flat; within a flat stretch a task that holds that value is exactly
        on schedule, so the answer is `on_day` clamped into that stretch.
        """
        value = max(value, 0.0)
        return min(max(on_day, self._first_day_reaching(value)), self._last_day_not_above(value))

    def _first_day_reaching(self, value: float) -> float:
        right = bisect_left(self._values, value)
        if right == 0:
            return self._days[0]
        if right == len(self._values):
            return self._days[-1]
        return self._day_on_segment(right, value)

    def _last_day_not_above(self, value: float) -> float:
        right = bisect_right(self._values, value)
        if right == len(self._values):
            return self._days[-1]
        return self._day_on_segment(right, value)

    def _day_on_segment(self, right: int, value: float) -> float:
        """The day on which the segment ending at corner `right` reaches `value`."""
        left = right - 1
        return _interpolate(value, self._values[left], self._values[right], self._days[left], self._days[right])


def _interpolate(x: float, x0: float, x1: float, y0: float, y1: float) -> float:
    if x1 == x0:
        return y1
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def trajectory(task: TaskInput) -> list[tuple[dt.date, float]]:
    """The planned curve's corner points (date, cumulative value), for charts."""
    return Trajectory(task).points()


def planned_on(task: TaskInput, day: dt.date) -> float:
    """The planned cumulative value on a day (the report form's "planned for this period")."""
    return Trajectory(task).value_at(day.toordinal())


# === reading the reports ========================================================================


@dataclass(frozen=True, slots=True)
class _Evidence:
    """A known cumulative value on a day (an ordinal): an approved report, or a silence carried forward."""

    day: int
    value: float


def _approved_series(reports: Iterable[Report], as_of: dt.date) -> list[_Evidence]:
    """Reports approved on or before the as-of date, one per period end, in period order.

    When a period has several approved reports (a correction), the one approved
    last wins, even if its value is lower: corrections are allowed to go down.
    """
    latest: dict[dt.date, Report] = {}
    for report in reports:
        if report.approved_on is None or report.approved_on > as_of:
            continue
        kept = latest.get(report.period_end)
        if kept is None or (report.approved_on, report.submitted_on) >= (kept.approved_on, kept.submitted_on):
            latest[report.period_end] = report
    return [_Evidence(end.toordinal(), float(latest[end].value)) for end in sorted(latest)]


@dataclass(frozen=True, slots=True)
class _Discipline:
    """How the unit kept the reporting calendar (报送纪律) up to the as-of date."""

    current: ReportingPeriod | None = None
    current_missing: bool = False
    current_late: bool = False
    missing_periods: int = 0
    unsubmitted_ends: tuple[int, ...] = ()
    has_calendar: bool = False


def _reporting_discipline(task: TaskInput, as_of: dt.date) -> _Discipline:
    """Judge the periods whose due date has passed (due < as-of: on the due date itself there is still time).

    The current period is the last of those. It is missing when no report for
    it was submitted by the as-of date, and late when one was, but it was not
    approved by the due date: the due date is for the approved report, the unit
    head's approval being part of the unit's reporting.
    """
    own_periods = [period for period in task.periods if period.end >= task.start]
    passed = sorted((p for p in own_periods if p.due < as_of), key=lambda p: (p.due, p.end))
    if not passed:
        return _Discipline(has_calendar=bool(own_periods))
    first_submitted: dict[dt.date, dt.date] = {}
    first_approved: dict[dt.date, dt.date] = {}
    for report in task.reports:
        if report.submitted_on <= as_of:
            _keep_earliest(first_submitted, report.period_end, report.submitted_on)
            if report.approved_on is not None and report.approved_on <= as_of:
                _keep_earliest(first_approved, report.period_end, report.approved_on)
    current = passed[-1]
    missing_periods = 0
    for period in reversed(passed):
        if period.end in first_submitted:
            break
        missing_periods += 1
    approved = first_approved.get(current.end)
    return _Discipline(
        current=current,
        current_missing=current.end not in first_submitted,
        current_late=current.end in first_submitted and (approved is None or approved > current.due),
        missing_periods=missing_periods,
        unsubmitted_ends=tuple(p.end.toordinal() for p in passed if p.end not in first_submitted),
        has_calendar=True,
    )


def _keep_earliest(earliest: dict[dt.date, dt.date], key: dt.date, day: dt.date) -> None:
    if key not in earliest or day < earliest[key]:
        earliest[key] = day


def _evidence_with_silences(series: list[_Evidence], discipline: _Discipline) -> list[_Evidence]:
    """Approved reports plus, for each later period nothing was submitted for, the last value carried forward.

    Saying nothing must not look better than honestly reporting no progress,
    so a missed period counts as a report that repeats the last known value.
    """
    last_day = series[-1].day if series else -1
    last_value = series[-1].value if series else 0.0
    silences = [_Evidence(day, last_value) for day in sorted(set(discipline.unsubmitted_ends)) if day > last_day]
    return series + silences


def _measurement_day(task: TaskInput, evidence: list[_Evidence], discipline: _Discipline, as_of: dt.date) -> int:
    """The latest day for which the unit owes a figure: where the plan is compared with the actual.

    Comparing a report that describes 30 June with the plan for 10 July would
    punish units for the reporting delay, and a quarterly reporter would turn
    red before every report. So the comparison happens at the end of the last
    approved report's period, or of a later period the unit failed to report
    on. Without a reporting calendar the engine cannot tell a pending report
    from a slow task, and compares at the as-of date itself.
    """
    if not discipline.has_calendar:
        return as_of.toordinal()
    if not evidence:
        return min(task.start, as_of).toordinal()
    return min(evidence[-1].day, as_of.toordinal())


# === pace and projection ========================================================================


@dataclass(frozen=True, slots=True)
class _Projection:
    velocity_per_day: float | None = None
    pace_ratio: float | None = None
    completion_day: int | None = None
    slip_days: int | None = None
    stalled: bool = False

    @property
    def measured(self) -> bool:
        return self.pace_ratio is not None


def _project(task: TaskInput, plan: Trajectory, evidence: list[_Evidence], thresholds: Thresholds) -> _Projection:
    """Project the completion date from the recent pace (earned schedule).

    The window runs from the latest evidence back `velocity_window_days`,
    anchored on the last point at or before the window's start (the task's
    start, at 0, counts as a point). The pace ratio is how many days of the
    plan the task advanced per calendar day over that window (1.0 = as
    planned), and the remaining plan, from where the task stands on it to the
    deadline, is stretched by that pace. For a plan without milestones this is
    exactly "remaining value / recent velocity"; with milestones it respects
    the plan's shape, so a plan that is meant to accelerate is not called late
    merely for not having accelerated yet.
    """
    if len(evidence) < 2:
        return _Projection()
    origin = _Evidence(task.start.toordinal(), 0.0)
    points = evidence if evidence[0].day <= origin.day else [origin, *evidence]
    last = points[-1]
    window_start = last.day - thresholds.velocity_window_days
    anchor = next((point for point in reversed(points) if point.day <= window_start), points[0])
    span = last.day - anchor.day
    if span < thresholds.min_velocity_span_days:
        return _Projection()
    velocity = (last.value - anchor.value) / span
    position = plan.schedule_position(last.value, last.day)
    pace = (position - plan.schedule_position(anchor.value, anchor.day)) / span
    remaining_plan_days = task.deadline.toordinal() - position
    if pace <= 0 or remaining_plan_days / pace > _MAX_PROJECTION_DAYS:
        return _Projection(velocity, pace, stalled=True)
    completion_day = last.day + math.ceil(remaining_plan_days / pace - _EPSILON)
    return _Projection(velocity, pace, completion_day, completion_day - task.deadline.toordinal())


def _misses_deadline(task: TaskInput, projection: _Projection, lag: float, thresholds: Thresholds) -> bool:
    """Whether the projection turns the task red.

    Only a task behind its trajectory is judged by its projection: one on or
    ahead of it is where the plan says it should be, and the plan is the
    office's own statement of how fast it must go from here.
    """
    if not projection.measured or lag <= _EPSILON * task.target_value:
        return False
    if projection.stalled:
        return True
    tolerance_days = thresholds.projection_tolerance_percent / 100 * (task.deadline - task.start).days
    return projection.slip_days is not None and projection.slip_days > tolerance_days


# === evaluation =================================================================================


def evaluate(task: TaskInput, as_of: dt.date, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> StatusResult:
    """The status, light and figures of one task as of a date.

    Status, first rule that applies:
      1. done (已完成): completion verified by the office on or before as-of.
         Reaching the target in a report is not enough: the SPEC's 已完成 is verified.
      2. not_started (未启动): as-of is before the start.
      3. on_track + awaiting_verification: the latest approved value reached the
         target; no warning, and never overdue, since the work is reported done.
      4. overdue (逾期): as-of is after the deadline.
      5. missing (未报送): the current period's due date passed with nothing submitted.
      6. not_started (未启动): no approved report and nothing expected yet.
      7. lagging (进度滞后): lag over the yellow threshold, or the projection misses the deadline.
      8. on_track (正常推进).
    The computed light is the most severe colour among the reasons (REASON_LIGHTS):
    red for overdue, lag over the red threshold or a missed projection; yellow
    for lag over the yellow threshold or a missing or late report; else green.
    """
    plan = Trajectory(task)
    target = task.target_value
    series = _approved_series(task.reports, as_of)
    discipline = _reporting_discipline(task, as_of)
    evidence = _evidence_with_silences(series, discipline)
    actual = series[-1].value if series else 0.0
    measured_day = _measurement_day(task, evidence, discipline, as_of)
    expected_at_measurement = plan.value_at(measured_day)
    lag = expected_at_measurement - actual
    projection = _Projection()

    settled = _settled_status(task, series, as_of)
    if settled is not None:
        status, reasons = settled
    else:
        projection = _project(task, plan, evidence, thresholds)
        status, reasons = _progress_status(task, series, discipline, projection, lag, as_of, thresholds)

    computed_light = _most_severe(REASON_LIGHTS.get(reason, Light.GREEN) for reason in reasons)
    judgement = _applicable_judgement(task.judgements, as_of)
    light = computed_light
    if judgement is not None and status is not Status.DONE:
        light = JUDGEMENT_LIGHTS[judgement.likelihood]
        if light is not computed_light:
            reasons.append(Reason.JUDGEMENT_OVERRIDE)

    return StatusResult(
        as_of=as_of,
        status=status,
        light=light,
        computed_light=computed_light,
        reasons=tuple(reasons),
        target=target,
        expected_value=plan.value_at(as_of.toordinal()),
        actual=actual,
        actual_period_end=dt.date.fromordinal(series[-1].day) if series else None,
        measured_on=dt.date.fromordinal(measured_day),
        expected_at_measurement=expected_at_measurement,
        lag=lag,
        lag_percent=lag / target * 100,
        completion=1.0 if status is Status.DONE else min(max(actual / target, 0.0), 1.0),
        velocity_per_day=projection.velocity_per_day,
        pace_ratio=projection.pace_ratio,
        projected_completion=_date_or_none(projection.completion_day),
        projected_slip_days=projection.slip_days,
        current_period=discipline.current,
        missing_periods=discipline.missing_periods,
        judgement=judgement,
    )


def _settled_status(task: TaskInput, series: list[_Evidence], as_of: dt.date) -> tuple[Status, list[Reason]] | None:
    """Rules 1–3: verified, not begun, or reported complete. None when the task is in progress."""
    reached_day = _reached_day(series, task.target_value)
    if task.verified_on is not None and task.verified_on <= as_of:
        finished_day = reached_day if reached_day is not None else task.verified_on.toordinal()
        return Status.DONE, [Reason.VERIFIED_DONE, *_late_completion(task, finished_day)]
    if as_of < task.start:
        return Status.NOT_STARTED, [Reason.BEFORE_START]
    if reached_day is not None:
        return Status.ON_TRACK, [Reason.AWAITING_VERIFICATION, *_late_completion(task, reached_day)]
    return None


def _reached_day(series: list[_Evidence], target: float) -> int | None:
    """The period end of the first report at or over the target, if the latest report still is (None otherwise)."""
    if not series or series[-1].value < target:
        return None
    return next(point.day for point in series if point.value >= target)


def _late_completion(task: TaskInput, finished_day: int) -> list[Reason]:
    return [Reason.COMPLETED_LATE] if finished_day > task.deadline.toordinal() else []


def _progress_status(
    task: TaskInput,
    series: list[_Evidence],
    discipline: _Discipline,
    projection: _Projection,
    lag: float,
    as_of: dt.date,
    thresholds: Thresholds,
) -> tuple[Status, list[Reason]]:
    """Rules 4–8, for a task under way. Every warning that applies is listed, whatever the status."""
    lag_percent = lag / task.target_value * 100
    overdue = as_of > task.deadline
    reasons: list[Reason] = []
    if overdue:
        reasons.append(Reason.OVERDUE)
    if discipline.current_missing:
        reasons.append(Reason.REPORT_MISSING)
    elif discipline.current_late:
        reasons.append(Reason.REPORT_LATE)
    if lag_percent > thresholds.lag_red_percent:
        reasons.append(Reason.LAG_OVER_RED)
    elif lag_percent > thresholds.lag_yellow_percent:
        reasons.append(Reason.LAG_OVER_YELLOW)
    misses = not overdue and _misses_deadline(task, projection, lag, thresholds)
    if misses:
        reasons.append(Reason.PROJECTION_MISSES_DEADLINE)
    if projection.stalled:
        reasons.append(Reason.STALLED)
    elif not projection.measured:
        reasons.append(Reason.INSUFFICIENT_HISTORY)

    if overdue:
        return Status.OVERDUE, reasons
    if discipline.current_missing:
        return Status.MISSING, reasons
    if not series and lag <= 0:
        return Status.NOT_STARTED, [Reason.NOTHING_EXPECTED_YET, *reasons]
    if lag_percent > thresholds.lag_yellow_percent or misses:
        return Status.LAGGING, reasons
    return Status.ON_TRACK, reasons


def _applicable_judgement(judgements: Iterable[Judgement], as_of: dt.date) -> Judgement | None:
    """The latest judgement recorded on or before as-of (of two on one day, the later in the list)."""
    applicable = None
    for judgement in judgements:
        if judgement.recorded_on <= as_of and (applicable is None or judgement.recorded_on >= applicable.recorded_on):
            applicable = judgement
    return applicable


def _most_severe(lights: Iterable[Light]) -> Light:
    return max(lights, key=lambda light: light.severity, default=Light.GREEN)


def _date_or_none(day: int | None) -> dt.date | None:
    return None if day is None else dt.date.fromordinal(day)


# === rollups ====================================================================================


@dataclass(slots=True)
class GroupRollup:
    """Counts and weighted completion of one group (a plan node, unit, leader, block, industry …).

    Completion per task is min(actual / target, 1), or 1 when verified done; the
    group's is their weighted mean. Lights are counted as shown (after
    judgements) and as computed, since both stay visible.
    """

    count: int = 0
    by_status: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    by_light: dict[Light, int] = field(default_factory=lambda: dict.fromkeys(Light, 0))
    by_computed_light: dict[Light, int] = field(default_factory=lambda: dict.fromkeys(Light, 0))
    total_weight: float = 0.0
    weighted_completion_sum: float = 0.0

    def add(self, result: StatusResult, weight: float = 1.0) -> None:
        if weight < 0:
            raise ValueError(f"weight must not be negative, got {weight}")
        self.count += 1
        self.by_status[result.status] += 1
        self.by_light[result.light] += 1
        self.by_computed_light[result.computed_light] += 1
        self.total_weight += weight
        self.weighted_completion_sum += weight * result.completion

    @property
    def weighted_completion(self) -> float | None:
        """Between 0 and 1; None for an empty group or one whose weights are all zero."""
        return self.weighted_completion_sum / self.total_weight if self.total_weight > 0 else None


def rollup(items: Iterable[tuple[Hashable, StatusResult, float | None]]) -> dict[Hashable, GroupRollup]:
    """Group results by key, e.g. [(unit_id, result, weight), …]; a weight of None counts as 1.

    A task that belongs to several groups (its unit, its leader, its block) is
    passed once per group. Groups come back in order of first appearance.
    """
    groups: dict[Hashable, GroupRollup] = {}
    for key, result, weight in items:
        groups.setdefault(key, GroupRollup()).add(result, 1.0 if weight is None else weight)
    return groups


# === stale and copied reports ===================================================================


class StaleKind(StrEnum):
    """Signs that a report was copied rather than written (应付式报送)."""

    NARRATIVE_REPEATED = "narrative_repeated"
    VALUE_UNCHANGED = "value_unchanged"
    EVIDENCE_REUSED = "evidence_reused"


@dataclass(frozen=True, slots=True)
class ReportSnapshot:
    """What stale detection reads of one report: one per task and period, with the evidence files' content hashes."""

    task_key: Hashable
    period_end: dt.date
    narrative: str = ""
    value: float | None = None
    evidence_hashes: frozenset[str] = frozenset()
    report_key: Hashable | None = None


@dataclass(frozen=True, slots=True)
class StaleFlag:
    """One suspicion about one report, pointing at the earlier report it resembles.

    For a repeated narrative the earlier report is the previous period's, with
    the similarity; for an unchanged value it is where the value was first
    reported, with the number of periods since; for reused evidence it is the
    first report that carried the file, with the file's hash.
    """

    kind: StaleKind
    task_key: Hashable
    period_end: dt.date
    report_key: Hashable
    earlier_task_key: Hashable
    earlier_period_end: dt.date
    similarity: float | None = None
    unchanged_periods: int | None = None
    evidence_hash: str | None = None


@dataclass(frozen=True, slots=True)
class StaleRules:
    """Thresholds for stale detection.

    Digits are masked before comparing narratives by default: a copy whose only
    edit is the number (完成40个 → 完成52个) is still a copy. Narratives shorter
    than `min_narrative_chars` after normalising ("无", "正常推进") are not compared.
    """

    similarity_threshold: float = 0.85
    min_narrative_chars: int = 10
    unchanged_periods: int = 3
    ignore_numbers: bool = True


DEFAULT_STALE_RULES = StaleRules()


_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
_DIGIT_RUN = re.compile(r"\d+")


def normalise_narrative(text: str, *, ignore_numbers: bool = True) -> str:
    """Text reduced to what a copy keeps: NFKC (full-width → half-width), lower case, no spaces or punctuation.

    With `ignore_numbers` every run of digits becomes a single 0, so 9 and 12 read the same.
    """
    text = _NOT_LETTER_OR_DIGIT.sub("", unicodedata.normalize("NFKC", text).lower())
    return _DIGIT_RUN.sub("0", text) if ignore_numbers else text


def narrative_similarity(first: str, second: str, *, ignore_numbers: bool = True) -> float:
    """Jaccard similarity of the character bigrams (二元字串) of two normalised narratives, 0 to 1.

    Bigrams suit Chinese, which has no spaces to split words on, and sets make
    the comparison linear in the text length, so 200,000 reports a year stay cheap.
    """
    return _jaccard(
        _bigrams(normalise_narrative(first, ignore_numbers=ignore_numbers)),
        _bigrams(normalise_narrative(second, ignore_numbers=ignore_numbers)),
    )


def _bigrams(text: str) -> frozenset[str]:
    if len(text) < 2:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[index : index + 2] for index in range(len(text) - 1))


def _jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def periods_without_movement(values: Sequence[float | None]) -> int:
    """How many periods in a row, ending with the last, the value has not moved (0 if it just moved)."""
    count = 0
    for index in range(len(values) - 1, 0, -1):
        if not _same_value(values[index], values[index - 1]):
            break
        count += 1
    return count


def _same_value(newer: float | None, older: float | None) -> bool:
    """Unknown values (a milestone task's report without a figure) never count as unchanged."""
    return newer is not None and older is not None and abs(newer - older) <= _EPSILON


def detect_stale_reports(
    snapshots: Iterable[ReportSnapshot], rules: StaleRules = DEFAULT_STALE_RULES
) -> list[StaleFlag]:
    """Flag copied narratives, values that never move and evidence seen before, over many tasks at once.

    Pass the reports of unfinished tasks only: a finished task's value is meant
    to stay put. Flags are hints for the office to look at, not verdicts.
    """
    ordered = sorted(snapshots, key=lambda snapshot: snapshot.period_end)
    by_task: dict[Hashable, list[ReportSnapshot]] = {}
    for snapshot in ordered:
        by_task.setdefault(snapshot.task_key, []).append(snapshot)
    flags: list[StaleFlag] = []
    for history in by_task.values():
        flags.extend(_repeated_narratives(history, rules))
        flags.extend(_unchanged_values(history, rules))
    flags.extend(_reused_evidence(ordered))
    return flags


def _repeated_narratives(history: Sequence[ReportSnapshot], rules: StaleRules) -> Iterable[StaleFlag]:
    previous_bigrams: frozenset[str] | None = None
    for previous, current in zip([None, *history], history, strict=False):
        text = normalise_narrative(current.narrative, ignore_numbers=rules.ignore_numbers)
        bigrams = _bigrams(text) if len(text) >= rules.min_narrative_chars else None
        if previous is not None and bigrams is not None and previous_bigrams is not None:
            similarity = _jaccard(previous_bigrams, bigrams)
            if similarity >= rules.similarity_threshold:
                yield _flag(StaleKind.NARRATIVE_REPEATED, current, previous, similarity=similarity)
        previous_bigrams = bigrams


def _unchanged_values(history: Sequence[ReportSnapshot], rules: StaleRules) -> Iterable[StaleFlag]:
    streak = 0
    for index, current in enumerate(history):
        streak = streak + 1 if index and _same_value(current.value, history[index - 1].value) else 0
        if streak >= rules.unchanged_periods:
            yield _flag(StaleKind.VALUE_UNCHANGED, current, history[index - streak], unchanged_periods=streak)


def _reused_evidence(ordered: Iterable[ReportSnapshot]) -> Iterable[StaleFlag]:
    """A file whose hash appeared in an earlier period, or in another task's report; not a resubmission."""
    first_seen: dict[str, ReportSnapshot] = {}
    for current in ordered:
        for evidence_hash in sorted(current.evidence_hashes):
            original = first_seen.setdefault(evidence_hash, current)
            if original.task_key != current.task_key or original.period_end != current.period_end:
                yield _flag(StaleKind.EVIDENCE_REUSED, current, original, evidence_hash=evidence_hash)


def _flag(
    kind: StaleKind,
    current: ReportSnapshot,
    earlier: ReportSnapshot,
    *,
    similarity: float | None = None,
    unchanged_periods: int | None = None,
    evidence_hash: str | None = None,
) -> StaleFlag:
    return StaleFlag(
        kind=kind,
        task_key=current.task_key,
        period_end=current.period_end,
        report_key=current.report_key,
        earlier_task_key=earlier.task_key,
        earlier_period_end=earlier.period_end,
        similarity=similarity,
        unchanged_periods=unchanged_periods,
        evidence_hash=evidence_hash,
    )


# === the reporting calendar =====================================================================


class Cadence(StrEnum):
    """How often a plan's tasks report (报送频次)."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


def reporting_periods(
    start: dt.date, deadline: dt.date, cadence: Cadence, due_for: Callable[[dt.date], dt.date]
) -> list[ReportingPeriod]:
    """The periods of a task from its start to the period holding its deadline.

    Weeks end on Sunday, months and quarters on their last day. `due_for` maps a
    period end to its due date, usually in working days and staggered by plan
    level, e.g. `lambda end: calendar.add_workdays(end, 3)` with core.workdays.
    """
    periods = []
    end = _period_end_on_or_after(start, cadence)
    while True:
        periods.append(ReportingPeriod(end=end, due=due_for(end)))
        if end >= deadline:
            return periods
        end = _period_end_on_or_after(end + dt.timedelta(days=1), cadence)


def _period_end_on_or_after(day: dt.date, cadence: Cadence) -> dt.date:
    if cadence is Cadence.WEEKLY:
        return day + dt.timedelta(days=6 - day.weekday())
    months = 1 if cadence is Cadence.MONTHLY else 3
    last_month = day.month if months == 1 else 3 * ((day.month - 1) // 3 + 1)
    first_of_next = dt.date(day.year + last_month // 12, last_month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)
