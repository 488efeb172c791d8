"""The Chinese working-day calendar (工作日历). Pure: no Django import.

Due dates in Luoshi (report deadlines, supervision-order responses "5个工作日内")
are counted in Chinese working days: Monday to Friday, minus the statutory
holidays (法定节假日), plus the weekend make-up working days (调休上班) that the
State Council announces each year, usually in November or December.

Each date is answered from three sources, first match wins:

1. **overrides**: the editable calendar table in the database, so the office can
   enter a new year's notice or correct a mistake without a software release;
2. the **chinese_calendar** package, which knows 2004–2026;
3. a **weekday fallback** (Monday–Friday) for any other year. The calendar never
   crashes and never pretends to know: `is_configured(year)` and
   `unconfigured_years(...)` let the admin page warn "该年度法定节假日未配置".

A year counts as configured when the package covers it or the overrides hold at
least one date in it (any year's notice has holidays in it, so an entered notice
always leaves rows behind).

Counting is arithmetic, never a walk over days: Monday–Friday days are counted
from date ordinals, then corrected by the sorted exceptions (weekday holidays −1,
weekend make-up days +1) through prefix sums and bisect. A count over any span
costs O(log exceptions); the N-th working day is found by a bisection on that
count. A request for 9999-12-31 is as cheap as one for next week. A calendar may
be given a range (`first`, `last`): `covers(day)` tells whether a date lies in
it, and callers refuse typed dates outside it (core.workcalendar), so nobody
plans a due date centuries ahead. The counting itself never refuses a date the
app computed (a period's due date just after the range's last day), so stored
data near the edge cannot turn a page into an error.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import chinese_calendar

UNCONFIGURED_YEAR_WARNING = "该年度法定节假日未配置"

_CHINESE_HOLIDAY_NAMES = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
# Longest run of consecutive days off seen in a year (Spring Festival + weekends is 9); a next
# working day further away than this means an override table that switched a whole season off.
_MAX_DAYS_OFF_IN_A_ROW = 60


class OutsideCalendar(ValueError):
    """A date outside the calendar's configured range (`WorkCalendar(first=…, last=…)`)."""

    def __init__(self, day: dt.date, first: dt.date | None, last: dt.date | None) -> None:
        super().__init__(f"{day} is outside the working-day calendar ({first} to {last})")
        self.day, self.first, self.last = day, first, last


