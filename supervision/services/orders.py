"""督办: supervision orders, from issue to close, their escalation and due reminders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core import uploads
from core.errors import ServiceError
from core.workcalendar import refuse_outside_calendar, service_error_outside, work_calendar
from core.workdays import OutsideCalendar, WorkCalendar
from notifications.services import notify
from org.models import Unit
from supervision import escalation
from supervision.escalation import Rung, Thresholds
from supervision.models import (
    OrderEscalation,
    OrderKind,
    OrderResponse,
    OrderSequence,
    OrderTarget,
    SupervisionOrder,
)
from supervision.numbering import format_number
from supervision.orderdoc import MAX_CONTENT, MAX_REQUIREMENTS
from supervision.services.common import (
    Upload,
    checked_targets,
    escalation_thresholds,
    forbidden,
    in_unit,
    link_targets,
    msg_not_workday,
    office_people,
    require_office,
    rung_people,
    say,
    store_attachments,
    target_label,
    wrong_state,
)

MAX_RESPONSE_WORKDAYS = 60


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
    actor: User,
    tasks: Sequence = (),
    targets: Sequence = (),
    unit: Unit | None,
    kind: str,
    content: str,
    requirements: str = "",
    issued_on: date | None = None,
    due_date: date | None = None,
    response_workdays: int | None = None,
    calendar: WorkCalendar | None = None,
) -> SupervisionOrder:
    """督办: the office issues a numbered order on objects to a unit; the response is due in working days.

    `tasks` and `targets` are both objects of registered kinds (supervision.targets); `tasks` is the
    older name, kept for callers that only ever supervised tasks.
    """
    require_office(actor)
    objects = checked_targets(actor, [*tasks, *targets], field="tasks" if tasks and not targets else "targets")
    if not objects:
        raise ServiceError(_("Choose at least one task or other object to supervise."), field="tasks")
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
    link_targets(OrderTarget, objects, order=order)
    audit_record(
        actor=actor,
        verb="order.issue",
        obj=order,
        after={
            **_order_snapshot(order),
            "targets": [target_label(o) for o in objects],
            "tasks": [o.code for o in objects if target_label(o).startswith("task:")],
            "content": content,
        },
    )
    words = _order_words(order)
    notify(
        recipients=rung_people(order, [Rung.REPORTER, Rung.UNIT_HEAD]),
        kind="order.issued",
        title=say(lambda: _("%(kind)s %(number)s: respond by %(due)s") % words),
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
def order_acknowledge(*, actor: User, order: SupervisionOrder) -> SupervisionOrder:
    """签收: the unit confirms it received the order."""
    if not in_unit(actor, order.unit_id):
        raise forbidden()
    order = _lock(order)
    if order.state != SupervisionOrder.State.ISSUED:
        raise wrong_state(order)
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
def order_respond(*, actor: User, order: SupervisionOrder, text: str, files: Sequence[Upload] = ()) -> OrderResponse:
    """反馈: the unit answers with text and evidence (photos, documents); the office then verifies."""
    if not in_unit(actor, order.unit_id):
        raise forbidden()
    text = text.strip()
    if not text:
        raise ServiceError(_("Write the response before sending it."), field="text")
    checked = uploads.validate_uploads(files, kind=uploads.EVIDENCE)
    order = _lock(order)
    if order.state == SupervisionOrder.State.ISSUED:
        raise ServiceError(_("Acknowledge the order before responding."), code="wrong_state")
    if order.state not in (SupervisionOrder.State.ACKNOWLEDGED, SupervisionOrder.State.RETURNED):
        raise wrong_state(order)
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
        recipients=[order.issued_by, *office_people()],
        kind="order.responded",
        title=say(lambda: _("%(unit)s responded to %(number)s") % words),
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
def order_verify(*, actor: User, order: SupervisionOrder, note: str = "") -> SupervisionOrder:
    """核验: the office accepts the unit's response."""
    require_office(actor)
    order = _lock(order)
    if order.state != SupervisionOrder.State.RESPONDED:
        raise wrong_state(order)
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
    actor: User,
    order: SupervisionOrder,
    reason: str,
    due_date: date | None = None,
    today: date | None = None,
    calendar: WorkCalendar | None = None,
) -> SupervisionOrder:
    """退回: the office sends the response back with a reason; the unit responds again by a new due date."""
    require_office(actor)
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Give the reason for sending the response back."), field="reason")
    # The state first: a date is computed only for an order that can be sent back.
    order = _lock(order)
    if order.state != SupervisionOrder.State.RESPONDED:
        raise wrong_state(order)
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
        title=say(lambda: _("%(number)s sent back: respond again by %(due)s") % words),
        body=reason,
        url=order_url(order),
        obj=order,
        dedupe_key=f"order.returned:{response.pk}",
    )
    return order


@transaction.atomic
def order_close(*, actor: User, order: SupervisionOrder) -> SupervisionOrder:
    """办结: the office closes a verified order."""
    require_office(actor)
    order = _lock(order)
    if order.state != SupervisionOrder.State.VERIFIED:
        raise wrong_state(order)
    before = _order_snapshot(order)
    order.state, order.closed_by, order.closed_at = SupervisionOrder.State.CLOSED, actor, timezone.now()
    _save(order, ["state", "closed_by", "closed_at"])
    audit_record(actor=actor, verb="order.close", obj=order, before=before, after=_order_snapshot(order))
    words = _order_words(order)
    notify(
        recipients=rung_people(order, [Rung.REPORTER, Rung.UNIT_HEAD]),
        kind="order.closed",
        title=say(lambda: _("%(number)s is closed") % words),
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
                title=say(lambda: _("%(number)s escalated to %(kind)s: response %(days)s working days late") % words),
                body=say(lambda: _("%(unit)s has not responded; the response was due on %(due)s.") % words),
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
                title=say(lambda: _("%(number)s: response %(days)s working days late") % words),
                body=say(lambda: _("%(unit)s has not responded; the response was due on %(due)s.") % words),
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
            title=say(lambda: _("%(number)s: the response is due on %(due)s") % words),
            url=order_url(order),
            obj=order,
            dedupe_key=f"order.due:{order.pk}:{order.due_date.isoformat()}",
        )
    )
