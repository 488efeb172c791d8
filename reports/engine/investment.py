"""A major project's investment trajectory and stage milestones as engine inputs (项目投资进度). Pure: no Django.

A project's year is a task to the engine: the annual planned investment is the target, the plan is
reached month by month (an optional cumulative monthly profile, linear by default), the approved
monthly reports (月报) carry the cumulative completed investment of the year, and each report is due
a few days after its month ends. `evaluate` then answers lag, projection and light exactly as for a
task, so there is one set of rules. On top of it the project's stage milestones (签约 → 开工 → 投产)
count: a stage planned before the as-of date and not reached by then turns the light red, since a
missed start or completion is never a matter of pace.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from reports.engine.status import evaluate
from reports.engine.trajectory import Trajectory
from reports.engine.vocabulary import (
    DEFAULT_THRESHOLDS,
    Light,
    Milestone,
    Report,
    ReportingPeriod,
    StatusResult,
    TaskInput,
    Thresholds,
)

# Monthly reports are due this many days after the month ends (the 10th of the next month).
DEFAULT_DUE_DAYS = 10


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, slots=True)
class StagePlan:
    """One stage of a project: planned date and the day it was reached (as recorded by then), if any."""

    index: int
    planned_on: dt.date | None
    reached_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class InvestmentInput:
    """Everything the engine reads about one project's year.

    `monthly_profile` is the planned cumulative share of the annual plan at each month end (12 values
    between 0 and 1, non-decreasing); empty means linear over the year. `reports` are monthly: period_end
    is the month end and value the cumulative completed investment of the year.
    """

    year: int
    annual_plan: float
    monthly_profile: tuple[float, ...] = ()
    reports: tuple[Report, ...] = ()
    stages: tuple[StagePlan, ...] = ()
    due_days: int = DEFAULT_DUE_DAYS


@dataclass(frozen=True, slots=True)
class ProjectResult:
    """The project's light as of a date: the investment result (None without a plan for that year) and late stages."""

    as_of: dt.date
    light: Light
    investment: StatusResult | None
    late_stages: tuple[int, ...]
    planned: float
    actual: float

    @property
    def lag_percent(self) -> float:
        return self.investment.lag_percent if self.investment is not None else 0.0


def profile_milestones(inp: InvestmentInput) -> tuple[Milestone, ...]:
    """The planned cumulative investment at each month end from the profile (none when linear)."""
    if len(inp.monthly_profile) != 12:
        return ()
    return tuple(
        Milestone(due=month_end(inp.year, m), planned_value=inp.annual_plan * min(max(share, 0.0), 1.0))
        for m, share in zip(range(1, 12), inp.monthly_profile[:11], strict=True)
    )


def investment_task(inp: InvestmentInput) -> TaskInput | None:
    """The year as an engine task, or None when nothing is planned for it (the light then follows stages only)."""
    if not inp.annual_plan > 0:
        return None
    periods = tuple(
        ReportingPeriod(end=month_end(inp.year, m), due=month_end(inp.year, m) + dt.timedelta(days=inp.due_days))
        for m in range(1, 13)
    )
    return TaskInput(
        start=dt.date(inp.year, 1, 1),
        deadline=dt.date(inp.year, 12, 31),
        target=inp.annual_plan,
        milestones=profile_milestones(inp),
        reports=inp.reports,
        periods=periods,
    )


def planned_by_month(inp: InvestmentInput) -> list[tuple[dt.date, float]]:
    """Planned cumulative investment at each month end of the year (the chart's planned line)."""
    task = investment_task(inp)
    if task is None:
        return [(month_end(inp.year, m), 0.0) for m in range(1, 13)]
    curve = Trajectory(task)
    return [(month_end(inp.year, m), curve.value_at(month_end(inp.year, m).toordinal())) for m in range(1, 13)]


def late_stages(stages: tuple[StagePlan, ...], as_of: dt.date) -> tuple[int, ...]:
    """Stages planned before the as-of date and not reached by it (on the planned day itself there is still time)."""
    return tuple(
        s.index
        for s in stages
        if s.planned_on is not None and s.planned_on < as_of and (s.reached_on is None or s.reached_on > as_of)
    )


def stage_reached(stages: tuple[StagePlan, ...], as_of: dt.date) -> int | None:
    """The furthest stage reached by the as-of date, or None."""
    reached = [s.index for s in stages if s.reached_on is not None and s.reached_on <= as_of]
    return max(reached) if reached else None


def project_evaluate(
    inp: InvestmentInput, as_of: dt.date, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> ProjectResult:
    """The project's light as of a date: the investment engine's light, red when a stage is late.

    Outside the plan's year (or with no annual plan) only the stages count: a project is judged on the
    plan it has, never on a year nobody planned.
    """
    late = late_stages(inp.stages, as_of)
    task = investment_task(inp) if as_of.year == inp.year else None
    result = evaluate(task, as_of, thresholds) if task is not None else None
    light = result.light if result is not None else Light.GREEN
    if late:
        light = Light.RED
    return ProjectResult(
        as_of=as_of,
        light=light,
        investment=result,
        late_stages=late,
        planned=result.expected_value if result is not None else 0.0,
        actual=result.actual if result is not None else 0.0,
    )
