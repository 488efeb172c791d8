"""`manage.py workdays add YYYY-MM-DD N` and `manage.py workdays between A B`, on the orders' calendar.

Both use core.workcalendar.work_calendar(): the override table, then the
chinese-calendar package, then Monday–Friday for years nobody configured (a
note on stderr says so).
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from core.workcalendar import msg_outside_calendar, work_calendar
from core.workdays import UNCONFIGURED_YEAR_WARNING, OutsideCalendar


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"{raw!r} is not a date: write it as YYYY-MM-DD, e.g. 2021-09-30.") from None


class Command(BaseCommand):
    help = "Count Chinese working days: `add DATE N` (N may be negative) or `between A B`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="{add,between}")
        add = sub.add_parser("add", help="the date N working days after DATE (before it when N < 0)")
        add.add_argument("date")
        add.add_argument("n")
        between = sub.add_parser("between", help="working days after A up to and including B")
        between.add_argument("start")
        between.add_argument("end")

    def handle(self, *args, **options):
        # Parse everything before reading the calendar: bad input never touches the database.
        action = options.get("action")
        if action == "add":
            start = _date(options["date"])
            try:
                n = int(options["n"])
            except ValueError:
                raise CommandError(f"{options['n']!r} is not a whole number of working days.") from None
            calendar = work_calendar()
            result = self._count(calendar, lambda: calendar.check(start) or calendar.add_workdays(start, n))
            self._count(calendar, lambda: calendar.check(result))
            self._warn(calendar, start, result)
            self.stdout.write(result.isoformat())
        elif action == "between":
            start, end = _date(options["start"]), _date(options["end"])
            calendar = work_calendar()
            count = self._count(calendar, lambda: calendar.check(start, end) or calendar.workdays_between(start, end))
            self._warn(calendar, start, end)
            self.stdout.write(str(count))
        else:
            raise CommandError("Say what to count: `workdays add YYYY-MM-DD N` or `workdays between A B`.")

    def _count(self, calendar, compute):
        # The calendar answers within its configured range only (WORK_CALENDAR_FIRST_YEAR, _YEARS_AHEAD).
        try:
            return compute()
        except OutsideCalendar as exc:
            raise CommandError(msg_outside_calendar(exc.day, exc.first, exc.last)) from None

    def _warn(self, calendar, a: date, b: date) -> None:
        years = calendar.unconfigured_years(range(min(a, b).year, max(a, b).year + 1))
        if years:
            listed = ", ".join(str(y) for y in years)
            self.stderr.write(f"note: {listed}: {UNCONFIGURED_YEAR_WARNING} (Monday–Friday assumed)")
