"""Ledger imports, small in the request and large in the queue: one rule and one job for every ledger.

Every ledger import (任务分解表, 重点项目台账 and 月报, 企业名录, 诉求台账, 指标台账) is all rows or none and names
each bad cell by row and column. A small file is imported within the request, as before. A large one
(`import_in_queue`: more than `IMPORT_SYNC_MAX_ROWS` data rows or `IMPORT_SYNC_MAX_BYTES`) would hold a
worker for seconds (20 000 rows: 17–30 s): it is stored privately with a background job (core/jobs.py)
and the same importer runs in the queue worker, its progress (rows read, then rows written) on the job
page, its refusal's row/column errors kept with the job.

An app registers its import once (in its AppConfig.ready)::

    register_import("project_ledger_import", run=ledger_import, allowed=may_import,
                    summary=import_summary, link="projects:list")

`run(actor=…, data=…, progress=…, **params)` is the importer the page calls (the job's params are passed
as keywords: the task ledger's plan); it returns an outcome with `ok`, `errors` and `rows`. `allowed` is
checked when the job starts and again when it runs (a role removed meanwhile gets nothing); the importer
checks its own rules as it always does. `summary(outcome)` is what the job page says when it is done, and
`link` where to look at what it imported (a URL name, or a function of the job's params).

The page::

    data = upload.read()
    queued = import_queued(request, kind="project_ledger_import", upload=upload, data=data)
    if queued is not None:
        return queued                       # the job's page, with a message
    outcome = ledger_import(actor=request.user, data=data)   # small: within the request
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core import uploads
from core.jobs import JobContext, JobFailed, JobResult, job_start, register_job
from core.xlsx_safety import xlsx_problem

# An import runs in the request up to this many data rows (measured on the task ledger: 2 000 rows took
# 2.4 s of CPU, 5.1 s wall on a busy machine, so 1 000 stay near a second; docs/tasks-and-ledger.md) and
# this many bytes (a sheet may under-declare its size; an export writes ~60 bytes a row); beyond either,
# in the queue.
IMPORT_SYNC_MAX_ROWS = 1000
IMPORT_SYNC_MAX_BYTES = 128 * 1024
HEADER_ROWS = 2  # every ledger: a title row, then the header row

# progress(stage, done, total): the stage's words, rows done of total (a background job's progress).
ImportProgress = Callable[[str, int, int | None], None]

READING = gettext_lazy("Reading and checking the rows")
WRITING = gettext_lazy("Writing the rows")
T = TypeVar("T")


class ImportOutcome(Protocol):
    """What every importer returns: its errors (by row and column; none when it imported) and the rows."""

    errors: list[str]

    @property
    def ok(self) -> bool: ...

    @property
    def rows(self) -> int: ...


class Counted(Protocol):
    created: int
    updated: int
    unchanged: int


def reading(progress: ImportProgress | None) -> Callable[[int, int | None], None] | None:
    """A parser's `on_row(rows read, rows in all)` that tells `progress` (a job's), if any."""
    if progress is None:
        return None
    return lambda done, total: progress(str(READING), done, total)


def writing(items: Sequence[T], progress: ImportProgress | None) -> Iterator[T]:
    """The items to write, one by one, telling `progress` (a job's), if any, how many are written so far."""
    total = len(items)
    for done, item in enumerate(items):
        if progress is not None:
            progress(str(WRITING), done, total)
        yield item
    if progress is not None:
        progress(str(WRITING), total, total)


def declared_rows(data: bytes, *, header_rows: int = HEADER_ROWS) -> int | None:
    """The data rows the first sheet declares (its dimension), without reading them; None if it cannot tell
    (not a workbook, no dimension). Cheap: decides whether an import runs in the request or the queue."""
    if not data or not zipfile.is_zipfile(io.BytesIO(data)) or xlsx_problem(data) is not None:
        return None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        last = wb.worksheets[0].max_row
        wb.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
        return None
    return max(0, last - header_rows) if last else None


def import_in_queue(data: bytes) -> bool:
    """Whether an uploaded ledger is imported by the queue (large) or within the request (small)."""
    rows = declared_rows(data)
    if rows is None:  # not a workbook (the parser names the problem at once), or no declared size
        return zipfile.is_zipfile(io.BytesIO(data)) and len(data) > IMPORT_SYNC_MAX_BYTES
    return rows > IMPORT_SYNC_MAX_ROWS or len(data) > IMPORT_SYNC_MAX_BYTES


def counts_summary(outcome: Counted) -> str:
    """An import's counts as the page and the job say them (the task ledger, the enterprise ledgers)."""
    return _("Imported: %(c)d new, %(u)d updated, %(n)d unchanged.") % {
        "c": outcome.created,
        "u": outcome.updated,
        "n": outcome.unchanged,
    }


def import_refusal(errors: list[str]) -> str:
    n = len(errors)
    return ngettext("The file was not imported: %(n)s problem.", "The file was not imported: %(n)s problems.", n) % {
        "n": n
    }


@dataclass(frozen=True)
class LedgerImport:
    kind: str
    run: Callable[..., ImportOutcome]  # run(actor=, data=, progress=, **params)
    summary: Callable[[Any], str]
    link: str | Callable[[dict[str, Any]], str]  # a URL name, or the address from the job's params


def register_import(
    kind: str,
    *,
    run: Callable[..., ImportOutcome],
    allowed: Callable[[Any], bool],
    summary: Callable[[Any], str],
    link: str | Callable[[dict[str, Any]], str],
) -> None:
    """A job kind that runs `run` on the uploaded file in the queue (see the module's docstring)."""
    register_job(kind, run=partial(_import_job, LedgerImport(kind, run, summary, link)), allowed=allowed)


def _import_job(spec: LedgerImport, ctx: JobContext) -> JobResult:
    """The uploaded ledger through its importer: its progress on the job; a refusal (nothing written) keeps
    the errors by row and column as the job's report."""
    outcome = spec.run(
        actor=ctx.actor,
        data=ctx.read_input(),
        progress=lambda stage, done, total: ctx.progress(done, total, stage=str(stage)),
        **ctx.params,
    )
    if not outcome.ok:
        raise JobFailed(import_refusal(outcome.errors), lines=outcome.errors)
    ctx.progress(outcome.rows, outcome.rows, force=True)  # the count inside the transaction may not have been written
    link = reverse(spec.link) if isinstance(spec.link, str) else spec.link(ctx.params)
    return JobResult(message=spec.summary(outcome), link=link)


def import_queued(
    request: HttpRequest, *, kind: str, upload: Any, data: bytes, params: dict[str, Any] | None = None
) -> HttpResponse | None:
    """A large ledger: checked like every upload, stored privately with a new job of `kind` (imported by the
    queue, all rows or none) and the person sent to the job's page; None for a small one (import it within the
    request). Raises ServiceError (a refused file, no permission), which the page shows on its form."""
    if not import_in_queue(data):
        return None
    checked = uploads.validate_upload(upload)
    job = job_start(actor=request.user, kind=kind, params=params or {}, upload=checked)
    messages.info(
        request,
        _(
            "The file is large, so it is imported in the background: this page shows its progress. "
            "All rows are imported, or none."
        ),
    )
    return redirect("workbench:job_detail", pk=job.pk)
