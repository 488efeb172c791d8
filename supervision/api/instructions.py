"""API of 领导批示: instructions and the owning unit's follow-up answers."""

from datetime import date, datetime
from typing import Any

from ninja import Status

from accounts.roles import Perm
from core.api import In, Out, require_api_perm
from plans.selectors import task_get_for_user
from reports.selectors import report_get_for_user
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
    file_out,
    router,
    target_in,
    targets_out,
    unit_by_id,
)
from supervision.models import (
    FollowUp,
    Instruction,
)
from supervision.selectors import (
    finding_get_for_user,
    followup_get_for_user,
    followup_history,
    instruction_get_for_user,
    instruction_list,
    order_get_for_user,
)
from supervision.targets import target_kind_of


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
    target_type: str  # a target kind (task, project, …) or report / supervisionorder / finding
    target_id: int
    target: TargetOut | None  # the supervised object, when the instruction is on one
    created_at: datetime
    followup: FollowUpOut


class InstructionIn(In):
    text: str = ""
    target: TargetIn | None = None  # a supervised object of any kind, e.g. {"kind": "project", "id": 3}
    task_id: int | None = None
    report_id: int | None = None
    order_id: int | None = None
    finding_id: int | None = None
    unit_id: int | None = None
    due_date: date | None = None


class AnswerIn(In):
    answer: str = ""


def instruction_out(i: Instruction) -> dict:
    target = i.target
    f: FollowUp = i.followup
    return {
        "id": i.pk,
        "author": str(i.author),
        "text": i.text,
        "target_type": target_kind_of(target).key if i.target_type_id else type(target).__name__.lower(),
        "target_id": target.pk,
        "target": targets_out([target])[0] if i.target_type_id else None,
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
    """领导批示 on one of `target` (any supervised object: kind and id), task_id, report_id, order_id,
    finding_id; the owning unit answers by `due_date`."""
    require_api_perm(request, Perm.INSTRUCTION_WRITE)
    targets: dict[str, Any] = {}  # one of target, task, report, order, finding
    if payload.target is not None:
        targets["target"] = target_in(request, payload.target, field="target")
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
        unit=unit_by_id(payload.unit_id, "unit_id"),
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
