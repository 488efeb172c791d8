import json
import logging
import random
from collections.abc import Callable
from datetime import UTC
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from audit import chain
from audit.anchors import append_anchors
from audit.models import AuditChainHead, AuditEvent
from core.middleware import client_ip, current_request

if TYPE_CHECKING:
    from accounts.models import User

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
    actor: "User | AnonymousUser | None" = None,
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
    *,
    actor: "User | AnonymousUser | None" = None,
    entries: list[dict[str, Any]],
    ip: str | None = None,
    actor_username: str = "",
) -> list[AuditEvent]:
    """Append one event per entry under a single lock of the chain head, with a bulk insert.

    For bulk writes (the ledger import's thousands of task.create / task.update): the same events,
    in the same order, as as many audit_record calls, in 3 queries instead of 3 per event. Each entry
    holds audit_record's per-event arguments: verb, and any of obj, object_type, object_id,
    object_repr, before, after.
    """
    if isinstance(actor, AnonymousUser):  # a logged-out request's user: no one to name
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
    keyring = audit_keyring()
    with transaction.atomic(savepoint=False):
        head = _chain_head()
        events, prev = [], head.last_hash
        for content in contents:
            digest = chain.event_hash(prev, content, key=keyring.current_key, key_id=keyring.current_id)
            events.append(
                AuditEvent(
                    at=at,
                    actor=actor,
                    **{k: content[k] for k in ("actor_username", "verb", "object_type", "object_id")},
                    **{k: content[k] for k in ("object_repr", "before", "after", "ip")},
                    key_id=keyring.current_id,
                    chain=head.id,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            # Ids ascend in list order (one INSERT per batch, the head lock held): verify walks them by id.
            # Another transaction takes this chain only after we commit, so its ids come after ours.
            AuditEvent.objects.bulk_create(events, batch_size=1000)
        head.last_hash = prev
        head.count += len(events)
        head.save(update_fields=["last_hash", "count"])
    return events


# The chain this connection's transaction appends to: (marker, chain id). The marker is an on_commit
# callback registered when the chain was chosen; Django drops it from connection.run_on_commit when the
# transaction commits or rolls back, or when a savepoint taken before the choice rolls back (which
# releases the head's row lock too). So "the marker is still pending" means "this transaction still
# holds that head" (reports/rollup_cache.py reads the pending callbacks the same way).
_held: "WeakKeyDictionary[Any, tuple[Callable[[], None], int]]" = WeakKeyDictionary()


def _chain_head() -> AuditChainHead:
    """Lock and return the head this transaction appends to: the one it already holds, else the first
    free one, else (all held by other transactions) wait for one of them.

    One chain per transaction keeps its events contiguous and in id order within that chain. On SQLite
    the IMMEDIATE transaction already holds the write lock, nothing is ever "held", so chain 1 is taken.
    """
    wrapper = connections[DEFAULT_DB_ALIAS]
    held = _held.get(wrapper)
    if held is not None and any(entry[1] is held[0] for entry in wrapper.run_on_commit):
        return AuditChainHead.objects.select_for_update().get(id=held[1])  # ours already: no wait
    chains = max(1, settings.AUDIT_CHAINS)
    head = _first_free_head(chains)
    if head is None and AuditChainHead.objects.filter(id__lte=chains).count() < chains:
        # Heads are missing: `migrate` creates them (audit/apps.py), but the table may have been emptied
        # since. Created here, uncommitted, they make other first writers wait for this transaction once.
        audit_chain_heads_ensure()
        head = _first_free_head(chains)
    if head is None:
        # All held: queue on one of them, spread at random so waiters do not all wait on chain 1.
        head = AuditChainHead.objects.select_for_update().get(id=random.randint(1, chains))  # noqa: S311
    marker = _chain_marker()
    transaction.on_commit(marker)
    _held[wrapper] = (marker, head.id)
    return head


def audit_chain_heads_ensure(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the missing heads of chains 1..AUDIT_CHAINS (empty chains); never touches existing ones."""
    AuditChainHead.objects.using(using).bulk_create(
        [AuditChainHead(id=i, last_hash=chain.GENESIS, count=0) for i in range(1, max(1, settings.AUDIT_CHAINS) + 1)],
        ignore_conflicts=True,
    )


def _first_free_head(chains: int) -> AuditChainHead | None:
    # Ordered: a single writer always gets chain 1, two concurrent writers chains 1 and 2, and so on.
    return AuditChainHead.objects.select_for_update(skip_locked=True).filter(id__lte=chains).order_by("id").first()


def _chain_marker() -> Callable[[], None]:
    def chain_released() -> None:
        pass

    return chain_released


def audit_access_refused(
    *, actor: "User", status: int, method: str, path: str, object_type: str = "", object_id: str = ""
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
        "chain": event.chain,
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


def audit_anchor(*, path: str | None = None) -> list[chain.Anchor]:
    """Append each chain's head (newest event id, hash, position, time; one line per chain that has
    events) to the anchor file and the `audit.anchor` log (route it to syslog: docs/audit.md).

    Reads without locking the heads: a head row and the event it names commit together.
    """
    path = settings.AUDIT_ANCHOR_FILE if path is None else path
    heads = list(AuditChainHead.objects.filter(count__gt=0).order_by("id"))
    ids = dict(AuditEvent.objects.filter(hash__in=[h.last_hash for h in heads]).values_list("hash", "id"))
    at = timezone.localtime().isoformat(timespec="seconds")
    anchors = []
    for head in heads:
        event_id = ids.get(head.last_hash)
        if event_id is None:
            continue  # the head names no event: audit_verify reports the break
        anchors.append(chain.Anchor(event_id=event_id, hash=head.last_hash, count=head.count, at=at, chain=head.id))
    if path:
        append_anchors(path, anchors)
    for anchor in anchors:
        anchor_log.info("audit anchor %s", anchor.line())
    return anchors
