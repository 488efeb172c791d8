"""A day nobody stored, filled in the queue (core/jobs.py) instead of in a request.

The cockpit of a day no status interval covers used to compute the engine over the whole city in
the request (~8 s at 20 000 tasks, a worker held). When more than `intervals.INLINE_FILL_LIMIT`
tasks in scope lack the day, the page starts this job (or joins the one already filling that day)
and polls its progress; when it is done, the day is one range read like any stored day. The
nightly `manage.py status_history` / sweep keep this rare (docs/deployment.md).
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.roles import Perm
from core.jobs import JobContext, job_schedule, job_start
from core.models import BackgroundJob
from plans.models import Task
from reports import intervals

KIND = "status_fill"

# The catch-up of marked tasks (reports.snapshots.status_catch_up) runs this long after the first
# submission that asks for it: the submissions of that second share one run and one read of inputs.
CATCH_UP_DELAY = timedelta(seconds=1)
# How far the queue worker's clock may run ahead of this machine's (the worker starts a task when its
# own clock passes `run_after`; NTP keeps the difference to milliseconds).
CLOCK_MARGIN = timedelta(milliseconds=200)
_scheduled: datetime | None = None
_scheduled_lock = threading.Lock()


def catch_up_soon() -> None:
    """After a commit that marked tasks `refresh_due`: schedule the catch-up, unless this process has
    already scheduled one that cannot have started yet (its `run_after` is later than now, with a
    margin): that run reads the marks after this commit, so it sees them. At most one enqueue per
    process and second, however many submissions. A lost enqueue leaves the marks to the next run
    or the nightly sweep; readers compute missing rows meanwhile, so nothing reads a stale status."""
    global _scheduled
    from reports.tasks import status_catch_up_run

    now = timezone.now()
    with _scheduled_lock:
        if _scheduled is not None and now < _scheduled - CLOCK_MARGIN:
            return
        _scheduled = run_after = now + CATCH_UP_DELAY
    try:
        status_catch_up_run.using(run_after=run_after).enqueue()
    except Exception:
        with _scheduled_lock:
            _scheduled = None  # nothing was scheduled: the next commit tries again
        raise


def may_fill(user) -> bool:
    """Who may start a fill: whoever reads the city's cockpit."""
    return user.has_luoshi_perm(Perm.BUSINESS_READ_ALL)


def status_fill(ctx: JobContext) -> None:
    """Store the day for every live task no interval covers, progress per 1 000 tasks."""
    day = date.fromisoformat(ctx.params["day"])
    ctx.progress(0, None, force=True)
    missing = intervals.ensure_covered(
        Task.objects.alive(), day, progress=lambda done, total: ctx.progress(done, total, force=True)
    )
    ctx.progress(missing, missing, force=True)


# A change that cuts the stored history of many tasks (a working-day calendar edit: every task; a plan's
# settings, a moved subtree, an import: theirs) leaves past days that more than INLINE_FILL_LIMIT tasks
# lack, so their cockpit would queue a one-day fill and `/api/v1/rollups` compute the city in the request.
# `reports.snapshots.status_refresh` schedules this refill for such a change (one rule for every change):
# the queue stores every day the change cut again, back to the start of the tasks that lack some of
# them, so any past day stays a range read (an old plan's settings change refills its old days too; a
# calendar edit years back costs the worker ~60 µs a task-day: 20 000 tasks × 400 days ≈ 8 min).
HISTORY_KIND = "status_history_fill"


def may_refill(user) -> bool:
    """Who may see a refill (the system starts it): who may make the changes that need one (the
    working-day calendar, a plan's settings)."""
    return user.has_luoshi_perm(Perm.PLAN_EDIT) or user.has_luoshi_perm(Perm.ORG_MANAGE)


def status_history_refill(ctx: JobContext) -> None:
    """Store every day of the range for the live tasks that lack some day of it (reports.intervals.with_gap):
    the tasks the changes cut, and any other whose history has a hole (those few cost little).

    Days before the earliest start of those tasks are left out (as `status_history --all` does)."""
    start, end = date.fromisoformat(ctx.params["from"]), date.fromisoformat(ctx.params["to"])
    ctx.progress(0, None, force=True)
    # Ids and start dates only: history_fill reads each batch's tasks itself, after their generations.
    tasks = list(intervals.with_gap(Task.objects.alive(), start, end).only("pk", "start_date").order_by("pk"))
    if tasks:
        first = max(start, min(t.start_date for t in tasks))
        intervals.history_fill(first, end, tasks, progress=lambda done, total: ctx.progress(done, total, force=True))
    ctx.progress(len(tasks), len(tasks), force=True)


def history_refill_due(*, since: date | None) -> BackgroundJob | None:
    """Queue the refill of the stored history from `since` (None: every day, from the earliest start of
    a live task) to today, or widen the refill already waiting; None when no past day is affected.

    Called inside the changing transaction (reports.snapshots.status_refresh): the job rolls back with
    the change, and its run is queued when the change commits. A waiting refill is locked until then,
    so a worker cannot start it before the change it now also serves is visible."""
    today = timezone.localdate()
    start = since if since is not None else intervals.earliest_start()
    if start is None or start >= today:
        return None
    with transaction.atomic():
        waiting = _waiting_refill(today, lock=True)
        if waiting is None:
            return job_schedule(kind=HISTORY_KIND, params={"from": start.isoformat(), "to": today.isoformat()})
        if waiting.params["from"] > start.isoformat():
            waiting.params = {**waiting.params, "from": start.isoformat()}
            waiting.save(update_fields=["params"])
        return waiting


def history_refill_waiting() -> BackgroundJob | None:
    """The refill queued today and not yet started (what the calendar page names after a change)."""
    return _waiting_refill(timezone.localdate(), lock=False)


def _waiting_refill(today: date, *, lock: bool) -> BackgroundJob | None:
    waiting = BackgroundJob.objects.filter(
        kind=HISTORY_KIND, state=BackgroundJob.State.QUEUED, params__to=today.isoformat()
    ).order_by("pk")
    return (waiting.select_for_update() if lock else waiting).first()


def status_fill_start(*, actor, day: date, kind: str = KIND) -> BackgroundJob:
    """The queued or running fill of the day, or a new one: many viewers of one day share one fill.
    `kind`: another day fill keyed the same way (projects/fill.py)."""
    running = (
        BackgroundJob.objects.filter(
            kind=kind, params__day=day.isoformat(), state__in=[BackgroundJob.State.QUEUED, BackgroundJob.State.RUNNING]
        )
        .order_by("pk")
        .first()
    )
    return running or job_start(actor=actor, kind=kind, params={"day": day.isoformat()})


def status_fill_latest(day: date) -> BackgroundJob | None:
    """The last fill of the day, whatever its state (what a polling page shows)."""
    return BackgroundJob.objects.filter(kind=KIND, params__day=day.isoformat()).order_by("-pk").first()
