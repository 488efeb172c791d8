import json
import logging
from datetime import UTC
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from audit import chain
from audit.anchors import append_anchor
from audit.models import AuditChainHead, AuditEvent
from core.middleware import client_ip, current_request

anchor_log = logging.getLogger("audit.anchor")


def audit_keyring() -> chain.Keyring:
    keyring = settings.AUDIT_KEYRING
    if keyring is None:
        raise ImproperlyConfigured("AUDIT_KEYRING is not set: see docs/audit.md.")
    return keyring


def _jsonable(value: Any) -> Any:
    # Round-trip through JSON so what is hashed is exactly what the JSON column returns later.
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def audit_record(
    *,
    actor=None,
    verb: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
    actor_username: str = "",
) -> AuditEvent:
    """Append one event to the hash chain. Call it inside the service's own transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    at = timezone.now()
    content = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor.pk if actor else None,
        "actor_username": actor.get_username() if actor else actor_username,
        "verb": verb,
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": object_repr[:200],
        "before": _jsonable(before),
        "after": _jsonable(after),
        "ip": ip if ip is not None else client_ip(current_request.get()),
    }
    # No savepoint: an error here must abort the caller's whole transaction anyway, and a savepoint
    # costs two round trips per event.
    keyring = audit_keyring()
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": chain.GENESIS, "count": 0}
        )
        digest = chain.event_hash(head.last_hash, content, key=keyring.current_key, key_id=keyring.current_id)
        event = AuditEvent.objects.create(
            at=at,
            actor=actor,
            actor_username=content["actor_username"],
            verb=verb,
            object_type=object_type,
            object_id=content["object_id"],
            object_repr=content["object_repr"],
            before=content["before"],
            after=content["after"],
            ip=content["ip"],
            key_id=keyring.current_id,
            prev_hash=head.last_hash,
            hash=digest,
        )
        head.last_hash = digest
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return event


def audit_access_refused(
    *, actor, status: int, method: str, path: str, object_type: str = "", object_id: str = ""
) -> AuditEvent | None:
    """An "access.refused" event: a 403, or a 404 on an object that exists but is outside the actor's
    scope (another unit's report, another user's notification). None for an id that does not exist."""
    if status == 404:
        try:
            exists = apps.get_model(object_type)._base_manager.filter(pk=object_id).exists()
        except (LookupError, ValueError):
            exists = False
        if not exists:
            return None
    return audit_record(
        actor=actor,
        verb="access.refused",
        object_type=object_type,
        object_id=object_id,
        object_repr=path,
        after={"status": status, "method": method, "path": path[:500]},
    )


def event_content(event: AuditEvent) -> dict[str, Any]:
    """The hashed fields of a stored event, in the form they were hashed."""
    return {
        "id": event.id,
        "key_id": event.key_id,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
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


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """Field values of a model instance for before/after (foreign keys as ids)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = getattr(obj, field.attname)
    return _jsonable(values)


def audit_anchor(*, path: str | None = None) -> chain.Anchor | None:
    """Append the chain head (newest event id, hash, position, time) to the anchor file and the
    `audit.anchor` log (route it to syslog: docs/audit.md). None when there is nothing to anchor.

    Reads without locking the head: the head row and the event it names commit together.
    """
    path = settings.AUDIT_ANCHOR_FILE if path is None else path
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None or head.count == 0:
        return None
    event_id = AuditEvent.objects.filter(hash=head.last_hash).values_list("id", flat=True).first()
    if event_id is None:
        return None  # the head names no event: audit_verify reports the break
    anchor = chain.Anchor(
        event_id=event_id, hash=head.last_hash, count=head.count, at=timezone.localtime().isoformat(timespec="seconds")
    )
    if path:
        append_anchor(path, anchor)
    anchor_log.info("audit anchor %s", anchor.line())
    return anchor
