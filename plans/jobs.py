"""The city's task ledger in the queue (core/jobs.py), with progress instead of a request holding a worker:

- the export: the same filters, rows and workbook as `GET /api/v1/tasks/ledger.xlsx` (20 000 tasks:
  3–6 s of a worker, docs/performance.md);
- the import of a large 任务分解表 (20 000 rows: 17–30 s): the same `ledger_import` as the page's
  synchronous path, all rows or none; a refusal keeps every row/column error with the job. The rule for
  which imports go to the queue and the job that runs them are every ledger's (core/imports.py).
"""

from __future__ import annotations

import dataclasses
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Perm
from audit.services import audit_record
from core.imports import ImportProgress, counts_summary, register_import
from core.jobs import JobContext, JobFailed, JobResult, register_job
from core.replica import replica_reads
from core.xlsx import XLSX_MIME
from plans.ledger import build_task_ledger_xlsx
from plans.models import Plan
from plans.selectors import TaskFilter, ledger_stream, plan_list, task_list
from plans.services import ImportOutcome, ledger_import
from reports.selectors import tasks_with_status

KIND = "task_ledger_export"
IMPORT_KIND = "task_ledger_import"

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
        tasks = task_list(ctx.actor, _filter(params))
        tasks = tasks_with_status(tasks, as_of, status=params.get("status", ""), light=params.get("light", ""))
        total = tasks.count()
        content = build_task_ledger_xlsx(ctx.counted(ledger_stream(tasks), total))
    audit_record(actor=ctx.actor, verb="task.export", object_type="plans.task", after={**params, "job": ctx.job.pk})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return JobResult(f"task-ledger-{stamp}.xlsx", content, XLSX_MIME)


def may_import(user) -> bool:
    return user.has_luoshi_perm(Perm.PLAN_EDIT)


def import_into_plan(*, actor, data: bytes, progress: ImportProgress | None = None, plan: int) -> ImportOutcome:
    """The queued import (core/imports.py) of a ledger into the plan the page chose: the plan must still be
    open and within the requester's reach."""
    target = plan_list(actor).exclude(status=Plan.Status.CLOSED).filter(pk=plan).first()
    if target is None:  # closed, or out of the requester's reach, since the upload
        raise JobFailed(_("Choose the plan to import into."))
    return ledger_import(actor=actor, plan=target, data=data, progress=progress)


def register() -> None:
    register_job(KIND, run=task_ledger_export, allowed=may_export)
    register_import(
        IMPORT_KIND,
        run=import_into_plan,
        allowed=may_import,
        summary=counts_summary,
        link=lambda params: f"/tasks/?plan={params['plan']}",
    )
