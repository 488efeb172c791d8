"""Writes on supervision orders, instructions, inspections and rectifications. Keyword-only, atomic, audited.

Each service checks the actor's permission again (pages and API check first),
locks the row it changes and checks its state inside the transaction, records
an audit event and notifies the people concerned (notifications.services.notify,
inside the same transaction: a rolled-back write notifies nobody).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm, Role
from accounts.selectors import role_holders
from audit.services import audit_record
from core import uploads
from core.errors import ServiceError
from core.workcalendar import refuse_outside_calendar, service_error_outside, work_calendar
from core.workdays import OutsideCalendar, WorkCalendar
from notifications.services import notify
from org.models import Unit
from plans.models import Task
from reports.models import ProgressReport
from supervision import escalation
from supervision.escalation import Rung, Thresholds
from supervision.exif import gps_coordinates
from supervision.models import (
    Attachment,
    Finding,
    FollowUp,
    FollowUpAnswer,
    Inspection,
    Instruction,
    OrderEscalation,
    OrderKind,
    OrderResponse,
    OrderSequence,
    Rectification,
    SupervisionOrder,
)
from supervision.numbering import format_number
from supervision.orderdoc import MAX_CONTENT, MAX_REQUIREMENTS

MAX_RESPONSE_WORKDAYS = 60


# --- messages (tests import them) -----------------------------------------------------------------


def msg_forbidden() -> str:
    return _("You do not have permission to do this.")


def msg_not_workday(day: date, name: str | None, next_day: date) -> str:
    words = {"d": date_format(day, "DATE_FORMAT"), "next": date_format(next_day, "DATE_FORMAT")}
    if name:
        words["name"] = name
        return _("%(d)s is not a working day (%(name)s). Choose a working day, e.g. %(next)s.") % words
    return _("%(d)s is not a working day. Choose a working day, e.g. %(next)s.") % words


def _forbidden() -> ServiceError:
    return ServiceError(msg_forbidden(), code="forbidden")


def _wrong_state(obj) -> ServiceError:
    # The state is read under the row lock: someone else may have acted since the page was loaded.
    return ServiceError(
        _("This is now “%(state)s”, so that cannot be done; nothing was changed. Reload the page to see it.")
        % {"state": obj.get_state_display()},
        code="wrong_state",
    )


def escalation_thresholds() -> Thresholds:
    """settings.SUPERVISION_ESCALATION, checked (a bad value stops the process at start, see apps.ready)."""
    try:
        return Thresholds.from_mapping(getattr(settings, "SUPERVISION_ESCALATION", None))
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"SUPERVISION_ESCALATION: {exc}") from exc


# --- who is who -----------------------------------------------------------------------------------


def _unit_people(unit_id: int, *roles: Role) -> list[User]:
    return list(role_holders(*roles, unit_ids=[unit_id]))


def _office_people() -> list[User]:
    return list(role_holders(Role.OFFICE))


def _order_leaders(order: SupervisionOrder) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, leader_posts__tasks__supervision_orders=order, leader_posts__is_active=True
        ).distinct()
    )


def rung_people(order: SupervisionOrder, rungs: Iterable[Rung]) -> list[User]:
    """The people of the given rungs of an order's chain of responsibility."""
    people: list[User] = []
    for rung in rungs:
        if rung is Rung.REPORTER:
            people += _unit_people(order.unit_id, Role.UNIT_REPORTER)
        elif rung is Rung.UNIT_HEAD:
            people += _unit_people(order.unit_id, Role.UNIT_HEAD)
        elif rung is Rung.LEADER:
            people += _order_leaders(order)
        elif rung is Rung.OFFICE:
            people += _office_people()
    return people


def _in_unit(actor, unit_id: int) -> bool:
    """A unit head or reporter of that unit (they acknowledge, respond, answer, report rectification)."""
    return (
        bool(actor.unit_id)
        and actor.unit_id == unit_id
        and (actor.has_luoshi_perm(Perm.REPORT_DRAFT) or actor.has_luoshi_perm(Perm.REPORT_APPROVE))
    )


def _require_office(actor) -> None:
    if not actor.has_luoshi_perm(Perm.PLAN_EDIT):
        raise _forbidden()


def _say(text_fn):
    """Notification texts in the site language: the recipients read them, not the actor."""
    with translation.override(settings.LANGUAGE_CODE):
        return text_fn()


# --- files ----------------------------------------------------------------------------------------

# Files in one write; checked by core.uploads, the one home of the file rules.
MAX_FILES = uploads.MAX_FILES_PER_BATCH
Upload = uploads.Upload  # a file in memory with its name; pages and the API pass Django's uploaded files


