from urllib.parse import quote

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Perm
from audit.services import audit_record
from core.access import require_perm
from core.jobs import job_get_for_user
from core.middleware import as_of_date
from core.models import BackgroundJob
from notifications.selectors import inbox
from plans.selectors import plans_choose
from reports.selectors import approval_queue, cockpit, reporting_inbox, rollups
from workbench.home import personal_cards, suggested_as_of
from workbench.wall import reader as wall_reader
from workbench.wall import wall_data

JOB_LABELS = {
    "task_ledger_export": _("Task ledger export"),
    "task_ledger_import": _("Task ledger import"),
    "bulletin_issue": _("Issue a bulletin"),
    "bulletin_draft": _("Bulletin draft"),
    "status_fill": _("Statuses of a past day"),
    "project_status_fill": _("Project statuses of a past day"),
    "status_history_fill": _("Stored status history after a change of many tasks"),
    "project_ledger_import": _("Project ledger import"),
    "project_monthly_import": _("Monthly investment sheet import"),
    "enterprise_import": _("Enterprise list import"),
    "request_ledger_import": _("Request ledger import"),
    "indicator_ledger_import": _("Indicator ledger import"),
}
# Where the job page's back button goes (the page the job was started from).
JOB_BACK = {"bulletin_issue": ("evaluation:bulletins", _("Back to the bulletins")),
            "bulletin_draft": ("evaluation:bulletins", _("Back to the bulletins")),
            "project_ledger_import": ("projects:import", _("Back to the import")),
            "project_monthly_import": ("projects:import", _("Back to the import")),
            "enterprise_import": ("enterprises:import", _("Back to the import")),
            "request_ledger_import": ("enterprises:ledger_import", _("Back to the import")),
            "indicator_ledger_import": ("indicators:ledger_import", _("Back to the import")),
            "status_history_fill": ("reports:calendar", _("Back to the calendar"))}  # fmt: skip
TASKS_BACK = ("plans:task_list", _("Back to the task list"))
JOB_IN_STEPS = {"bulletin_issue", "bulletin_draft"}  # progress counted in stages, not rows


@require_perm()
def home(request):
    """工作台: what is due from me, what waits for my approval, and my unit's (or the district's) lights."""
    user, today = request.user, timezone.localdate()
    # The newest unread notifications: reminders, returned reports, orders, and changes of followed tasks.
    context = {"user_roles": user.role_labels(), "today": today, "news": list(inbox(user, unread_only=True)[:6])}
    if user.has_luoshi_perm(Perm.REPORT_DRAFT) or user.has_luoshi_perm(Perm.REPORT_APPROVE):
        rows = reporting_inbox(user, today)
        due = [r for r in rows if r.to_do]
        context["due"], context["due_count"] = due[:8], len(due)
        context["approvals"] = list(approval_queue(user)[:8])
    if user.has_luoshi_perm(Perm.BUSINESS_READ_ALL):
        context["district"] = cockpit(user, today)
    elif user.has_luoshi_perm(Perm.BUSINESS_READ_UNIT) and user.unit_id:
        mine = [r for r in rollups(user, "unit", today) if r.key == user.unit.name]
        context["unit_rollup"] = mine[0].rollup if mine else None
    context.update(personal_cards(user, today), suggested_as_of=suggested_as_of(request, today))
    return render(request, "workbench/home.html", context)


@require_perm()
def job_detail(request, pk: int):
    """A background job (后台任务) of mine: its progress (polled every second while it runs) and its file."""
    job = job_get_for_user(request.user, pk)
    template = "workbench/_job_status.html" if request.htmx else "workbench/job_detail.html"
    back_url, back_label = JOB_BACK.get(job.kind, TASKS_BACK)
    context = {"job": job, "kind_label": JOB_LABELS.get(job.kind, job.kind), "back_url": back_url,
               "in_steps": job.kind in JOB_IN_STEPS}  # fmt: skip
    return render(request, template, {**context, "back_label": back_label})


@require_perm()
def job_file(request, pk: int):
    """The finished job's file, to the person who asked for it only (404 for anyone else)."""
    job = job_get_for_user(request.user, pk)
    return job_file_response(job, actor=request.user)


def job_file_response(job: BackgroundJob, *, actor) -> FileResponse:
    if job.state != BackgroundJob.State.DONE or not job.result:
        raise Http404
    handle = job.result.open("rb")
    audit_record(actor=actor, verb="backgroundjob.download", obj=job)
    response = FileResponse(handle, content_type=job.result_type or "application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.result_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_perm(Perm.BUSINESS_READ_ALL, Perm.WALL_VIEW)
def wall(request):
    """大屏: the cockpit for the command hall's wall (16:9, dark, no navigation), refreshed in place."""
    data = _wall_payload(request)
    return render(request, "workbench/wall.html", {"data": data, "refresh_seconds": WALL_REFRESH_SECONDS})


@require_perm(Perm.BUSINESS_READ_ALL, Perm.WALL_VIEW)
def wall_data_view(request):
    response = JsonResponse(_wall_payload(request))
    response["Cache-Control"] = "no-store"
    return response


WALL_REFRESH_SECONDS = 60


def _wall_payload(request) -> dict:
    as_of = as_of_date(request)
    choice = plans_choose(wall_reader(request.user), request.GET.getlist("plan"), as_of)
    return wall_data(request.user, as_of, choice.ids)
