"""The status engine for one task (进度研判): `evaluate` and the rules behind it. Pure: no Django import.

For one task and an as-of date it compares the planned trajectory with the approved progress reports
and answers with a `StatusResult`; nothing here reads the clock or any data dated after the as-of date.
The precise rules, with a worked example, are in docs/status-engine.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from reports.engine.trajectory import Trajectory
from reports.engine.vocabulary import (
    DEFAULT_THRESHOLDS,
    EPSILON,
    JUDGEMENT_LIGHTS,
    REASON_LIGHTS,
    Judgement,
    Light,
    Reason,
    Report,
    ReportingPeriod,
    Status,
    StatusResult,
    TaskInput,
    Thresholds,
)

# A pace so slow that completion is more than a century away is no pace at all.
_MAX_PROJECTION_DAYS = 36_500


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
    completion_day = last.day + math.ceil(remaining_plan_days / pace - EPSILON)
    return _Projection(velocity, pace, completion_day, completion_day - task.deadline.toordinal())


def _misses_deadline(task: TaskInput, projection: _Projection, lag: float, thresholds: Thresholds) -> bool:
    """Whether the projection turns the task red.

    Only a task behind its trajectory is judged by its projection: one on or
    ahead of it is where the plan says it should be, and the plan is the
    office's own statement of how fast it must go from here.
    """
    if not projection.measured or lag <= EPSILON * task.target_value:
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
    judgement = applicable_judgement(task.judgements, as_of)
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


def applicable_judgement(judgements: Iterable[Judgement], as_of: dt.date) -> Judgement | None:
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
