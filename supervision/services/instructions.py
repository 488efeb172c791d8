"""领导批示: leader instructions and the owning unit's follow-up answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm, Role
from audit.services import audit_record
from core import uploads
from core.errors import ServiceError
from core.workcalendar import refuse_outside_calendar, work_calendar
from core.workdays import WorkCalendar
from notifications.services import notify
from org.models import Unit
from reports.models import ProgressReport
from supervision.models import (
    Finding,
    FollowUp,
    FollowUpAnswer,
    Instruction,
    Rectification,
    SupervisionOrder,
)
from supervision.services.common import (
    Upload,
    checked_targets,
    forbidden,
    in_unit,
    msg_not_workday,
    say,
    store_attachments,
    unit_people,
    wrong_state,
)
from supervision.services.orders import response_due_date
from supervision.targets import lead_unit

# --- leader instructions --------------------------------------------------------------------------


def instruction_unit(*, task=None, target=None, report=None, order=None, finding=None) -> Unit | None:
    """The unit that owns the item an instruction is written on (it must answer the follow-up): a
    supervised object's lead unit (its kind's first unit), a report's or order's unit, a finding's
    rectification unit or the lead unit of the object it is about."""
    about = target if target is not None else task
    if about is not None:
        return lead_unit(about)
    if report is not None:
        return report.unit
    if order is not None:
        return order.unit
    if finding is not None:
        rectification = Rectification.objects.filter(finding=finding).select_related("unit").first()
        if rectification is not None:
            return rectification.unit
        return lead_unit(finding.target) if finding.target_type_id and finding.target is not None else None
    return None


@transaction.atomic
def instruction_create(
    *,
    actor: User,
    text: str,
    due_date: date | None,
    task=None,
    target=None,
    report: ProgressReport | None = None,
    order: SupervisionOrder | None = None,
    finding: Finding | None = None,
    unit: Unit | None = None,
    today: date | None = None,
    calendar: WorkCalendar | None = None,
) -> Instruction:
    """领导批示: a leader's note on one item; the owning unit gets a follow-up to answer by the due date.

    The item is a supervised object (`target`, of any registered kind; `task` is its older name),
    or a progress report, an order or a finding.
    """
    if not actor.has_luoshi_perm(Perm.INSTRUCTION_WRITE):
        raise forbidden()
    if task is not None and target is not None:
        raise ServiceError(_("An instruction is written on one task, report, order or finding."), code="target")
    about = target if target is not None else task
    targets = [t for t in (about, report, order, finding) if t is not None]
    if len(targets) != 1:
        raise ServiceError(_("An instruction is written on one task, report, order or finding."), code="target")
    if about is not None:
        [about] = checked_targets(actor, [about], field="target")
    text = text.strip()
    if not text:
        raise ServiceError(_("Write the instruction."), field="text")
    unit = unit or instruction_unit(target=about, report=report, order=order, finding=finding)
    if unit is None:
        raise ServiceError(_("Choose the unit that must answer."), field="unit")
    calendar = calendar or work_calendar()
    today = today or timezone.localdate()
    if due_date is None or due_date <= today:
        raise ServiceError(_("The answer is due after today."), field="due_date")
    refuse_outside_calendar(calendar, due_date, field="due_date")
    if not calendar.is_workday(due_date):
        raise ServiceError(
            msg_not_workday(due_date, calendar.holiday_name(due_date), calendar.next_workday(due_date)),
            field="due_date",
            code="not_workday",
        )
    instruction = Instruction.objects.create(
        author=actor, text=text, target_object=about, report=report, order=order, finding=finding
    )
    followup = FollowUp.objects.create(instruction=instruction, unit=unit, due_date=due_date)
    audit_record(
        actor=actor,
        verb="instruction.create",
        obj=instruction,
        after={
            "text": text,
            "target": f"{type(targets[0])._meta.label_lower}:{targets[0].pk}",
            "unit": unit.pk,
            "due_date": due_date,
        },
    )
    words = {"leader": str(actor), "due": date_format(due_date, "DATE_FORMAT"), "target": str(targets[0])}
    notify(
        recipients=unit_people(unit.pk, Role.UNIT_HEAD, Role.UNIT_REPORTER),
        kind="instruction.received",
        title=say(lambda: _("Instruction from %(leader)s on %(target)s: answer by %(due)s") % words),
        body=text,
        url=reverse("supervision:instruction_detail", kwargs={"pk": instruction.pk}),
        obj=instruction,
        dedupe_key=f"instruction.received:{followup.pk}",
    )
    return instruction


def _instruction_url(followup: FollowUp) -> str:
    return reverse("supervision:instruction_detail", kwargs={"pk": followup.instruction_id})


def _lock_followup(followup: FollowUp) -> FollowUp:
    return FollowUp.objects.select_for_update().select_related("instruction__author", "unit").get(pk=followup.pk)


def followup_may_decide(actor: User, followup: FollowUp) -> bool:
    """The office, or the leader who wrote the instruction, accepts or sends back the unit's answer."""
    return actor.has_luoshi_perm(Perm.PLAN_EDIT) or (
        actor.has_luoshi_perm(Perm.INSTRUCTION_WRITE) and followup.instruction.author_id == actor.pk
    )


