import re
from dataclasses import replace

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Perm
from audit.services import audit_record
from core.access import require_perm
from core.errors import ServiceError
from core.forms import add_service_error
from core.imports import counts_summary, import_queued
from core.jobs import job_start
from core.middleware import as_of_date
from core.redirects import safe_next
from core.replica import replica_reads
from core.views_helpers import button_post, form_post
from core.xlsx import XLSX_MIME
from notifications.selectors import follower_count
from plans import follows, services
from plans.forms import (
    ChangeRequestForm,
    DecisionForm,
    LedgerImportForm,
    NodeForm,
    PlanForm,
    TagForm,
    TaskFilterForm,
    TaskForm,
)
from plans.jobs import IMPORT_KIND, job_params
from plans.jobs import KIND as LEDGER_JOB
from plans.ledger import build_task_ledger_xlsx
from plans.models import DimensionTag, Plan, PlanNode, TaskChangeRequest
from plans.selectors import (
    PlanChoice,
    TaskFilter,
    conflict_rows,
    ledger_stream,
    plan_get_for_user,
    plan_list,
    plan_tree,
    plans_choose,
    task_area_titles,
    task_can_request_change,
    task_get_for_user,
    task_history_rows,
    task_list,
    task_scope,
)
from reports import engine
from reports.forms import JudgementForm
from reports.selectors import node_rollups, task_reports, tasks_with_status
from reports.snapshots import statuses_on
from reports.status import measured_rows, task_input, task_statuses

READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


# --- plans and the tree ----------------------------------------------------------------------------


@require_perm(*READ)
def plan_list_view(request):
    return render(request, "plans/plan_list.html", {"plans": plan_list(request.user)})


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def plan_form_view(request, pk: int | None = None):
    plan = plan_get_for_user(request.user, pk, write=True) if pk else None
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if plan is None:
                plan = services.plan_create(
                    actor=request.user,
                    year=d["year"],
                    title=d["title"],
                    source_text=d["source_text"],
                    status=d["status"],
                )
                services.plan_settings(actor=request.user, plan=plan, **_settings(d))
            else:
                plan.refresh_from_db()
                services.plan_update(
                    actor=request.user, plan=plan, title=d["title"], source_text=d["source_text"], status=d["status"]
                )
                services.plan_settings(actor=request.user, plan=plan, **_settings(d))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("plans:plan_detail", pk=plan.pk)
    title = str(plan) if plan else _("New plan")
    return render(request, "core/form_page.html", {"form": form, "title": title, "back": "plans:plan_list"})


def _settings(d: dict) -> dict:
    return {k: d[k] for k in ("cadence", "stagger_workdays", "lag_yellow_percent", "lag_red_percent")}


