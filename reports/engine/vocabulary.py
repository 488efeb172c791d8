"""The engine's vocabulary: its codes, what it reads about a task and what it answers. Pure: no Django import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

PERCENT_TARGET = 100.0
# Quantities arrive as Decimal from the database or as float from elsewhere; the engine computes in float.
Quantity = float | Decimal
# A float noise floor: a lag this small (relative to the target) is "on the trajectory", not behind it.
EPSILON = 1e-9


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
