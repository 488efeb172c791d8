"""The keyed hash chain, the keyring and anchors as plain data (no database)."""

import hashlib

import pytest

from audit import chain

KEYS = {"k1": b"k1-" + b"x" * 40, "k2": b"k2-" + b"y" * 40}


def content(i: int) -> dict:
    return {
        "at": f"2021-01-{i:02d}T00:00:00.000000+00:00",
        "actor_id": 1,
        "actor_username": "office",
        "verb": "task.update",
        "object_type": "plans.task",
        "object_id": str(i),
        "object_repr": "任务",
        "before": {"target": 1},
        "after": {"target": 2},
        "ip": "127.0.0.1",
    }


def make_chain(n: int, *, key_ids=None) -> list[dict]:
    events, prev = [], chain.GENESIS
    for i in range(1, n + 1):
        key_id = key_ids[i - 1] if key_ids else "k1"
        digest = chain.event_hash(prev, content(i), key=KEYS[key_id], key_id=key_id)
        events.append({**content(i), "id": i, "key_id": key_id, "prev_hash": prev, "hash": digest})
        prev = digest
    return events


def test_intact_chain_verifies():
    events = make_chain(5)
    verdict = chain.verify(events, keys=KEYS, heads={1: (events[-1]["hash"], 5)})
    assert verdict.ok and verdict.count == 5


def test_changed_content_is_found_at_that_event():
    events = make_chain(5)
    events[2]["after"] = {"target": 3}
    verdict = chain.verify(events, keys=KEYS)
    assert not verdict.ok and verdict.first_broken_id == 3 and verdict.reason == "content" and verdict.count == 2


def test_deleted_middle_event_breaks_the_next_link():
    events = make_chain(5)
    del events[1]
    verdict = chain.verify(events, keys=KEYS)
    assert not verdict.ok and verdict.first_broken_id == 3 and verdict.reason == "link" and verdict.count == 1


def test_deleted_newest_event_is_caught_by_the_head():
    events = make_chain(5)
    head = events[-1]["hash"]
    verdict = chain.verify(events[:-1], keys=KEYS, heads={1: (head, 5)})
    assert not verdict.ok and verdict.first_broken_id == 5 and verdict.reason == "tail"


def test_a_chain_recomputed_with_plain_sha256_after_a_deletion_is_broken():
    # The attack of issue 12: delete events and recompute every later hash without the key.
    events = make_chain(20)
    kept = events[:5] + events[16:]
    prev = kept[4]["hash"]
    for event in kept[5:]:
        event["prev_hash"] = prev
        event["hash"] = hashlib.sha256((prev + chain.canonical(event)).encode()).hexdigest()
        prev = event["hash"]
    verdict = chain.verify(kept, keys=KEYS, heads={1: (prev, len(kept))})
    assert not verdict.ok and verdict.first_broken_id == 17 and verdict.reason == "content" and verdict.count == 5


def test_a_chain_recomputed_with_a_wrong_key_is_broken():
    events = make_chain(3)
    forged = chain.event_hash(events[1]["hash"], events[2], key=b"guess" * 10, key_id="k1")
    events[2]["hash"] = forged
    assert chain.verify(events, keys=KEYS).reason == "content"


def test_events_sealed_with_rotated_keys_verify_with_the_keyring():
    events = make_chain(4, key_ids=["k1", "k1", "k2", "k2"])
    assert chain.verify(events, keys=KEYS).ok


def test_an_event_whose_key_left_the_ring_is_reported_as_such():
    events = make_chain(4, key_ids=["k1", "k1", "k2", "k2"])
    verdict = chain.verify(events, keys={"k2": KEYS["k2"]})
    assert not verdict.ok and verdict.first_broken_id == 1 and verdict.reason == "key"


def test_relabelling_an_event_to_another_key_of_the_ring_breaks_it():
    events = make_chain(2)
    events[1]["key_id"] = "k2"
    assert chain.verify(events, keys=KEYS).reason == "content"


def test_the_legacy_hash_is_the_unkeyed_sha256_of_the_first_version():
    expected = hashlib.sha256((chain.GENESIS + chain.canonical(content(1))).encode()).hexdigest()
    assert chain.legacy_hash(chain.GENESIS, content(1)) == expected


def test_canonical_form_ignores_key_order_and_unhashed_fields():
    a = {"verb": "x", "before": {"a": 1, "b": 2}, "extra": "ignored"}
    b = {"before": {"b": 2, "a": 1}, "verb": "x"}
    assert chain.canonical(a) == chain.canonical(b)


# --- anchors ----------------------------------------------------------------------------------------


def anchor_at(events: list[dict], position: int) -> chain.Anchor:
    event = events[position - 1]
    return chain.Anchor(event_id=event["id"], hash=event["hash"], count=position, at="2021-01-31T00:00:00+08:00")


def test_a_chain_that_matches_its_anchors_verifies():
    events = make_chain(6)
    verdict = chain.verify(events, keys=KEYS, anchors=[anchor_at(events, 2), anchor_at(events, 6)])
    assert verdict.ok and verdict.count == 6


def test_newest_events_cut_off_with_the_head_row_are_caught_by_an_anchor():
    events = make_chain(6)
    anchors = [anchor_at(events, 6)]
    cut = events[:3]  # the head row edited to match: the keyed chain alone still holds
    assert chain.verify(cut, keys=KEYS, heads={1: (cut[-1]["hash"], 3)}).ok
    verdict = chain.verify(cut, keys=KEYS, heads={1: (cut[-1]["hash"], 3)}, anchors=anchors)
    assert not verdict.ok and verdict.first_broken_id == 6 and verdict.reason == "anchor" and verdict.count == 3


def test_an_anchored_event_at_another_position_is_broken():
    events = make_chain(4)
    anchor = chain.Anchor(event_id=3, hash=events[2]["hash"], count=2)
    verdict = chain.verify(events, keys=KEYS, anchors=[anchor])
    assert not verdict.ok and verdict.first_broken_id == 3 and verdict.reason == "anchor"


def test_an_anchor_with_another_hash_is_broken():
    events = make_chain(4)
    anchor = chain.Anchor(event_id=3, hash="f" * 64, count=3)
    assert chain.verify(events, keys=KEYS, anchors=[anchor]).reason == "anchor"


def test_anchor_lines_round_trip_and_a_garbled_line_is_an_error():
    anchors = [chain.Anchor(event_id=7, hash="a" * 64, count=7, at="2021-01-31T00:00:00+08:00")]
    text = "\n".join(a.line() for a in anchors) + "\n\n"
    assert chain.parse_anchors(text) == anchors
    with pytest.raises(chain.AnchorError, match="line 2"):
        chain.parse_anchors(text.strip() + '\n{"event_id": 8}\n')


# --- keyring ----------------------------------------------------------------------------------------


def test_the_last_key_of_the_ring_seals_and_every_key_verifies():
    ring = chain.parse_keyring(f"# rotated 2021-06\nk1 {'a' * 40}\n\nk2 {'b' * 40}\n")
    assert ring.current_id == "k2" and ring.current_key == b"b" * 40
    assert set(ring.keys) == {"k1", "k2"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no key"),
        ("k1", "expected"),
        ("k1 short", "shorter"),
        (f"bad/id {'a' * 40}", "key id"),
        (f"k1 {'a' * 40}\nk1 {'b' * 40}", "twice"),
    ],
)
def test_a_malformed_keyring_is_refused_with_the_line(text, message):
    with pytest.raises(chain.KeyringError, match=message):
        chain.parse_keyring(text)
