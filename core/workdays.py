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
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import chinese_calendar

UNCONFIGURED_YEAR_WARNING = "该年度法定节假日未配置"

_CHINESE_HOLIDAY_NAMES = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
_ONE_DAY = dt.timedelta(days=1)
# Longest run of consecutive days off seen in a year (Spring Festival + weekends is 9);
# a search that walks further than this has hit a calendar with no working days at all.
_MAX_DAYS_OFF_IN_A_ROW = 60


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


def _weekday_fallback_day(day: dt.date) -> CalendarDay:
    return CalendarDay(day, day.weekday() < 5, None, DaySource.WEEKDAY_FALLBACK)


class WorkCalendar:
    """Working days from the override table, then the package, then Monday–Friday.

    Build one per request or job (`WorkCalendar(overrides)`): it caches each date
    it has looked up, and the overrides are read once, at construction.
    """

    def __init__(self, overrides: Mapping[dt.date, tuple[bool, str | None]] | None = None) -> None:
        """`overrides` maps a date to (is_workday, name), e.g. {date(2027, 2, 6): (False, "春节")}."""
        self._overrides = {
            day: CalendarDay(day, bool(is_workday), name or None, DaySource.OVERRIDE)
            for day, (is_workday, name) in (overrides or {}).items()
        }
        self._override_years = {day.year for day in self._overrides}
        self._cache: dict[dt.date, CalendarDay] = {}

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
        return self._step_to_workday(day, forward=True)

    def previous_workday(self, day: dt.date) -> dt.date:
        """The last working day strictly before `day`."""
        return self._step_to_workday(day, forward=False)

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
        forward = count > 0
        for _ in range(abs(count)):
            day = self._step_to_workday(day, forward=forward)
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days from `start` to `end`, excluding `start` and including `end`.

        This is the inverse of `add_workdays`: for any `n != 0`,
        `workdays_between(d, add_workdays(d, n)) == n`. When `end` is before
        `start` the count is negative (the days in [end, start) with a minus sign),
        so "how many working days late" is `workdays_between(due, responded_on)`.
        """
        if end >= start:
            return sum(1 for offset in range(1, (end - start).days + 1) if self.is_workday(start + offset * _ONE_DAY))
        return -sum(1 for offset in range((start - end).days) if self.is_workday(end + offset * _ONE_DAY))

    def _step_to_workday(self, origin: dt.date, *, forward: bool) -> dt.date:
        step = _ONE_DAY if forward else -_ONE_DAY
        day = origin
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            day += step
            if self.is_workday(day):
                return day
        # Only a broken override table (a whole season entered as days off) can get here.
        raise ValueError(f"no working day within {_MAX_DAYS_OFF_IN_A_ROW} days of {origin}: check the overrides")
