"""Pages of major projects: list, detail, monthly report, approvals, problems, scheduling list, rollup, ledger."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Perm
from audit.services import audit_record
from core.access import out_of_scope, require_perm
from core.errors import ServiceError
from core.files import serve_upload
from core.forms import add_service_error, error_text
from core.imports import import_queued
from core.middleware import as_of_date
from core.views_helpers import button_post, form_post
from core.xlsx import XLSX_MIME
from projects import selectors, services
from projects import status as project_status
from projects.forms import (
    LedgerImportForm,
    MeetingForm,
    MonthlyReportForm,
    ProblemForm,
    ProjectFilterForm,
    ProjectForm,
    ProjectTypeForm,
    ResolveForm,
    ReturnForm,
    RollupForm,
)
from projects.ledger_io import (
    LEDGER_JOB,
    MONTHLY_JOB,
    import_summary,
    ledger_import,
    ledger_xlsx,
    monthly_import,
)
from projects.models import DEFAULT_STAGES, CoordinationMeeting, Project, ProjectPhoto, ProjectReport, ProjectType

READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


def _filters(form: ProjectFilterForm) -> selectors.ProjectFilters:
    if not form.is_valid():
        return selectors.ProjectFilters()
    d = form.cleaned_data
    return selectors.ProjectFilters(
        q=d["q"].strip(),
        type_id=d["type"].pk if d["type"] else None,
        block_id=d["block"].pk if d["block"] else None,
        industry_id=d["industry"].pk if d["industry"] else None,
        stage=d["stage"],
        light=d["light"],
        unit_id=d["unit"].pk if d["unit"] else None,
        leader_id=d["leader"].pk if d["leader"] else None,
    )


def _decorate(rows, statuses) -> None:
    """Each row's stored status and stage name for the table (no query per row)."""
    for p in rows:
        p.row_status = statuses.get(p.pk)
        index = p.row_status.stage_index if p.row_status else -1
        p.row_stage = p.type.stages[index] if 0 <= index < len(p.type.stages) else ""


@require_perm(*READ)
def project_list_view(request):
    day = as_of_date(request)
    form = ProjectFilterForm(request.GET or None)
    projects = selectors.project_list(request.user, _filters(form), day)
    page = Paginator(projects, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    statuses = project_status.statuses_on(day, rows)
    _decorate(rows, statuses)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/project_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "day": day,
            "can_import": request.user.has_luoshi_perm(Perm.PLAN_EDIT),
        },  # fmt: skip
    )


@require_perm(*READ)
def project_detail_view(request, pk: int):
    project = selectors.project_get_for_user(request.user, pk)
    day = as_of_date(request)
    result = project_status.project_results([project], day)[project.pk]
    stored = project_status.statuses_on(day, [project])[project.pk]
    chart = selectors.investment_by_month(
        selectors.projects_for_user(request.user).filter(pk=project.pk), project.plan_year, day
    )
    reports = project.reports.select_related("unit", "created_by").prefetch_related("photos").order_by("-month")
    user = request.user
    context = {
        "project": project,
        "day": day,
        "result": result,
        "stored": stored,
        "late": set(result.late_stages),
        "stages": project.stages.all(),
        "chart": {"months": [c["month"][:7] for c in chart], "planned": [c["planned"] for c in chart],
                  "actual": [c["actual"] for c in chart]},
        "reports": reports,
        "problems": project.problems.select_related("unit").all(),
        "decisions": project.decisions.select_related("meeting", "unit").all(),
        "co_units": project.co_units.all(),
        "tags": project.tags.all(),
        "tasks": project.tasks.all(),
        "can_report": user.has_luoshi_perm(Perm.REPORT_DRAFT) and user.unit_id == project.lead_unit_id,
        "can_approve": user.has_luoshi_perm(Perm.REPORT_APPROVE) and user.unit_id == project.lead_unit_id,
        "can_edit": user.has_luoshi_perm(Perm.PLAN_EDIT),
        "problem_form": ProblemForm(initial={"unit": project.lead_unit_id}),
        "return_form": ReturnForm(),
        "resolve_form": ResolveForm(),
    }  # fmt: skip
    return render(request, "projects/project_detail.html", context)


