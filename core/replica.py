"""Reads that may go to a read replica (`DATABASE_REPLICA_URL`), and the staleness rule that keeps the rest
on the primary.

A city can add a PostgreSQL streaming replica for the heavy reads: the cockpit (领导驾驶舱), rollups,
exports, bulletins and the public portal. Those read sites wrap their work in `with replica_reads():`;
`ReplicaRouter` then sends their reads to the alias `replica`. Everything else reads the primary.

The staleness rule (docs/deployment.md "Read replica"): a replica lags by up to a few seconds, so a read
that must see the user's own write never goes there:
- only the read sites above opt in; forms, detail pages and lists read the primary;
- inside a transaction on the primary (a service, an audit record, a status fill's locks) every read
  goes to the primary, and writes always do (`db_for_write` is the primary);
- for `REPLICA_STICKY_SECONDS` (default 15) after a request that wrote (POST/PUT/PATCH/DELETE), the
  same browser reads the primary everywhere (`PrimaryAfterWriteMiddleware`, a cookie): a user who
  approves a report and opens the cockpit sees the approval.
Status fills started from a replica read stay right: a fill stores a result only if the task's status
generation, re-read under lock on the primary, is the one read with the data (reports/snapshots.py), and
a change bumps the generation in the same transaction, which the replica applies atomically.

Without `DATABASE_REPLICA_URL` there is no `replica` alias and all of this is a no-op.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
COOKIE = "luoshi_primary_until"
_reads = ContextVar("luoshi_replica_reads", default=False)
_sticky = ContextVar("luoshi_primary_sticky", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside the block may be served by the replica (when one is configured and the rule allows)."""
    token = _reads.set(True)
    try:
        yield
    finally:
        _reads.reset(token)


def read_alias() -> str:
    """The alias a read issued now goes to (for raw SQL at a read site: `connections[read_alias()]`)."""
    if _reads.get() and not _sticky.get() and replica_configured():
        if not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """DATABASE_ROUTERS entry: opt-in reads to the replica, everything else (and every write) to the primary."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica receives the schema by replication


class PrimaryAfterWriteMiddleware:
    """After a write, this browser reads the primary for REPLICA_STICKY_SECONDS (its own write is visible)."""

    WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        try:
            until = float(request.COOKIES.get(COOKIE, "0"))
        except ValueError:
            until = 0.0
        token = _sticky.set(until > time.time())
        try:
            response = self.get_response(request)
        finally:
            _sticky.reset(token)
        if request.method in self.WRITES:
            seconds = settings.REPLICA_STICKY_SECONDS
            response.set_cookie(
                COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