def store_attachments(actor, checked: Sequence[uploads.CheckedUpload], **parent) -> list[Attachment]:
    """Store files already checked by `uploads.validate_uploads`, one Attachment each (in the caller's
    `uploads.atomic` transaction, so a rollback deletes them)."""
    stored = []
    for upload in checked:
        gps = gps_coordinates(upload.read()) if upload.is_image else None
        files = uploads.store_upload(upload, folder="supervision", thumbnail=True)
        stored.append(
            Attachment.objects.create(
                file=files.name,
                thumbnail=files.thumbnail,
                original_name=upload.name,
                content_type=upload.content_type,
                kind=Attachment.Kind.IMAGE if upload.is_image else Attachment.Kind.DOCUMENT,
                size=upload.size,
                sha256=upload.sha256,
                extension=upload.extension,
                latitude=Decimal(str(gps.latitude)) if gps else None,
                longitude=Decimal(str(gps.longitude)) if gps else None,
                uploaded_by=actor,
                **parent,
            )
        )
    return stored


# --- supervision orders ---------------------------------------------------------------------------


def _next_sequence(year: int) -> int:
    """The next order number of the year, gap-free and safe under concurrent issues.

    The year's counter row is locked (SELECT … FOR UPDATE; SQLite's IMMEDIATE
    transactions serialise writers the same way) and incremented inside the
    issuing transaction: a second issuer waits, and a failed issue rolls the
    increment back, so no number is skipped. Creating the row is an insert that
    ignores a conflict, so two first orders of a year cannot both create it.
    """
    OrderSequence.objects.bulk_create([OrderSequence(year=year, last=0)], ignore_conflicts=True)
    counter = OrderSequence.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def response_due_date(
    *, issued_on: date, calendar: WorkCalendar, due_date: date | None = None, workdays: int | None = None
) -> tuple[date, int]:
    """(due date, working days to respond): a typed date must be a working day after the issue date."""
    refuse_outside_calendar(calendar, issued_on, field="issued_on")
    if due_date is not None:
        refuse_outside_calendar(calendar, due_date, field="due_date")
        if due_date <= issued_on:
            raise ServiceError(_("The response due date must be after the issue date."), field="due_date")
        if not calendar.is_workday(due_date):
            raise ServiceError(
                msg_not_workday(due_date, calendar.holiday_name(due_date), calendar.next_workday(due_date)),
                field="due_date",
                code="not_workday",
            )
        return due_date, calendar.workdays_between(issued_on, due_date)
    n = settings.SUPERVISION_RESPONSE_WORKDAYS if workdays is None else workdays
    if not 1 <= n <= MAX_RESPONSE_WORKDAYS:
        raise ServiceError(
            _("Give between 1 and %(n)d working days to respond.") % {"n": MAX_RESPONSE_WORKDAYS},
            field="response_workdays",
        )
    try:
        return calendar.add_workdays(issued_on, n), n
    except OutsideCalendar as exc:
        raise service_error_outside(exc, field="response_workdays") from None


def _order_snapshot(order: SupervisionOrder) -> dict:
    return {
        "number": order.number,
        "state": order.state,
        "kind": order.kind,
        "level": order.level,
        "unit": order.unit_id,
        "due_date": order.due_date,
        "version": order.version,
    }


def order_url(order: SupervisionOrder) -> str:
    return reverse("supervision:order_detail", kwargs={"pk": order.pk})


def _order_words(order: SupervisionOrder) -> dict:
    return {
        "number": order.number,
        "kind": order.get_level_display(),
        "unit": order.unit.name,
        "due": date_format(order.due_date, "DATE_FORMAT"),
    }


