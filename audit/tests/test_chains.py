"""Several audit chains (docs/audit.md): a transaction appends to one chain, concurrent writers do not
wait for each other (PostgreSQL), and each chain is verified and anchored on its own."""

import threading

import pytest
from django.db import connection, transaction

from audit import chain
from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_anchor, audit_keyring, audit_record, audit_record_many, event_content
from audit.tests.test_verify import run_verify

WAIT = 20  # seconds; only reached when a writer is blocked, which fails the test


def move_newest_to_chain_2(n: int) -> list[AuditEvent]:
    """Re-seal the newest n events (with the key, as the application would have) as chain 2, and fix
    both heads: the state two concurrent writers leave, built on any database."""
    keyring = audit_keyring()
    events = list(AuditEvent.objects.order_by("-id")[:n])[::-1]
    prev = chain.GENESIS
    for event in events:
        event.chain, event.prev_hash = 2, prev
        event.hash = prev = chain.event_hash(prev, event_content(event), key=keyring.current_key, key_id=event.key_id)
    AuditEvent.objects.bulk_update(events, ["chain", "prev_hash", "hash"])
    rest = AuditEvent.objects.filter(chain=1).order_by("-id").first()
    AuditChainHead.objects.filter(id=1).update(last_hash=rest.hash, count=AuditEvent.objects.filter(chain=1).count())
    AuditChainHead.objects.update_or_create(id=2, defaults={"last_hash": prev, "count": n})
    return events


def test_interleaved_chains_verify_each_on_its_own():
    keys = {"k": b"k" * 40}
    events, prevs = [], {1: chain.GENESIS, 2: chain.GENESIS}
    for i in range(1, 9):
        number = 1 if i % 3 else 2  # ids 3 and 6 on chain 2
        content = {"verb": "x", "object_id": str(i)}
        digest = chain.event_hash(prevs[number], content, key=keys["k"], key_id="k")
        events.append({**content, "id": i, "chain": number, "key_id": "k", "prev_hash": prevs[number], "hash": digest})
        prevs[number] = digest
    heads = {1: (prevs[1], 6), 2: (prevs[2], 2)}
    assert chain.verify(events, keys=keys, heads=heads) == chain.Verdict(True, 8)
    # Tampering in chain 2 names its event and chain; the events of chain 1 before it verified.
    tampered = [dict(e, verb="forged") if e["id"] == 6 else e for e in events]
    assert chain.verify(tampered, keys=keys, heads=heads) == chain.Verdict(False, 5, 6, "content", 2)
    # An event moved to another chain no longer links to that chain's predecessor.
    moved = [dict(e, chain=1) if e["id"] == 6 else e for e in events]
    assert chain.verify(moved, keys=keys).reason == "link"
    # A chain's newest event cut off with its head row gone too: caught as a tail of that chain.
    assert chain.verify(events[:-3] + events[-2:], keys=keys, heads={1: heads[1]}) == chain.Verdict(
        False, 7, 4, "tail", 2
    )


def test_an_anchor_names_its_chain_and_old_lines_are_chain_1():
    anchor = chain.Anchor(event_id=7, hash="a" * 64, count=3, at="t", chain=2)
    assert chain.parse_anchors(anchor.line()) == [anchor]
    old = '{"at":"t","count":3,"event_id":7,"hash":"' + "a" * 64 + '"}'
    assert chain.parse_anchors(old)[0].chain == 1


@pytest.mark.django_db
def test_tampering_in_a_non_first_chain_is_found():
    for i in range(6):
        audit_record(verb="test.event", object_type="test", object_id=i)
    moved = move_newest_to_chain_2(4)
    assert run_verify()[:2] == (0, f"OK {AuditEvent.objects.count()} events")
    AuditEvent.objects.filter(pk=moved[2].pk).update(object_repr="forged")
    code, out, err = run_verify()
    assert (code, out) == (1, f"BROKEN {moved[2].pk}")
    assert "第 2 条链" in err


