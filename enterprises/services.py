"""Writes of enterprise assistance: firms, visits, requests from receipt to close, outcomes. Each audited.

Who may do what: the office (PLAN_EDIT) keeps the firm list and the policy catalogue, assigns, closes
and records feedback; the unit serving a firm (its 包联干部's unit) records visits, requests and the
firm's feedback; the handling unit accepts, returns, answers and records the outcome, which its head
approves (REPORT_APPROVE) before it counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record
from core import uploads
from core.errors import ServiceError
from core.validation import problem_text, text_problem
from core.workcalendar import refuse_outside_calendar, service_error_outside, work_calendar
from core.workdays import OutsideCalendar
from enterprises import creditcode
from enterprises.models import (
    AssistanceRequest,
    Enterprise,
    Outcome,
    Policy,
    RequestCategory,
    SizeClass,
    Visit,
    VisitPhoto,
)
from org.models import LeaderPost, Unit
from plans.models import DimensionTag

State = AssistanceRequest.State
# A second request of a firm in a category within this many days of the first is a repeat (重复诉求).
REPEAT_WINDOW_DAYS = 180


# --- messages and checks --------------------------------------------------------------------------


def forbidden() -> ServiceError:
    return ServiceError(_("You do not have permission to do this."), code="forbidden")


def wrong_state(obj: AssistanceRequest) -> ServiceError:
    return ServiceError(
        _("This request is now “%(state)s”, so that cannot be done; nothing was changed.")
        % {"state": obj.get_state_display()},
        code="wrong_state",
    )


def credit_code_message(problem: creditcode.CodeProblem) -> str:
    label = _("Unified social credit code (统一社会信用代码)")
    if problem.kind == "length":
        return _("%(field)s must have 18 characters.") % {"field": label}
    if problem.kind == "character":
        return _(
            "%(field)s: the character at position %(pos)d is not allowed (digits and capital letters "
            "except I, O, Z, S, V)."
        ) % {"field": label, "pos": problem.position}
    if problem.kind == "division":
        return _("%(field)s: position %(pos)d must be a digit (the administrative division code).") % {
            "field": label,
            "pos": problem.position,
        }
    return _(
        "%(field)s: the check character at position %(pos)d is wrong (it should be %(expected)s); "
        "a character of the code may be mistyped."
    ) % {"field": label, "pos": problem.position, "expected": problem.expected}


def clean_credit_code(code: str) -> str:
    """The normalised code, or ServiceError(field="credit_code") naming the position of the error."""
    normal = creditcode.normalise(code or "")
    problem = creditcode.credit_code_problem(normal)
    if problem is not None:
        raise ServiceError(credit_code_message(problem), field="credit_code", code="credit_code")
    return normal


def _text(value: str, field: str, label: str, *, max_length: int | None = None, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_("%(field)s is required.") % {"field": label}, field=field)
    problem = text_problem(value, max_length=max_length)
    if problem is not None:
        raise ServiceError(problem_text(problem, label), field=field)
    return value


def _is_office(actor: User) -> bool:
    return actor.has_luoshi_perm(Perm.PLAN_EDIT)


def _in_unit(actor: User, unit_id: int | None) -> bool:
    return (
        unit_id is not None
        and actor.unit_id == unit_id
        and (actor.has_luoshi_perm(Perm.REPORT_DRAFT) or actor.has_luoshi_perm(Perm.REPORT_APPROVE))
    )


def serves(actor: User, enterprise: Enterprise) -> bool:
    """The office, or a person of the unit serving the firm (its 包联干部's unit)."""
    return _is_office(actor) or _in_unit(actor, enterprise.officer_unit_id)


def _lock(request: AssistanceRequest) -> AssistanceRequest:
    return (
        # Lock the request row only: the handling unit may be unset (an outer join PostgreSQL cannot lock).
        AssistanceRequest.objects.select_for_update(of=("self",))
        .select_related("enterprise", "category", "unit")
        .get(pk=request.pk)
    )


def _snapshot(r: AssistanceRequest) -> dict:
    return {"state": r.state, "unit": r.unit_id, "due_date": r.due_date, "feedback": r.feedback}


# --- enterprises ----------------------------------------------------------------------------------


@dataclass
class EnterpriseData:
    name: str
    credit_code: str
    industry: str = ""
    size: str = SizeClass.SMALL
    subdistrict: Unit | None = None
    block: DimensionTag | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    contact_name: str = ""
    contact_phone: str = ""
    officer: User | None = None
    officer_unit: Unit | None = None
    leader_post: LeaderPost | None = None


FIRM_FIELDS = ("name", "credit_code", "industry", "size", "subdistrict", "block", "address", "latitude",
               "longitude", "contact_name", "contact_phone", "officer", "officer_unit", "leader_post")  # fmt: skip


def check_enterprise_data(data: EnterpriseData) -> EnterpriseData:
    """Every rule on a firm's fields (form, API and import share it); returns the data cleaned."""
    data.name = _text(data.name, "name", _("Name"), max_length=200, required=True)
    data.credit_code = clean_credit_code(data.credit_code)
    data.industry = _text(data.industry, "industry", _("Industry"), max_length=60)
    data.address = _text(data.address, "address", _("Address"), max_length=200)
    data.contact_name = _text(data.contact_name, "contact_name", _("Contact person"), max_length=60)
    data.contact_phone = _text(data.contact_phone, "contact_phone", _("Contact phone"), max_length=30)
    if data.size not in SizeClass.values:
        raise ServiceError(_("Size class must be one of 大, 中, 小, 微."), field="size")
    if data.latitude is not None and not -90 <= data.latitude <= 90:
        raise ServiceError(_("Latitude must be between -90 and 90."), field="latitude")
    if data.longitude is not None and not -180 <= data.longitude <= 180:
        raise ServiceError(_("Longitude must be between -180 and 180."), field="longitude")
    if data.officer is not None and data.officer_unit is None:
        data.officer_unit = data.officer.unit
    return data


def _firm_snapshot(e: Enterprise) -> dict:
    # No contact data in the audit trail's before/after: the log is read by the audit admin, not the office.
    return {"name": e.name, "credit_code": e.credit_code, "industry": e.industry, "officer_unit": e.officer_unit_id}


@transaction.atomic
def enterprise_create(*, actor: User, data: EnterpriseData) -> Enterprise:
    if not _is_office(actor):
        raise forbidden()
    data = check_enterprise_data(data)
    if Enterprise.objects.filter(credit_code=data.credit_code).exists():
        raise ServiceError(
            _("An enterprise with the unified social credit code %(code)s is already listed.")
            % {"code": data.credit_code},
            field="credit_code",
            code="duplicate",
        )
    firm = Enterprise.objects.create(**{f: getattr(data, f) for f in FIRM_FIELDS})
    audit_record(actor=actor, verb="enterprise.create", obj=firm, after=_firm_snapshot(firm))
    return firm


@transaction.atomic
def enterprise_update(*, actor: User, enterprise: Enterprise, data: EnterpriseData) -> Enterprise:
    if not _is_office(actor):
        raise forbidden()
    data = check_enterprise_data(data)
    if Enterprise.objects.filter(credit_code=data.credit_code).exclude(pk=enterprise.pk).exists():
        raise ServiceError(
            _("An enterprise with the unified social credit code %(code)s is already listed.")
            % {"code": data.credit_code},
            field="credit_code",
            code="duplicate",
        )
    before = _firm_snapshot(enterprise)
    for f in FIRM_FIELDS:
        setattr(enterprise, f, getattr(data, f))
    enterprise.save(update_fields=[*FIRM_FIELDS, "updated_at"])
    audit_record(actor=actor, verb="enterprise.update", obj=enterprise, before=before, after=_firm_snapshot(enterprise))
    return enterprise


@transaction.atomic
def policy_create(*, actor: User, title: str, issuer: str = "") -> Policy:
    if not _is_office(actor):
        raise forbidden()
    title = _text(title, "title", _("Title"), max_length=200, required=True)
    policy, _created = Policy.objects.get_or_create(title=title, defaults={"issuer": issuer[:100]})
    audit_record(actor=actor, verb="policy.create", obj=policy)
    return policy


# --- visits ---------------------------------------------------------------------------------------


def visit_delivered(policies: Sequence[Policy], services: str, factors: str) -> bool:
    """A visit delivered something (counts toward "enterprises helped"): a policy explained, a service or a factor."""
    return bool(policies) or bool(services.strip()) or bool(factors.strip())


@uploads.atomic
def visit_record(
    *,
    actor: User,
    enterprise: Enterprise,
    visited_on: date,
    policies: Sequence[Policy] = (),
    services: str = "",
    factors: str = "",
    notes: str = "",
    photos: Sequence = (),
) -> Visit:
    """走访: recorded by the office or a person of the unit serving the firm, with photos (core.uploads)."""
    if not serves(actor, enterprise):
        raise forbidden()
    if visited_on > timezone.localdate():
        raise ServiceError(_("The visit date cannot be in the future."), field="visited_on")
    services = _text(services, "services", _("Services delivered"))
    factors = _text(factors, "factors", _("Factors delivered"))
    notes = _text(notes, "notes", _("Notes"))
    checked = uploads.validate_uploads(photos, kind=uploads.PHOTO, field="photos")
    visit = Visit.objects.create(
        enterprise=enterprise,
        visited_on=visited_on,
        officer=actor,
        officer_unit_id=actor.unit_id,
        services=services,
        factors=factors,
        notes=notes,
        delivered=visit_delivered(policies, services, factors),
    )
    visit.policies.set(policies)
    for upload in checked:
        stored = uploads.store_upload(upload, folder="enterprises", thumbnail=True)
        VisitPhoto.objects.create(
            visit=visit,
            file=stored.name,
            thumbnail=stored.thumbnail,
            original_name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
            uploaded_by=actor,
        )
    audit_record(
        actor=actor,
        verb="visit.record",
        obj=visit,
        after={"enterprise": enterprise.pk, "visited_on": visited_on, "delivered": visit.delivered},
    )
    return visit


# --- requests -------------------------------------------------------------------------------------


def category_by_name(name: str) -> RequestCategory:
    try:
        return RequestCategory.objects.get(is_active=True, name=name.strip())
    except RequestCategory.DoesNotExist:
        names = "、".join(RequestCategory.objects.filter(is_active=True).values_list("name", flat=True))
        raise ServiceError(
            _("Unknown request category “%(name)s”: use one of %(names)s.") % {"name": name, "names": names},
            field="category",
            code="unknown_category",
        ) from None


def due_date_for(received_on: date, category: RequestCategory) -> date:
    calendar = work_calendar()
    refuse_outside_calendar(calendar, received_on, field="received_on")
    try:
        return calendar.add_workdays(received_on, category.due_workdays)
    except OutsideCalendar as exc:
        raise service_error_outside(exc, field="received_on") from None


def _repeat_of(enterprise: Enterprise, category: RequestCategory, received_on: date) -> AssistanceRequest | None:
    """The firm's earlier request on the same matter: same category, open or received within the window."""
    since = received_on - timedelta(days=REPEAT_WINDOW_DAYS)
    earlier = AssistanceRequest.objects.filter(enterprise=enterprise, category=category, received_on__lte=received_on)
    return (
        earlier.exclude(state=State.CLOSED).order_by("received_on", "pk").first()
        or earlier.filter(received_on__gte=since).order_by("received_on", "pk").first()
    )


@transaction.atomic
def request_create(
    *,
    actor: User,
    enterprise: Enterprise,
    category: RequestCategory,
    description: str,
    received_on: date,
    channel: str = AssistanceRequest.Channel.VISIT,
    visit: Visit | None = None,
    unit: Unit | None = None,
) -> AssistanceRequest:
    """诉求 received from a firm; the office may hand it to a unit at once (`unit`)."""
    if not serves(actor, enterprise):
        raise forbidden()
    if unit is not None and not _is_office(actor):
        raise forbidden()
    if not category.is_active:
        raise ServiceError(_("That request category is no longer in use."), field="category")
    description = _text(description, "description", _("Description"), required=True)
    if channel not in AssistanceRequest.Channel.values:
        raise ServiceError(_("Unknown channel."), field="channel")
    if received_on > timezone.localdate():
        raise ServiceError(_("The date received cannot be in the future."), field="received_on")
    if visit is not None and visit.enterprise_id != enterprise.pk:
        raise ServiceError(_("That visit was to another enterprise."), field="visit")
    request = AssistanceRequest.objects.create(
        enterprise=enterprise,
        category=category,
        description=description,
        received_on=received_on,
        channel=channel,
        visit=visit,
        unit=unit,
        state=State.ASSIGNED if unit else State.RECEIVED,
        due_date=due_date_for(received_on, category),
        repeat_of=_repeat_of(enterprise, category, received_on),
        created_by=actor,
    )
    audit_record(actor=actor, verb="assistance_request.create", obj=request, after=_snapshot(request))
    return request


def _step(actor: User, request: AssistanceRequest, verb: str, allowed: tuple, who) -> AssistanceRequest:
    """Lock, check the actor (`who(actor, locked)`) and the state, and return the locked row."""
    locked = _lock(request)
    if not who(actor, locked):
        raise forbidden()
    if locked.state not in allowed:
        raise wrong_state(locked)
    return locked


def _save(actor: User, locked: AssistanceRequest, before: dict, verb: str, fields: list[str]) -> AssistanceRequest:
    locked.version += 1
    locked.save(update_fields=[*fields, "version"])
    audit_record(actor=actor, verb=verb, obj=locked, before=before, after=_snapshot(locked))
    return locked


@transaction.atomic
def request_assign(*, actor: User, request: AssistanceRequest, unit: Unit) -> AssistanceRequest:
    """转办: the office hands the request to a unit (again, after a return)."""
    locked = _step(
        actor, request, "assign", (State.RECEIVED, State.RETURNED, State.ASSIGNED), lambda a, r: _is_office(a)
    )
    before = _snapshot(locked)
    locked.unit, locked.state, locked.return_reason = unit, State.ASSIGNED, ""
    return _save(actor, locked, before, "assistance_request.assign", ["unit", "state", "return_reason"])


@transaction.atomic
def request_accept(*, actor: User, request: AssistanceRequest) -> AssistanceRequest:
    locked = _step(actor, request, "accept", (State.ASSIGNED,), lambda a, r: _in_unit(a, r.unit_id))
    before = _snapshot(locked)
    locked.state = State.ACCEPTED
    return _save(actor, locked, before, "assistance_request.accept", ["state"])


@transaction.atomic
def request_return(*, actor: User, request: AssistanceRequest, reason: str) -> AssistanceRequest:
    """A unit returns a wrongly assigned request to the office, saying why."""
    locked = _step(actor, request, "return", (State.ASSIGNED, State.ACCEPTED), lambda a, r: _in_unit(a, r.unit_id))
    reason = _text(reason, "reason", _("Reason"), required=True)
    before = _snapshot(locked)
    locked.state, locked.return_reason = State.RETURNED, reason
    return _save(actor, locked, before, "assistance_request.return", ["state", "return_reason"])


@dataclass
class OutcomeData:
    jobs: int = 0
    tax_relieved: Decimal = Decimal(0)
    funds: Decimal = Decimal(0)
    funds_channel: str = ""
    approval_days_saved: int = 0
    land_mu: Decimal = Decimal(0)
    note: str = ""

    @property
    def empty(self) -> bool:
        return not (self.jobs or self.tax_relieved or self.funds or self.approval_days_saved or self.land_mu)


_OUTCOME_LABELS = {
    "jobs": "Jobs filled",
    "tax_relieved": "Tax and fees relieved",
    "funds": "Funds provided",
    "approval_days_saved": "Approval time saved",
    "land_mu": "Land",
}
_OUTCOME_LIMITS = {"jobs": 10**7, "tax_relieved": Decimal(10**13), "funds": Decimal(10**13),
                   "approval_days_saved": 10**4, "land_mu": Decimal(10**9)}  # fmt: skip


def check_outcome_data(data: OutcomeData) -> OutcomeData:
    for name, label in _OUTCOME_LABELS.items():
        value = getattr(data, name)
        if value is None:
            setattr(data, name, 0)
            continue
        if value < 0:
            raise ServiceError(_("%(field)s cannot be negative.") % {"field": _(label)}, field=name, code="negative")
        if value >= _OUTCOME_LIMITS[name]:
            raise ServiceError(_("%(field)s is too large.") % {"field": _(label)}, field=name)
    if data.funds_channel not in Outcome.FundsChannel.values:
        raise ServiceError(_("Funds channel must be loan, subsidy or fund."), field="funds_channel")
    if data.funds and not data.funds_channel:
        raise ServiceError(_("Say through which channel the funds were provided."), field="funds_channel")
    data.note = _text(data.note, "note", _("Note"))
    return data


def _write_outcome(actor: User, locked: AssistanceRequest, data: OutcomeData) -> Outcome:
    existing = Outcome.objects.filter(request=locked).first()
    if existing is not None and existing.approved_on is not None:
        raise ServiceError(_("The outcome is already approved; it can no longer be changed."), code="approved")
    fields = {f: getattr(data, f) for f in ("jobs", "tax_relieved", "funds", "funds_channel",
                                            "approval_days_saved", "land_mu", "note")}  # fmt: skip
    outcome, _created = Outcome.objects.update_or_create(request=locked, defaults={**fields, "recorded_by": actor})
    audit_record(
        actor=actor, verb="outcome.record", obj=outcome, after={k: v for k, v in fields.items() if k != "note"}
    )
    return outcome


@transaction.atomic
def request_answer(
    *, actor: User, request: AssistanceRequest, answer: str, outcome: OutcomeData | None = None
) -> AssistanceRequest:
    """The unit's answer (办理结果), with the outcome in numbers when there is one (approved later by its head)."""
    locked = _step(actor, request, "answer", (State.ASSIGNED, State.ACCEPTED), lambda a, r: _in_unit(a, r.unit_id))
    answer = _text(answer, "answer", _("Answer"), required=True)
    if outcome is not None:
        outcome = check_outcome_data(outcome)
    before = _snapshot(locked)
    today = timezone.localdate()
    locked.state, locked.answer, locked.answered_at = State.ANSWERED, answer, timezone.now()
    if locked.first_answered_on is None:
        locked.first_answered_on = today
    _save(actor, locked, before, "assistance_request.answer", ["state", "answer", "answered_at", "first_answered_on"])
    if outcome is not None and not outcome.empty:
        _write_outcome(actor, locked, outcome)
    return locked


@transaction.atomic
def outcome_record(*, actor: User, request: AssistanceRequest, data: OutcomeData) -> Outcome:
    """成效 on an answered (or closed) request, by the handling unit; refused on an unanswered one."""
    locked = _lock(request)
    if not _in_unit(actor, locked.unit_id):
        raise forbidden()
    if locked.state not in (State.ANSWERED, State.CLOSED):
        raise ServiceError(
            _("An outcome can only be recorded on an answered request; this one is “%(state)s”.")
            % {"state": locked.get_state_display()},
            code="not_answered",
        )
    return _write_outcome(actor, locked, check_outcome_data(data))


@transaction.atomic
def outcome_approve(*, actor: User, request: AssistanceRequest) -> Outcome:
    """The handling unit's head approves the outcome; from that day it counts in the summary."""
    locked = _lock(request)
    if not (actor.has_luoshi_perm(Perm.REPORT_APPROVE) and actor.unit_id == locked.unit_id):
        raise forbidden()
    outcome = Outcome.objects.select_for_update().filter(request=locked).first()
    if outcome is None:
        raise ServiceError(_("There is no outcome to approve."), code="no_outcome")
    if outcome.approved_on is not None:
        raise ServiceError(_("The outcome is already approved."), code="approved")
    outcome.approved_by, outcome.approved_on = actor, timezone.localdate()
    outcome.save(update_fields=["approved_by", "approved_on"])
    audit_record(actor=actor, verb="outcome.approve", obj=outcome, after={"approved_on": outcome.approved_on})
    return outcome


@transaction.atomic
def request_feedback(*, actor: User, request: AssistanceRequest, satisfied: bool, note: str = "") -> AssistanceRequest:
    """The firm's feedback, recorded by the office or the serving unit: satisfied closes, not satisfied reopens."""
    locked = _step(actor, request, "feedback", (State.ANSWERED,), lambda a, r: serves(a, r.enterprise))
    note = _text(note, "feedback_note", _("Feedback note"))
    before = _snapshot(locked)
    locked.feedback_note = note
    if satisfied:
        locked.feedback, locked.state, locked.closed_on = (
            AssistanceRequest.Feedback.SATISFIED,
            State.CLOSED,
            timezone.localdate(),
        )
    else:
        locked.feedback, locked.state = AssistanceRequest.Feedback.NOT_SATISFIED, State.ACCEPTED
        locked.reopened += 1
    return _save(
        actor,
        locked,
        before,
        "assistance_request.feedback",
        ["feedback", "feedback_note", "state", "closed_on", "reopened"],
    )


@transaction.atomic
def request_close(*, actor: User, request: AssistanceRequest, note: str = "") -> AssistanceRequest:
    """The office closes an answered request without the firm's satisfaction (flagged for review)."""
    locked = _step(actor, request, "close", (State.ANSWERED, State.ACCEPTED), lambda a, r: _is_office(a))
    if locked.first_answered_on is None:
        raise wrong_state(locked)
    before = _snapshot(locked)
    locked.state, locked.closed_on = State.CLOSED, timezone.localdate()
    locked.feedback_note = _text(note, "note", _("Note")) or locked.feedback_note
    return _save(actor, locked, before, "assistance_request.close", ["state", "closed_on", "feedback_note"])


# --- the editable lists (office) ------------------------------------------------------------------

MAX_DUE_WORKDAYS = 60


@transaction.atomic
def category_save(
    *, actor: User, category: RequestCategory | None, name: str, due_workdays: int, is_active: bool = True
) -> RequestCategory:
    """Add a request category or change one's name, working days to answer, or whether it is in use. Requests
    already received keep their due dates."""
    if not _is_office(actor):
        raise forbidden()
    name = _text(name, "name", _("Name"), max_length=20, required=True)
    if not 1 <= due_workdays <= MAX_DUE_WORKDAYS:
        raise ServiceError(
            _("Give between 1 and %(n)d working days to answer.") % {"n": MAX_DUE_WORKDAYS}, field="due_workdays"
        )
    others = RequestCategory.objects.filter(name=name)
    clash = (others.exclude(pk=category.pk) if category is not None else others).exists()
    if clash:
        raise ServiceError(_("A category of that name exists."), field="name", code="duplicate")
    before = {"name": category.name, "due_workdays": category.due_workdays} if category else None
    if category is None:
        code = f"c{RequestCategory.objects.count() + 1}"
        while RequestCategory.objects.filter(code=code).exists():
            code += "x"
        category = RequestCategory.objects.create(code=code, name=name, due_workdays=due_workdays, rank=1000)
    else:
        category.name, category.due_workdays, category.is_active = name, due_workdays, is_active
        category.save(update_fields=["name", "due_workdays", "is_active"])
    audit_record(
        actor=actor,
        verb="request_category.save",
        obj=category,
        before=before,
        after={"name": name, "due_workdays": due_workdays, "is_active": category.is_active},
    )
    return category


@transaction.atomic
def policy_set_active(*, actor: User, policy: Policy, is_active: bool) -> Policy:
    if not _is_office(actor):
        raise forbidden()
    policy.is_active = is_active
    policy.save(update_fields=["is_active"])
    audit_record(actor=actor, verb="policy.update", obj=policy, after={"is_active": is_active})
    return policy
