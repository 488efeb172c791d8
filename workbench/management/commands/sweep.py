"""`manage.py sweep [--as-of YYYY-MM-DD]`: the nightly sweep (schedule it with cron or a systemd timer)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.services import audit_anchor
from core.runs import job_run
from reports.snapshots import status_refresh
from workbench.sweep import sweep_run


class Command(BaseCommand):
    help = (
        "Nightly sweep: recompute task statuses, send report and order reminders, escalate late orders, "
        "anchor the audit chain. "
        "Idempotent: running it twice sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="the day to sweep for (YYYY-MM-DD); default: today")

    def handle(self, *args, **options):
        raw = options.get("as_of")
        try:
            as_of = date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {raw!r}.") from None
        with job_run("sweep"):  # its duration and outcome, for /metrics (core/metrics.py)
            status_refresh(as_of=as_of)  # the day's stored statuses for every live task (reports.snapshots)
            for line in sweep_run(as_of=as_of).lines():
                self.stdout.write(line)
        with job_run("audit_anchor"):
            audit_anchor()  # the night's events included; cron's `audit_anchor` covers the day (docs/audit.md)
