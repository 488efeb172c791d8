from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from audit import chain
from audit.models import AuditChainHead, AuditEvent
from audit.services import event_content


class Command(BaseCommand):
    help = "Verify the audit log's hash chain: prints 'OK <n> events' (exit 0) or the first broken event (exit 1)."

    def handle(self, *args, **options):
        head = AuditChainHead.objects.filter(id=1).first()
        events = (event_content(e) for e in AuditEvent.objects.order_by("id").iterator(chunk_size=2000))
        verdict = chain.verify(
            events,
            head_hash=head.last_hash if head else chain.GENESIS,
            head_count=head.count if head else 0,
        )
        if verdict.ok:
            self.stdout.write(f"OK {verdict.count} events")
            return
        self.stderr.write(
            _("BROKEN at event %(id)s (%(reason)s) after %(n)d events")
            % {"id": verdict.first_broken_id, "reason": verdict.reason, "n": verdict.count}
        )
        self.stdout.write(f"BROKEN {verdict.first_broken_id}")
        raise SystemExit(1)