@transaction.atomic
def order_issue(
    *,
    actor,
    tasks: Sequence[Task],
    unit: Unit,
    kind: str,
    content: str,
    requirements: str = "",
    issued_on: date | None = None,
    due_date: date | None = None,
    response_workdays: int | None = None,
    calendar: WorkCalendar | None = None,
) -> SupervisionOrder:
    """督办: the office issues a numbered order on tasks to a unit; the response is due in working days."""
    _require_office(actor)
    tasks = list(dict.fromkeys(tasks))
    if not tasks:
        raise ServiceError(_("Choose at least one task."), field="tasks")
    if any(t.is_deleted for t in tasks):
        raise ServiceError(_("A deleted task cannot be supervised."), field="tasks")
    if unit is None or not unit.is_active:
        raise ServiceError(_("Choose the unit the order is addressed to."), field="unit")
    if kind not in OrderKind.values:
        raise ServiceError(_("Choose the kind of order."), field="kind")
    content, requirements = content.strip(), requirements.strip()
    if not content:
        raise ServiceError(_("Write what the order is about."), field="content")
    if len(content) > MAX_CONTENT:
        raise ServiceError(_("Keep the content within %(n)d characters.") % {"n": MAX_CONTENT}, field="content")
    if len(requirements) > MAX_REQUIREMENTS:
        raise ServiceError(
            _("Keep the requirements within %(n)d characters.") % {"n": MAX_REQUIREMENTS}, field="requirements"
        )
    calendar = calendar or work_calendar()
    issued_on = issued_on or timezone.localdate()
    due, workdays = response_due_date(
        issued_on=issued_on, calendar=calendar, due_date=due_date, workdays=response_workdays
    )
    seq = _next_sequence(issued_on.year)
    order = SupervisionOrder.objects.create(
        number=format_number(settings.SUPERVISION_ORDER_PREFIX, issued_on.year, seq),
        year=issued_on.year,
        seq=seq,
        kind=kind,
        level=kind,
        unit=unit,
        content=content,
        requirements=requirements,
        issued_on=issued_on,
        due_date=due,
        response_workdays=workdays,
        issued_by=actor,
        issued_at=timezone.now(),
    )
    order.tasks.set(tasks)
    audit_record(
        actor=actor,
        verb="order.issue",
        obj=order,
        after={**_order_snapshot(order), "tasks": [t.code for t in tasks], "content": content},
    )
    words = _order_words(order)
    notify(
        recipients=rung_people(order, [Rung.REPORTER, Rung.UNIT_HEAD]),
        kind="order.issued",
        title=_say(lambda: _("%(kind)s %(number)s: respond by %(due)s") % words),
        body=content,
        url=order_url(order),
        obj=order,
        dedupe_key=f"order.issued:{order.pk}",
    )
    return order


def _lock(order: SupervisionOrder) -> SupervisionOrder:
    return SupervisionOrder.objects.select_for_update().select_related("unit").get(pk=order.pk)


def _save(order: SupervisionOrder, fields: list[str]) -> None:
    order.version += 1
    order.save(update_fields=[*fields, "version", "updated_at"])


@transaction.atomic
def order_acknowledge(*, actor, order: SupervisionOrder) -> SupervisionOrder:
    """签收: the unit confirms it received the order."""
    if not _in_unit(actor, order.unit_id):
        raise _forbidden()
    order = _lock(order)
    if order.state != SupervisionOrder.State.ISSUED:
        raise _wrong_state(order)
    before = _order_snapshot(order)
    order.state, order.acknowledged_by, order.acknowledged_at = (
        SupervisionOrder.State.ACKNOWLEDGED,
        actor,
        timezone.now(),
    )
    _save(order, ["state", "acknowledged_by", "acknowledged_at"])
    audit_record(actor=actor, verb="order.acknowledge", obj=order, before=before, after=_order_snapshot(order))
    return order


@uploads.atomic
def order_respond(*, actor, order: SupervisionOrder, text: str, files: Sequence[Upload] = ()) -> OrderResponse:
    """反馈: the unit answers with text and evidence (photos, documents); the office then verifies."""
    if not _in_unit(actor, order.unit_id):
        raise _forbidden()
    text = text.strip()
    if not text:
        raise ServiceError(_("Write the response before sending it."), field="text")
    checked = uploads.validate_uploads(files, kind=uploads.EVIDENCE)
    order = _lock(order)
    if order.state == SupervisionOrder.State.ISSUED:
        raise ServiceError(_("Acknowledge the order before responding."), code="wrong_state")
    if order.state not in (SupervisionOrder.State.ACKNOWLEDGED, SupervisionOrder.State.RETURNED):
        raise _wrong_state(order)
    before = _order_snapshot(order)
    now = timezone.now()
    response = OrderResponse.objects.create(order=order, text=text, submitted_by=actor, submitted_at=now)
    attachments = store_attachments(actor, checked, response=response)
    order.state, order.responded_at = SupervisionOrder.State.RESPONDED, now
    order.first_responded_at = order.first_responded_at or now
    _save(order, ["state", "responded_at", "first_responded_at"])
    audit_record(
        actor=actor,
        verb="order.respond",
        obj=order,
        before=before,
        after={**_order_snapshot(order), "text": text, "files": [a.sha256 for a in attachments]},
    )
    words = _order_words(order)
    notify(
        recipients=[order.issued_by, *_office_people()],
        kind="order.responded",
        title=_say(lambda: _("%(unit)s responded to %(number)s") % words),
        body=text,
        url=order_url(order),
        obj=order,
        dedupe_key=f"order.responded:{response.pk}",
    )
    return response


