"""Pages of 督办 orders: list, issue, detail, .docx and the steps of unit and office. Thin: parse, call, render."""

from urllib.parse import quote

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Perm
from audit.services import audit_record
from core.access import require_perm
from core.errors import ServiceError
from core.middleware import as_of_date
from core.views_helpers import button_post, form_post
from plans.models import Task
from plans.selectors import task_get_for_user
from reports.status import task_statuses
from supervision import services
from supervision.documents import order_document_bytes, order_docx_filename
from supervision.forms import (
    OrderForm,
    RespondForm,
    ReturnForm,
    VerifyForm,
    uploads,
)
from supervision.models import SupervisionOrder
from supervision.selectors import (
    ORDER_FILTERS,
    instruction_scope,
    order_counts,
    order_get_for_user,
    order_list,
    order_proposal,
    orders_on,
)
from supervision.targets import lead_unit, target_ref, target_resolve, target_view
from supervision.views.common import READ, UNIT_ROLES, in_unit

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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
    """Pre-fill from ?task=<id> (a red task's lead unit, kind and the engine's numbers: cockpit, task page) or
    from ?target=<kind>:<id> (any supervised object: its lead unit, 督办 when it had an order before)."""
    raw = request.GET.get("task", "")
    initial = {"response_workdays": settings.SUPERVISION_RESPONSE_WORKDAYS}
    if request.GET.get("target"):
        obj = target_resolve(request.user, request.GET["target"])  # ServiceError → 400, outside scope → 404
        if not isinstance(obj, Task):
            unit = lead_unit(obj)
            previous = orders_on(request.user, obj).count()
            return {
                **initial,
                "targets": "{}:{}".format(*target_ref(obj)),
                "unit": unit.pk if unit else None,
                "kind": "order" if previous else "reminder",
                "_target": target_view(obj),
            }
        raw = str(obj.pk)
    if not raw.isdigit():
        return initial
    task = task_get_for_user(request.user, int(raw))
    as_of = as_of_date(request)
    status = task_statuses([task], as_of)[task.pk]
    previous = orders_on(request.user, task).count()
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


def _resolve_targets(request, refs: list[str]) -> list:
    return [target_resolve(request.user, ref, field="targets") for ref in refs]


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def order_create_view(request):
    try:
        initial = _initial_order(request) if request.method == "GET" else {}
    except ServiceError as exc:
        return HttpResponseBadRequest(exc.message)
    proposed_task, proposed_status = initial.pop("_task", None), initial.pop("_status", None)
    proposed_targets = [initial.pop("_target")] if "_target" in initial else []
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST":
        # The other objects the form carries (hidden): shown again, by title, if the page comes back with errors.
        try:
            proposed_targets = [target_view(o) for o in _resolve_targets(request, form.target_refs())]
        except ServiceError:
            proposed_targets = []

    def page(form, status=200):
        context = {"form": form, "task": proposed_task, "status": proposed_status, "targets": proposed_targets}
        return render(request, "supervision/order_form.html", context, status=status)

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        lambda d: services.order_issue(
            actor=request.user,
            tasks=list(d["tasks"]),
            targets=_resolve_targets(request, d["targets"]),
            unit=d["unit"],
            kind=d["kind"],
            content=d["content"],
            requirements=d["requirements"],
            due_date=d["due_date"],
            response_workdays=d["response_workdays"],
        ),
        success=lambda order: _("Order %(number)s issued.") % {"number": order.number},
        redirect_to=lambda order: _detail(order.pk),
        invalid=lambda form: page(form, status=400),
    )


def _detail(pk: int) -> str:
    return reverse("supervision:order_detail", kwargs={"pk": pk})


def _order_page(request, order: SupervisionOrder, *, status: int = 200, **forms):
    user = request.user
    office = user.has_luoshi_perm(Perm.PLAN_EDIT)
    unit = in_unit(user, order.unit_id)
    context = {
        "order": order,
        "responses": list(order.responses.all()),
        "targets": [target_view(o) for o in order.target_objects()],
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
    return button_post(
        request,
        lambda: services.order_acknowledge(actor=request.user, order=order),
        success=_("Order acknowledged."),
        redirect_to=_detail(order.pk),
    )


@require_perm(*UNIT_ROLES)
@require_POST
def order_respond_view(request, pk: int):
    order = order_get_for_user(request.user, pk)
    return form_post(
        request,
        RespondForm(request.POST, request.FILES),
        lambda d: services.order_respond(actor=request.user, order=order, text=d["text"], files=uploads(d["files"])),
        success=_("Response sent to the supervision office."),
        redirect_to=_detail(order.pk),
        invalid=lambda form: _order_page(request, order_get_for_user(request.user, pk), status=400, respond_form=form),
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def order_verify_view(request, pk: int):
    order = order_get_for_user(request.user, pk)
    form = VerifyForm(request.POST)
    form.is_valid()
    return button_post(
        request,
        lambda: services.order_verify(actor=request.user, order=order, note=form.cleaned_data.get("note", "")),
        success=_("Response verified."),
        redirect_to=_detail(order.pk),
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def order_return_view(request, pk: int):
    order = order_get_for_user(request.user, pk)
    return form_post(
        request,
        ReturnForm(request.POST),
        lambda d: services.order_return(actor=request.user, order=order, reason=d["reason"], due_date=d["due_date"]),
        success=_("The response was sent back to the unit."),
        redirect_to=_detail(order.pk),
        invalid=lambda form: _order_page(request, order_get_for_user(request.user, pk), status=400, return_form=form),
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def order_close_view(request, pk: int):
    order = order_get_for_user(request.user, pk)
    return button_post(
        request,
        lambda: services.order_close(actor=request.user, order=order),
        success=_("Order closed."),
        redirect_to=_detail(order.pk),
    )
