"""A day whose project statuses nobody stored, filled in the queue (core/jobs.py) instead of in a request.

The cockpit's projects card of a new past day used to compute the engine for every project of the city
in the request (6–70 s at 10 000 projects). When more than `reports.intervals.INLINE_FILL_LIMIT`
visible projects lack the day, the card starts this job (or joins the one filling that day) and shows
its progress; the job stores the rows `ensure_stored` would (projects.status, one engine).
The nightly sweep stores today's (workbench/sweep.py), so this is for past days.
"""

from __future__ import annotations

from datetime import date

from core.jobs import JobContext
from core.models import BackgroundJob
from projects import status as project_status
from projects.models import Project
from reports import intervals
from reports.fill import may_fill, status_fill_start

KIND = "project_status_fill"
__all__ = ["KIND", "may_fill", "project_status_fill", "project_status_fill_start", "queued"]


def queued(user, lacking: int) -> bool:
    """Whether `lacking` unstored projects go to the queue for this viewer (the tasks' limit and rule)."""
    return lacking > intervals.INLINE_FILL_LIMIT and may_fill(user)


def project_status_fill(ctx: JobContext) -> None:
    """Store the day's status of every project that has none, progress per batch."""
    day = date.fromisoformat(ctx.params["day"])
    ctx.progress(0, None, force=True)
    project_status.ensure_stored(
        Project.objects.all(),
        day,
        every_project=True,
        progress=lambda done, total: ctx.progress(done, total, force=True),
    )


def project_status_fill_start(*, actor, day: date) -> BackgroundJob:
    """The queued or running fill of the day, or a new one (one fill per day, shared by its viewers)."""
    return status_fill_start(actor=actor, day=day, kind=KIND)