def _pending_response(order: SupervisionOrder) -> OrderResponse:
    response = order.responses.filter(decision=OrderResponse.Decision.PENDING).order_by("-submitted_at").first()
    if response is None:  # a responded order always has one; guard against hand-edited data
        raise ServiceError(_("There is no response to decide on."), code="wrong_state")
    return response


@transaction.atomic
def order_verify(*, actor, order: SupervisionOrder, note: str = "") -> SupervisionOrder:
    """核验: the office accepts the unit's response."""
    _require_office(actor)
    order = _lock(order)
    if order.state != SupervisionOrder.State.RESPONDED:
        raise _wrong_state(order)
    before = _order_snapshot(order)
    now = timezone.now()
    response = _pending_response(order)
    response.decision, response.decided_by, response.decided_at = OrderResponse.Decision.ACCEPTED, actor, now
    response.decision_note = note.strip()
    response.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    order.state, order.verified_by, order.verified_at = SupervisionOrder.State.VERIFIED, actor, now
    order.verification_note = note.strip()
    _save(order, ["state", "verified_by", "verified_at", "verification_note"])
    audit_record(
        actor=actor, verb="order.verify", obj=order, before=before, after={**_order_snapshot(order), "note": note}
    )
    return order


@transaction.atomic
def order_return(
    *,
    actor,
    order: SupervisionOrder,
    reason: str,
    due_date: date | None = None,
    today: date | None = None,
    calendar: WorkCalendar | None = None,
) -> SupervisionOrder:
    """退回: the office sends the response back with a reason; the unit responds again by a new due date."""
    _require_office(actor)
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Give the reason for sending the response back."), field="reason")
    # The state first: a date is computed only for an order that can be sent back.
    order = _lock(order)
    if order.state != SupervisionOrder.State.RESPONDED:
        raise _wrong_state(order)
    calendar = calendar or work_calendar()
    today = today or timezone.localdate()
    due, workdays = response_due_date(
        issued_on=today, calendar=calendar, due_date=due_date, workdays=settings.SUPERVISION_RETURN_WORKDAYS
    )
    before = _order_snapshot(order)
    now = timezone.now()
    response = _pending_response(order)
    response.decision, response.decided_by, response.decided_at = OrderResponse.Decision.RETURNED, actor, now
    response.decision_note = reason
    response.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    order.state, order.returned_at, order.return_reason, order.due_date = (
        SupervisionOrder.State.RETURNED,
        now,
        reason,
        due,
    )
    # The working days of the current due date (SUPERVISION_RETURN_WORKDAYS, or those up to a typed date):
    # the page and the notice state the due date with them.
    order.response_workdays = workdays
    _save(order, ["state", "returned_at", "return_reason", "due_date", "response_workdays"])
    audit_record(
        actor=actor, verb="order.return", obj=order, before=before, after={**_order_snapshot(order), "reason": reason}
    )
    words = {**_order_words(order), "reason": reason}
    notify(
        recipients=rung_people(order, [Rung.REPORTER, Rung.UNIT_HEAD]),
        kind="order.returned",
        title=_say(lambda: _("%(number)s sent back: respond again by %(due)s") % words),
        body=reason,
        url=order_url(order),
        obj=order,
        dedupe_key=f"order.returned:{response.pk}",
    )
    return order


@transaction.atomic
def order_close(*, actor, order: SupervisionOrder) -> SupervisionOrder:
    """办结: the office closes a verified order."""
    _require_office(actor)
    order = _lock(order)
    if order.state != SupervisionOrder.State.VERIFIED:
        raise _wrong_state(order)
    before = _order_snapshot(order)
    order.state, order.closed_by, order.closed_at = SupervisionOrder.State.CLOSED, actor, timezone.now()
    _save(order, ["state", "closed_by", "closed_at"])
    audit_record(actor=actor, verb="order.close", obj=order, before=before, after=_order_snapshot(order))
    words = _order_words(order)
    notify(
        recipients=rung_people(order, [Rung.REPORTER, Rung.UNIT_HEAD]),
        kind="order.closed",
        title=_say(lambda: _("%(number)s is closed") % words),
        url=order_url(order),
        obj=order,
        dedupe_key=f"order.closed:{order.pk}",
    )
    return order


@dataclass
class EscalationResult:
    decision: escalation.Decision
    level_raised: bool = False
    new_rungs: list[Rung] = field(default_factory=list)
    notified: int = 0


