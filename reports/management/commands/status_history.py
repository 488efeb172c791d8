"""manage.py status_history: store every day of a range as status intervals, so the cockpit of any of
those days is a range read (reports.intervals.history_fill)."""

import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.intervals import earliest_start, history_fill


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{name}：日期格式应为 YYYY-MM-DD，收到 {value!r}") from exc


class Command(BaseCommand):
    help = "Compute the statuses of every live task for each day of a range and store them as intervals."

    def add_arguments(self, parser):
        first = parser.add_mutually_exclusive_group(required=True)
        first.add_argument("--from", dest="start", help="first day (YYYY-MM-DD)")
        first.add_argument("--last", type=int, help="the last N days up to --to (for a timer: no date to compute)")
        first.add_argument(
            "--all", action="store_true", help="from the earliest start date of a live task (once, after deploying)"
        )
        parser.add_argument("--to", dest="end", default=None, help="day after the last (default: today)")

    def handle(self, *args, **options):
        end = _day(options["end"], "--to") if options["end"] else timezone.localdate()
        if options["all"]:
            earliest = earliest_start()
            if earliest is None:
                self.stdout.write("status_history: no live task, nothing to store")
                return
            start = earliest
        elif options["last"] is not None:
            if options["last"] < 1:
                raise CommandError("--last 应为正整数")
            start = end - timedelta(days=options["last"])
        else:
            start = _day(options["start"], "--from")
        if end <= start:
            raise CommandError("--to 必须晚于 --from")
        began = time.perf_counter()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"{done}/{total} tasks, {time.perf_counter() - began:.1f} s")

        written = history_fill(start, end, progress=progress)
        self.stdout.write(f"status_history {start}..{end}: {written} intervals in {time.perf_counter() - began:.1f} s")
