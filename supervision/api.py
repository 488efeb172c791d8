"""REST API for supervision: orders, instructions, inspections, rectifications.

The same services, selectors and access rules as the pages. Text fields that a
service requires (a response, an answer, a reason) default to "" in the schemas
so that a missing one gets the service's clear message (400), and a caller
without the permission gets 403 before any body check.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Status
from ninja.files import UploadedFile

from accounts.roles import Perm
from core.api import In, Out, require_api_perm
from core.errors import ServiceError
from org.models import Unit
from plans.selectors import task_get_for_user, task_scope
from reports.selectors import report_get_for_user
from reports.status import task_statuses
from supervision import services
from supervision.models import (
    Attachment,
    FollowUp,
    Inspection,
    Instruction,
    OrderResponse,
    Rectification,
    SupervisionOrder,
)
from supervision.selectors import (
    ORDER_FILTERS,
    finding_get_for_user,
    followup_get_for_user,
    followup_history,
    inspection_get_for_user,
    inspection_list,
    instruction_get_for_user,
    instruction_list,
    order_get_for_user,
    order_list,
    order_proposal,
    order_scope,
    rectification_get_for_user,
    rectification_list,
)

router = Router(tags=["supervision"])
READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)
UNIT_ROLES = (Perm.REPORT_DRAFT, Perm.REPORT_APPROVE)


class ErrorOut(Out):
    detail: str
    field: str | None = None


class FileOut(Out):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    stage: str
    latitude: float | None
    longitude: float | None
    url: str


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


class OrderListIn(In):
    show: str = "open"


class TextIn(In):
    text: str = ""


class ReasonIn(In):
    reason: str = ""
    due_date: date | None = None


class NoteIn(In):
    note: str = ""


class AnswerOut(Out):
    id: int
    text: str
    submitted_by: str
    submitted_at: datetime
    decision: str
    decision_note: str
    files: list[FileOut]


class FollowUpOut(Out):
    id: int
    unit: str
    due_date: date
    state: str
    answer: str
    answered_at: datetime | None
    answered_late: bool
    answers: list[AnswerOut]


class InstructionOut(Out):
    id: int
    author: str
    text: str
    target_type: str
    target_id: int
    created_at: datetime
    followup: FollowUpOut


class InstructionIn(In):
    text: str = ""
    task_id: int | None = None
    report_id: int | None = None
    order_id: int | None = None
    finding_id: int | None = None
    unit_id: int | None = None
    due_date: date | None = None


class AnswerIn(In):
    answer: str = ""


class FindingOut(Out):
    id: int
    text: str
    task_id: int | None
    rectification_id: int | None


class InspectionOut(Out):
    id: int
    inspected_on: date
    inspectors: str
    place: str
    latitude: float | None
    longitude: float | None
    coordinates_source: str
    summary: str
    task_ids: list[int]
    findings: list[FindingOut]
    photos: list[FileOut]


class InspectionIn(In):
    inspected_on: date | None = None
    inspectors: str = ""
    place: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    task_ids: list[int] = []
    summary: str = ""


class FindingIn(In):
    text: str = ""
    task_id: int | None = None


class RectificationOut(Out):
    id: int
    finding_id: int
    unit_id: int
    unit: str
    requirement: str
    deadline: date
    state: str
    report: str
    return_reason: str
    files: list[FileOut]


class RectificationIn(In):
    unit_id: int | None = None
    deadline: date | None = None
    requirement: str = ""


def _float(value) -> float | None:
    return None if value is None else float(value)


def file_out(a: Attachment) -> dict:
    return {
        "id": a.pk,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "stage": a.stage,
        "latitude": _float(a.latitude),
        "longitude": _float(a.longitude),
        "url": f"/supervision/files/{a.pk}/",
    }


def order_out(order: SupervisionOrder) -> dict:
    return {
        "id": order.pk,
        "number": order.number,
        "kind": order.kind,
        "level": order.level,
        "state": order.state,
        "unit_id": order.unit_id,
        "unit": order.unit.name,
        "task_ids": [t.pk for t in order.tasks.all()],
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


def _unit(pk: int | None, field: str) -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise ServiceError(_("Unknown id %(id)s.") % {"id": pk}, field=field)
    return unit


# --- orders ---------------------------------------------------------------------------------------


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
    more = set(payload.task_ids) - {task.pk}
    extra = list(task_scope(request.user).filter(pk__in=more))
    if len(extra) != len(more):
        raise ServiceError(_("Unknown task in task_ids."), field="task_ids")
    today = timezone.localdate()
    status = task_statuses([task], today)[task.pk]
    proposal = order_proposal(task, status, today, open_orders=order_scope(request.user).filter(tasks=task).count())
    order = services.order_issue(
        actor=request.user,
        tasks=[task, *extra],
        unit=_unit(payload.unit_id, "unit_id") or task.lead_unit,
        kind=payload.kind or proposal.kind,
        content=proposal.content if payload.content is None else payload.content,
        requirements=proposal.requirements if payload.requirements is None else payload.requirements,
        due_date=payload.due_date,
        response_workdays=payload.response_workdays,
    )
    return Status(201, _order(request, order.pk))


@router.post("/orders/{order_id}/acknowledge", response={200: OrderOut, 400: ErrorOut, 403: ErrorOut})
def order_acknowledge(request, order_id: int):
    """签收 (the addressed unit's head or reporter)."""
    require_api_perm(request, *UNIT_ROLES)
    order = order_get_for_user(request.user, order_id)
    services.order_acknowledge(actor=request.user, order=order)
    return Status(200, _order(request, order_id))


@router.post("/orders/{order_id}/respond", response={200: OrderOut, 400: ErrorOut, 403: ErrorOut})
def order_respond(request, order_id: int, payload: Form[TextIn], files: File[list[UploadedFile]] = None):
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


# --- instructions ---------------------------------------------------------------------------------


def instruction_out(i: Instruction) -> dict:
    target = i.target
    f: FollowUp = i.followup
    return {
        "id": i.pk,
        "author": str(i.author),
        "text": i.text,
        "target_type": type(target).__name__.lower(),
        "target_id": target.pk,
        "created_at": i.created_at,
        "followup": {
            "id": f.pk,
            "unit": f.unit.name,
            "due_date": f.due_date,
            "state": f.state,
            "answer": f.answer,
            "answered_at": f.answered_at,
            "answered_late": f.answered_late,
            "answers": [
                {
                    "id": a.pk,
                    "text": a.text,
                    "submitted_by": str(a.submitted_by),
                    "submitted_at": a.submitted_at,
                    "decision": a.decision,
                    "decision_note": a.decision_note,
                    "files": [file_out(x) for x in a.attachments.all()],
                }
                for a in followup_history(f)
            ],
        },
    }


@router.get("/instructions", response=list[InstructionOut])
def instructions(request, mine: bool = False):
    """Instructions in scope (leaders and office: all; `mine=true`: the caller's own); units: their follow-ups."""
    require_api_perm(request, *READ)
    return [instruction_out(i) for i in instruction_list(request.user, mine=mine)]


@router.get("/instructions/{instruction_id}", response=InstructionOut)
def instruction_detail(request, instruction_id: int):
    require_api_perm(request, *READ)
    return instruction_out(instruction_get_for_user(request.user, instruction_id))


@router.post("/instructions", response={201: InstructionOut, 400: ErrorOut, 403: ErrorOut})
def instruction_create(request, payload: InstructionIn):
    """领导批示 on one of task_id, report_id, order_id, finding_id; the owning unit answers by `due_date`."""
    require_api_perm(request, Perm.INSTRUCTION_WRITE)
    targets = {}
    if payload.task_id is not None:
        targets["task"] = task_get_for_user(request.user, payload.task_id)
    if payload.report_id is not None:
        targets["report"] = report_get_for_user(request.user, payload.report_id)
    if payload.order_id is not None:
        targets["order"] = order_get_for_user(request.user, payload.order_id)
    if payload.finding_id is not None:
        targets["finding"] = finding_get_for_user(request.user, payload.finding_id)
    instruction = services.instruction_create(
        actor=request.user,
        text=payload.text,
        due_date=payload.due_date,
        unit=_unit(payload.unit_id, "unit_id"),
        **targets,
    )
    return Status(201, instruction_out(instruction_get_for_user(request.user, instruction.pk)))


@router.post("/followups/{followup_id}/answer", response={200: InstructionOut, 400: ErrorOut, 403: ErrorOut})
def followup_answer(request, followup_id: int, payload: AnswerIn):
    """批示办理: the owning unit answers (files: through the page; the JSON body carries the text)."""
    require_api_perm(request, *UNIT_ROLES)
    followup = followup_get_for_user(request.user, followup_id)
    services.followup_answer(actor=request.user, followup=followup, answer=payload.answer)
    return Status(200, instruction_out(instruction_get_for_user(request.user, followup.instruction_id)))


@router.post("/followups/{followup_id}/accept", response={200: InstructionOut, 400: ErrorOut, 403: ErrorOut})
def followup_accept(request, followup_id: int, payload: NoteIn):
    """The office, or the leader who wrote the instruction, accepts the unit's answer."""
    require_api_perm(request, Perm.PLAN_EDIT, Perm.INSTRUCTION_WRITE)
    followup = followup_get_for_user(request.user, followup_id)
    services.followup_accept(actor=request.user, followup=followup, note=payload.note)
    return Status(200, instruction_out(instruction_get_for_user(request.user, followup.instruction_id)))


@router.post("/followups/{followup_id}/return", response={200: InstructionOut, 400: ErrorOut, 403: ErrorOut})
def followup_return(request, followup_id: int, payload: ReasonIn):
    """退回: the answer goes back with a reason; the unit answers again within SUPERVISION_RETURN_WORKDAYS."""
    require_api_perm(request, Perm.PLAN_EDIT, Perm.INSTRUCTION_WRITE)
    followup = followup_get_for_user(request.user, followup_id)
    services.followup_return(actor=request.user, followup=followup, reason=payload.reason)
    return Status(200, instruction_out(instruction_get_for_user(request.user, followup.instruction_id)))


# --- inspections and rectifications ---------------------------------------------------------------


def inspection_out(i: Inspection) -> dict:
    return {
        "id": i.pk,
        "inspected_on": i.inspected_on,
        "inspectors": i.inspectors,
        "place": i.place,
        "latitude": _float(i.latitude),
        "longitude": _float(i.longitude),
        "coordinates_source": i.coordinates_source,
        "summary": i.summary,
        "task_ids": [t.pk for t in i.tasks.all()],
        "findings": [
            {
                "id": f.pk,
                "text": f.text,
                "task_id": f.task_id,
                "rectification_id": getattr(getattr(f, "rectification", None), "pk", None),
            }
            for f in i.findings.all()
        ],
        "photos": [file_out(a) for a in i.attachments.all()],
    }


@router.get("/inspections", response=list[InspectionOut])
def inspections(request):
    require_api_perm(request, Perm.BUSINESS_READ_ALL)
    return [inspection_out(i) for i in inspection_list(request.user).prefetch_related("attachments")]


@router.get("/inspections/{inspection_id}", response=InspectionOut)
def inspection_detail(request, inspection_id: int):
    require_api_perm(request, Perm.BUSINESS_READ_ALL)
    return inspection_out(inspection_get_for_user(request.user, inspection_id))


@router.post("/inspections", response={201: InspectionOut, 400: ErrorOut, 403: ErrorOut})
def inspection_record(request, payload: InspectionIn):
    """实地督查 (JSON; add photos with POST /inspections/{id}/photos)."""
    require_api_perm(request, Perm.PLAN_EDIT)
    tasks = list(task_scope(request.user).filter(pk__in=payload.task_ids))
    if len(tasks) != len(set(payload.task_ids)):
        raise ServiceError(_("Unknown task in task_ids."), field="task_ids")
    inspection = services.inspection_record(
        actor=request.user,
        inspected_on=payload.inspected_on,
        inspectors=payload.inspectors,
        place=payload.place,
        tasks=tasks,
        summary=payload.summary,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )
    return Status(201, inspection_out(inspection_get_for_user(request.user, inspection.pk)))


@router.post("/inspections/{inspection_id}/photos", response={201: InspectionOut, 400: ErrorOut, 403: ErrorOut})
def inspection_photos(request, inspection_id: int, files: File[list[UploadedFile]] = None):
    """Photos (multipart `files`); without typed coordinates the first photo's GPS sets the place."""
    require_api_perm(request, Perm.PLAN_EDIT)
    inspection = inspection_get_for_user(request.user, inspection_id)
    services.inspection_add_photos(actor=request.user, inspection=inspection, photos=list(files or []))
    return Status(201, inspection_out(inspection_get_for_user(request.user, inspection_id)))


@router.post("/inspections/{inspection_id}/findings", response={201: FindingOut, 400: ErrorOut, 403: ErrorOut})
def finding_add(request, inspection_id: int, payload: FindingIn):
    require_api_perm(request, Perm.PLAN_EDIT)
    inspection = inspection_get_for_user(request.user, inspection_id)
    task = get_object_or_404(inspection.tasks, pk=payload.task_id) if payload.task_id else None
    finding = services.finding_add(actor=request.user, inspection=inspection, text=payload.text, task=task)
    return Status(201, {"id": finding.pk, "text": finding.text, "task_id": finding.task_id, "rectification_id": None})


def rectification_out(r: Rectification) -> dict:
    return {
        "id": r.pk,
        "finding_id": r.finding_id,
        "unit_id": r.unit_id,
        "unit": r.unit.name,
        "requirement": r.requirement,
        "deadline": r.deadline,
        "state": r.state,
        "report": r.report,
        "return_reason": r.return_reason,
        "files": [file_out(a) for a in r.attachments.all()],
    }


@router.get("/rectifications", response=list[RectificationOut])
def rectifications(request, show: str = "open"):
    require_api_perm(request, *READ)
    return [rectification_out(r) for r in rectification_list(request.user, show=show).prefetch_related("attachments")]


@router.get("/rectifications/{rectification_id}", response=RectificationOut)
def rectification_detail(request, rectification_id: int):
    require_api_perm(request, *READ)
    return rectification_out(rectification_get_for_user(request.user, rectification_id))


@router.post("/findings/{finding_id}/rectification", response={201: RectificationOut, 400: ErrorOut, 403: ErrorOut})
def rectification_open(request, finding_id: int, payload: RectificationIn):
    """整改: assign the finding to a unit with a deadline (a working day)."""
    require_api_perm(request, Perm.PLAN_EDIT)
    finding = finding_get_for_user(request.user, finding_id)
    unit = _unit(payload.unit_id, "unit_id")
    if unit is None:
        raise ServiceError(_("Choose the unit that must rectify."), field="unit_id")
    item = services.rectification_open(
        actor=request.user, finding=finding, unit=unit, deadline=payload.deadline, requirement=payload.requirement
    )
    return Status(201, rectification_out(item))


@router.post(
    "/rectifications/{rectification_id}/report", response={200: RectificationOut, 400: ErrorOut, 403: ErrorOut}
)
def rectification_report(request, rectification_id: int, payload: Form[TextIn], files: File[list[UploadedFile]] = None):
    """The unit reports the rectification done: multipart `text` and after photos `files`."""
    require_api_perm(request, *UNIT_ROLES)
    item = rectification_get_for_user(request.user, rectification_id)
    uploads = list(files or [])
    services.rectification_report(actor=request.user, item=item, text=payload.text, photos=uploads)
    return Status(200, rectification_out(rectification_get_for_user(request.user, rectification_id)))


@router.post(
    "/rectifications/{rectification_id}/verify", response={200: RectificationOut, 400: ErrorOut, 403: ErrorOut}
)
def rectification_verify(request, rectification_id: int):
    require_api_perm(request, Perm.PLAN_EDIT)
    item = rectification_get_for_user(request.user, rectification_id)
    return Status(200, rectification_out(services.rectification_verify(actor=request.user, item=item)))


@router.post(
    "/rectifications/{rectification_id}/return", response={200: RectificationOut, 400: ErrorOut, 403: ErrorOut}
)
def rectification_return(request, rectification_id: int, payload: ReasonIn):
    require_api_perm(request, Perm.PLAN_EDIT)
    item = rectification_get_for_user(request.user, rectification_id)
    return Status(
        200, rectification_out(services.rectification_return(actor=request.user, item=item, reason=payload.reason))
    )


@router.post("/rectifications/{rectification_id}/close", response={200: RectificationOut, 400: ErrorOut, 403: ErrorOut})
def rectification_close(request, rectification_id: int):
    require_api_perm(request, Perm.PLAN_EDIT)
    item = rectification_get_for_user(request.user, rectification_id)
    return Status(200, rectification_out(services.rectification_close(actor=request.user, item=item)))
