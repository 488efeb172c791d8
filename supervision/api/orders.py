"""API of 督办 orders: list, read, issue, acknowledge, respond, verify, return, close."""

from datetime import date, datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Status
from ninja.files import UploadedFile

from accounts.roles import Perm
from core.api import In, Out, require_api_perm
from core.errors import ServiceError
from plans.models import Task
from plans.selectors import task_get_for_user, task_scope
from reports.status import task_statuses
from supervision import services
from supervision.api.common import (
    READ,
    UNIT_ROLES,
    ErrorOut,
    FileOut,
    NoteIn,
    ReasonIn,
    TargetIn,
    TargetOut,
    TextIn,
    file_out,
    router,
    target_in,
    targets_out,
    unit_by_id,
)
from supervision.models import (
    OrderResponse,
    SupervisionOrder,
)
from supervision.selectors import (
    ORDER_FILTERS,
    order_get_for_user,
    order_list,
    order_proposal,
    orders_on,
)
from supervision.targets import lead_unit


class ResponseOut(Out):
    id: int
    text: str
    submitted_by: str
    submitted_at: datetime
    decision: str
    decision_note: str
    files: list[FileOut]


class OrderOut(Out):
    id: int
    number: str
    kind: str
    level: str
    state: str
    unit_id: int
    unit: str
    task_ids: list[int]
    targets: list[TargetOut]
    content: str
    requirements: str
    issued_on: date
    due_date: date
    response_workdays: int
    acknowledged_at: datetime | None
    responded_at: datetime | None
    responded_late: bool
    verified_at: datetime | None
    closed_at: datetime | None
    return_reason: str
    responses: list[ResponseOut]
    docx_url: str
    version: int


class OrderIssueIn(In):
    task_ids: list[int] = Field(default_factory=list, description="Further tasks on the same order.")
    unit_id: int | None = Field(None, description="Default: the task's lead unit.")
    kind: str | None = Field(None, description="reminder (催办), order (督办) or notice (通报); default proposed.")
    content: str | None = Field(None, description="Default: the status engine's numbers for the task.")
    requirements: str | None = None
    response_workdays: int | None = None
    due_date: date | None = Field(None, description="A working day; overrides response_workdays.")


class OrderCreateIn(OrderIssueIn):
    targets: list[TargetIn] = Field(
        default_factory=list, description='Objects of any kind, e.g. [{"kind": "project", "id": 3}].'
    )


class OrderListIn(In):
    show: str = "open"


def order_out(order: SupervisionOrder) -> dict:
    objects = order.target_objects()
    return {
        "id": order.pk,
        "number": order.number,
        "kind": order.kind,
        "level": order.level,
        "state": order.state,
        "unit_id": order.unit_id,
        "unit": order.unit.name,
        "task_ids": [o.pk for o in objects if isinstance(o, Task)],
        "targets": targets_out(objects),
        "content": order.content,
        "requirements": order.requirements,
        "issued_on": order.issued_on,
        "due_date": order.due_date,
        "response_workdays": order.response_workdays,
        "acknowledged_at": order.acknowledged_at,
        "responded_at": order.responded_at,
        "responded_late": order.responded_late,
        "verified_at": order.verified_at,
        "closed_at": order.closed_at,
        "return_reason": order.return_reason,
        "responses": [
            {
                "id": r.pk,
                "text": r.text,
                "submitted_by": str(r.submitted_by),
                "submitted_at": r.submitted_at,
                "decision": r.decision,
                "decision_note": r.decision_note,
                "files": [file_out(a) for a in r.attachments.all()],
            }
            for r in order.responses.all()
        ],
        "docx_url": f"/supervision/orders/{order.pk}/docx/",
        "version": order.version,
    }


def _order(request, order_id: int) -> dict:
    return order_out(order_get_for_user(request.user, order_id))


@router.get("/orders", response=list[OrderOut])
def orders(request, show: str = "open"):
    """Orders in the caller's scope: open (waiting for the unit), responded, done or all."""
    require_api_perm(request, *READ)
    if show not in ORDER_FILTERS:
        raise ServiceError(_("`show` must be one of: %(v)s.") % {"v": ", ".join(ORDER_FILTERS)}, field="show")
    responses = OrderResponse.objects.select_related("submitted_by").prefetch_related("attachments")
    orders = order_list(request.user, show=show).prefetch_related(Prefetch("responses", queryset=responses))
    return [order_out(o) for o in orders]


@router.get("/orders/{order_id}", response=OrderOut)
def order_detail(request, order_id: int):
    require_api_perm(request, *READ)
    return _order(request, order_id)