@require_perm(Perm.REPORT_DRAFT)
@require_http_methods(["GET", "POST"])
def report_form_view(request, pk: int):
    project = selectors.project_get_for_user(request.user, pk)
    if request.user.unit_id != project.lead_unit_id:
        raise out_of_scope(type(project), pk)
    today = timezone.localdate()
    # The last month, until it is filed; a month is reported once it is over (on its last day at the earliest).
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    filed = project.reports.filter(month=last_month).exclude(state=ProjectReport.State.DRAFT).exists()
    default_month = last_month if not filed or today == services.month_end_of(today) else today
    raw = request.POST.get("month") or request.GET.get("month")
    existing = None
    try:
        month = dt.date.fromisoformat(raw) if raw else default_month
    except ValueError:
        month = default_month
    existing = project.reports.filter(month=services.month_end_of(month)).first()
    initial: dict[str, object] = {"month": month, "version": existing.version if existing else None}
    if existing:
        initial.update(
            amount_month=existing.amount_month, progress_text=existing.progress_text, stage_index=existing.stage_index,
            stage_reached_on=existing.stage_reached_on, stage_evidence=existing.stage_evidence,
        )  # fmt: skip
    form = MonthlyReportForm(request.POST or None, request.FILES or None, initial=initial, stages=project.stage_names)
    submit = "submit" in request.POST

    def write(d):
        return services.report_file(
            actor=request.user, project=project, month=d["month"], amount_month=d["amount_month"],
            progress_text=d["progress_text"], files=request.FILES.getlist("photos"), stage_index=d["stage_index"],
            stage_reached_on=d["stage_reached_on"], stage_evidence=d["stage_evidence"], submit=submit,
            expected_version=d["version"],
        )  # fmt: skip

    def invalid(f):
        return render(
            request, "projects/report_form.html",
            {"form": f, "project": project, "report": existing}, status=400 if request.method == "POST" else 200,
        )  # fmt: skip

    if request.method != "POST":
        return invalid(form)
    return form_post(
        request, form, write,
        success=_("Submitted to your unit head for approval.") if submit else _("Draft saved."),
        redirect_to=lambda r: reverse("projects:detail", args=[project.pk]), invalid=invalid,
    )  # fmt: skip


@require_perm(Perm.REPORT_APPROVE)
@require_POST
def report_approve_view(request, pk: int):
    report = selectors.report_get_for_user(request.user, pk)
    return button_post(
        request, lambda: services.report_approve(actor=request.user, report=report),
        success=_("Report approved."), redirect_to=reverse("projects:detail", args=[report.project_id]),
    )  # fmt: skip


@require_perm(Perm.REPORT_APPROVE)
@require_POST
def report_return_view(request, pk: int):
    report = selectors.report_get_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return button_post(
        request, lambda: services.report_return(actor=request.user, report=report, reason=reason),
        success=_("Report returned."), redirect_to=reverse("projects:detail", args=[report.project_id]),
    )  # fmt: skip


@require_perm(*READ)
def photo_view(request, pk: int):
    photo = ProjectPhoto.objects.select_related("report").filter(pk=pk).first()
    if photo is None:
        raise out_of_scope(ProjectPhoto, pk)
    selectors.report_get_for_user(request.user, photo.report_id)
    return serve_upload(photo, actor=request.user, thumb=request.GET.get("thumb") == "1")


@require_perm(*READ)
@require_POST
def problem_add_view(request, pk: int):
    project = selectors.project_get_for_user(request.user, pk)
    form = ProblemForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect("projects:detail", pk=project.pk)
    d = form.cleaned_data
    return button_post(
        request,
        lambda: services.problem_raise(
            actor=request.user, project=project, category=d["category"], description=d["description"], unit=d["unit"],
            workdays=d["workdays"],
        ),
        success=_("Problem added to the list."), redirect_to=reverse("projects:detail", args=[project.pk]),
    )  # fmt: skip


