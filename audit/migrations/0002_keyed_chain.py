"""Seal the audit chain with an HMAC key (docs/audit.md).

Existing events were chained with plain SHA-256, which anyone with database access can recompute.
Rather than keep that unkeyed form verifiable for ever (which would let an attacker relabel any event
"legacy" and recompute it), this migration checks the old chain and re-seals every event, in order,
with the current key of settings.AUDIT_KEYRING, then anchors the new head. A chain already broken is
not laundered: the migration stops and names the event, unless AUDIT_SEAL_BROKEN_CHAIN=1 says the
break has been investigated.
"""

import os
from datetime import UTC

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from audit import chain
from audit.anchors import append_anchor


def _content(event) -> dict:
    return {
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
    }


def reseal(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    events = list(AuditEvent.objects.using(schema_editor.connection.alias).order_by("id"))
    if not events:
        return
    keyring = settings.AUDIT_KEYRING
    if keyring is None:
        raise RuntimeError("AUDIT_KEYRING is not set: the audit chain cannot be sealed (docs/audit.md).")
    broken_at = None
    old_prev = new_prev = chain.GENESIS
    for event in events:
        content = _content(event)
        if broken_at is None and (event.prev_hash != old_prev or chain.legacy_hash(old_prev, content) != event.hash):
            broken_at = event.id
        old_prev = event.hash
        event.key_id = keyring.current_id
        event.prev_hash = new_prev
        event.hash = chain.event_hash(new_prev, content, key=keyring.current_key, key_id=keyring.current_id)
        new_prev = event.hash
    if broken_at is not None and os.environ.get("AUDIT_SEAL_BROKEN_CHAIN") != "1":
        raise RuntimeError(
            f"The audit chain is already broken at event {broken_at}: investigate (manage.py audit_verify on the "
            "previous release) before sealing it; AUDIT_SEAL_BROKEN_CHAIN=1 seals it as it is."
        )
    AuditEvent.objects.using(schema_editor.connection.alias).bulk_update(
        events, ["key_id", "prev_hash", "hash"], batch_size=1000
    )
    AuditChainHead.objects.using(schema_editor.connection.alias).update_or_create(
        id=1, defaults={"last_hash": new_prev, "count": len(events)}
    )
    if settings.AUDIT_ANCHOR_FILE:
        stamp = timezone.localtime().isoformat(timespec="seconds")
        append_anchor(
            settings.AUDIT_ANCHOR_FILE, chain.Anchor(event_id=events[-1].id, hash=new_prev, count=len(events), at=stamp)
        )


def unseal(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    events = list(AuditEvent.objects.using(schema_editor.connection.alias).order_by("id"))
    prev = chain.GENESIS
    for event in events:
        event.prev_hash = prev
        event.hash = prev = chain.legacy_hash(prev, _content(event))
    AuditEvent.objects.using(schema_editor.connection.alias).bulk_update(events, ["prev_hash", "hash"], batch_size=1000)
    if events:
        AuditChainHead.objects.using(schema_editor.connection.alias).filter(id=1).update(last_hash=prev)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="legacy-sha256", max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(reseal, unseal),
    ]
