"""REST API for progress reports, statuses and rollups: the same services, selectors and access rules as the pages."""

from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from pydantic import Field

from accounts.roles import Perm
from core.api import NOT_SENT, Encoded, In, Out, require_api_perm
from core.errors import ServiceError
from core.replica import replica_reads
from core.workcalendar import work_calendar
from plans.selectors import plans_choose, task_get_for_user
from reports import rollup_cache, services
from reports.models import ProgressReport
from reports.selectors import ROLLUP_KINDS, report_get_for_user, rollups
from reports.snapshots import statuses_on
from reports.status import DueDates, current_period, period_ending, task_levels, task_periods

router = Router(tags=["reports and status"])
READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


class ReportIn(In):
    period_end: date | None = None
    value: Decimal | None = None
    narrative: str = ""
    problems: str = ""
    next_steps: str = ""
    submit: bool = False


class EvidenceOut(Out):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    url: str


class ReportOut(Out):
    id: int
    task_id: int
    unit: str
    is_lead: bool
    period_end: date
    due_date: date
    value: float | None
    narrative: str
    problems: str
    next_steps: str
    state: str
    is_late: bool
    returned_reason: str
    stale_flags: list[dict]
    evidence: list[EvidenceOut]
    version: int


class ReturnIn(In):
    reason: str


class StatusOut(Out):
    task_id: int
    as_of: date
    status: str
    light: str
    computed_light: str
    expected: float
    actual: float
    lag: float
    lag_percent: float
    completion: float
    projected_finish: date | None
    reasons: list[str]
    judgement: dict | None


class RollupOut(Out):
    key: str
    id: int | None  # the unit, leader post, area node or tag: what /api/v1/tasks filters by
    plan: int | None  # areas: the plan the area belongs to (two plans' same-named areas are two rows)
    count: int
    by_status: dict[str, int]
    by_light: dict[str, int]
    weighted_completion: float | None
    late_reports: int


class ErrorOut(Out):
    detail: str
    field: str | None = None


def report_out(report: ProgressReport) -> dict:
    return {
        "id": report.pk,
        "task_id": report.task_id,
        "unit": report.unit.name,
        "is_lead": report.is_lead,
        "period_end": report.period_end,
        "due_date": report.due_date,
        "value": float(report.value) if report.value is not None else None,
        "narrative": report.narrative,
        "problems": report.problems,
        "next_steps": report.next_steps,
        "state": report.state,
        "is_late": report.is_late,
        "returned_reason": report.returned_reason,
        "stale_flags": report.stale_flags,
        "evidence": [
            {
                "id": e.pk,
                "name": e.original_name,
                "content_type": e.content_type,
                "size": e.size,
                "sha256": e.sha256,
                "url": f"/evidence/{e.pk}/",
            }
            for e in report.evidence.all()
        ],
        "version": report.version,
    }


@router.post("/tasks/{task_id}/reports", response={201: ReportOut, 400: ErrorOut, 403: ErrorOut})
def report_create(request, task_id: int, payload: Form[ReportIn], evidence: File[list[UploadedFile]] = NOT_SENT):
    """Draft or submit (`submit=true`) my unit's report for a period (default: the period now open), with files.

    multipart/form-data: fields as in ReportIn, and any number of `evidence` files. All-or-nothing: a rejected
    file rejects the whole request.
    """
    require_api_perm(request, Perm.REPORT_DRAFT)
    task = task_get_for_user(request.user, task_id, related=("node",))  # the notice names the task by its node
    calendar = work_calendar()
    level = None if task.measure_key else task_levels([task])[task.pk]
    periods = task_periods(task, level, DueDates(calendar))
    if not periods:  # 数值来自记录: a bound task takes its actual from records, no report is ever due
        raise ServiceError(_("The task is not open for reporting."), code="closed")
    if payload.period_end is None:
        period = current_period(periods, timezone.localdate()) or periods[-1]
    else:
        ending = period_ending(periods, payload.period_end)
        if ending is None:
            message = _("%(d)s is not the end of a reporting period of this task.") % {"d": payload.period_end}
            raise ServiceError(message, field="period_end")
        period = ending

    report = services.report_file(
        actor=request.user,
        task=task,
        period_end=period.end,
        due_date=period.due,
        files=evidence or [],  # checked and stored from the spooled upload, never read whole
        value=payload.value,
        narrative=payload.narrative,
        problems=payload.problems,
        next_steps=payload.next_steps,
        submit=payload.submit,
    )
    return Status(201, report_out(report))