@require_perm(*READ)
def plan_detail_view(request, pk: int):
    plan = plan_get_for_user(request.user, pk)
    rows = plan_tree(plan, request.user)
    as_of = as_of_date(request)
    tasks = list(task_scope(request.user).filter(plan=plan).with_plan("node"))
    statuses = statuses_on(as_of, tasks)
    rollups = node_rollups([r.node for r in rows if not r.task], tasks, statuses)
    context = {"plan": plan, "rows": rows, "statuses": statuses, "rollups": rollups, "as_of": as_of}
    return render(request, "plans/plan_detail.html", context)


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def node_form_view(request, plan_pk: int | None = None, pk: int | None = None):
    node = get_object_or_404(PlanNode, pk=pk) if pk is not None else None
    if node is not None:
        plan = node.plan
    else:
        assert plan_pk is not None  # the URL without a node (node_create) names the plan
        plan = plan_get_for_user(request.user, plan_pk, write=True)
    parent = None
    if node is None and request.GET.get("parent"):
        parent = get_object_or_404(PlanNode, pk=request.GET["parent"], plan=plan)
    initial = {"title": node.title, "kind": node.kind, "tags": list(node.tags.all())} if node else None
    form = NodeForm(request.POST or None, initial=initial)

    def save(d: dict) -> None:
        if node is None:
            services.node_add(
                actor=request.user,
                plan=plan,
                parent=parent,
                title=d["title"],
                kind=d.get("kind") or None,
                tags=d["tags"],
            )
        else:
            services.node_update(actor=request.user, node=node, title=d["title"], tags=d["tags"])

    def page(form):
        title = node.title if node else (_("New node under “%(p)s”") % {"p": parent.title} if parent else _("New node"))
        return render(request, "plans/node_form.html", {"form": form, "title": title, "plan": plan})

    if request.method != "POST":
        return page(form)
    return form_post(
        request, form, save, success=_("Saved."), redirect_to=reverse("plans:plan_detail", args=[plan.pk]), invalid=page
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def node_move_view(request, pk: int):
    node = get_object_or_404(PlanNode, pk=pk)
    try:
        services.node_move(actor=request.user, node=node, direction=request.POST.get("direction", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("plans:plan_detail", pk=node.plan_id)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def node_delete_view(request, pk: int):
    node = get_object_or_404(PlanNode, pk=pk)
    return button_post(
        request,
        lambda: services.node_delete(actor=request.user, node=node),
        success=_("Deleted."),
        redirect_to=reverse("plans:plan_detail", args=[node.plan_id]),
    )


@require_perm(*READ)
def tag_list_view(request):
    return render(request, "plans/tag_list.html", {"tags": DimensionTag.objects.all()})


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def tag_form_view(request, pk: int | None = None):
    tag = get_object_or_404(DimensionTag, pk=pk) if pk else None
    initial = {"kind": tag.kind, "name": tag.name, "rank": tag.rank, "is_active": tag.is_active} if tag else None
    form = TagForm(request.POST or None, initial=initial)

    def page(form):
        title = tag.name if tag else _("New tag")
        return render(request, "core/form_page.html", {"form": form, "title": title, "back": "plans:tag_list"})

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        lambda d: services.tag_save(actor=request.user, tag=tag, **d),
        success=_("Saved."),
        redirect_to="plans:tag_list",
        invalid=page,
    )


# --- tasks -----------------------------------------------------------------------------------------


def _plan_choice(request) -> PlanChoice:
    """The plans the list and its export cover: those asked for, else the node's plan (a link from
    a cockpit area), else the default."""
    raw = request.GET.getlist("plan")
    node = request.GET.get("node", "")
    if not any(raw) and node.isdigit():
        raw = [str(pk) for pk in PlanNode.objects.filter(pk=int(node)).values_list("plan_id", flat=True)]
    return plans_choose(request.user, raw, as_of_date(request))


def _filtered(request):
    """The task list's filters, including status and light as of the page's date (one shared rule)."""
    choice = _plan_choice(request)
    form = TaskFilterForm(request.GET or None, plan_choice=choice)
    tasks = task_list(request.user, replace(form.to_filter(), plans=choice.ids or (0,)))
    wanted = {k: form.cleaned_data.get(k) or "" for k in ("status", "light")} if form.is_valid() else {}
    if any(wanted.values()):
        # Status depends on the date: filtered in SQL on the day's stored statuses (reports.snapshots).
        tasks = tasks_with_status(tasks, as_of_date(request), **wanted)
    return form, tasks, choice


@require_perm(*READ)
def task_list_view(request):
    form, tasks, choice = _filtered(request)
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    statuses = statuses_on(as_of_date(request), rows)
    query = request.GET.copy()
    query.pop("page", None)
    if not choice.chosen:
        query.setlist("plan", [str(pk) for pk in choice.ids])  # the export lists what the page shows
    context = {
        "plan_choice": choice,
        "form": form,
        "page": page,
        "areas": task_area_titles(rows),
        "statuses": statuses,
        "query": query.urlencode(),
        "can_edit": request.user.has_luoshi_perm(Perm.PLAN_EDIT),
    }
    return render(request, "plans/task_list.html", context)


PICK_LIMIT = 20


@require_perm(*READ)
def task_pick_view(request):
    """Search-as-you-type for task pickers (htmx): the user's tasks in the chosen plans whose code or
    words match, a few at a time (a picker over a city's thousands of tasks)."""
    choice = _plan_choice(request)
    q = request.GET.get("q", "").strip()[:100]
    name = request.GET.get("name", "tasks")
    if not name.isidentifier():
        name = "tasks"
    found = []
    if q:
        tasks = task_list(request.user, TaskFilter(plans=choice.ids or (0,), q=q, sort="code"))
        found = list(tasks.prefetch_related(None)[: PICK_LIMIT + 1])
    chosen = {int(v) for v in request.GET.getlist(name) if v.isdigit()}
    context = {
        "tasks": found[:PICK_LIMIT],
        "more": len(found) > PICK_LIMIT,
        "limit": PICK_LIMIT,
        "q": q,
        "name": name,
        "chosen": chosen,
        "plan_choice": choice,
    }
    return render(request, "plans/_task_pick_results.html", context)


@require_perm(*READ)
def task_export_view(request):
    with replica_reads():  # a read replica when configured (core/replica.py)
        _form, tasks, _choice = _filtered(request)
        content = build_task_ledger_xlsx(ledger_stream(tasks))
    audit_record(actor=request.user, verb="task.export", object_type="plans.task", after=request.GET.dict())
    response = HttpResponse(content, content_type=XLSX_MIME)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="task-ledger-{stamp}.xlsx"'
    return response


@require_perm(*READ)
@require_POST
def task_export_job_view(request):
    """The same export in the queue with progress (a city's ledger): the list's filters are in the query."""
    choice = _plan_choice(request)
    form = TaskFilterForm(request.GET or None, plan_choice=choice)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("The filters are not valid; correct them and export again."))
        return redirect(reverse("plans:task_list") + ("?" + request.GET.urlencode() if request.GET else ""))
    wanted = {k: form.cleaned_data.get(k) or "" for k in ("status", "light")} if form.is_bound else {}
    flt = replace(form.to_filter(), plans=choice.ids or (0,))
    job = job_start(actor=request.user, kind=LEDGER_JOB, params=job_params(flt, as_of=as_of_date(request), **wanted))
    return redirect("workbench:job_detail", pk=job.pk)


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def task_import_view(request):
    plans = plan_list(request.user).exclude(status=Plan.Status.CLOSED)
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    outcome, status, plan = None, 200, None
    if request.method == "POST":
        raw_plan = request.POST.get("plan", "")
        plan = plans.filter(pk=int(raw_plan)).first() if re.fullmatch(r"\d{1,9}", raw_plan) else None
        if plan is None:
            form.add_error(None, _("Choose the plan to import into."))
        if form.is_valid() and plan is not None:
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                # A large ledger goes to the queue (core/imports.py): the same service, all rows or none.
                queued = import_queued(request, kind=IMPORT_KIND, upload=upload, data=data, params={"plan": plan.pk})
                if queued is not None:
                    return queued
                # Small (or not a workbook at all, which the parser names at once): within the request.
                outcome = services.ledger_import(actor=request.user, plan=plan, data=data)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                if outcome.ok:
                    messages.success(request, counts_summary(outcome))
                    return redirect(f"/tasks/?plan={plan.pk}")
        status = 400
    return render(
        request,
        "plans/task_import.html",
        {"form": form, "plans": plans, "outcome": outcome, "chosen": plan},
        status=status,
    )


@require_perm(*READ)
def task_detail_view(request, pk: int):
    task = task_get_for_user(request.user, pk)
    as_of = as_of_date(request)
    status = task_statuses([task], as_of)[task.pk]
    reports = list(task_reports(task))
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "milestones": list(task.milestones.all()),
            "co_units": task.co_units.all(),
            "status": status,
            "measured": measured_rows(task, as_of),
            "reports": reports,
            "chart": _trajectory_chart(task, status, reports, as_of),
            "judgements": task.judgements.select_related("recorded_by"),
            "judgement_form": JudgementForm(initial={"recorded_on": timezone.localdate()}),
            "area": task_area_titles([task]).get(task.pk, ""),
            "history": task_history_rows(task),
            "change_requests": task.change_requests.select_related("requested_by", "decided_by"),
            "can_edit": request.user.has_luoshi_perm(Perm.PLAN_EDIT),
            "can_request_change": task_can_request_change(request.user, task) and task.plan.is_frozen,
            "subtasks": task_scope(request.user)
            .filter(node__path__startswith=task.node.path)
            .exclude(pk=task.pk)
            .select_related("node", "lead_unit"),
        },
    )


