from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Perm
from audit.services import audit_record
from core.access import require_perm
from core.errors import ServiceError
from core.files import serve_upload
from core.forms import add_service_error, error_text
from core.middleware import as_of_date
from core.models import WorkdayOverride
from core.redirects import safe_next
from core.replica import replica_reads
from core.templatetags.luoshi import plan_label
from core.workcalendar import work_calendar
from plans.selectors import plans_choose, task_get_for_user
from reports import intervals, services
from reports.fill import history_refill_waiting, status_fill_latest, status_fill_start
from reports.forms import EvidenceForm, JudgementForm, ReportForm, ReturnForm, WorkdayOverrideForm
from reports.models import ProgressReport
from reports.selectors import (
    approval_queue,
    cockpit,
    evidence_get_for_user,
    league_ranked,
    report_contexts,
    report_get_for_user,
    reporting_inbox,
)
from reports.snapshots import status_refresh
from reports.status import period_ending, task_periods

READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)
UNIT_ROLES = (Perm.REPORT_DRAFT, Perm.REPORT_APPROVE)


@require_perm(*UNIT_ROLES)
def inbox_view(request):
    """我的填报: what my unit has to report, current period first, and what is overdue."""
    today = timezone.localdate()
    rows = reporting_inbox(request.user, today)
    return render(
        request,
        "reports/inbox.html",
        {"rows": rows, "today": today, "can_draft": request.user.has_luoshi_perm(Perm.REPORT_DRAFT)},
    )


@require_perm(Perm.REPORT_DRAFT)
@require_POST
def report_start_view(request, task_pk: int):
    """Open (or create) my unit's report on a task for a period, then go to its form."""
    task = task_get_for_user(request.user, task_pk)
    try:
        period_end = date.fromisoformat(request.POST.get("period_end", ""))
    except ValueError:
        raise Http404 from None
    period = period_ending(task_periods(task), period_end)
    if period is None:
        raise Http404
    try:
        report = services.report_start(actor=request.user, task=task, period_end=period.end, due_date=period.due)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("reports:inbox")
    return redirect("reports:report_edit", pk=report.pk)


@require_perm(Perm.REPORT_DRAFT)
@require_http_methods(["GET", "POST"])
def report_edit_view(request, pk: int):
    report = report_get_for_user(request.user, pk)
    if report.unit_id != request.user.unit_id:
        raise Http404
    initial = {
        "version": report.version,
        "value": report.value,
        "narrative": report.narrative,
        "problems": report.problems,
        "next_steps": report.next_steps,
    }
    form = ReportForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.report_save(
                    actor=request.user,
                    report=report,
                    value=d["value"],
                    narrative=d["narrative"],
                    problems=d["problems"],
                    next_steps=d["next_steps"],
                    submit="submit" in request.POST,
                    expected_version=d["version"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                if "submit" in request.POST:
                    messages.success(request, _("Submitted to your unit head for approval."))
                    return redirect("reports:inbox")
                messages.success(request, _("Draft saved."))
                return redirect("reports:report_edit", pk=report.pk)
        status = 400
    report.refresh_from_db()
    return render(
        request,
        "reports/report_form.html",
        {
            "report": report,
            "form": form,
            "task": report.task,
            "evidence": report.evidence.all(),
            "evidence_form": EvidenceForm(),
            "editable": report.is_editable,
            "ctx": report_contexts([report])[report.pk],
        },
        status=status,
    )


@require_perm(Perm.REPORT_DRAFT)
@require_POST
def evidence_upload_view(request, pk: int):
    """Upload one evidence file (the form's drag-and-drop posts each file here); returns the file list."""
    report = report_get_for_user(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES)
    error, status = None, 200
    if form.is_valid():
        try:
            services.evidence_add(actor=request.user, report=report, file=form.cleaned_data["file"])
        except ServiceError as exc:
            error = exc.message
    else:
        error = error_text(form)
    if error:
        status = 400
    if request.htmx or request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return render(
            request,
            "reports/_evidence_list.html",
            {"report": report, "evidence": report.evidence.all(), "error": error, "editable": True},
            status=status,
        )
    if error:
        messages.error(request, error)
    return redirect("reports:report_edit", pk=report.pk)


@require_perm(Perm.REPORT_DRAFT)
@require_POST
def evidence_remove_view(request, pk: int):
    evidence = evidence_get_for_user(request.user, pk)
    try:
        services.evidence_remove(actor=request.user, evidence=evidence)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("reports:report_edit", pk=evidence.report_id)


@require_perm(*READ)
def evidence_file_view(request, pk: int, thumb: bool = False):
    """Evidence is served only here, after the same access check as its task (never from a public URL)."""
    return serve_upload(evidence_get_for_user(request.user, pk), actor=request.user, thumb=thumb)


@require_perm(*READ)
def report_detail_view(request, pk: int):
    report = report_get_for_user(request.user, pk)
    can_decide = (
        request.user.has_luoshi_perm(Perm.REPORT_APPROVE)
        and request.user.unit_id == report.unit_id
        and report.state == ProgressReport.State.SUBMITTED
    )
    can_edit = (
        request.user.has_luoshi_perm(Perm.REPORT_DRAFT)
        and request.user.unit_id == report.unit_id
        and report.is_editable
    )
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "evidence": report.evidence.all(),
            "can_decide": can_decide,
            "can_edit": can_edit,
            "ctx": report_contexts([report])[report.pk],
            "return_form": ReturnForm(),
        },
    )


