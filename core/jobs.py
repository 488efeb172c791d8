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

A job may work on an uploaded file (a ledger import): `job_start(..., upload=checked)` stores it privately
with the job (core/uploads.py), the run reads it with `ctx.read_input()`, and it is deleted when the job
ends, however it ends. A job may also end without a file: `JobResult(message=…, lines=…, link=…)` (what an
import did), and a refusal may carry its report: `raise JobFailed(message, lines=[…])` (an import's
row/column errors), kept with the job and shown on its page and in the API. Every ledger import does this
through core/imports.py (`register_import`, `import_queued`): one rule for what is large, one job.

Progress inside a transaction (an import writes in one): on PostgreSQL `progress()` writes through a
connection of its own, so the poll sees it at once and a rollback does not undo it; on SQLite (a second
writer would wait for the first) progress inside a transaction is skipped until the transaction ends.

Exactly once: the row goes QUEUED → RUNNING in one conditional UPDATE, so a task delivered twice runs
once. The file is stored through core/uploads.py (checked, private, deleted if the run fails after
storing) and only its requester may fetch it.

A job the system starts itself (the refill of the stored status history after a change that cut many
tasks' history, reports/fill.py) has no requester: a service calls `job_schedule(kind=…, params=…)` in its
transaction, with no permission check (no person asked for it), and the run checks none. Its page is
shown to whoever the kind's `allowed` admits (who may make the changes that need it). Its run is queued
once the transaction commits; if queueing fails, the change stays committed and the job is failed
(logged), so a later change does not join a job that will never run.

A worker killed mid-job (OOM, a deploy's restart): the run writes `heartbeat_at` when it starts and with
every progress write; `jobs_recover_stale` (run by the `notifications_requeue` timer) fails a RUNNING job
whose heartbeat is older than its limit and deletes its stored upload, in a conditional UPDATE (still
RUNNING, heartbeat unchanged) so a slow job that wrote progress meanwhile is left alone. The run's own
ending (`_finish`, `_fail`) is conditional on the job still RUNNING: a worker that comes back late does not
turn a recovered job into "done" (its result file is deleted). On SQLite progress inside a transaction is
skipped, and so is its heartbeat: there a transaction longer than the limit looks stale (PostgreSQL does not).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
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
    filename: str = ""  # no file when empty (an import: what it did is the message)
    content: bytes = b""
    content_type: str = ""
    message: str = ""
    lines: tuple[str, ...] = ()
    link: str = ""  # where to look at what the job made (the imported tasks, an issued bulletin)


class JobFailed(ServiceError):
    """A refusal with its report (e.g. every bad cell of a ledger, by row and column)."""

    def __init__(self, message: str, *, lines: Iterable[str] = (), code: str = "refused") -> None:
        super().__init__(message, code=code)
        self.lines = list(lines)


@dataclass(frozen=True)
class JobKind:
    kind: str
    run: Callable[[JobContext], JobResult | None]  # None: work without a file (e.g. a status fill)
    # Checked when a person starts it and again when it runs; for a job the system started: who may see it.
    allowed: Callable[[Any], bool] = lambda user: True


_KINDS: dict[str, JobKind] = {}


def register_job(kind: str, *, run: Callable[[JobContext], JobResult | None], allowed: Callable[[Any], bool]) -> None:
    _KINDS[kind] = JobKind(kind, run, allowed)


class JobContext:
    """What a running job sees: its row, its parameters, its requester, and `progress()`."""

    PROGRESS_EVERY = 0.5  # seconds between progress writes (a poll a second never misses a step)

    def __init__(self, job: BackgroundJob) -> None:
        self.job, self.params, self.user = job, job.params, job.requested_by
        self._written, self._stage = 0.0, ""
        # PostgreSQL: a connection of its own for progress inside a transaction.
        self._side: BaseDatabaseWrapper | None = None
        # Transactions open when the run began (none in the worker; a test's own): deeper means the job's.
        self._depth = len(connections[DEFAULT_DB_ALIAS].atomic_blocks)

    @property
    def actor(self) -> Any:
        """The user who started the job, for the services it calls. Only a job a user started reads it;
        a job the system scheduled (`job_schedule`, no requester) never does."""
        if self.user is None:
            raise RuntimeError(f"job {self.job.pk} ({self.job.kind}) has no requester")
        return self.user

    def read_input(self) -> bytes:
        """The uploaded file the job was started with."""
        with self.job.input.open("rb") as handle:
            return handle.read()

    def progress(self, done: int, total: int | None = None, *, stage: str | None = None, force: bool = False) -> None:
        """Record `done` of `total` (and the stage's words, shown with it) at most every PROGRESS_EVERY."""
        now = time.monotonic()
        if stage is not None and stage != self._stage:
            force, self._stage = True, stage  # a new stage shows at once
        if not force and now - self._written < self.PROGRESS_EVERY:
            return
        self._written = now
        fields: dict[str, Any] = {"done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if stage is not None:
            fields["message"] = str(stage)[:500]
        primary = connections[DEFAULT_DB_ALIAS]
        if len(primary.atomic_blocks) <= self._depth:
            BackgroundJob.objects.filter(pk=self.job.pk).update(**fields)  # autocommit: the poll sees it at once
        elif primary.vendor == "postgresql":
            self._write_aside(fields)
        # SQLite inside a transaction: skipped (a second connection would wait for the transaction's lock).

    def _write_aside(self, fields: dict[str, Any]) -> None:
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
        table = BackgroundJob._meta.db_table
        columns = ", ".join(f"{primary_quote(name)} = %s" for name in fields)
        with self._side.cursor() as cursor:  # autocommit on its own connection
            sql = f"UPDATE {primary_quote(table)} SET {columns} WHERE id = %s"  # noqa: S608 (the names are ours)
            cursor.execute(sql, [*fields.values(), self.job.pk])

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None

    def counted(self, items: Iterable[T], total: int) -> Iterator[T]:
        """Yield the items, reporting progress as they go."""
        self.progress(0, total, force=True)
        done = 0
        for item in items:
            yield item
            done += 1
            self.progress(done)
        self.progress(done, force=True)


def primary_quote(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


@uploads.atomic
def job_start(*, actor, kind: str, params: dict, upload: uploads.CheckedUpload | None = None) -> BackgroundJob:
    """Queue a job of a registered kind for `actor`; it runs in a worker once this transaction commits.
    `upload` (checked by the caller) is stored privately with the job and deleted when the job ends."""
    from core.tasks import run_job

    entry = _KINDS.get(kind)
    if entry is None:
        raise ServiceError(_("Unknown background job."), field="kind")
    if not entry.allowed(actor):
        raise ServiceError(_("You may not start this job."), code="forbidden")
    stored = uploads.store_upload(upload, folder="job-inputs").name if upload is not None else ""
    job = BackgroundJob.objects.create(kind=kind, params=params, requested_by=actor, input=stored)
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def job_schedule(*, kind: str, params: dict) -> BackgroundJob:
    """Queue a job the system starts itself (no requester, no permission check: a service's follow-up
    work, not a person's request); it runs in a worker once this transaction commits."""
    if kind not in _KINDS:
        raise ServiceError(_("Unknown background job."), field="kind")
    job = BackgroundJob.objects.create(kind=kind, params=params, requested_by=None)
    # robust: the change that scheduled it is committed by then and must not fail for the queue.
    # (a function, not a partial: Django logs a robust callback's failure by its __qualname__)
    transaction.on_commit(lambda: _enqueue_or_fail(job.pk), robust=True)
    return job


def _enqueue_or_fail(job_id: int) -> None:
    from core.tasks import run_job

    try:
        run_job.enqueue(job_id)
    except Exception:
        BackgroundJob.objects.filter(pk=job_id, state=BackgroundJob.State.QUEUED).update(
            state=BackgroundJob.State.FAILED,
            message=_("The job failed; try again, or ask the administrator to look at the log."),
            finished_at=timezone.now(),
        )
        raise


def job_run(job_id: int) -> str:
    """Run a queued job (the queue worker calls this); returns its final state."""
    now = timezone.now()
    claimed = BackgroundJob.objects.filter(pk=job_id, state=BackgroundJob.State.QUEUED).update(
        state=BackgroundJob.State.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return "skipped"  # already run (a task delivered twice), or gone
    job = BackgroundJob.objects.select_related("requested_by").get(pk=job_id)
    entry = _KINDS.get(job.kind)
    context = JobContext(job)
    try:
        person = job.requested_by  # None: the system scheduled it (job_schedule)
        if entry is None or (person is not None and (not person.is_active or not entry.allowed(person))):
            raise ServiceError(_("You may not start this job."), code="forbidden")
        result = entry.run(context)
        _finish(job, result)
    except JobFailed as exc:
        _fail(job, exc.message, lines=exc.lines)
    except ServiceError as exc:
        _fail(job, exc.message)
    except Exception:
        logger.exception("background job %s (%s) failed", job.pk, job.kind)
        _fail(job, _("The job failed; try again, or ask the administrator to look at the log."))
    finally:
        context.close()
        _drop_input(job)
    return BackgroundJob.objects.filter(pk=job_id).values_list("state", flat=True).first() or "gone"


@uploads.atomic
def _finish(job: BackgroundJob, result: JobResult | None) -> None:
    """Done, if the job is still RUNNING (recovery may have failed it meanwhile: then its file goes)."""
    fields: dict[str, Any] = {"state": BackgroundJob.State.DONE, "finished_at": timezone.now()}
    if result is not None and result.content:
        checked = uploads.validate_upload(uploads.Upload(result.content, result.filename))
        stored = uploads.store_upload(checked, folder="jobs")
        fields.update(result=stored.name, result_name=result.filename[:200], result_type=result.content_type)
    if result is not None:
        fields.update(message=str(result.message)[:500], outcome={"lines": list(result.lines), "link": result.link})
    done, total = BackgroundJob.objects.values_list("done", "total").get(pk=job.pk)  # written by progress()
    fields.update(total=total, done=total if total is not None else done)
    if not BackgroundJob.objects.filter(pk=job.pk, state=BackgroundJob.State.RUNNING).update(**fields):
        uploads.release_upload(fields.get("result", ""))  # recovered meanwhile: nobody will fetch it
        logger.warning("background job %s (%s) finished after it was recovered as stale", job.pk, job.kind)


def _fail(job: BackgroundJob, message: str, *, lines: Iterable[str] = ()) -> None:
    BackgroundJob.objects.filter(pk=job.pk, state=BackgroundJob.State.RUNNING).update(
        state=BackgroundJob.State.FAILED,
        message=str(message)[:500],
        outcome={"lines": [str(line) for line in lines], "link": ""},
        finished_at=timezone.now(),
    )


def _drop_input(job: BackgroundJob) -> None:
    """The job's uploaded file goes when the job ends (done or failed): the job keeps only its report."""
    name = job.input.name
    if not name:
        return
    with transaction.atomic():
        BackgroundJob.objects.filter(pk=job.pk).update(input="")
        uploads.release_upload(name)  # deleted once the row no longer names it


def jobs_recover_stale(*, older_than: timedelta) -> int:
    """Fail the RUNNING jobs whose worker is gone (no heartbeat for `older_than`) and delete their stored
    uploads; return how many. A job that writes progress meanwhile is left alone (conditional UPDATE)."""
    cutoff = timezone.now() - older_than
    stale = BackgroundJob.objects.filter(state=BackgroundJob.State.RUNNING).filter(
        models.Q(heartbeat_at__lt=cutoff) | models.Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    recovered = 0
    for pk, heartbeat, name in stale.values_list("pk", "heartbeat_at", "input"):
        with transaction.atomic():
            changed = BackgroundJob.objects.filter(
                pk=pk, state=BackgroundJob.State.RUNNING, heartbeat_at=heartbeat
            ) if heartbeat is not None else BackgroundJob.objects.filter(
                pk=pk, state=BackgroundJob.State.RUNNING, heartbeat_at__isnull=True
            )  # fmt: skip
            if changed.update(
                state=BackgroundJob.State.FAILED,
                message=_("The background job was interrupted (its worker stopped); please submit it again."),
                finished_at=timezone.now(),
                input="",
            ):
                uploads.release_upload(name)  # deleted once the row no longer names it
                recovered += 1
                logger.warning("background job %s had no heartbeat since %s: failed as stale", pk, heartbeat)
    return recovered


def job_get_for_user(user, pk: int) -> BackgroundJob:
    """The job if `user` asked for it, or the system did and its kind admits `user`; 404 for anyone else
    (no existence leak)."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        raise Http404
    job = BackgroundJob.objects.filter(models.Q(requested_by_id=user_id) | models.Q(requested_by=None), pk=pk).first()
    if job is None:
        raise Http404
    if job.requested_by_id is None:
        entry = _KINDS.get(job.kind)
        if entry is None or not entry.allowed(user):
            raise Http404
    return job


class JobOut(Out):
    id: int
    kind: str
    state: str
    done: int
    total: int | None
    percent: int
    message: str  # while running: the stage; done: what the job did; failed: why
    lines: list[str]  # the report kept with the job (an import's errors, by row and column)
    link: str  # where to look at what it made, if anything
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
        "lines": list((job.outcome or {}).get("lines", [])),
        "link": (job.outcome or {}).get("link", ""),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "file_url": f"/api/v1/jobs/{job.pk}/file" if job.state == BackgroundJob.State.DONE and job.result else None,
    }