def _trajectory_chart(task, status, reports, as_of) -> dict:
    """Planned line (milestones, else linear), approved actual points as of the date, and the projection."""
    # The engine's own curve, so the chart can never disagree with the light (untidy milestones repaired alike).
    planned = [[day.isoformat(), value] for day, value in engine.trajectory(task_input(task))]
    actual = [
        [r.period_end.isoformat(), float(r.value)]
        for r in sorted(reports, key=lambda r: r.period_end)
        if r.is_lead
        and r.state == "approved"
        and r.value is not None
        and timezone.localtime(r.approved_at).date() <= as_of
    ]
    if task.measure_key:
        # 数值来自记录: the actual is the measure's value on the as-of date, not reports.
        actual = [[as_of.isoformat(), float(status.actual)]]
    projection = []
    if status.projected_completion and actual:
        projection = [actual[-1], [status.projected_completion.isoformat(), status.target]]
    return {
        "planned": planned,
        "actual": actual,
        "projection": projection,
        "target": status.target,
        "unit": task.target_unit,
        "as_of": as_of.isoformat(),
    }


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def task_create_view(request):
    plan = plan_get_for_user(request.user, request.GET.get("plan") or request.POST.get("plan") or 0, write=True)
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else None
    form = TaskForm(request.POST or None, plan=plan, initial=initial)

    def page(form):
        return render(request, "plans/task_form.html", {"form": form, "plan": plan, "title": _("New task")})

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        lambda d: services.task_create(
            actor=request.user, plan=plan, parent=d["parent"], data=form.to_data(), code=d.get("code", "")
        ),
        success=lambda task: _("Task %(code)s created.") % {"code": task.code},
        redirect_to=lambda task: reverse("plans:task_detail", args=[task.pk]),
        invalid=page,
    )


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def task_edit_view(request, pk: int):
    task = task_get_for_user(request.user, pk, write=True)
    form = TaskForm(request.POST or None, plan=task.plan, task=task)
    conflict = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.task_update(
                    actor=request.user,
                    task=task,
                    data=form.to_data(),
                    expected_version=form.cleaned_data.get("version") or 0,
                )
            except services.VersionConflict as exc:
                conflict = conflict_rows(exc.changes)
                form.add_error(None, exc.message)
                status = 409
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("plans:task_detail", pk=task.pk)
        if status == 200:
            status = 400
    return render(
        request,
        "plans/task_form.html",
        {
            "form": form,
            "plan": task.plan,
            "task": task,
            "title": f"{task.code} {task.node.title}",
            "conflict": conflict,
        },
        status=status,
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def task_delete_view(request, pk: int):
    task = task_get_for_user(request.user, pk, write=True)
    try:
        version = request.POST.get("version", "")
        # The version the page was showing; anything else (a stale or forged field) is a conflict, not a 500.
        expected = int(version) if version.isdigit() and len(version) < 10 else 0
        services.task_delete(actor=request.user, task=task, expected_version=expected)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("plans:task_detail", pk=task.pk)
    messages.success(request, _("Task %(code)s deleted.") % {"code": task.code})
    return redirect("plans:plan_detail", pk=task.plan_id)


@require_perm(*READ)
@require_http_methods(["GET", "POST"])
def change_request_create_view(request, pk: int):
    task = task_get_for_user(request.user, pk)
    if not task_can_request_change(request.user, task):
        raise Http404
    initial = {"new_target_value": task.target_value, "new_deadline": task.deadline}
    form = ChangeRequestForm(request.POST or None, request.FILES or None, initial=initial)

    def page(form):
        return render(request, "plans/change_request_form.html", {"form": form, "task": task})

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        lambda d: services.change_request_create(
            actor=request.user,
            task=task,
            new_target_value=d["new_target_value"],
            new_deadline=d["new_deadline"],
            reason=d["reason"],
            evidence=d.get("evidence"),
        ),
        success=_("The change request was sent to the supervision office."),
        redirect_to=reverse("plans:task_detail", args=[task.pk]),
        invalid=page,
    )