@router.get("/reports/{report_id}", response=ReportOut)
def report_detail(request, report_id: int):
    require_api_perm(request, *READ)
    return report_out(report_get_for_user(request.user, report_id))


@router.post("/reports/{report_id}/approve", response={200: ReportOut, 400: ErrorOut, 403: ErrorOut})
def report_approve(request, report_id: int):
    require_api_perm(request, Perm.REPORT_APPROVE)
    report = report_get_for_user(request.user, report_id)
    return Status(200, report_out(services.report_approve(actor=request.user, report=report)))


@router.post("/reports/{report_id}/return", response={200: ReportOut, 400: ErrorOut, 403: ErrorOut})
def report_return(request, report_id: int, payload: ReturnIn):
    require_api_perm(request, Perm.REPORT_APPROVE)
    report = report_get_for_user(request.user, report_id)
    return Status(200, report_out(services.report_return(actor=request.user, report=report, reason=payload.reason)))


@router.get("/tasks/{task_id}/status", response=StatusOut)
def task_status(request, task_id: int, as_of: date | None = None):
    """Where the task stands as of a date (default today): only reports approved by then count."""
    require_api_perm(request, *READ)
    task = task_get_for_user(request.user, task_id)
    day = as_of or timezone.localdate()
    return status_out(task, day, statuses_on(day, [task])[task.pk])


def status_out(task, day: date, s) -> dict:
    return {
        "task_id": task.pk,
        "as_of": day,
        "status": s.status.value,
        "light": s.light.value,
        "computed_light": s.computed_light.value,
        "expected": s.expected_at_measurement,
        "actual": s.actual,
        "lag": s.lag,
        "lag_percent": s.lag_percent,
        "completion": s.completion,
        "projected_finish": s.projected_completion,
        "reasons": [r.value for r in s.reasons],
        "judgement": {
            "likelihood": s.judgement.likelihood.value,
            "reason": s.judgement.reason,
            "recorded_on": s.judgement.recorded_on.isoformat(),
        }
        if s.judgement
        else None,
    }


class RollupQuery(In):
    by: str = "unit"
    as_of: date | None = None
    # Plan ids (repeat for several); default: the as-of year's active plans, else every active plan.
    plan: list[int] = Field(default_factory=list)


ROLLUPS_JSON = Encoded(list[RollupOut])


@router.get("/rollups", response={200: list[RollupOut], 400: ErrorOut})
def rollup_list(request, query: Query[RollupQuery]):
    """Counts per status and light and weighted completion, by unit, area, leader, block or industry."""
    require_api_perm(request, *READ)
    if query.by not in ROLLUP_KINDS:
        raise ServiceError(_("`by` must be one of: %(kinds)s.") % {"kinds": ", ".join(ROLLUP_KINDS)}, field="by")
    day = query.as_of or timezone.localdate()
    choice = plans_choose(request.user, [str(pk) for pk in query.plan], day)
    if query.plan and set(choice.ids) != set(query.plan):
        raise ServiceError(_("No such plan: %(ids)s.") % {"ids": ", ".join(map(str, query.plan))}, field="plan")

    def body() -> bytes:
        # Validated against RollupOut and encoded once per status epoch: a city has ~1 000 unit rows.
        return ROLLUPS_JSON(
            [
                {
                    "key": r.key,
                    "id": r.ref,
                    "plan": r.plan_id,
                    "count": r.rollup.count,
                    "by_status": {k.value: v for k, v in r.rollup.by_status.items()},
                    "by_light": {k.value: v for k, v in r.rollup.by_light.items()},
                    "weighted_completion": r.rollup.weighted_completion,
                    "late_reports": r.late_reports,
                }
                for r in rollups(request.user, query.by, day, plans=choice.ids)
            ]
        )

    key = rollup_cache.scope_key(request.user, day, choice.ids, query.by, "json")
    with replica_reads():  # a read replica when configured (core/replica.py)
        return HttpResponse(rollup_cache.cached(key, body), content_type="application/json")
