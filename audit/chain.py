"""The audit hash chain. Pure: no Django import, tested with plain data.

Each event stores hash = SHA-256(previous hash + canonical content). Changing
any stored field changes that event's hash; deleting an event breaks the link
of the one after it; deleting the newest event is caught by the chain head,
which remembers the last hash and the number of events.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
# The fields that are hashed, in a fixed list so adding a column never silently changes old hashes.
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "verb",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "ip",
)


def canonical(content: Mapping[str, Any]) -> str:
    picked = {name: content.get(name) for name in HASHED_FIELDS}
    return json.dumps(picked, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    first_broken_id: int | None = None
    reason: str = ""


def verify(
    events: Iterable[Mapping[str, Any]], *, head_hash: str | None = None, head_count: int | None = None
) -> Verdict:
    """Walk events in insertion order; each must have `id`, `prev_hash`, `hash` and the hashed fields."""
    prev = GENESIS
    count = 0
    last_id = None
    for event in events:
        count += 1
        last_id = event["id"]
        if event["prev_hash"] != prev:
            return Verdict(False, count, event["id"], "link")
        if event_hash(prev, event) != event["hash"]:
            return Verdict(False, count, event["id"], "content")
        prev = event["hash"]
    if head_hash is not None and (head_hash != prev or head_count != count):
        # The newest events were removed (or the head was edited): point after the last good one.
        return Verdict(False, count, (last_id or 0) + 1, "tail")
    return Verdict(True, count)