@transaction.atomic
def order_escalate(
    *,
    order: SupervisionOrder,
    today: date,
    calendar: WorkCalendar | None = None,
    thresholds: Thresholds | None = None,
) -> EscalationResult | None:
    """Apply `escalation.decide` to an unanswered order: raise its level, remind each newly reached rung once.

    Run by the nightly sweep (the system is the actor). Idempotent: a rung already
    recorded for this due date is not reminded again, and notify's dedupe keys
    make a second sweep at the same moment harmless too. None for an order that
    is not waiting for the unit.
    """
    calendar = calendar or work_calendar()
    thresholds = thresholds or escalation_thresholds()
    order = _lock(order)
    if not order.is_open:
        return None
    decision = escalation.decide(
        issued_kind=order.level, due=order.due_date, today=today, calendar=calendar, thresholds=thresholds
    )
    result = EscalationResult(decision)
    if not decision.is_late:
        return result
    before = _order_snapshot(order)
    if decision.level != order.level:
        order.level, order.escalated_at = decision.level, timezone.now()
        _save(order, ["level", "escalated_at"])
        result.level_raised = True
    done = set(OrderEscalation.objects.filter(order=order, due_date=order.due_date).values_list("rung", flat=True))
    result.new_rungs = [r for r in decision.recipients if r not in done]
    OrderEscalation.objects.bulk_create(
        [
            OrderEscalation(
                order=order,
                due_date=order.due_date,
                rung=r,
                day=today,
                workdays_late=decision.workdays_late,
                level=decision.level,
            )
            for r in result.new_rungs
        ],
        ignore_conflicts=True,
    )
    if not result.level_raised and not result.new_rungs:
        return result
    audit_record(
        verb="order.escalate",
        obj=order,
        before=before,
        after={
            **_order_snapshot(order),
            "workdays_late": decision.workdays_late,
            "rungs": [r.name.lower() for r in result.new_rungs],
        },
        actor_username="sweep",
    )
    words = {**_order_words(order), "days": decision.workdays_late}
    people = rung_people(order, decision.recipients)
    if result.level_raised:
        result.notified += len(
            notify(
                recipients=people,
                kind="order.escalated",
                title=_say(lambda: _("%(number)s escalated to %(kind)s: response %(days)s working days late") % words),
                body=_say(lambda: _("%(unit)s has not responded; the response was due on %(due)s.") % words),
                url=order_url(order),
                obj=order,
                dedupe_key=f"order.escalated:{order.pk}:{order.level}",
            )
        )
    if result.new_rungs:
        top = max(decision.recipients)
        result.notified += len(
            notify(
                recipients=people,
                kind="order.late",
                title=_say(lambda: _("%(number)s: response %(days)s working days late") % words),
                body=_say(lambda: _("%(unit)s has not responded; the response was due on %(due)s.") % words),
                url=order_url(order),
                obj=order,
                dedupe_key=f"order.late:{order.pk}:{order.due_date.isoformat()}:{int(top)}",
            )
        )
    return result


def order_remind_due(*, order: SupervisionOrder, today: date, calendar: WorkCalendar, thresholds: Thresholds) -> int:
    """The unit is reminded once per due date, from `due_reminder` working days before it."""
    if not order.is_open or not escalation.due_soon(
        due=order.due_date, today=today, calendar=calendar, thresholds=thresholds
    ):
        return 0
    words = _order_words(order)
    return len(
        notify(
            recipients=rung_people(order, [Rung.REPORTER, Rung.UNIT_HEAD]),
            kind="order.due",
            title=_say(lambda: _("%(number)s: the response is due on %(due)s") % words),
            url=order_url(order),
            obj=order,
            dedupe_key=f"order.due:{order.pk}:{order.due_date.isoformat()}",
        )
    )


# --- leader instructions --------------------------------------------------------------------------


def instruction_unit(*, task=None, report=None, order=None, finding=None) -> Unit | None:
    """The unit that owns the item an instruction is written on (it must answer the follow-up)."""
    if task is not None:
        return task.lead_unit
    if report is not None:
        return report.unit
    if order is not None:
        return order.unit
    if finding is not None:
        rectification = Rectification.objects.filter(finding=finding).select_related("unit").first()
        if rectification is not None:
            return rectification.unit
        return finding.task.lead_unit if finding.task_id else None
    return None


@transaction.atomic
def instruction_create(
    *,
    actor,
    text: str,
    due_date: date,
    task: Task | None = None,
    report: ProgressReport | None = None,
    order: SupervisionOrder | None = None,
    finding: Finding | None = None,
    unit: Unit | None = None,
    today: date | None = None,
    calendar: WorkCalendar | None = None,
) -> Instruction:
    """领导批示: a leader's note on one item; the owning unit gets a follow-up to answer by the due date."""
    if not actor.has_luoshi_perm(Perm.INSTRUCTION_WRITE):
        raise _forbidden()
    targets = [t for t in (task, report, order, finding) if t is not None]
    if len(targets) != 1:
        raise ServiceError(_("An instruction is written on one task, report, order or finding."), code="target")
    text = text.strip()
    if not text:
        raise ServiceError(_("Write the instruction."), field="text")
    unit = unit or instruction_unit(task=task, report=report, order=order, finding=finding)
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
        author=actor, text=text, task=task, report=report, order=order, finding=finding
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
        recipients=_unit_people(unit.pk, Role.UNIT_HEAD, Role.UNIT_REPORTER),
        kind="instruction.received",
        title=_say(lambda: _("Instruction from %(leader)s on %(target)s: answer by %(due)s") % words),
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


