"""The hash chain as plain data (no database)."""

from audit import chain


def make_chain(n: int) -> list[dict]:
    events, prev = [], chain.GENESIS
    for i in range(1, n + 1):
        content = {
            "at": f"2021-01-0{i}T00:00:00.000000+00:00",
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
        digest = chain.event_hash(prev, content)
        events.append({**content, "id": i, "prev_hash": prev, "hash": digest})
        prev = digest
    return events


def test_intact_chain_verifies():
    events = make_chain(5)
    verdict = chain.verify(events, head_hash=events[-1]["hash"], head_count=5)
    assert verdict.ok and verdict.count == 5


def test_changed_content_is_found_at_that_event():
    events = make_chain(5)
    events[2]["after"] = {"target": 3}
    verdict = chain.verify(events)
    assert not verdict.ok and verdict.first_broken_id == 3 and verdict.reason == "content"


def test_deleted_middle_event_breaks_the_next_link():
    events = make_chain(5)
    del events[1]
    verdict = chain.verify(events)
    assert not verdict.ok and verdict.first_broken_id == 3 and verdict.reason == "link"


def test_deleted_newest_event_is_caught_by_the_head():
    events = make_chain(5)
    head = events[-1]["hash"]
    verdict = chain.verify(events[:-1], head_hash=head, head_count=5)
    assert not verdict.ok and verdict.first_broken_id == 5 and verdict.reason == "tail"


def test_canonical_form_ignores_key_order_and_unhashed_fields():
    a = {"verb": "x", "before": {"a": 1, "b": 2}, "extra": "ignored"}
    b = {"before": {"b": 2, "a": 1}, "verb": "x"}
    assert chain.canonical(a) == chain.canonical(b)
