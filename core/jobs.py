"""Long work in the queue, with progress (后台任务): a city's ledger export and whatever else holds a worker
for seconds.

An app registers a kind once (in its AppConfig.ready)::

    register_job("task_ledger_export", run=task_ledger_export)

    def task_ledger_export(ctx: JobContext) -> JobResult:   # runs in the queue worker (manage.py db_worker)
        ctx.progress(0, total)                              # shown on the job page and in the API
        ...
        return JobResult("task-ledger.xlsx", content, XLSX_MIME)

A view or API call starts it with `job_start(actor=…, kind=…, params=…)` and sends the person to the job
page (`/jobs/<id>/`, or `GET /api/v1/jobs/{id}`), which shows the progress and, when done, the file.
The run checks the permission again (`JobKind.allowed`): a role removed meanwhile gets nothing.

Exactly once: the row goes QUEUED → RUNNING in one conditional UPDATE, so a task delivered twice runs
once. The file is stored through core/uploads.py (checked, private, deleted if the run fails after
storing) and only its requester may fetch it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import uploads
from core.api import Out
from core.errors import ServiceError
from core.models import BackgroundJob

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class JobResult:
    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class JobKind:
    kind: str
    run: Callable[[JobContext], JobResult | None]  # None: work without a file (e.g. a status fill)
    allowed: Callable[[Any], bool] = lambda user: True  # checked when it starts and again when it runs


_KINDS: dict[str, JobKind] = {}


def register_job(kind: str, *, run: Callable[[JobContext], JobResult | None], allowed: Callable[[Any], bool]) -> None:
    _KINDS[kind] = JobKind(kind, run, allowed)


class JobContext:
    """What a running job sees: its row, its parameters, its requester, and `progress()`."""

    PROGRESS_EVERY = 0.5  # seconds between progress writes (a poll a second never misses a step)

    def __init__(self, job: BackgroundJob) -> None:
        self.job, self.params, self.user = job, job.params, job.requested_by
        self._written = 0.0

    def progress(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written < self.PROGRESS_EVERY:
            return
        self._written = now
        fields: dict[str, Any] = {"done": done}
        if total is not None:
            fields["total"] = total
        BackgroundJob.objects.filter(pk=self.job.pk).update(**fields)  # autocommit: visible to the poll at once

    def counted(self, items: Iterable[T], total: int) -> Iterator[T]:
        """Yield the items, reporting progress as they go."""
        self.progress(0, total, force=True)
        done = 0
        for item in items:
            yield item
            done += 1
            self.progress(done)
        self.progress(done, force=True)


def job_start(*, actor, kind: str, params: dict) -> BackgroundJob:
    """Queue a job of a registered kind for `actor`; it runs in a worker once this transaction commits."""
    from core.tasks import run_job

    entry = _KINDS.get(kind)
    if entry is None:
        raise ServiceError(_("Unknown background job."), field="kind")
    if not entry.allowed(actor):
        raise ServiceError(_("You may not start this job."), code="forbidden")
    job = BackgroundJob.objects.create(kind=kind, params=params, requested_by=actor)
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def job_run(job_id: int) -> str:
    """Run a queued job (the queue worker calls this); returns its final state."""
    claimed = BackgroundJob.objects.filter(pk=job_id, state=BackgroundJob.State.QUEUED).update(
        state=BackgroundJob.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"  # already run (a task delivered twice), or gone
    job = BackgroundJob.objects.select_related("requested_by").get(pk=job_id)
    entry = _KINDS.get(job.kind)
    try:
        if entry is None or not job.requested_by.is_active or not entry.allowed(job.requested_by):
            raise ServiceError(_("You may not start this job."), code="forbidden")
        result = entry.run(JobContext(job))
        _finish(job, result)
    except ServiceError as exc:
        _fail(job, exc.message)
    except Exception:
        logger.exception("background job %s (%s) failed", job.pk, job.kind)
        _fail(job, _("The job failed; try again, or ask the administrator to look at the log."))
    return BackgroundJob.objects.filter(pk=job_id).values_list("state", flat=True).first() or "gone"


@uploads.atomic
def _finish(job: BackgroundJob, result: JobResult | None) -> None:
    if result is not None:
        checked = uploads.validate_upload(uploads.Upload(result.content, result.filename))
        stored = uploads.store_upload(checked, folder="jobs")
        job.result, job.result_name, job.result_type = stored.name, result.filename[:200], result.content_type
    job.state, job.finished_at = BackgroundJob.State.DONE, timezone.now()
    done, total = BackgroundJob.objects.values_list("done", "total").get(pk=job.pk)  # written by progress()
    job.total, job.done = total, total if total is not None else done
    job.save(update_fields=["result", "result_name", "result_type", "state", "finished_at", "done", "total"])


def _fail(job: BackgroundJob, message: str) -> None:
    BackgroundJob.objects.filter(pk=job.pk).update(
        state=BackgroundJob.State.FAILED, message=str(message)[:500], finished_at=timezone.now()
    )


def job_get_for_user(user, pk: int) -> BackgroundJob:
    """The job if `user` asked for it; 404 for anyone else (no existence leak)."""
    job = BackgroundJob.objects.filter(pk=pk, requested_by_id=getattr(user, "pk", None)).first()
    if job is None:
        raise Http404
    return job


class JobOut(Out):
    id: int
    kind: str
    state: str
    done: int
    total: int | None
    percent: int
    message: str
    created_at: datetime
    finished_at: datetime | None
    file_url: str | None  # the API's download address, once done


def job_out(job: BackgroundJob) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "file_url": f"/api/v1/jobs/{job.pk}/file" if job.state == BackgroundJob.State.DONE else None,
    }