@require_perm(*READ)
def change_request_list_view(request):
    requests = TaskChangeRequest.objects.filter(task__in=task_scope(request.user)).select_related(
        "task", "task__node", "task__lead_unit", "requested_by", "decided_by"
    )
    status = request.GET.get("status") or ""
    if status in TaskChangeRequest.Status.values:
        requests = requests.filter(status=status)
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/change_request_list.html",
        {
            "page": page,
            "status": status,
            "statuses": TaskChangeRequest.Status.choices,
            "can_decide": request.user.has_luoshi_perm(Perm.PLAN_EDIT),
            "decision_form": DecisionForm(),
        },
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def change_request_decide_view(request, pk: int):
    change = get_object_or_404(TaskChangeRequest, pk=pk)
    task_get_for_user(request.user, change.task_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect(safe_next(request, reverse("plans:change_request_list")))
    return button_post(
        request,
        lambda: services.change_request_decide(
            actor=request.user,
            request=change,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        ),
        success=_("Decision recorded."),
        redirect_to=safe_next(request, reverse("plans:change_request_list")),
    )


@require_perm(*READ)
def change_request_evidence_view(request, pk: int):
    change = get_object_or_404(TaskChangeRequest, pk=pk)
    task_get_for_user(request.user, change.task_id)  # same access as the task
    if not change.evidence:
        raise Http404
    audit_record(actor=request.user, verb="taskchangerequest.download", obj=change)
    return FileResponse(change.evidence.open("rb"), as_attachment=True, filename=change.evidence.name.rsplit("/")[-1])


@require_perm(*READ)
@require_POST
def follow_view(request, task_pk: int):
    """Follow or stop following a task (SPEC §8); anyone who may read the task may follow it."""
    task = task_get_for_user(request.user, task_pk)
    try:
        following = follows.follow_toggle(actor=request.user, task=task)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("plans:task_detail", pk=task.pk)
    if request.htmx:
        return render(
            request,
            "notifications/_follow_button.html",
            {
                "obj": task,
                "follow_url": reverse("plans:follow", kwargs={"task_pk": task.pk}),
                "following": following,
                "follower_count": follower_count(task),
            },
        )
    if following:
        messages.success(request, _("You follow this task: you will be notified when its progress or light changes."))
    else:
        messages.success(request, _("You no longer follow this task."))
    return redirect("plans:task_detail", pk=task.pk)