@require_perm(Perm.REPORT_APPROVE)
def approvals_view(request):
    """The unit head's queue (待审核): approve or return, one by one or several at once."""
    page = Paginator(approval_queue(request.user), 50).get_page(request.GET.get("page"))
    contexts = report_contexts(list(page.object_list))
    rows = [(r, contexts[r.pk]) for r in page.object_list]
    return render(request, "reports/approvals.html", {"page": page, "rows": rows, "return_form": ReturnForm()})


@require_perm(Perm.REPORT_APPROVE)
@require_POST
def approve_view(request):
    ids = [int(i) for i in request.POST.getlist("report") if i.isdigit()]
    reports = list(approval_queue(request.user).filter(pk__in=ids))
    approved, errors = 0, []
    for report in reports:
        try:
            services.report_approve(actor=request.user, report=report)
            approved += 1
        except ServiceError as exc:
            errors.append(f"{report.task.code}: {exc.message}")
    if approved:
        messages.success(request, _("%(n)d report(s) approved.") % {"n": approved})
    for error in errors:
        messages.error(request, error)
    if not reports:
        messages.error(request, _("Choose at least one submitted report."))
    return redirect(safe_next(request, "reports:approvals"))


@require_perm(Perm.REPORT_APPROVE)
@require_POST
def return_view(request, pk: int):
    report = report_get_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for returning the report."))
        return redirect("reports:report_detail", pk=report.pk)
    try:
        services.report_return(actor=request.user, report=report, reason=form.cleaned_data["reason"])
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("reports:report_detail", pk=report.pk)
    messages.success(request, _("The report was returned to the reporter."))
    return redirect("reports:approvals")


