"""The audit hash chain. Pure: no Django import, tested with plain data.

Each event stores hash = HMAC-SHA256(key, key id + previous hash + canonical content) and the id
of the key it was sealed with. The key lives outside the database (docs/audit.md), so someone
who can edit the database but has not got the key can neither recompute a hash after changing,
inserting or deleting an event, nor re-seal the chain from the point of a deletion onwards.

There are several chains (settings.AUDIT_CHAINS, docs/audit.md), so that writers on different
connections do not queue behind one head row: each event records its chain, links to the previous
event of that chain, and each chain is verified on its own; the global order is the event id.

What a key cannot catch is the newest events being cut off together with the head row (nothing
after them needs re-sealing). Anchors catch that: each chain's head (event id, hash, position) is
periodically appended to a file outside the database, and every anchored event must still be
there, unchanged, at the same position of the same chain.
"""

import hashlib
import hmac
import json
import re
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
KEY_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
MIN_KEY_LENGTH = 32


def canonical(content: Mapping[str, Any]) -> str:
    picked = {name: content.get(name) for name in HASHED_FIELDS}
    return json.dumps(picked, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(prev_hash: str, content: Mapping[str, Any], *, key: bytes, key_id: str) -> str:
    # The key id is inside the MAC, so an event cannot be relabelled to another key of the ring.
    message = f"{key_id}\n{prev_hash}{canonical(content)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def legacy_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The unkeyed hash of the first version; only the re-sealing migration still reads it."""
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


# --- the keyring ------------------------------------------------------------------------------------


class KeyringError(ValueError):
    pass


@dataclass(frozen=True)
class Keyring:
    """Every key ever used (for verifying), and the current one (for sealing): the last line."""

    keys: Mapping[str, bytes]
    current_id: str

    @property
    def current_key(self) -> bytes:
        return self.keys[self.current_id]


def parse_keyring(text: str) -> Keyring:
    """`<key id> <secret>` per line, oldest first; blank lines and `#` comments are ignored.

    Rotating a key is appending a line: new events are sealed with the last key, older events are
    still verified with theirs.
    """
    keys: dict[str, bytes] = {}
    current = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2:
            raise KeyringError(f"line {number}: expected '<key id> <secret>'")
        key_id, secret = parts
        if not KEY_ID_RE.match(key_id):
            raise KeyringError(f"line {number}: key id {key_id!r} is not 1-32 letters, digits, '.', '_' or '-'")
        if len(secret) < MIN_KEY_LENGTH:
            raise KeyringError(f"line {number}: the secret of {key_id!r} is shorter than {MIN_KEY_LENGTH} characters")
        if key_id in keys:
            raise KeyringError(f"line {number}: key id {key_id!r} appears twice")
        keys[key_id] = secret.encode()
        current = key_id
    if not keys:
        raise KeyringError("no key")
    return Keyring(keys=keys, current_id=current)


# --- anchors ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """A chain's head as it was at `at`: the event `event_id` was the `count`-th of chain `chain` and had `hash`."""

    event_id: int
    hash: str
    count: int
    at: str = ""
    chain: int = 1  # anchor lines written before there were several chains name chain 1

    def line(self) -> str:
        fields = {"at": self.at, "chain": self.chain, "count": self.count, "event_id": self.event_id, "hash": self.hash}
        return json.dumps(fields, sort_keys=True, separators=(",", ":"))


class AnchorError(ValueError):
    pass


def parse_anchors(text: str) -> list[Anchor]:
    """JSON lines as written by Anchor.line(); a line that is not one is an error, never skipped."""
    anchors = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            anchor = Anchor(
                event_id=int(data["event_id"]),
                hash=str(data["hash"]),
                count=int(data["count"]),
                at=str(data["at"]),
                chain=int(data.get("chain", 1)),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise AnchorError(f"line {number} is not an anchor") from exc
        anchors.append(anchor)
    return anchors


# --- verification ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int  # events verified good (before the first broken one, in id order, all chains)
    first_broken_id: int | None = None
    reason: str = ""
    chain: int | None = None  # the chain of the first broken event


@dataclass
class _Walk:
    """Where the walk of one chain stands: the hash the next event must link to, events seen, last id."""

    prev: str = GENESIS
    count: int = 0
    last_id: int = 0


def verify(
    events: Iterable[Mapping[str, Any]],
    *,
    keys: Mapping[str, bytes],
    heads: Mapping[int, tuple[str, int]] | None = None,
    anchors: Iterable[Anchor] = (),
) -> Verdict:
    """Walk events in id order, all chains at once, each linked to the previous event of its own chain.

    Each event has `id`, `chain` (1 when absent), `key_id`, `prev_hash`, `hash` and the hashed fields.
    `heads` maps each chain to its head row's (last hash, count); None skips the head check. Stops at
    the first broken event in id order, so everything before it (in any chain) is proven.

    Reasons: "link" (the previous event of the chain is gone or was altered), "key" (sealed with a key
    not in the ring), "content" (the event was altered), "anchor" (an anchored event is gone, altered or
    moved), "tail" (a chain is shorter than its head row says, or has no head row).
    """
    by_id = {a.event_id: a for a in anchors}
    walks: dict[int, _Walk] = {}
    total = 0
    for event in events:
        event_id, number = event["id"], event.get("chain", 1)
        walk = walks.setdefault(number, _Walk())
        if event["prev_hash"] != walk.prev:
            return Verdict(False, total, event_id, "link", number)
        key = keys.get(event["key_id"])
        if key is None:
            return Verdict(False, total, event_id, "key", number)
        if not hmac.compare_digest(event_hash(walk.prev, event, key=key, key_id=event["key_id"]), event["hash"]):
            return Verdict(False, total, event_id, "content", number)
        anchor = by_id.pop(event_id, None)
        if anchor is not None and (
            anchor.chain != number or anchor.hash != event["hash"] or anchor.count != walk.count + 1
        ):
            return Verdict(False, total, event_id, "anchor", number)
        walk.count += 1
        walk.last_id = event_id
        walk.prev = event["hash"]
        total += 1
    if by_id:
        # An anchored event is no longer in its chain: the newest events were cut off (with the head row
        # edited to match) or the chain was rebuilt without it.
        missing = min(by_id.values(), key=lambda a: a.event_id)
        return Verdict(False, total, missing.event_id, "anchor", missing.chain)
    if heads is not None:
        for number in sorted(set(heads) | set(walks)):
            walk = walks.get(number, _Walk())
            if heads.get(number, (GENESIS, 0)) != (walk.prev, walk.count):
                # The newest events of this chain were removed (or its head was edited or deleted):
                # point after its last good event.
                return Verdict(False, total, walk.last_id + 1, "tail", number)
    return Verdict(True, total)
