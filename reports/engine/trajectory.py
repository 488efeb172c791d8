"""The planned trajectory (计划进度曲线) of a task: its corner points and its value on any day. Pure: no Django."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right

from reports.engine.vocabulary import TaskInput

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