@require_perm(Perm.PLAN_EDIT)
@require_POST
def judgement_view(request, task_pk: int):
    task = task_get_for_user(request.user, task_pk)
    form = JudgementForm(request.POST)
    if form.is_valid():
        try:
            services.judgement_record(actor=request.user, task=task, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Judgement recorded."))
    else:
        messages.error(request, error_text(form))
    return redirect("plans:task_detail", pk=task.pk)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def verify_view(request, task_pk: int):
    task = task_get_for_user(request.user, task_pk)
    undo = request.POST.get("undo") == "1"
    services.task_verify(actor=request.user, task=task, verified_on=None if undo else timezone.localdate())
    messages.success(request, _("Verification withdrawn.") if undo else _("The task is verified complete."))
    return redirect("plans:task_detail", pk=task.pk)


@require_perm(Perm.BUSINESS_READ_ALL)
def cockpit_view(request):
    """领导驾驶舱 over the chosen plans (also a wall display with ?wall=1: no navigation, full width)."""
    as_of = as_of_date(request)
    polled = request.htmx and request.headers.get("HX-Target") == "cockpit-fill"
    with replica_reads():  # a read replica when configured (core/replica.py: the staleness rule)
        choice = plans_choose(request.user, request.GET.getlist("plan"), as_of)
        try:
            # A day many tasks lack is filled in the queue (reports/fill.py), not in this request.
            data = cockpit(request.user, as_of, plans=choice.ids, inline_limit=intervals.INLINE_FILL_LIMIT)
        except intervals.DayNotStored as lacking:
            missing = lacking.missing
        else:
            if polled:  # the fill this page waited for is done: show the day
                return HttpResponse(headers={"HX-Refresh": "true"})
            wall = request.GET.get("wall") == "1"
            all_units = request.GET.get("units") == "all"
            context = {
                "c": data,
                "wall": wall,
                "plan_choice": choice,
                "chart": _cockpit_chart(data, choice),
                "units": league_ranked(data.units, everything=all_units),
                "all_units": all_units,
            }
            return render(request, "reports/cockpit.html", context)
    # The poll shows the fill it waits for (a failed one stops the polling); a page load starts or joins one.
    job = (status_fill_latest(as_of) if polled else None) or status_fill_start(actor=request.user, day=as_of)
    template = "reports/_cockpit_fill.html" if polled else "reports/cockpit_fill.html"
    return render(request, template, {"job": job, "missing": missing, "as_of": as_of, "plan_choice": choice})


def _cockpit_chart(data, choice) -> dict:
    # Areas are named with their plan where plans mix; every bar links to the rows it counts.
    return {
        "areas": [f"{plan_label(choice, r.plan_id)}{r.key}" for r in data.areas],
        "area_ids": [r.ref for r in data.areas],
        "plan_query": choice.query,
        "green": [r.rollup.by_light["green"] for r in data.areas],
        "yellow": [r.rollup.by_light["yellow"] for r in data.areas],
        "red": [r.rollup.by_light["red"] for r in data.areas],
    }


@require_perm(Perm.PLAN_EDIT, Perm.ORG_MANAGE)
@require_http_methods(["GET", "POST"])
def calendar_view(request):
    """工作日历: the editable holiday table; it wins over the chinese-calendar package."""
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else timezone.localdate().year
    form = WorkdayOverrideForm(request.POST or None)
    if request.method == "POST":
        raw_date = request.POST.get("date", "")
        existing = WorkdayOverride.objects.filter(date=raw_date).first() if _is_date(raw_date) else None
        form = WorkdayOverrideForm(request.POST, instance=existing)
        if form.is_valid():
            before = None if existing is None else {"is_workday": existing.is_workday, "name": existing.name}
            with transaction.atomic():
                override = form.save()
                audit_record(
                    actor=request.user,
                    verb="calendar.set",
                    obj=override,
                    before=before,
                    after={"date": override.date, "is_workday": override.is_workday, "name": override.name},
                )
                # Due dates on or after the day move: every task's stored statuses from that day on; a
                # past day also queues the refill of the stored history (reports.snapshots, reports/fill.py),
                # waiting until this commits, so it is named here.
                status_refresh(everything=True, since=override.date)
                refill = history_refill_waiting() if override.date < timezone.localdate() else None
            if refill is None:
                messages.success(request, _("Saved."))
            else:
                note = _(
                    "Saved. The stored statuses from %(day)s on are being recomputed in the background (job #%(job)s)."
                )
                messages.success(request, note % {"day": date_format(override.date, "DATE_FORMAT"), "job": refill.pk})
            return redirect(f"/calendar/?year={override.date.year}")
    calendar = work_calendar()
    warning = calendar.unconfigured_years([year, year + 1])
    overrides = WorkdayOverride.objects.filter(date__year=year)
    special = _special_days(calendar, year)
    return render(
        request,
        "reports/calendar.html",
        {"form": form, "year": year, "overrides": overrides, "special": special, "unconfigured": warning},
        status=400 if request.method == "POST" else 200,
    )


def _is_date(value) -> bool:
    try:
        date.fromisoformat(value or "")
    except ValueError:
        return False
    return True


def _special_days(calendar, year: int) -> list:
    """Holidays on weekdays and make-up working days on weekends: the days that differ from Mon–Fri."""
    from datetime import timedelta

    day, end, rows = date(year, 1, 1), date(year, 12, 31), []
    while day <= end:
        info = calendar.day(day)
        if info.is_workday == (day.weekday() >= 5):
            rows.append(info)
        day += timedelta(days=1)
    return rows
