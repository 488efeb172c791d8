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

from django.utils import timezone

from accounts.roles import Perm
from core.jobs import JobContext, job_start
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


# A change of every task's inputs (a working-day calendar edit) cuts every task's stored history from
# its day on; the queue refills those days as far back as the weekly timer keeps them
# (`status_history --last 400`, docs/deployment.md), so the cockpit of any of them stays a range read.
HISTORY_KIND = "status_history_fill"
HISTORY_DAYS = 400


def may_refill(user) -> bool:
    """Who may start a refill: who may edit the working-day calendar (the change that needs it)."""
    return user.has_luoshi_perm(Perm.PLAN_EDIT) or user.has_luoshi_perm(Perm.ORG_MANAGE)


def status_history_refill(ctx: JobContext) -> None:
    """Store every day of the range for every live task (reports.intervals.history_fill)."""
    start, end = date.fromisoformat(ctx.params["from"]), date.fromisoformat(ctx.params["to"])
    ctx.progress(0, None, force=True)
    intervals.history_fill(start, end, progress=lambda done, total: ctx.progress(done, total, force=True))


def history_refill_start(*, actor, since: date) -> BackgroundJob | None:
    """Queue the refill of the stored history from `since` to today (bounded by HISTORY_DAYS); None when
    no past day is affected."""
    today = timezone.localdate()
    start = max(since, today - timedelta(days=HISTORY_DAYS))
    if start >= today:
        return None
    # A refill still waiting that covers these days serves this change too (several edits in a row).
    for waiting in BackgroundJob.objects.filter(kind=HISTORY_KIND, state=BackgroundJob.State.QUEUED):
        if waiting.params.get("from", "9999") <= start.isoformat() and waiting.params.get("to") == today.isoformat():
            return waiting
    return job_start(actor=actor, kind=HISTORY_KIND, params={"from": start.isoformat(), "to": today.isoformat()})


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
