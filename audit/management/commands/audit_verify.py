from contextlib import closing

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit import chain
from audit.anchors import read_anchors
from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_keyring, event_content

REASONS = {
    "link": gettext_noop("the event before it is gone or was altered"),
    "key": gettext_noop("sealed with a key that is not in the keyring"),
    "content": gettext_noop("the event was altered or forged"),
    "anchor": gettext_noop("an anchored event is gone, altered or moved"),
    "tail": gettext_noop("the newest events are gone"),
}


class Command(BaseCommand):
    help = (
        "Verify the audit log against the keyring and the anchor file: prints 'OK <n> events' (exit 0) or "
        "'BROKEN <event id>' with the reason and how many events verified before it (exit 1). docs/audit.md"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor-file",
            help="check against this anchor file (e.g. the off-box copy) instead of settings.AUDIT_ANCHOR_FILE",
        )

    def handle(self, *args, **options):
        path = options.get("anchor_file") or settings.AUDIT_ANCHOR_FILE
        try:
            anchors = read_anchors(path) if path else None
        except chain.AnchorError as exc:
            self.stderr.write(_("The anchor file %(path)s is damaged: %(error)s") % {"path": path, "error": exc})
            self.stdout.write("BROKEN anchor-file")
            raise SystemExit(1) from None
        if anchors is None:
            self.stderr.write(
                _("No anchor file (%(path)s): the newest events could be cut off unnoticed.") % {"path": path or "-"}
            )
        # Every chain at once, in id order (audit/chain.py); a chain without a head row is "tail".
        heads = {
            head_id: (last_hash, count)
            for head_id, last_hash, count in AuditChainHead.objects.values_list("id", "last_hash", "count")
        }
        # closing(): verify() stops at the first break with the database cursor still open; left to the
        # garbage collector it was closed after the connection, printing "Exception ignored ...".
        with closing(event_content(e) for e in AuditEvent.objects.order_by("id").iterator(chunk_size=2000)) as events:
            verdict = chain.verify(events, keys=audit_keyring().keys, heads=heads, anchors=anchors or ())
        if verdict.ok:
            self.stdout.write(f"OK {verdict.count} events")
            return
        self.stderr.write(
            _("BROKEN at event %(id)s of chain %(chain)s: %(reason)s. %(n)d events before it verified.")
            % {
                "id": verdict.first_broken_id,
                "chain": verdict.chain,
                "reason": _(REASONS[verdict.reason]),
                "n": verdict.count,
            }
        )
        self.stdout.write(f"BROKEN {verdict.first_broken_id}")
        raise SystemExit(1)
