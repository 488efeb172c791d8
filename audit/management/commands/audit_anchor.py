"""`manage.py audit_anchor`: append the audit chain heads to the anchor file (cron, every few minutes)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from audit.services import audit_anchor
from core.runs import job_run


class Command(BaseCommand):
    help = (
        "Append each audit chain's head (chain, event id, hash, count, time) to settings.AUDIT_ANCHOR_FILE and "
        "the 'audit.anchor' log. Schedule it every few minutes and copy the file off the box: docs/audit.md."
    )

    def handle(self, *args, **options):
        with job_run("audit_anchor"):  # the anchor's age, for /metrics (core/metrics.py)
            anchors = audit_anchor()
        if not anchors:
            self.stdout.write("nothing to anchor")
            return
        where = settings.AUDIT_ANCHOR_FILE or "-"
        for anchor in anchors:
            self.stdout.write(
                f"anchored chain {anchor.chain}: event {anchor.event_id} ({anchor.count} events) to {where}"
            )