@require_perm(*READ)
@require_POST
def problem_resolve_view(request, pk: int):
    problem = selectors.problem_get_for_user(request.user, pk)
    form = ResolveForm(request.POST)
    resolution = form.cleaned_data["resolution"] if form.is_valid() else ""
    return button_post(
        request, lambda: services.problem_resolve(actor=request.user, problem=problem, resolution=resolution),
        success=_("Problem resolved."), redirect_to=reverse("projects:detail", args=[problem.project_id]),
    )  # fmt: skip


@require_perm(*READ)
def schedule_view(request):
    day = as_of_date(request)
    rows = list(selectors.schedule_list(request.user, day)[:500])
    statuses = project_status.statuses_on(day, rows)
    _decorate(rows, statuses)
    observe = ""
    if request.user.has_luoshi_perm(Perm.PLAN_EDIT) and rows:
        # 观摩: a site inspection of the listed projects (supervision's inspection, one target per project).
        observe = reverse("supervision:inspection_create") + "?" + "&".join(f"target=project:{p.pk}" for p in rows[:30])
    return render(request, "projects/schedule.html", {"rows": rows, "day": day, "observe_url": observe})


@require_perm(*READ)
def rollup_view(request):
    day = as_of_date(request)
    form = RollupForm(request.GET or None)
    by = form.cleaned_data["by"] if form.is_valid() and form.cleaned_data["by"] else "block"
    groups = selectors.project_rollup(request.user, day, by)
    stages = ["签约", "拿地", "开工", "主体完工", "竣工/投产"]
    return render(
        request, "projects/rollup.html", {"form": form, "groups": groups, "day": day, "by": by, "stages": stages}
    )


@require_perm(*READ)
def export_view(request):
    day = as_of_date(request)
    form = ProjectFilterForm(request.GET or None)
    projects = selectors.project_list(request.user, _filters(form), day)
    content = ledger_xlsx(projects, day)
    audit_record(actor=request.user, verb="project.export", object_type="projects.project", after=request.GET.dict())
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="project-ledger-{day:%Y%m%d}.xlsx"'
    return response


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def import_view(request):
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    outcome, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            monthly = form.cleaned_data["kind"] == "monthly"
            try:
                # A large sheet goes to the queue (core/imports.py): the same importer, all rows or none.
                queued = import_queued(request, kind=MONTHLY_JOB if monthly else LEDGER_JOB, upload=upload, data=data)
                if queued is not None:
                    return queued
                outcome = (monthly_import if monthly else ledger_import)(actor=request.user, data=data)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                if outcome.ok:
                    messages.success(request, import_summary(outcome))
                    return redirect("projects:list")
        status = 400
    return render(request, "projects/import.html", {"form": form, "outcome": outcome}, status=status)


@require_perm(Perm.BUSINESS_READ_ALL)
def meeting_list_view(request):
    meetings = CoordinationMeeting.objects.select_related("chair").prefetch_related(
        "decisions__project", "decisions__unit"
    )[:100]
    can_record = request.user.has_luoshi_perm(Perm.PLAN_EDIT) or request.user.has_luoshi_perm(Perm.INSTRUCTION_WRITE)
    return render(request, "projects/meeting_list.html", {"meetings": meetings, "can_record": can_record})