@router.post("/tasks/{task_id}/orders", response={201: OrderOut, 400: ErrorOut, 403: ErrorOut})
def order_issue(request, task_id: int, payload: OrderIssueIn):
    """督办: issue an order on the task (and `task_ids`); omitted fields take the proposal for a red task."""
    require_api_perm(request, Perm.PLAN_EDIT)
    task = task_get_for_user(request.user, task_id)
    return Status(201, _issue(request, [task], payload))


@router.post("/orders", response={201: OrderOut, 400: ErrorOut, 403: ErrorOut})
def order_create(request, payload: OrderCreateIn):
    """督办 on any supervised objects: `targets` (kind and id) and/or `task_ids`; the unit defaults to the first
    object's lead unit; for a first object that is a task, omitted fields take the red-task proposal."""
    require_api_perm(request, Perm.PLAN_EDIT)
    return Status(201, _issue(request, [target_in(request, t) for t in payload.targets], payload))


def _issue(request, objects: list, payload: OrderIssueIn) -> dict:
    more = set(payload.task_ids) - {o.pk for o in objects if isinstance(o, Task)}
    extra = list(task_scope(request.user).filter(pk__in=more))
    if len(extra) != len(more):
        raise ServiceError(_("Unknown task in task_ids."), field="task_ids")
    objects = [*objects, *extra]
    first = objects[0] if objects else None
    today = timezone.localdate()
    if isinstance(first, Task):
        status = task_statuses([first], today)[first.pk]
        proposal = order_proposal(first, status, today, open_orders=orders_on(request.user, first).count())
        defaults = {"kind": proposal.kind, "content": proposal.content, "requirements": proposal.requirements}
    else:
        previous = orders_on(request.user, first).count() if first is not None else 0
        defaults = {"kind": "order" if previous else "reminder", "content": "", "requirements": ""}
    order = services.order_issue(
        actor=request.user,
        targets=objects,
        unit=unit_by_id(payload.unit_id, "unit_id") or (lead_unit(first) if first is not None else None),
        kind=payload.kind or defaults["kind"],
        content=defaults["content"] if payload.content is None else payload.content,
        requirements=defaults["requirements"] if payload.requirements is None else payload.requirements,
        due_date=payload.due_date,
        response_workdays=payload.response_workdays,
    )
    return _order(request, order.pk)


@router.post("/orders/{order_id}/acknowledge", response={200: OrderOut, 400: ErrorOut, 403: ErrorOut})
def order_acknowledge(request, order_id: int):
    """签收 (the addressed unit's head or reporter)."""
    require_api_perm(request, *UNIT_ROLES)
    order = order_get_for_user(request.user, order_id)
    services.order_acknowledge(actor=request.user, order=order)
    return Status(200, _order(request, order_id))


# `files` is optional; `| None` instead of the ignore would change the OpenAPI document's schema.
@router.post("/orders/{order_id}/respond", response={200: OrderOut, 400: ErrorOut, 403: ErrorOut})
def order_respond(request, order_id: int, payload: Form[TextIn], files: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    """反馈: multipart/form-data with `text` and any number of `files` (photos, PDF, Word, Excel). All or nothing."""
    require_api_perm(request, *UNIT_ROLES)
    order = order_get_for_user(request.user, order_id)
    uploads = list(files or [])
    services.order_respond(actor=request.user, order=order, text=payload.text, files=uploads)
    return Status(200, _order(request, order_id))


@router.post("/orders/{order_id}/verify", response={200: OrderOut, 400: ErrorOut, 403: ErrorOut})
def order_verify(request, order_id: int, payload: NoteIn):
    """核验: the office accepts the response."""
    require_api_perm(request, Perm.PLAN_EDIT)
    order = order_get_for_user(request.user, order_id)
    services.order_verify(actor=request.user, order=order, note=payload.note)
    return Status(200, _order(request, order_id))


@router.post("/orders/{order_id}/return", response={200: OrderOut, 400: ErrorOut, 403: ErrorOut})
def order_return(request, order_id: int, payload: ReasonIn):
    """退回: the office sends the response back with a reason (and optionally a new due date)."""
    require_api_perm(request, Perm.PLAN_EDIT)
    order = order_get_for_user(request.user, order_id)
    services.order_return(actor=request.user, order=order, reason=payload.reason, due_date=payload.due_date)
    return Status(200, _order(request, order_id))


@router.post("/orders/{order_id}/close", response={200: OrderOut, 400: ErrorOut, 403: ErrorOut})
def order_close(request, order_id: int):
    require_api_perm(request, Perm.PLAN_EDIT)
    order = order_get_for_user(request.user, order_id)
    services.order_close(actor=request.user, order=order)
    return Status(200, _order(request, order_id))
