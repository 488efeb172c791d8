import json
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from audit import chain
from audit.models import AuditChainHead, AuditEvent
from core.middleware import client_ip, current_request


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
    return audit_record_many(
        actor=actor,
        ip=ip,
        actor_username=actor_username,
        entries=[
            {
                "verb": verb,
                "obj": obj,
                "object_type": object_type,
                "object_id": object_id,
                "object_repr": object_repr,
                "before": before,
                "after": after,
            }
        ],
    )[0]


def audit_record_many(
    *, actor=None, entries: list[dict[str, Any]], ip: str | None = None, actor_username: str = ""
) -> list[AuditEvent]:
    """Append one event per entry under a single lock of the chain head, with a bulk insert.

    For bulk writes (the ledger import's thousands of task.create / task.update): the same events,
    in the same order, as as many audit_record calls, in 3 queries instead of 3 per event. Each entry
    holds audit_record's per-event arguments: verb, and any of obj, object_type, object_id,
    object_repr, before, after.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    at = timezone.now()
    ip = ip if ip is not None else client_ip(current_request.get())
    contents = []
    for entry in entries:
        obj = entry.get("obj")
        object_type, object_id, object_repr = (
            entry.get("object_type", ""),
            entry.get("object_id", ""),
            entry.get("object_repr", ""),
        )
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or obj.pk
            object_repr = object_repr or str(obj)
        contents.append(
            {
                "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
                "actor_id": actor.pk if actor else None,
                "actor_username": actor.get_username() if actor else actor_username,
                "verb": entry["verb"],
                "object_type": object_type,
                "object_id": str(object_id),
                "object_repr": object_repr[:200],
                "before": _jsonable(entry.get("before")),
                "after": _jsonable(entry.get("after")),
                "ip": ip,
            }
        )
    if not contents:
        return []
    # No savepoint: an error here must abort the caller's whole transaction anyway, and a savepoint
    # costs two round trips per event.
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": chain.GENESIS, "count": 0}
        )
        events, prev = [], head.last_hash
        for content in contents:
            digest = chain.event_hash(prev, content)
            events.append(
                AuditEvent(
                    at=at,
                    actor=actor,
                    **{k: content[k] for k in ("actor_username", "verb", "object_type", "object_id")},
                    **{k: content[k] for k in ("object_repr", "before", "after", "ip")},
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            # Ids ascend in list order (one INSERT per batch, the head lock held): verify walks them by id.
            AuditEvent.objects.bulk_create(events, batch_size=1000)
        head.last_hash = prev
        head.count += len(events)
        head.save(update_fields=["last_hash", "count"])
    return events


def event_content(event: AuditEvent) -> dict[str, Any]:
    """The hashed fields of a stored event, in the form they were hashed."""
    return {
        "id": event.id,
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
