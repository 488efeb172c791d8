"""The city's task-ledger export as a background job (core/jobs.py): the same filters, rows and workbook
as `GET /api/v1/tasks/ledger.xlsx`, built by a queue worker with progress instead of in a request
(20 000 tasks: 3–6 s of a worker, docs/performance.md)."""

from __future__ import annotations

import dataclasses
from datetime import date

from django.utils import timezone

from accounts.roles import Perm
from audit.services import audit_record
from core.jobs import JobContext, JobResult
from core.replica import replica_reads
from core.xlsx import XLSX_MIME
from plans.ledger import build_task_ledger_xlsx
from plans.selectors import TaskFilter, ledger_stream, task_list
from reports.selectors import tasks_with_status

KIND = "task_ledger_export"
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
