"""The working-day calendar as the app uses it: the pure core.workdays calendar fed from the override table."""

from django.utils.translation import gettext_lazy as _

from core.models import WorkdayOverride
from core.workdays import DaySource, WorkCalendar

# Where a day's answer came from, as the calendar page says it (依据).
DAY_SOURCE_LABELS = {
    DaySource.OVERRIDE: _("Entered in this table"),
    DaySource.PACKAGE: _("Statutory holidays (State Council notice, built in)"),
    DaySource.WEEKDAY_FALLBACK: _("Monday–Friday (no holiday data for the year)"),
}


def work_calendar() -> WorkCalendar:
    """A calendar with the current overrides (one small query; build it once per request or job)."""
    overrides = {o.date: (o.is_workday, o.name or None) for o in WorkdayOverride.objects.all()}
    return WorkCalendar(overrides)
