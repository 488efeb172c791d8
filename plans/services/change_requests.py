"""Change requests (申请调整, rebaselining): a task's target or deadline changed only when approved."""

from datetime import date
from decimal import Decimal

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record
from core import uploads
from core.errors import ServiceError
from core.workcalendar import refuse_outside_range
from plans.milestones import date_order_problem
from plans.models import Task, TaskChangeRequest
from plans.services.access import _require
from plans.services.tasks import _claim_version
from reports.snapshots import status_refresh

# --- change requests (rebaselining) ----------------------------------------------------------------


@uploads.atomic
def change_request_create(
    *,
    actor: User,
    task: Task,
    new_target_value: Decimal | None,
    new_deadline: date,
    reason: str,
    evidence: uploads.Upload | File | None = None,
) -> TaskChangeRequest:
    """申请调整: the office, or the lead unit's head or reporter, asks to change target or deadline."""
    from plans.selectors import task_can_request_change

    if not task_can_request_change(actor, task):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")
    if not reason.strip():
        raise ServiceError(_("Give the reason for the change."), field="reason")
    if new_target_value is not None and new_target_value < 0:
        raise ServiceError(_("The target cannot be negative."), field="new_target_value")
    refuse_outside_range(new_deadline, field="new_deadline")
    if new_target_value == task.target_value and new_deadline == task.deadline:
        raise ServiceError(_("The request changes neither the target nor the deadline."), field="new_deadline")
    if task.change_requests.filter(status=TaskChangeRequest.Status.PENDING).exists():
        raise ServiceError(_("This task already has a pending change request."), code="pending_exists")
    _check_new_deadline(task, new_deadline)
    checked = uploads.validate_upload(evidence, field="evidence") if evidence else None
    stored_evidence = uploads.store_upload(checked, folder="change-requests").name if checked else ""
    request = TaskChangeRequest.objects.create(
        task=task,
        old_target_value=task.target_value,
        old_deadline=task.deadline,
        new_target_value=new_target_value,
        new_deadline=new_deadline,
        reason=reason.strip(),
        requested_by=actor,
        evidence=stored_evidence,
    )
    audit_record(
        actor=actor,
        verb="change_request.create",
        obj=task,
        after={
            "request": request.pk,
            "target_value": new_target_value,
            "deadline": new_deadline,
            "reason": request.reason,
        },
    )
    return request


def _check_new_deadline(task: Task, new_deadline: date) -> None:
    """A rebaselined deadline keeps the task's dates in order, or the task could no longer be reported on."""
    code = date_order_problem(task.start_date, new_deadline, task.milestones.values_list("date", flat=True))
    if code == "deadline_before_start":
        raise ServiceError(
            _("The new deadline %(deadline)s is before the task's start date %(start)s.")
            % {
                "deadline": date_format(new_deadline, "DATE_FORMAT"),
                "start": date_format(task.start_date, "DATE_FORMAT"),
            },
            field="new_deadline",
            code="deadline_before_start",
        )
    if code is not None:
        raise ServiceError(
            _("A milestone of the task is after the new deadline %(deadline)s: change the milestones first.")
            % {"deadline": date_format(new_deadline, "DATE_FORMAT")},
            field="new_deadline",
            code=code,
        )


@transaction.atomic
def change_request_decide(
    *, actor: User, request: TaskChangeRequest, approve: bool, note: str = ""
) -> TaskChangeRequest:
    _require(actor, Perm.PLAN_EDIT)
    request = TaskChangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != TaskChangeRequest.Status.PENDING:
        raise ServiceError(_("This request was already decided."), code="decided")
    if not approve and not note.strip():
        raise ServiceError(_("Give the reason for rejecting."), field="note")
    request.status = TaskChangeRequest.Status.APPROVED if approve else TaskChangeRequest.Status.REJECTED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    task = Task.objects.with_plan("node").get(pk=request.task_id)
    if approve:
        # The start or the milestones may have changed since the request was made.
        _check_new_deadline(task, request.new_deadline)
        _claim_version(task, task.version)
        before = {"target_value": task.target_value, "deadline": task.deadline, "version": task.version - 1}
        task.target_value, task.deadline = request.new_target_value, request.new_deadline
        task.save(update_fields=["target_value", "deadline", "updated_at"])
        audit_record(
            actor=actor,
            verb="task.rebaseline",
            obj=task,
            before=before,
            after={
                "target_value": task.target_value,
                "deadline": task.deadline,
                "version": task.version,
                "request": request.pk,
            },
        )
        status_refresh(tasks=[task], since=None)
    else:
        audit_record(actor=actor, verb="change_request.reject", obj=task, after={"request": request.pk, "note": note})
    return request
