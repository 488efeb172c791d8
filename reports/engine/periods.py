"""The reporting calendar (报送周期) of one task: its periods and their due dates. Pure: no Django import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum

from reports.engine.vocabulary import ReportingPeriod

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
