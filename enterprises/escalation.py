"""Overdue requests climb the chain of responsibility, with the supervision ladder (supervision.escalation).

A request waiting for its handling unit (assigned or accepted) past its due date reminds, by working days late
(settings.SUPERVISION_ESCALATION, the same thresholds as orders): the unit's reporters, then its head, then
the firm's responsible leader (包联领导, `Enterprise.leader_post`'s holder), then the office,
asked to issue a 督办 order on the request (supervision.targets kind "assistance_request"). Each rung is reminded
once (`AssistanceRequest.escalation_level` keeps the highest rung reached); the nightly sweep
(`workbench.sweep`) runs it for every waiting request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders
from audit.services import audit_record
from core.workcalendar import work_calendar
from core.workdays import WorkCalendar
from enterprises.figures import request_url
from enterprises.models import AssistanceRequest
from enterprises.target import KEY
from notifications.services import notify
from supervision import escalation
from supervision.escalation import Rung, Thresholds
from supervision.services.common import escalation_thresholds


@dataclass
class RequestEscalation:
    decision: escalation.Decision
    new_rungs: list[Rung] = field(default_factory=list)
    notified: int = 0


def rung_people(req: AssistanceRequest, rungs: list[Rung]) -> list[User]:
    people: list[User] = []
    unit_ids = [req.unit_id] if req.unit_id is not None else []
    for rung in rungs:
        if rung is Rung.REPORTER:
            people += role_holders(Role.UNIT_REPORTER, unit_ids=unit_ids)
        elif rung is Rung.UNIT_HEAD:
            people += role_holders(Role.UNIT_HEAD, unit_ids=unit_ids)
        elif rung is Rung.LEADER:
            post = req.enterprise.leader_post
            if post is not None and post.is_active and post.holder is not None and post.holder.is_active:
                people.append(post.holder)
        elif rung is Rung.OFFICE:
            people += role_holders(Role.OFFICE)
    return people


@transaction.atomic
def request_escalate(
    *,
    request: AssistanceRequest,
    today: date,
    calendar: WorkCalendar | None = None,
    thresholds: Thresholds | None = None,
) -> RequestEscalation | None:
    """Remind the newly reached rungs of a late request (the sweep is the actor). None when it is not waiting
    for its unit. Idempotent: a rung already reminded is not reminded again."""
    calendar = calendar or work_calendar()
    thresholds = thresholds or escalation_thresholds()
    req = (
        AssistanceRequest.objects.select_for_update(of=("self",))
        .select_related("enterprise__leader_post__holder", "unit", "category")
        .get(pk=request.pk)
    )
    if req.state not in AssistanceRequest.UNIT_STATES or req.unit_id is None:
        return None
    decision = escalation.decide(
        issued_kind=escalation.Kind.REMINDER, due=req.due_date, today=today, calendar=calendar, thresholds=thresholds
    )
    result = RequestEscalation(decision)
    if not decision.is_late:
        return result
    result.new_rungs = [r for r in decision.recipients if int(r) > req.escalation_level]
    if not result.new_rungs:
        return result
    before = {"escalation_level": req.escalation_level}
    req.escalation_level, req.escalated_on = int(max(decision.recipients)), today
    req.save(update_fields=["escalation_level", "escalated_on"])
    audit_record(
        verb="assistance_request.escalate",
        obj=req,
        before=before,
        after={"escalation_level": req.escalation_level, "workdays_late": decision.workdays_late},
        actor_username="sweep",
    )
    words = {
        "firm": req.enterprise.name,
        "category": req.category.name,
        "unit": req.unit.name if req.unit else "",
        "days": decision.workdays_late,
    }
    with translation.override(settings.LANGUAGE_CODE):  # the recipients read it, not the sweep
        words["due"] = date_format(req.due_date, "DATE_FORMAT")
        title = _("Request of %(firm)s (%(category)s): %(days)s working days late") % words
        body = _("%(unit)s has not answered; the answer was due on %(due)s.") % words
    url = request_url(req)
    if Rung.OFFICE in result.new_rungs:
        # The ladder's last rung: the office is asked to issue a 督办 order on the request (prefilled with it and
        # its unit). The order is the office's act, with its issuer and number, not the sweep's.
        url = reverse("supervision:order_create") + f"?target={KEY}:{req.pk}"
        with translation.override(settings.LANGUAGE_CODE):
            body += " " + _("Issue a supervision order on it.")
    result.notified = len(
        notify(
            recipients=rung_people(req, result.new_rungs),
            kind="assistance_request.late",
            title=title,
            body=body,
            url=url,
            obj=req,
            dedupe_key=f"assistance_request.late:{req.pk}:{req.escalation_level}",
        )
    )
    return result


def requests_escalate(*, today: date, calendar: WorkCalendar, thresholds: Thresholds) -> tuple[int, int]:
    """The sweep's share: (late requests, reminders sent)."""
    late = notified = 0
    waiting = AssistanceRequest.objects.filter(state__in=AssistanceRequest.UNIT_STATES, due_date__lt=today)
    for req in waiting.order_by("due_date", "pk").only("pk").iterator(chunk_size=500):
        outcome = request_escalate(request=req, today=today, calendar=calendar, thresholds=thresholds)
        if outcome is not None and outcome.decision.is_late:
            late += 1
            notified += outcome.notified
    return late, notified