@require_perm(Perm.PLAN_EDIT, Perm.INSTRUCTION_WRITE)
@require_http_methods(["GET", "POST"])
def meeting_create_view(request):
    form = MeetingForm(request.POST or None, initial={"held_on": timezone.localdate()})

    def write(d):
        return services.meeting_record(
            actor=request.user, held_on=d["held_on"], title=d["title"], chair=d["chair"], notes=d["notes"],
            decisions=services.parse_decision_lines(d["decisions"]),
        )  # fmt: skip

    def invalid(f):
        status = 400 if request.method == "POST" else 200
        return render(request, "projects/meeting_form.html", {"form": f}, status=status)

    if request.method != "POST":
        return invalid(form)
    return form_post(
        request, form, write, success=_("Meeting recorded; the units are notified of their decisions."),
        redirect_to="projects:meetings", invalid=invalid,
    )  # fmt: skip


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def type_list_view(request, pk: int | None = None):
    """项目类型: the office edits a type's stages and thresholds (or adds a type) on one page."""
    kind = get_object_or_404(ProjectType, pk=pk) if pk else None
    initial = {"start_stage": 3, "finish_stage": 5, "lag_yellow_percent": 10, "lag_red_percent": 25,
               "stages": "、".join(DEFAULT_STAGES)}  # fmt: skip
    if kind is not None:
        initial = {
            "name": kind.name, "stages": "、".join(kind.stages), "start_stage": kind.start_stage + 1,
            "finish_stage": kind.finish_stage + 1, "lag_yellow_percent": kind.lag_yellow_percent,
            "lag_red_percent": kind.lag_red_percent,
        }  # fmt: skip
    form = ProjectTypeForm(request.POST or None, initial=initial)

    def write(d):
        return services.project_type_save(
            actor=request.user, kind=kind, name=d["name"], stages=d["stages"].replace("，", "、").split("、"),
            start_stage=d["start_stage"] - 1, finish_stage=d["finish_stage"] - 1,
            lag_yellow_percent=d["lag_yellow_percent"], lag_red_percent=d["lag_red_percent"],
        )  # fmt: skip

    def invalid(f):
        status = 400 if request.method == "POST" else 200
        types = ProjectType.objects.annotate(n=Count("projects"))
        return render(request, "projects/types.html", {"form": f, "kind": kind, "types": types}, status=status)

    if request.method != "POST":
        return invalid(form)
    return form_post(
        request, form, write, success=_("Project type saved; its projects' lights are recomputed."),
        redirect_to="projects:types", invalid=invalid,
    )  # fmt: skip


def _project_fields(d: dict) -> services.ProjectFields:
    return services.ProjectFields(
        code=d["code"], name=d["name"], type=d["type"], level=d["level"], leader_post=d["leader_post"],
        lead_unit=d["lead_unit"], total_investment=d["total_investment"], plan_year=d["plan_year"],
        annual_plan=d["annual_plan"], completion_due=d["completion_due"], owner=d["owner"], address=d["address"],
        longitude=d["longitude"], latitude=d["latitude"], co_units=list(d["co_units"]), tags=list(d["tags"]),
        tasks=list(d["tasks"]), stage_dates=d["stage_dates"], monthly_profile=d["monthly_profile"],
    )  # fmt: skip


def _project_form_page(request, form: ProjectForm, project: Project | None, write):
    def invalid(f):
        status = 400 if request.method == "POST" else 200
        return render(request, "projects/project_form.html", {"form": f, "project": project}, status=status)

    if request.method != "POST":
        return invalid(form)
    return form_post(
        request, form, write, success=_("Project saved."),
        redirect_to=lambda p: reverse("projects:detail", args=[p.pk]), invalid=invalid,
    )  # fmt: skip


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def project_create_view(request):
    """新建项目: the office registers one project."""
    form = ProjectForm(request.POST or None)
    return _project_form_page(
        request, form, None, lambda d: services.project_create(actor=request.user, data=_project_fields(d))
    )


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def project_update_view(request, pk: int):
    """编辑项目: the office edits one project's register (refused when someone saved it in between)."""
    project = selectors.project_get_for_user(request.user, pk)
    # The form gets its own copy: a ModelForm writes the typed values onto its instance while validating.
    form = ProjectForm(request.POST or None, instance=Project.objects.get(pk=project.pk))

    def write(d):
        return services.project_update(
            actor=request.user, project=project, data=_project_fields(d), version=d["version"]
        )

    return _project_form_page(request, form, project, write)
