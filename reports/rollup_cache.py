"""Cached rollups (cockpit and /api/v1/rollups), keyed by the status epoch (reports.models.StatusEpoch).

A city's rollup groups 20 000 stored rows (about 20 ms of SQL alone); the cockpit is read far more
often than statuses change. Rules:

- Whatever changes stored statuses (`reports.snapshots._invalidate`) or what rollups group by
  (saves and deletes of tasks, plans, plan nodes, tags, units and leader posts, through signals)
  calls `epoch_touch()`: once the transaction commits, the epoch gets a new random value. A
  rolled-back transaction leaves it alone.
- A reader reads the epoch *before* the data and stores `(epoch, result)`; it uses a cached result
  only if the epoch is still the same. A change committed meanwhile has moved the epoch, so the
  next reader recomputes: nobody sees a rollup older than the last committed change once its
  commit has returned (the approval test in reports/tests covers this).
- The cache is Django's default cache: memory per worker process, which is enough because the
  epoch, the part that must be shared, lives in the database. Entries also expire after `TIMEOUT`
  seconds, which bounds the harm of a change that bypassed the rules (bulk SQL outside the
  services). Tests run with a dummy cache (on-commit hooks never fire inside a test's rolled-back
  transaction); reports/tests/test_rollup_cache.py tests the cache itself.
"""

import secrets
from collections.abc import Callable, Iterable
from datetime import date
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction

from plans.selectors import task_scope_key
from reports.models import StatusEpoch

TIMEOUT = 600
T = TypeVar("T")


def _bump() -> None:
    # Random, not +1: a database restored to an older state never meets an entry cached for
    # other data under the same number.
    updated = StatusEpoch.objects.filter(pk=1).update(value=secrets.randbits(62))
    if not updated:
        StatusEpoch.objects.get_or_create(pk=1, defaults={"value": secrets.randbits(62)})


class _PendingBump:
    """The on-commit hook; knows whether it has run, so a transaction registers at most one pending."""

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        self.done = True
        _bump()


def epoch_touch() -> None:
    """Move the epoch when the current transaction commits (at once outside a transaction); once per
    transaction however many changes it makes (a ledger import saves thousands of tasks)."""
    if connection.in_atomic_block and any(
        isinstance(entry[1], _PendingBump) and not entry[1].done for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_PendingBump())


def epoch_current() -> int:
    value = StatusEpoch.objects.filter(pk=1).values_list("value", flat=True).first()
    return 0 if value is None else value


def _full_key(key: str) -> str:
    return f"luoshi:rollup:{connection.settings_dict['NAME']}:{key}"


def cached(key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or its result stored under `key` while the epoch has not moved."""
    epoch = epoch_current()  # before the data: see the module docstring
    full_key = _full_key(key)
    hit = cache.get(full_key)
    if hit is not None and hit[0] == epoch:
        return hit[1]
    result = compute()
    cache.set(full_key, (epoch, result), TIMEOUT)
    return result


def cached_together(keys: list[str], compute: Callable[[], list[T]]) -> list[T]:
    """`cached` for results read together (one query for several groupings): all from the cache,
    else `compute()` (one result per key, in order), each stored under the epoch read before it."""
    epoch = epoch_current()  # before the data, once for all of them
    full_keys = [_full_key(key) for key in keys]
    hits = cache.get_many(full_keys)
    if all(key in hits and hits[key][0] == epoch for key in full_keys):
        return [hits[key][1] for key in full_keys]
    results = compute()
    cache.set_many({key: (epoch, result) for key, result in zip(full_keys, results, strict=True)}, TIMEOUT)
    return results


def scope_key(user, as_of: date, plan_ids: Iterable[int], *parts: str) -> str:
    """Cache key part for a user's rollup scope (the whole city, one unit's tasks, or none), the
    plans counted (two choices of plans never share an entry) and the day."""
    plans = "p" + "-".join(str(pk) for pk in sorted(plan_ids))
    return ":".join([task_scope_key(user), plans, as_of.isoformat(), *parts])