def followup_may_decide(actor, followup: FollowUp) -> bool:
    """The office, or the leader who wrote the instruction, accepts or sends back the unit's answer."""
    return actor.has_luoshi_perm(Perm.PLAN_EDIT) or (
        actor.has_luoshi_perm(Perm.INSTRUCTION_WRITE) and followup.instruction.author_id == actor.pk
    )


@uploads.atomic
def followup_answer(*, actor, followup: FollowUp, answer: str, files: Sequence[Upload] = ()) -> FollowUpAnswer:
    """批示办理情况: the owning unit answers the leader's instruction, with evidence (photos, documents)."""
    if not _in_unit(actor, followup.unit_id):
        raise _forbidden()
    answer = answer.strip()
    if not answer:
        raise ServiceError(_("Write the answer before sending it."), field="answer")
    checked = uploads.validate_uploads(files, kind=uploads.EVIDENCE)
    followup = _lock_followup(followup)
    if not followup.is_open:
        raise _wrong_state(followup)
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
        title=_say(lambda: _("%(unit)s answered your instruction") % words),
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


def _decide_answer(actor, followup: FollowUp, decision: str, note: str) -> tuple[FollowUp, FollowUpAnswer]:
    if not followup_may_decide(actor, followup):
        raise _forbidden()
    followup = _lock_followup(followup)
    if followup.state != FollowUp.State.ANSWERED:
        raise _wrong_state(followup)
    row = _pending_answer(followup)
    row.decision, row.decided_by, row.decided_at, row.decision_note = decision, actor, timezone.now(), note
    row.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    return followup, row


@transaction.atomic
def followup_accept(*, actor, followup: FollowUp, note: str = "") -> FollowUp:
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
        recipients=_unit_people(followup.unit_id, Role.UNIT_HEAD, Role.UNIT_REPORTER),
        kind="followup.accepted",
        title=_say(lambda: _("Your answer to the instruction was accepted")),
        body=row.decision_note,
        url=_instruction_url(followup),
        obj=followup.instruction,
        dedupe_key=f"followup.accepted:{row.pk}",
    )
    return followup


@transaction.atomic
def followup_return(
    *,
    actor,
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
        recipients=_unit_people(followup.unit_id, Role.UNIT_HEAD, Role.UNIT_REPORTER),
        kind="followup.returned",
        title=_say(lambda: _("Your answer to the instruction was sent back: answer again by %(due)s") % words),
        body=reason,
        url=_instruction_url(followup),
        obj=followup.instruction,
        dedupe_key=f"followup.returned:{row.pk}",
    )
    return followup


# --- site inspections and rectifications ----------------------------------------------------------


