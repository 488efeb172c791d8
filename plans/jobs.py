"""The city's task ledger in the queue (core/jobs.py), with progress instead of a request holding a worker:

- the export: the same filters, rows and workbook as `GET /api/v1/tasks/ledger.xlsx` (20 000 tasks:
  3–6 s of a worker, docs/performance.md);
- the import of a large 任务分解表 (20 000 rows: 17–30 s): the same `ledger_import` as the page's
  synchronous path, all rows or none; a refusal keeps every row/column error with the job.

Which imports go to the queue: more than `IMPORT_SYNC_MAX_ROWS` data rows (the sheet's declared size);
smaller ones finish within the request (docs/tasks-and-ledger.md).
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Perm
from audit.services import audit_record
from core.jobs import JobContext, JobFailed, JobResult
from core.replica import replica_reads
from core.xlsx import XLSX_MIME
from plans.ledger import build_task_ledger_xlsx, ledger_row_count
from plans.models import Plan
from plans.selectors import TaskFilter, ledger_stream, task_list
from plans.services import ImportOutcome, ledger_import
from reports.selectors import tasks_with_status

KIND = "task_ledger_export"
IMPORT_KIND = "task_ledger_import"
# An import runs in the request up to this many data rows (measured: 2 000 rows took 2.4 s of CPU,
# 5.1 s wall on a busy machine, so 1 000 stay near a second; docs/tasks-and-ledger.md) and this many bytes
# (a sheet may under-declare its size; the export writes ~60 bytes a row); beyond either, in the queue.
IMPORT_SYNC_MAX_ROWS = 1000
IMPORT_SYNC_MAX_BYTES = 128 * 1024


def import_in_queue(data: bytes) -> bool:
    rows = ledger_row_count(data)
    if rows is None:  # not a workbook (the parser names the problem at once), or no declared size
        return zipfile.is_zipfile(io.BytesIO(data)) and len(data) > IMPORT_SYNC_MAX_BYTES
    return rows > IMPORT_SYNC_MAX_ROWS or len(data) > IMPORT_SYNC_MAX_BYTES


READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


def may_export(user) -> bool:
    return any(user.has_luoshi_perm(p) for p in READ)


def job_params(flt: TaskFilter, *, as_of: date | None, status: str = "", light: str = "") -> dict:
    """The job's parameters (JSON) from the filters the list, the page export and the API share."""
    values = dataclasses.asdict(flt)
    for key in ("deadline_from", "deadline_to"):
        values[key] = values[key].isoformat() if values[key] else None
    values["plans"] = list(values["plans"])
    return {"filter": values, "status": status, "light": light, "as_of": as_of.isoformat() if as_of else None}


def _filter(params: dict) -> TaskFilter:
    values = dict(params["filter"])
    for key in ("deadline_from", "deadline_to"):
        values[key] = date.fromisoformat(values[key]) if values.get(key) else None
    values["plans"] = tuple(values.get("plans") or ())
    return TaskFilter(**values)


def task_ledger_export(ctx: JobContext) -> JobResult:
    params = ctx.params
    as_of = date.fromisoformat(params["as_of"]) if params.get("as_of") else timezone.localdate()
    with replica_reads():  # a read replica when configured (core/replica.py)
        tasks = task_list(ctx.user, _filter(params))
        tasks = tasks_with_status(tasks, as_of, status=params.get("status", ""), light=params.get("light", ""))
        total = tasks.count()
        content = build_task_ledger_xlsx(ctx.counted(ledger_stream(tasks), total))
    audit_record(actor=ctx.user, verb="task.export", object_type="plans.task", after={**params, "job": ctx.job.pk})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return JobResult(f"task-ledger-{stamp}.xlsx", content, XLSX_MIME)


def may_import(user) -> bool:
    return user.has_luoshi_perm(Perm.PLAN_EDIT)


def import_summary(outcome: ImportOutcome) -> str:
    return _("Imported: %(c)d new, %(u)d updated, %(n)d unchanged.") % {
        "c": outcome.created,
        "u": outcome.updated,
        "n": outcome.unchanged,
    }


def import_refusal(outcome: ImportOutcome) -> str:
    n = len(outcome.errors)
    return ngettext("The file was not imported: %(n)s problem.", "The file was not imported: %(n)s problems.", n) % {
        "n": n
    }


def task_ledger_import(ctx: JobContext) -> JobResult:
    """The uploaded ledger into its plan: the service's progress (rows read, then rows written) on the
    job; a refusal (nothing written) keeps the errors by row and column as the job's report."""
    from plans.selectors import plan_list

    plan = plan_list(ctx.user).exclude(status=Plan.Status.CLOSED).filter(pk=ctx.params.get("plan")).first()
    if plan is None:  # closed, or out of the requester's reach, since the upload
        raise JobFailed(_("Choose the plan to import into."))
    outcome = ledger_import(
        actor=ctx.user,
        plan=plan,
        data=ctx.read_input(),
        progress=lambda stage, done, total: ctx.progress(done, total, stage=stage),
    )
    if not outcome.ok:
        raise JobFailed(import_refusal(outcome), lines=outcome.errors)
    rows = outcome.created + outcome.updated + outcome.unchanged
    ctx.progress(rows, rows, force=True)  # the count inside the transaction may not have been written
    return JobResult(message=import_summary(outcome), link=f"/tasks/?plan={plan.pk}")