@uploads.atomic
def followup_answer(*, actor: User, followup: FollowUp, answer: str, files: Sequence[Upload] = ()) -> FollowUpAnswer:
    """批示办理情况: the owning unit answers the leader's instruction, with evidence (photos, documents)."""
    if not in_unit(actor, followup.unit_id):
        raise forbidden()
    answer = answer.strip()
    if not answer:
        raise ServiceError(_("Write the answer before sending it."), field="answer")
    checked = uploads.validate_uploads(files, kind=uploads.EVIDENCE)
    followup = _lock_followup(followup)
    if not followup.is_open:
        raise wrong_state(followup)
    before_state = followup.state
    now = timezone.now()
    row = FollowUpAnswer.objects.create(followup=followup, text=answer, submitted_by=actor, submitted_at=now)
    attachments = store_attachments(actor, checked, answer=row)
    followup.state, followup.answer, followup.answered_by, followup.answered_at = (
        FollowUp.State.ANSWERED,
        answer,
        actor,
        now,
    )
    followup.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        verb="followup.answer",
        obj=followup.instruction,
        before={"state": before_state},
        after={"state": followup.state, "answer": answer, "files": [a.sha256 for a in attachments]},
    )
    words = {"unit": followup.unit.name}
    notify(
        recipients=[followup.instruction.author],
        kind="followup.answered",
        title=say(lambda: _("%(unit)s answered your instruction") % words),
        body=answer,
        url=_instruction_url(followup),
        obj=followup.instruction,
        dedupe_key=f"followup.answered:{row.pk}",
    )
    return row


def _pending_answer(followup: FollowUp) -> FollowUpAnswer:
    row = followup.answers.filter(decision=FollowUpAnswer.Decision.PENDING).order_by("-submitted_at", "-id").first()
    if row is None:  # an answered follow-up always has one; guard against hand-edited data
        raise ServiceError(_("There is no answer to decide on."), code="wrong_state")
    return row


def _decide_answer(actor: User, followup: FollowUp, decision: str, note: str) -> tuple[FollowUp, FollowUpAnswer]:
    if not followup_may_decide(actor, followup):
        raise forbidden()
    followup = _lock_followup(followup)
    if followup.state != FollowUp.State.ANSWERED:
        raise wrong_state(followup)
    row = _pending_answer(followup)
    row.decision, row.decided_by, row.decided_at, row.decision_note = decision, actor, timezone.now(), note
    row.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    return followup, row


@transaction.atomic
def followup_accept(*, actor: User, followup: FollowUp, note: str = "") -> FollowUp:
    """The office or the instructing leader accepts the answer: the instruction is dealt with (办结)."""
    followup, row = _decide_answer(actor, followup, FollowUpAnswer.Decision.ACCEPTED, note.strip())
    followup.state = FollowUp.State.ACCEPTED
    followup.save(update_fields=["state"])
    audit_record(
        actor=actor,
        verb="followup.accept",
        obj=followup.instruction,
        before={"state": FollowUp.State.ANSWERED},
        after={"state": followup.state, "answer": row.pk, "note": row.decision_note},
    )
    notify(
        recipients=unit_people(followup.unit_id, Role.UNIT_HEAD, Role.UNIT_REPORTER),
        kind="followup.accepted",
        title=say(lambda: _("Your answer to the instruction was accepted")),
        body=row.decision_note,
        url=_instruction_url(followup),
        obj=followup.instruction,
        dedupe_key=f"followup.accepted:{row.pk}",
    )
    return followup


@transaction.atomic
def followup_return(
    *,
    actor: User,
    followup: FollowUp,
    reason: str,
    today: date | None = None,
    calendar: WorkCalendar | None = None,
) -> FollowUp:
    """退回: the answer goes back to the unit with a reason; it answers again within the return working days."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Give the reason for sending the answer back."), field="reason")
    calendar = calendar or work_calendar()
    today = today or timezone.localdate()
    due, _n = response_due_date(issued_on=today, calendar=calendar, workdays=settings.SUPERVISION_RETURN_WORKDAYS)
    followup, row = _decide_answer(actor, followup, FollowUpAnswer.Decision.RETURNED, reason)
    before = {"state": FollowUp.State.ANSWERED, "due_date": followup.due_date}
    followup.state, followup.due_date = FollowUp.State.RETURNED, due
    followup.save(update_fields=["state", "due_date"])
    audit_record(
        actor=actor,
        verb="followup.return",
        obj=followup.instruction,
        before=before,
        after={"state": followup.state, "due_date": due, "answer": row.pk, "reason": reason},
    )
    words = {"due": date_format(due, "DATE_FORMAT")}
    notify(
        recipients=unit_people(followup.unit_id, Role.UNIT_HEAD, Role.UNIT_REPORTER),
        kind="followup.returned",
        title=say(lambda: _("Your answer to the instruction was sent back: answer again by %(due)s") % words),
        body=reason,
        url=_instruction_url(followup),
        obj=followup.instruction,
        dedupe_key=f"followup.returned:{row.pk}",
    )
    return followup
