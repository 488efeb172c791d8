"""Queue again the e-mails and robot messages whose next attempt is due (a lost enqueue, a queue outage).

Safe to run as often as you like (cron every few minutes, or once before starting the worker): each
attempt claims its delivery first, so a delivery queued twice is still sent once.
"""

from django.core.management.base import BaseCommand

from core.runs import job_run
from notifications.services import deliveries_requeue


class Command(BaseCommand):
    help = "Queue again the notification deliveries (e-mail, robots) whose next attempt is due."

    def handle(self, *args, **options):
        with job_run("notifications_requeue"):  # for /metrics (core/metrics.py)
            count = deliveries_requeue()
        self.stdout.write(f"queued {count} deliveries")
