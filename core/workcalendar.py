"""The working-day calendar as the app uses it: the pure core.workdays calendar fed from the override table."""

from core.models import WorkdayOverride
from core.workdays import WorkCalendar


def work_calendar() -> WorkCalendar:
    """A calendar with the current overrides (one small query; build it once per request or job)."""
    overrides = {o.date: (o.is_workday, o.name or None) for o in WorkdayOverride.objects.all()}
    return WorkCalendar(overrides)
