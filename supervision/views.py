"""Pages of 督查督办: orders, instructions, inspections, rectifications. Thin: parse, check, call, render."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Perm
from audit.services import audit_record
from core.access import require_perm
from core.errors import ServiceError
from core.files import serve_upload
from core.forms import add_service_error
from core.middleware import as_of_date
from core.workcalendar import work_calendar
from plans.selectors import task_get_for_user
from reports.selectors import report_get_for_user
from reports.status import task_statuses
from supervision import services
from supervision.documents import order_document_bytes, order_docx_filename
from supervision.forms import (
    AnswerForm,
    AnswerReturnForm,
    FindingForm,
    InspectionForm,
    InstructionForm,
    OrderForm,
    PhotosForm,
    ReasonForm,
    RectificationForm,
    RectificationReportForm,
    RespondForm,
    ReturnForm,
    VerifyForm,
    uploads,
)
from supervision.models import FollowUp, Rectification, SupervisionOrder
from supervision.selectors import (
    ORDER_FILTERS,
    attachment_get_for_user,
    finding_get_for_user,
    followup_get_for_user,
    followup_history,
    inspection_get_for_user,
    inspection_list,
    instruction_counts,
    instruction_get_for_user,
    instruction_list,
    instruction_scope,
    order_counts,
    order_get_for_user,
    order_list,
    order_proposal,
    order_scope,
    rectification_counts,
    rectification_get_for_user,
    rectification_list,
)

READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)
UNIT_ROLES = (Perm.REPORT_DRAFT, Perm.REPORT_APPROVE)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _in_unit(user, unit_id: int) -> bool:
    return user.unit_id == unit_id and any(user.has_luoshi_perm(p) for p in UNIT_ROLES)


def _errors(form) -> str:
    return " ".join(e for errors in form.errors.values() for e in errors)


# --- orders ---------------------------------------------------------------------------------------


@require_perm(*READ)
def order_list_view(request):
    """督办单: open (waiting for the unit), responded (waiting for the office), done, all."""
    show = request.GET.get("show", "open")
    show = show if show in ORDER_FILTERS else "open"
    page = Paginator(order_list(request.user, show=show), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/order_list.html",
        {
            "page": page,
            "show": show,
            "counts": order_counts(request.user),
            "today": timezone.localdate(),
            "can_issue": request.user.has_luoshi_perm(Perm.PLAN_EDIT),
        },
    )


def _initial_order(request) -> dict:
    """Pre-fill from ?task=<id>: a red task's lead unit, kind and the engine's numbers (cockpit, task page)."""
    raw = request.GET.get("task", "")
    initial = {"response_workdays": settings.SUPERVISION_RESPONSE_WORKDAYS}
    if not raw.isdigit():
        return initial
    task = task_get_for_user(request.user, int(raw))
    as_of = as_of_date(request)
    status = task_statuses([task], as_of)[task.pk]
    previous = order_scope(request.user).filter(tasks=task).count()
    proposal = order_proposal(task, status, as_of, open_orders=previous)
    return {
        **initial,
        "tasks": [task.pk],
        "unit": proposal.unit_id,
        "kind": proposal.kind,
        "content": proposal.content,
        "requirements": proposal.requirements,
        "_task": task,
        "_status": status,
    }


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def order_create_view(request):
    initial = _initial_order(request) if request.method == "GET" else {}
    proposed_task, proposed_status = initial.pop("_task", None), initial.pop("_status", None)
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                order = services.order_issue(
                    actor=request.user,
                    tasks=list(d["tasks"]),
                    unit=d["unit"],
                    kind=d["kind"],
                    content=d["content"],
                    requirements=d["requirements"],
                    due_date=d["due_date"],
                    response_workdays=d["response_workdays"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Order %(number)s issued.") % {"number": order.number})
                return redirect("supervision:order_detail", pk=order.pk)
    return render(
        request,
        "supervision/order_form.html",
        {"form": form, "task": proposed_task, "status": proposed_status},
        status=400 if request.method == "POST" else 200,
    )


def _order_page(request, order: SupervisionOrder, *, status: int = 200, **forms):
    user = request.user
    office = user.has_luoshi_perm(Perm.PLAN_EDIT)
    unit = _in_unit(user, order.unit_id)
    context = {
        "order": order,
        "responses": list(order.responses.all()),
        "tasks": list(order.tasks.all()),
        "escalations": list(order.escalations.all()),
        "instructions": list(
            instruction_scope(user).filter(order=order).select_related("author", "followup").order_by("-created_at")
        ),
        "today": timezone.localdate(),
        "can_acknowledge": unit and order.state == SupervisionOrder.State.ISSUED,
        "can_respond": unit and order.state in (SupervisionOrder.State.ACKNOWLEDGED, SupervisionOrder.State.RETURNED),
        "can_decide": office and order.state == SupervisionOrder.State.RESPONDED,
        "can_close": office and order.state == SupervisionOrder.State.VERIFIED,
        "can_instruct": user.has_luoshi_perm(Perm.INSTRUCTION_WRITE),
        "respond_form": forms.get("respond_form") or RespondForm(),
        "verify_form": forms.get("verify_form") or VerifyForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "issuer": settings.SUPERVISION_ISSUER_NAME,
    }
    return render(request, "supervision/order_detail.html", context, status=status)


@require_perm(*READ)
def order_detail_view(request, pk: int):
    return _order_page(request, order_get_for_user(request.user, pk))


@require_perm(*READ)
def order_docx_view(request, pk: int):
    """督办通知单 as .docx, one page in official style (supervision/orderdoc.py)."""
    order = order_get_for_user(request.user, pk)
    response = HttpResponse(order_document_bytes(order), content_type=DOCX_MIME)
    audit_record(actor=request.user, verb="supervisionorder.download", obj=order)
    name = order_docx_filename(order)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@require_perm(*UNIT_ROLES)
@require_POST
def order_acknowledge_view(request, pk: int):
    order = order_get_for_user(request.user, pk)
    try:
        services.order_acknowledge(actor=request.user, order=order)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Order acknowledged."))
    return redirect("supervision:order_detail", pk=order.pk)


@require_perm(*UNIT_ROLES)
@require_POST
def order_respond_view(request, pk: int):
    order = order_get_for_user(request.user, pk)
    form = RespondForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.order_respond(
                actor=request.user,
                order=order,
                text=form.cleaned_data["text"],
                files=uploads(form.cleaned_data["files"]),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Response sent to the supervision office."))
            return redirect("supervision:order_detail", pk=order.pk)
    return _order_page(request, order_get_for_user(request.user, pk), status=400, respond_form=form)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def order_verify_view(request, pk: int):
    order = order_get_for_user(request.user, pk)
    form = VerifyForm(request.POST)
    form.is_valid()
    try:
        services.order_verify(actor=request.user, order=order, note=form.cleaned_data.get("note", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Response verified."))
    return redirect("supervision:order_detail", pk=order.pk)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def order_return_view(request, pk: int):
    order = order_get_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.order_return(
                actor=request.user,
                order=order,
                reason=form.cleaned_data["reason"],
                due_date=form.cleaned_data["due_date"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The response was sent back to the unit."))
            return redirect("supervision:order_detail", pk=order.pk)
    return _order_page(request, order_get_for_user(request.user, pk), status=400, return_form=form)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def order_close_view(request, pk: int):
    order = order_get_for_user(request.user, pk)
    try:
        services.order_close(actor=request.user, order=order)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Order closed."))
    return redirect("supervision:order_detail", pk=order.pk)


# --- instructions ---------------------------------------------------------------------------------


@require_perm(*READ)
def instruction_list_view(request):
    """我的批示 (a leader's own, with answer states), all instructions (office), or my unit's follow-ups."""
    user = request.user
    is_leader = user.has_luoshi_perm(Perm.INSTRUCTION_WRITE)
    mine = is_leader and request.GET.get("all") != "1"
    state = request.GET.get("state", "")
    state = state if state in FollowUp.State.values else ""
    page = Paginator(instruction_list(user, mine=mine, state=state), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/instruction_list.html",
        {
            "page": page,
            "mine": mine,
            "is_leader": is_leader,
            "state": state,
            "counts": instruction_counts(user, mine=mine),
            "today": timezone.localdate(),
        },
    )


INSTRUCTION_TARGETS = {
    "task": task_get_for_user,
    "report": report_get_for_user,
    "order": order_get_for_user,
    "finding": finding_get_for_user,
}


@require_perm(Perm.INSTRUCTION_WRITE)
@require_http_methods(["GET", "POST"])
def instruction_create_view(request, target: str, pk: int):
    """A leader writes an instruction on a task, report, order or finding (each access-checked as usual)."""
    if target not in INSTRUCTION_TARGETS:
        raise Http404
    target = {target: INSTRUCTION_TARGETS[target](request.user, pk)}
    default_unit = services.instruction_unit(**target)
    due = work_calendar().add_workdays(timezone.localdate(), settings.SUPERVISION_RESPONSE_WORKDAYS)
    form = InstructionForm(request.POST or None, initial={"unit": default_unit, "due_date": due})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            instruction = services.instruction_create(
                actor=request.user, text=d["text"], due_date=d["due_date"], unit=d["unit"], **target
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Instruction sent; %(unit)s must answer it.") % {"unit": instruction.followup.unit}
            )
            return redirect("supervision:instruction_detail", pk=instruction.pk)
    key, obj = next(iter(target.items()))
    return render(
        request,
        "supervision/instruction_form.html",
        {"form": form, "target": obj, "target_key": key},
        status=400 if request.method == "POST" else 200,
    )


def _instruction_page(request, instruction, *, status: int = 200, answer_form=None, return_form=None):
    followup = instruction.followup
    return render(
        request,
        "supervision/instruction_detail.html",
        {
            "instruction": instruction,
            "followup": followup,
            "answers": followup_history(followup),
            "today": timezone.localdate(),
            "can_answer": _in_unit(request.user, followup.unit_id) and followup.is_open,
            "can_decide": followup.state == FollowUp.State.ANSWERED
            and services.followup_may_decide(request.user, followup),
            "answer_form": answer_form or AnswerForm(),
            "return_form": return_form or AnswerReturnForm(),
            "issuer": settings.SUPERVISION_ISSUER_NAME,
        },
        status=status,
    )


@require_perm(*READ)
def instruction_detail_view(request, pk: int):
    return _instruction_page(request, instruction_get_for_user(request.user, pk))


@require_perm(*UNIT_ROLES)
@require_POST
def followup_answer_view(request, pk: int):
    followup = followup_get_for_user(request.user, pk)
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.followup_answer(
                actor=request.user,
                followup=followup,
                answer=form.cleaned_data["answer"],
                files=uploads(form.cleaned_data["files"]),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Answer sent to the leader."))
            return redirect("supervision:instruction_detail", pk=followup.instruction_id)
    instruction = instruction_get_for_user(request.user, followup.instruction_id)
    return _instruction_page(request, instruction, status=400, answer_form=form)


@require_perm(Perm.PLAN_EDIT, Perm.INSTRUCTION_WRITE)
@require_POST
def followup_accept_view(request, pk: int):
    followup = followup_get_for_user(request.user, pk)
    form = VerifyForm(request.POST)
    form.is_valid()
    try:
        services.followup_accept(actor=request.user, followup=followup, note=form.cleaned_data.get("note", ""))
    except ServiceError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Answer accepted."))
    return redirect("supervision:instruction_detail", pk=followup.instruction_id)


@require_perm(Perm.PLAN_EDIT, Perm.INSTRUCTION_WRITE)
@require_POST
def followup_return_view(request, pk: int):
    followup = followup_get_for_user(request.user, pk)
    form = AnswerReturnForm(request.POST)
    if form.is_valid():
        try:
            services.followup_return(actor=request.user, followup=followup, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            if exc.code == "forbidden":
                raise PermissionDenied from exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The answer was sent back to the unit."))
            return redirect("supervision:instruction_detail", pk=followup.instruction_id)
    instruction = instruction_get_for_user(request.user, followup.instruction_id)
    return _instruction_page(request, instruction, status=400, return_form=form)


# --- inspections ----------------------------------------------------------------------------------


@require_perm(Perm.BUSINESS_READ_ALL)
def inspection_list_view(request):
    page = Paginator(inspection_list(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/inspection_list.html",
        {"page": page, "can_record": request.user.has_luoshi_perm(Perm.PLAN_EDIT)},
    )


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def inspection_create_view(request):
    form = InspectionForm(request.POST or None, request.FILES or None, initial={"inspected_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inspection = services.inspection_record(
                actor=request.user,
                inspected_on=d["inspected_on"],
                inspectors=d["inspectors"],
                place=d["place"],
                tasks=list(d["tasks"]),
                summary=d["summary"],
                latitude=d["latitude"],
                longitude=d["longitude"],
                photos=uploads(d["photos"]),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect("supervision:inspection_detail", pk=inspection.pk)
    return render(
        request, "supervision/inspection_form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


def _inspection_page(request, inspection, *, status: int = 200, **forms):
    findings = list(inspection.findings.all())
    deadline = work_calendar().add_workdays(timezone.localdate(), 10)
    # One form per finding without a rectification (distinct field ids); a refused one comes back with its errors.
    # The unit starts as the lead unit of the finding's task (the office changes it when someone else must act).
    rectification_forms = {
        f.pk: RectificationForm(
            initial={"deadline": deadline, "unit": f.task.lead_unit_id if f.task_id else None},
            auto_id=f"id_rect{f.pk}_%s",
        )
        for f in findings
        if not hasattr(f, "rectification")
    }
    if forms.get("rectification_form") is not None:
        rectification_forms[forms["rectification_finding"]] = forms["rectification_form"]
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "inspection": inspection,
            "findings": findings,
            "photos": [a for a in inspection.attachments.all()],
            "can_edit": request.user.has_luoshi_perm(Perm.PLAN_EDIT),
            "can_instruct": request.user.has_luoshi_perm(Perm.INSTRUCTION_WRITE),
            "photos_form": forms.get("photos_form") or PhotosForm(),
            "finding_form": forms.get("finding_form") or FindingForm(tasks=inspection.tasks.select_related("node")),
            "rectification_forms": rectification_forms,
            "rectification_finding": forms.get("rectification_finding"),
        },
        status=status,
    )


@require_perm(Perm.BUSINESS_READ_ALL)
def inspection_detail_view(request, pk: int):
    return _inspection_page(request, inspection_get_for_user(request.user, pk))


@require_perm(Perm.PLAN_EDIT)
@require_POST
def inspection_photos_view(request, pk: int):
    inspection = inspection_get_for_user(request.user, pk)
    form = PhotosForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.inspection_add_photos(
                actor=request.user, inspection=inspection, photos=uploads(form.cleaned_data["photos"])
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Photos added."))
            return redirect("supervision:inspection_detail", pk=inspection.pk)
    return _inspection_page(request, inspection_get_for_user(request.user, pk), status=400, photos_form=form)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def finding_add_view(request, pk: int):
    inspection = inspection_get_for_user(request.user, pk)
    form = FindingForm(request.POST, tasks=inspection.tasks.select_related("node"))
    if form.is_valid():
        try:
            services.finding_add(
                actor=request.user,
                inspection=inspection,
                text=form.cleaned_data["text"],
                task=form.cleaned_data["task"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Finding recorded."))
            return redirect("supervision:inspection_detail", pk=inspection.pk)
    return _inspection_page(request, inspection, status=400, finding_form=form)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def rectification_open_view(request, pk: int):
    finding = finding_get_for_user(request.user, pk)
    form = RectificationForm(request.POST, request.FILES, auto_id=f"id_rect{finding.pk}_%s")
    if form.is_valid():
        d = form.cleaned_data
        try:
            item = services.rectification_open(
                actor=request.user,
                finding=finding,
                unit=d["unit"],
                deadline=d["deadline"],
                requirement=d["requirement"],
                photos=uploads(d["photos"]),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Rectification assigned to %(unit)s.") % {"unit": item.unit})
            return redirect("supervision:rectification_detail", pk=item.pk)
    inspection = inspection_get_for_user(request.user, finding.inspection_id)
    return _inspection_page(request, inspection, status=400, rectification_form=form, rectification_finding=finding.pk)


# --- rectifications -------------------------------------------------------------------------------


@require_perm(*READ)
def rectification_list_view(request):
    show = request.GET.get("show", "open")
    show = show if show in ("open", "reported", "done", "all") else "open"
    page = Paginator(rectification_list(request.user, show=show), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/rectification_list.html",
        {"page": page, "show": show, "counts": rectification_counts(request.user), "today": timezone.localdate()},
    )


def _rectification_page(request, item: Rectification, *, status: int = 200, report_form=None, return_form=None):
    office = request.user.has_luoshi_perm(Perm.PLAN_EDIT)
    attachments = list(item.attachments.all())
    return render(
        request,
        "supervision/rectification_detail.html",
        {
            "item": item,
            "before": [a for a in attachments if a.stage == "before"],
            "after": [a for a in attachments if a.stage == "after"],
            "today": timezone.localdate(),
            "can_report": _in_unit(request.user, item.unit_id) and item.is_open,
            "can_decide": office and item.state == Rectification.State.REPORTED,
            "can_close": office and item.state == Rectification.State.VERIFIED,
            "report_form": report_form or RectificationReportForm(),
            "return_form": return_form or ReasonForm(),
        },
        status=status,
    )


@require_perm(*READ)
def rectification_detail_view(request, pk: int):
    return _rectification_page(request, rectification_get_for_user(request.user, pk))


@require_perm(*UNIT_ROLES)
@require_POST
def rectification_report_view(request, pk: int):
    item = rectification_get_for_user(request.user, pk)
    form = RectificationReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.rectification_report(
                actor=request.user,
                item=item,
                text=form.cleaned_data["text"],
                photos=uploads(form.cleaned_data["photos"]),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Rectification reported to the supervision office."))
            return redirect("supervision:rectification_detail", pk=item.pk)
    return _rectification_page(request, rectification_get_for_user(request.user, pk), status=400, report_form=form)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def rectification_verify_view(request, pk: int):
    item = rectification_get_for_user(request.user, pk)
    try:
        services.rectification_verify(actor=request.user, item=item)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rectification verified."))
    return redirect("supervision:rectification_detail", pk=item.pk)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def rectification_return_view(request, pk: int):
    item = rectification_get_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.rectification_return(actor=request.user, item=item, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The report was sent back to the unit."))
            return redirect("supervision:rectification_detail", pk=item.pk)
    return _rectification_page(request, rectification_get_for_user(request.user, pk), status=400, return_form=form)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def rectification_close_view(request, pk: int):
    item = rectification_get_for_user(request.user, pk)
    try:
        services.rectification_close(actor=request.user, item=item)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rectification closed."))
    return redirect("supervision:rectification_detail", pk=item.pk)


# --- files ----------------------------------------------------------------------------------------


@require_perm(*READ)
def file_view(request, pk: int, thumb: bool = False):
    """Supervision files are served only here, after the access check of their order, inspection or item."""
    return serve_upload(attachment_get_for_user(request.user, pk), actor=request.user, thumb=thumb)