@pytest.mark.django_db
def test_each_chain_is_anchored_and_a_cut_chain_is_caught(settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchor.log")
    for i in range(6):
        audit_record(verb="test.event", object_type="test", object_id=i)
    moved = move_newest_to_chain_2(3)
    anchors = audit_anchor()
    newest_of_1 = AuditEvent.objects.filter(chain=1).order_by("-id").first()
    assert [(a.chain, a.event_id, a.count) for a in anchors] == [
        (1, newest_of_1.pk, AuditEvent.objects.count() - 3),
        (2, moved[-1].pk, 3),
    ]
    assert chain.parse_anchors((tmp_path / "audit-anchor.log").read_text()) == anchors
    # Cut chain 2's newest event and fix its head: the keyed chain holds, the anchor does not.
    AuditEvent.objects.filter(pk=moved[-1].pk).delete()
    AuditChainHead.objects.filter(id=2).update(last_hash=moved[-2].hash, count=2)
    assert run_verify("--anchor-file", str(tmp_path / "none.log"))[0] == 0
    assert run_verify()[:2] == (1, f"BROKEN {moved[-1].pk}")


# --- PostgreSQL: real row locks between connections ---------------------------------------------------


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with IMMEDIATE transactions; concurrent chains need PostgreSQL")


def _run(target, errors: list) -> threading.Thread:
    def body():
        try:
            target()
        except Exception as exc:  # noqa: BLE001  (collected and asserted in the test)
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_appends_and_commits_while_the_first_holds_its_chain(settings):
    _postgresql_only()
    settings.AUDIT_CHAINS = 4
    first_holds, second_done = threading.Event(), threading.Event()
    commits, errors, ids = [], [], {}

    def first():
        with transaction.atomic():
            ids["first"] = [audit_record(verb="test.first", object_type="test", object_id=1).pk]
            first_holds.set()
            # Serialised appends would leave the second writer blocked on our head until we commit.
            assert second_done.wait(WAIT), "the second writer did not get past the audit chain"
            ids["first"].append(audit_record(verb="test.first", object_type="test", object_id=2).pk)
        commits.append("first")

    def second():
        assert first_holds.wait(WAIT)
        with transaction.atomic():
            ids["second"] = [e.pk for e in audit_record_many(entries=[{"verb": "test.second"}] * 3)]
            ids["second"].append(audit_record(verb="test.second", object_type="test", object_id=4).pk)
        commits.append("second")
        second_done.set()

    threads = [_run(first, errors), _run(second, errors)]
    for thread in threads:
        thread.join()
    assert errors == []
    assert commits == ["second", "first"]
    chains = dict(AuditEvent.objects.filter(verb__startswith="test.").values_list("id", "chain"))
    assert {chains[i] for i in ids["first"]} == {1} and {chains[i] for i in ids["second"]} == {2}
    assert run_verify()[:2] == (0, f"OK {AuditEvent.objects.count()} events")


@pytest.mark.django_db(transaction=True)
def test_a_transaction_keeps_its_chain_when_a_lower_one_frees(settings):
    """Its events stay contiguous and in id order in one chain, even after the chain it skipped is free."""
    _postgresql_only()
    settings.AUDIT_CHAINS = 4
    holds, release, released = threading.Event(), threading.Event(), threading.Event()
    errors: list = []

    def other():
        with transaction.atomic():
            audit_record(verb="test.other", object_type="test", object_id=0)
            holds.set()
            assert release.wait(WAIT)
        released.set()

    thread = _run(other, errors)
    assert holds.wait(WAIT)
    with transaction.atomic():
        mine = [audit_record(verb="test.mine", object_type="test", object_id=1)]
        release.set()
        assert released.wait(WAIT)  # chain 1 is free again: the ordered SKIP LOCKED would pick it
        mine += audit_record_many(entries=[{"verb": "test.mine", "object_id": i} for i in range(2, 5)])
    thread.join()
    assert errors == []
    own_chain = AuditEvent.objects.get(pk=mine[0].pk).chain
    assert own_chain != AuditEvent.objects.get(verb="test.other").chain
    assert list(AuditEvent.objects.filter(chain=own_chain).order_by("id").values_list("id", flat=True)) == sorted(
        e.pk for e in mine
    )
    assert run_verify()[:2] == (0, f"OK {AuditEvent.objects.count()} events")
