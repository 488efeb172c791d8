"""重大项目 API: list with lights as of a date, detail, filing a monthly report (with photos), the ledger."""

from datetime import date
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from pydantic import Field

from accounts.roles import Perm
from audit.services import audit_record
from core.api import NOT_SENT, In, Out, require_api_perm
from core.xlsx import XLSX_MIME
from projects import selectors, services
from projects import status as project_status
from projects.ledger_io import ledger_xlsx
from projects.models import Project, ProjectReport
from reports.api import ErrorOut

router = Router(tags=["projects"])
READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


class ProjectQuery(In):
    as_of: date | None = None
    type: int | None = None
    block: int | None = None
    industry: int | None = None
    stage: int | None = Field(None, ge=-1, le=20)
    light: str = Field("", pattern="^(|red|yellow|green)$")
    unit: int | None = None
    leader: int | None = None
    q: str = Field("", max_length=100)
    page: int = Field(1, ge=1, le=100_000)


class ProjectOut(Out):
    id: int
    code: str
    name: str
    type: str
    level: str
    lead_unit: str
    leader_post: str
    plan_year: int
    annual_plan: Decimal
    total_investment: Decimal
    completion_due: date
    light: str
    stage_index: int
    stage: str
    planned_to_date: float
    completed_to_date: float
    late_stages: list[str]


class ProjectPage(Out):
    as_of: date
    count: int
    page: int
    results: list[ProjectOut]


class StageOut(Out):
    name: str
    planned_on: date | None
    reached_on: date | None


class MonthOut(Out):
    month: str
    planned: float
    actual: float | None


class ProjectReportOut(Out):
    id: int
    month: date
    amount_month: Decimal
    amount_year: Decimal
    progress_text: str
    state: str
    photos: int


class ProjectDetailOut(ProjectOut):
    co_units: list[str]
    tags: list[str]
    address: str
    longitude: Decimal | None
    latitude: Decimal | None
    stages: list[StageOut]
    investment_by_month: list[MonthOut]
    reports: list[ProjectReportOut]
    open_problems: int


class MonthlyReportIn(In):
    month: date
    amount_month: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    progress_text: str = Field("", max_length=4000)
    stage_index: int | None = Field(None, ge=0, le=20)
    stage_reached_on: date | None = None
    stage_evidence: str = Field("", max_length=1000)
    submit: bool = False


def _out(p: Project, s) -> dict:
    stages = p.type.stages
    return {
        "id": p.pk, "code": p.code, "name": p.name, "type": p.type.name, "level": p.level,
        "lead_unit": p.lead_unit.name, "leader_post": p.leader_post.title, "plan_year": p.plan_year,
        "annual_plan": p.annual_plan, "total_investment": p.total_investment, "completion_due": p.completion_due,
        "light": s.light, "stage_index": s.stage_index,
        "stage": stages[s.stage_index] if 0 <= s.stage_index < len(stages) else "",
        "planned_to_date": round(s.planned, 2), "completed_to_date": round(s.actual, 2),
        "late_stages": [stages[int(i)] for i in s.late_stages.split(",") if i and int(i) < len(stages)],
    }  # fmt: skip


def _report_out(r: ProjectReport) -> dict:
    return {
        "id": r.pk, "month": r.month, "amount_month": r.amount_month, "amount_year": r.amount_year,
        "progress_text": r.progress_text, "state": r.state, "photos": len(r.photos.all()),
    }  # fmt: skip


@router.get("/projects/ledger.xlsx")
def project_ledger(request, query: Query[ProjectQuery]):
    """The 重点项目台账 of the projects the list would show with these filters (all pages), as .xlsx."""
    require_api_perm(request, *READ)
    day = query.as_of or timezone.localdate()
    projects = selectors.project_list(request.user, _filters(query), day)
    content = ledger_xlsx(projects, day)
    audit_record(actor=request.user, verb="project.export", object_type="projects.project", after=query.dict())
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="project-ledger-{day:%Y%m%d}.xlsx"'
    return response


def _filters(query: ProjectQuery) -> selectors.ProjectFilters:
    return selectors.ProjectFilters(
        q=query.q.strip(), type_id=query.type, block_id=query.block, industry_id=query.industry, stage=query.stage,
        light=query.light, unit_id=query.unit, leader_id=query.leader,
    )  # fmt: skip


@router.get("/projects", response=ProjectPage)
def project_list(request, query: Query[ProjectQuery]):
    """Projects visible to me with their light and stage as of `as_of` (default today), 50 a page."""
    require_api_perm(request, *READ)
    day = query.as_of or timezone.localdate()
    projects = selectors.project_list(request.user, _filters(query), day)
    page = Paginator(projects, selectors.PAGE_SIZE).get_page(query.page)
    rows = list(page.object_list)
    statuses = project_status.statuses_on(day, rows)
    return {
        "as_of": day, "count": page.paginator.count, "page": page.number,
        "results": [_out(p, statuses[p.pk]) for p in rows],
    }  # fmt: skip


def _detail(request, project: Project, day: date) -> dict:
    status = project_status.statuses_on(day, [project])[project.pk]
    one = selectors.projects_for_user(request.user).filter(pk=project.pk)
    return {
        **_out(project, status),
        "co_units": [u.name for u in project.co_units.all()],
        "tags": [t.name for t in project.tags.all()],
        "address": project.address, "longitude": project.longitude, "latitude": project.latitude,
        "stages": [{"name": s.name, "planned_on": s.planned_on,
                    "reached_on": s.reached_on if s.recorded_on and s.recorded_on <= day else None}
                   for s in project.stages.all()],
        "investment_by_month": selectors.investment_by_month(one, project.plan_year, day),
        "reports": [_report_out(r) for r in project.reports.prefetch_related("photos").order_by("month")],
        "open_problems": project.problems.filter(state="open").count(),
    }  # fmt: skip


@router.get("/projects/{project_id}", response=ProjectDetailOut)
def project_detail(request, project_id: int, as_of: date | None = None):
    require_api_perm(request, *READ)
    project = selectors.project_get_for_user(request.user, project_id)
    return _detail(request, project, as_of or timezone.localdate())


@router.post("/projects/{project_id}/reports", response={201: ProjectReportOut, 400: ErrorOut, 403: ErrorOut})
def project_report_file(
    request, project_id: int, payload: Form[MonthlyReportIn], photos: File[list[UploadedFile]] = NOT_SENT
):
    """Draft or submit (`submit=true`) the month's investment report of a project my unit leads, with photos.

    multipart/form-data: fields as in MonthlyReportIn and any number of `photos`; all or nothing.
    """
    require_api_perm(request, Perm.REPORT_DRAFT)
    project = selectors.project_get_for_user(request.user, project_id)
    report = services.report_file(
        actor=request.user, project=project, month=payload.month, amount_month=payload.amount_month,
        progress_text=payload.progress_text, files=photos or [], stage_index=payload.stage_index,
        stage_reached_on=payload.stage_reached_on, stage_evidence=payload.stage_evidence, submit=payload.submit,
    )  # fmt: skip
    return Status(201, _report_out(report))
