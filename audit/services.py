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
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": chain.GENESIS, "count": 0}
        )
        digest = chain.event_hash(head.last_hash, content)
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
            prev_hash=head.last_hash,
            hash=digest,
        )
        head.last_hash = digest
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return event


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