class DaySource(StrEnum):
    """Where a day's answer came from, so the admin page can show it."""

    OVERRIDE = "override"
    PACKAGE = "package"
    WEEKDAY_FALLBACK = "weekday_fallback"


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One date as the calendar sees it.

    `name` is the holiday a date belongs to: for a day off such as 2021-02-12 it
    is 春节; for a make-up working day such as Sunday 2021-02-07 it is also 春节,
    the holiday whose days off it pays for. Ordinary days have no name.
    """

    date: dt.date
    is_workday: bool
    name: str | None
    source: DaySource

    @property
    def is_makeup_workday(self) -> bool:
        """A weekend day worked in exchange for a holiday (调休上班)."""
        return self.is_workday and self.date.weekday() >= 5


@functools.lru_cache(maxsize=8192)
def _package_day(day: dt.date) -> CalendarDay | None:
    """Ask the chinese_calendar package about one date; None when it has no data for that year.

    This is the only place that calls the package, so its error for unknown years
    is caught here and nowhere else.
    """
    try:
        on_holiday, english_name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # the package's way of saying "no data for this year" (before 2004, after 2026)
        return None
    # get_holiday_detail says whether the day is off; a make-up workday is (False, <holiday name>).
    name = _CHINESE_HOLIDAY_NAMES.get(english_name, english_name) if english_name else None
    return CalendarDay(day, not on_holiday, name, DaySource.PACKAGE)


@functools.cache
def _package_exceptions() -> dict[int, int]:
    """The package's days that break the Monday–Friday rule, as {ordinal: +1 make-up day, −1 weekday holiday}.

    Read from its raw data once (a few hundred dates): `holidays` holds days off,
    weekends within a holiday included, and `workdays` the weekend make-up days.
    """
    exceptions = {d.toordinal(): -1 for d in chinese_calendar.holidays if d.weekday() < 5}
    exceptions.update({d.toordinal(): 1 for d in chinese_calendar.workdays if d.weekday() >= 5})
    return exceptions


def _weekdays_through(ordinal: int) -> int:
    """Monday–Friday days among ordinals 1..`ordinal` (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _weekday_fallback_day(day: dt.date) -> CalendarDay:
    return CalendarDay(day, day.weekday() < 5, None, DaySource.WEEKDAY_FALLBACK)


class WorkCalendar:
    """Working days from the override table, then the package, then Monday–Friday.

    Build one per request or job (`WorkCalendar(overrides)`): it caches each date
    it has looked up, and the overrides are read once, at construction.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, tuple[bool, str | None]] | None = None,
        *,
        first: dt.date | None = None,
        last: dt.date | None = None,
    ) -> None:
        """`overrides` maps a date to (is_workday, name), e.g. {date(2027, 2, 6): (False, "春节")}.

        `first` and `last` bound the dates the calendar answers for (None: unbounded).
        """
        self._overrides = {
            day: CalendarDay(day, bool(is_workday), name or None, DaySource.OVERRIDE)
            for day, (is_workday, name) in (overrides or {}).items()
        }
        self._override_years = {day.year for day in self._overrides}
        self._cache: dict[dt.date, CalendarDay] = {}
        self.first, self.last = first, last
        exceptions = _package_exceptions()
        if self._overrides:
            exceptions = dict(exceptions)
            for day, entry in self._overrides.items():
                exceptions.pop(day.toordinal(), None)
                if entry.is_workday != (day.weekday() < 5):
                    exceptions[day.toordinal()] = 1 if entry.is_workday else -1
        self._exception_days = sorted(exceptions)
        self._exception_sums = [0, *itertools.accumulate(exceptions[o] for o in self._exception_days)]

    # --- range -------------------------------------------------------------------------------

    def covers(self, day: dt.date) -> bool:
        """True when `day` lies within the calendar's configured range."""
        return (self.first is None or day >= self.first) and (self.last is None or day <= self.last)

    def check(self, *days: dt.date) -> None:
        """Raise OutsideCalendar for the first of `days` outside the range."""
        for day in days:
            if not self.covers(day):
                raise OutsideCalendar(day, self.first, self.last)

    # --- single days -------------------------------------------------------------------------

    def day(self, day: dt.date) -> CalendarDay:
        """Everything the calendar knows about one date, with its source."""
        cached = self._cache.get(day)
        if cached is None:
            cached = self._overrides.get(day) or _package_day(day) or _weekday_fallback_day(day)
            self._cache[day] = cached
        return cached

    def is_workday(self, day: dt.date) -> bool:
        return self.day(day).is_workday

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday a day off or a make-up working day belongs to (春节, 国庆节 …); None for ordinary days."""
        return self.day(day).name

    # --- configuration -----------------------------------------------------------------------

    def is_configured(self, year: int) -> bool:
        """True when the overrides or the package know that year's holidays; False means Mon–Fri is a guess."""
        return year in self._override_years or _package_day(dt.date(year, 1, 1)) is not None

    def unconfigured_years(self, years: Iterable[int]) -> list[int]:
        """The given years whose holidays nobody has entered, sorted, for the admin warning."""
        return sorted({year for year in years if not self.is_configured(year)})

    # --- counting ----------------------------------------------------------------------------

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self._neighbour(day, 1)

    def previous_workday(self, day: dt.date) -> dt.date:
        """The last working day strictly before `day`."""
        return self._neighbour(day, -1)

    def add_workdays(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `day` (before it when `count` is negative).

        `day` itself is never counted, as in "5个工作日内" from an order issued on
        `day`: issued on Friday 2021-09-24, 1 working day later is Sunday 09-26
        (a make-up day). `count == 0` means "on or after `day`": `day` itself if it
        is a working day, otherwise the next working day, so a due date that falls
        on a holiday moves forward, never back.
        """
        if count == 0:
            return day if self.is_workday(day) else self.next_workday(day)
        origin = day.toordinal()
        # The first ordinal whose running count reaches the target is the working day sought.
        target = self._running(origin) + count if count > 0 else self._running(origin - 1) + count + 1
        # An answer past the ends of the date type cannot be written as a date.
        if target > self._running(dt.date.max.toordinal()):
            raise OutsideCalendar(dt.date.max, self.first, self.last)
        if target <= 0:
            raise OutsideCalendar(dt.date.min, self.first, self.last)
        return dt.date.fromordinal(self._first_reaching(target, near=origin + count * 7 // 5))

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days from `start` to `end`, excluding `start` and including `end`.

        This is the inverse of `add_workdays`: for any `n != 0`,
        `workdays_between(d, add_workdays(d, n)) == n`. When `end` is before
        `start` the count is negative (the days in [end, start) with a minus sign),
        so "how many working days late" is `workdays_between(due, responded_on)`.
        """
        if end >= start:
            return self._running(end.toordinal()) - self._running(start.toordinal())
        return -(self._running(start.toordinal() - 1) - self._running(end.toordinal() - 1))

    def _running(self, ordinal: int) -> int:
        """Working days among ordinals 1..`ordinal`: Monday–Friday corrected by the exceptions up to it."""
        return _weekdays_through(ordinal) + self._exception_sums[bisect.bisect_right(self._exception_days, ordinal)]

    def _first_reaching(self, target: int, *, near: int) -> int:
        """The smallest ordinal whose running count is >= `target` (the count never decreases)."""
        low = high = near
        step = 16
        while self._running(low) >= target:  # widen until running(low) < target <= running(high)
            low -= step
            step *= 2
        while self._running(high) < target:
            high += step
            step *= 2
        while high - low > 1:
            middle = (low + high) // 2
            if self._running(middle) >= target:
                high = middle
            else:
                low = middle
        return high

    def _neighbour(self, origin: dt.date, step: int) -> dt.date:
        day = self.add_workdays(origin, step)
        if abs((day - origin).days) > _MAX_DAYS_OFF_IN_A_ROW:
            # Only a broken override table (a whole season entered as days off) can get here.
            raise ValueError(f"no working day within {_MAX_DAYS_OFF_IN_A_ROW} days of {origin}: check the overrides")
        return day
