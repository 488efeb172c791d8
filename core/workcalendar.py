"""The working-day calendar as the app uses it: the pure core.workdays calendar fed from the override table."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ServiceError
from core.models import WorkdayOverride
from core.workdays import DaySource, OutsideCalendar, WorkCalendar


def calendar_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The dates the calendar answers for (settings WORK_CALENDAR_FIRST_YEAR, WORK_CALENDAR_YEARS_AHEAD)."""
    today = today or timezone.localdate()
    return dt.date(settings.WORK_CALENDAR_FIRST_YEAR, 1, 1), dt.date(
        today.year + settings.WORK_CALENDAR_YEARS_AHEAD, 12, 31
    )


# Where a day's answer came from, as the calendar page says it (依据).
DAY_SOURCE_LABELS = {
    DaySource.OVERRIDE: gettext_lazy("Entered in this table"),
    DaySource.PACKAGE: gettext_lazy("Statutory holidays (State Council notice, built in)"),
    DaySource.WEEKDAY_FALLBACK: gettext_lazy("Monday–Friday (no holiday data for the year)"),
}


def work_calendar() -> WorkCalendar:
    """A calendar with the current overrides (one small query; build it once per request or job)."""
    rows = WorkdayOverride.objects.order_by().values_list("date", "is_workday", "name")
    overrides = {day: (is_workday, name or None) for day, is_workday, name in rows}
    first, last = calendar_range()
    return WorkCalendar(overrides, first=first, last=last)


def msg_outside_calendar(day: dt.date, first: dt.date | None, last: dt.date | None) -> str:
    words = {
        "d": date_format(day, "DATE_FORMAT"),
        "first": date_format(first, "DATE_FORMAT") if first else "",
        "last": date_format(last, "DATE_FORMAT") if last else "",
    }
    return _("%(d)s is outside the working-day calendar (%(first)s to %(last)s). Choose a date in that range.") % words


def refuse_outside_calendar(calendar: WorkCalendar, day: dt.date | None, *, field: str) -> None:
    """A typed date the calendar does not cover is refused before anything is computed from it."""
    if day is not None and not calendar.covers(day):
        message = msg_outside_calendar(day, calendar.first, calendar.last)
        raise ServiceError(message, field=field, code="outside_calendar")


def refuse_outside_range(day: dt.date | None, *, field: str) -> None:
    """The same refusal without a calendar at hand: for dates the calendar will count on later (deadlines)."""
    first, last = calendar_range()
    if day is not None and not first <= day <= last:
        raise ServiceError(msg_outside_calendar(day, first, last), field=field, code="outside_calendar")


def service_error_outside(exc: OutsideCalendar, *, field: str | None = None) -> ServiceError:
    """The same refusal for a date computed from others (a start inside the range, N working days out of it)."""
    return ServiceError(msg_outside_calendar(exc.day, exc.first, exc.last), field=field, code="outside_calendar")
