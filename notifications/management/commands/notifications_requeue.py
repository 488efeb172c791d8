"""Queue again the e-mails and robot messages whose next attempt is due (a lost enqueue, a queue outage).

Safe to run as often as you like (cron every few minutes, or once before starting the worker): each
attempt claims its delivery first, so a delivery queued twice is still sent once.

The same timer recovers background jobs whose queue worker was killed mid-job (core/jobs.py,
`jobs_recover_stale`): a job without a heartbeat for `--job-minutes` (30) is failed and its upload deleted.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from core.jobs import jobs_recover_stale
from core.runs import job_run
from notifications.services import deliveries_requeue


class Command(BaseCommand):
    help = (
        "Queue again the notification deliveries (e-mail, robots) whose next attempt is due, and fail the "
        "background jobs whose worker stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--job-minutes", type=int, default=30, help="a running job without a heartbeat this long is failed"
        )

    def handle(self, *args, **options):
        with job_run("notifications_requeue"):  # for /metrics (core/metrics.py)
            count = deliveries_requeue()
            stale = jobs_recover_stale(older_than=timedelta(minutes=max(1, options["job_minutes"])))
        self.stdout.write(f"queued {count} deliveries; failed {stale} stale background jobs")