def _coordinates(latitude: Decimal | None, longitude: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    if (latitude is None) != (longitude is None):
        raise ServiceError(_("Give both latitude and longitude, or neither."), field="latitude")
    if latitude is not None and not (-90 <= latitude <= 90):
        raise ServiceError(_("The latitude must be between -90 and 90."), field="latitude")
    if longitude is not None and not (-180 <= longitude <= 180):
        raise ServiceError(_("The longitude must be between -180 and 180."), field="longitude")
    return latitude, longitude


@uploads.atomic
def inspection_record(
    *,
    actor,
    inspected_on: date | None,
    inspectors: str,
    place: str,
    tasks: Sequence[Task] = (),
    summary: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photos: Sequence[Upload] = (),
) -> Inspection:
    """实地督查: the office records a site visit; without typed coordinates, the first photo's GPS is used."""
    _require_office(actor)
    if inspected_on is None:
        raise ServiceError(_("Give the date of the inspection."), field="inspected_on")
    if inspected_on > timezone.localdate():
        raise ServiceError(_("An inspection cannot be recorded for a future date."), field="inspected_on")
    inspectors, place = inspectors.strip(), place.strip()
    if not inspectors:
        raise ServiceError(_("Name the inspectors."), field="inspectors")
    if not place:
        raise ServiceError(_("Give the place visited."), field="place")
    latitude, longitude = _coordinates(latitude, longitude)
    checked = uploads.validate_uploads(photos, kind=uploads.PHOTO)
    source = Inspection.CoordinatesSource.TYPED if latitude is not None else Inspection.CoordinatesSource.NONE
    inspection = Inspection.objects.create(
        inspected_on=inspected_on,
        inspectors=inspectors,
        place=place,
        summary=summary.strip(),
        latitude=latitude,
        longitude=longitude,
        coordinates_source=source,
        recorded_by=actor,
    )
    inspection.tasks.set(list(tasks))
    attachments = store_attachments(actor, checked, inspection=inspection)
    if latitude is None:
        located = next((a for a in attachments if a.latitude is not None), None)
        if located is not None:
            inspection.latitude, inspection.longitude = located.latitude, located.longitude
            inspection.coordinates_source = Inspection.CoordinatesSource.PHOTO
            inspection.save(update_fields=["latitude", "longitude", "coordinates_source"])
    audit_record(
        actor=actor,
        verb="inspection.record",
        obj=inspection,
        after={
            "inspected_on": inspected_on,
            "place": place,
            "inspectors": inspectors,
            "latitude": inspection.latitude,
            "longitude": inspection.longitude,
            "coordinates_source": inspection.coordinates_source,
            "tasks": [t.code for t in tasks],
            "photos": [a.sha256 for a in attachments],
        },
    )
    return inspection


@uploads.atomic
def inspection_add_photos(*, actor, inspection: Inspection, photos: Sequence[Upload]) -> list[Attachment]:
    _require_office(actor)
    if not photos:
        raise ServiceError(_("Choose at least one photo."), field="files")
    checked = uploads.validate_uploads(photos, kind=uploads.PHOTO)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    attachments = store_attachments(actor, checked, inspection=inspection)
    if inspection.latitude is None:
        located = next((a for a in attachments if a.latitude is not None), None)
        if located is not None:
            inspection.latitude, inspection.longitude = located.latitude, located.longitude
            inspection.coordinates_source = Inspection.CoordinatesSource.PHOTO
            inspection.save(update_fields=["latitude", "longitude", "coordinates_source"])
    audit_record(
        actor=actor, verb="inspection.photos", obj=inspection, after={"photos": [a.sha256 for a in attachments]}
    )
    return attachments


@transaction.atomic
def finding_add(*, actor, inspection: Inspection, text: str, task: Task | None = None) -> Finding:
    _require_office(actor)
    text = text.strip()
    if not text:
        raise ServiceError(_("Describe the finding."), field="text")
    finding = Finding.objects.create(inspection=inspection, text=text, task=task, created_by=actor)
    audit_record(
        actor=actor,
        verb="finding.add",
        obj=finding,
        after={"inspection": inspection.pk, "text": text, "task": task.code if task else None},
    )
    return finding


def _rectification_snapshot(item: Rectification) -> dict:
    return {"state": item.state, "unit": item.unit_id, "deadline": item.deadline, "version": item.version}


def rectification_url(item: Rectification) -> str:
    return reverse("supervision:rectification_detail", kwargs={"pk": item.pk})


@uploads.atomic
def rectification_open(
    *,
    actor,
    finding: Finding,
    unit: Unit,
    deadline: date | None,
    requirement: str,
    photos: Sequence[Upload] = (),
    today: date | None = None,
    calendar: WorkCalendar | None = None,
) -> Rectification:
    """整改: the office assigns a finding to a unit with a deadline (a working day), with before photos."""
    _require_office(actor)
    if unit is None or not unit.is_active:
        raise ServiceError(_("Choose the unit that must rectify."), field="unit")
    requirement = requirement.strip()
    if not requirement:
        raise ServiceError(_("Say what must be rectified."), field="requirement")
    today = today or timezone.localdate()
    calendar = calendar or work_calendar()
    if deadline is None or deadline <= today:
        raise ServiceError(_("The deadline must be after today."), field="deadline")
    refuse_outside_calendar(calendar, deadline, field="deadline")
    if not calendar.is_workday(deadline):
        raise ServiceError(
            msg_not_workday(deadline, calendar.holiday_name(deadline), calendar.next_workday(deadline)),
            field="deadline",
            code="not_workday",
        )
    checked = uploads.validate_uploads(photos, kind=uploads.PHOTO)
    Finding.objects.select_for_update().get(pk=finding.pk)
    if Rectification.objects.filter(finding=finding).exists():
        raise ServiceError(_("This finding already has a rectification item."), code="exists")
    item = Rectification.objects.create(
        finding=finding,
        unit=unit,
        deadline=deadline,
        requirement=requirement,
        opened_by=actor,
        opened_at=timezone.now(),
    )
    attachments = store_attachments(actor, checked, rectification=item, stage=Attachment.Stage.BEFORE)
    audit_record(
        actor=actor,
        verb="rectification.open",
        obj=item,
        after={**_rectification_snapshot(item), "requirement": requirement, "photos": [a.sha256 for a in attachments]},
    )
    words = {"unit": unit.name, "deadline": date_format(deadline, "DATE_FORMAT")}
    notify(
        recipients=_unit_people(unit.pk, Role.UNIT_HEAD, Role.UNIT_REPORTER),
        kind="rectification.assigned",
        title=_say(lambda: _("Rectification for %(unit)s, due %(deadline)s") % words),
        body=requirement,
        url=rectification_url(item),
        obj=item,
        dedupe_key=f"rectification.assigned:{item.pk}",
    )
    return item


def _lock_rectification(item: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().select_related("unit").get(pk=item.pk)


@uploads.atomic
def rectification_report(*, actor, item: Rectification, text: str, photos: Sequence[Upload] = ()) -> Rectification:
    """The unit reports the rectification done, with after photos."""
    if not _in_unit(actor, item.unit_id):
        raise _forbidden()
    text = text.strip()
    if not text:
        raise ServiceError(_("Describe what was done."), field="text")
    checked = uploads.validate_uploads(photos, kind=uploads.PHOTO)
    item = _lock_rectification(item)
    if not item.is_open:
        raise _wrong_state(item)
    before = _rectification_snapshot(item)
    item.state, item.report, item.reported_by, item.reported_at = (
        Rectification.State.REPORTED,
        text,
        actor,
        timezone.now(),
    )
    item.version += 1
    item.save(update_fields=["state", "report", "reported_by", "reported_at", "version"])
    attachments = store_attachments(actor, checked, rectification=item, stage=Attachment.Stage.AFTER)
    audit_record(
        actor=actor,
        verb="rectification.report",
        obj=item,
        before=before,
        after={**_rectification_snapshot(item), "report": text, "photos": [a.sha256 for a in attachments]},
    )
    return item


def _rectification_step(actor, item: Rectification, *, expect: str, to: str, stamp: str, verb: str) -> Rectification:
    """The office moves an item from `expect` to `to`, recording who (`<stamp>_by`) and when (`<stamp>_at`)."""
    _require_office(actor)
    item = _lock_rectification(item)
    if item.state != expect:
        raise _wrong_state(item)
    before = _rectification_snapshot(item)
    item.state = to
    setattr(item, f"{stamp}_by", actor)
    setattr(item, f"{stamp}_at", timezone.now())
    item.version += 1
    item.save(update_fields=["state", f"{stamp}_by", f"{stamp}_at", "version"])
    audit_record(actor=actor, verb=verb, obj=item, before=before, after=_rectification_snapshot(item))
    return item


@transaction.atomic
def rectification_verify(*, actor, item: Rectification) -> Rectification:
    return _rectification_step(actor, item, expect=Rectification.State.REPORTED, to=Rectification.State.VERIFIED,
                               stamp="verified", verb="rectification.verify")  # fmt: skip


@transaction.atomic
def rectification_return(*, actor, item: Rectification, reason: str) -> Rectification:
    _require_office(actor)
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Give the reason for sending the report back."), field="reason")
    item = _lock_rectification(item)
    if item.state != Rectification.State.REPORTED:
        raise _wrong_state(item)
    before = _rectification_snapshot(item)
    item.state, item.return_reason = Rectification.State.RETURNED, reason
    item.version += 1
    item.save(update_fields=["state", "return_reason", "version"])
    audit_record(
        actor=actor,
        verb="rectification.return",
        obj=item,
        before=before,
        after={**_rectification_snapshot(item), "reason": reason},
    )
    return item


@transaction.atomic
def rectification_close(*, actor, item: Rectification) -> Rectification:
    return _rectification_step(actor, item, expect=Rectification.State.VERIFIED, to=Rectification.State.CLOSED,
                               stamp="closed", verb="rectification.close")  # fmt: skip


def rectification_remind_late(*, item: Rectification, today: date) -> int:
    """An open rectification past its deadline: the unit and the office are told once per deadline."""
    if not item.is_open or today <= item.deadline:
        return 0
    words = {"unit": item.unit.name, "deadline": date_format(item.deadline, "DATE_FORMAT")}
    return len(
        notify(
            recipients=[*_unit_people(item.unit_id, Role.UNIT_HEAD, Role.UNIT_REPORTER), *_office_people()],
            kind="rectification.late",
            title=_say(lambda: _("Rectification by %(unit)s is past its deadline (%(deadline)s)") % words),
            body=item.requirement,
            url=rectification_url(item),
            obj=item,
            dedupe_key=f"rectification.late:{item.pk}:{item.deadline.isoformat()}",
        )
    )
