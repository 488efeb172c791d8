"""Reads on enterprise assistance: who sees what, the contact masking rule, lists and flags.

Who sees what: the office and leaders (BUSINESS_READ_ALL) see every enterprise and request; a unit
head or reporter (BUSINESS_READ_UNIT) sees the requests assigned to the unit or raised on a firm the
unit serves (its 包联干部's unit), and those firms (plus the firms its officers visited). Outside the
scope an object is 404. Contact person and phone (personal data) are shown in clear only to the office
and to the units serving the firm or handling one of its requests: `contact_rule` is the one rule
used by pages, API and exports; everyone else reads them masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.roles import Perm
from core.access import out_of_scope
from enterprises.models import AssistanceRequest, Enterprise, Outcome, Visit


def reads_all(user) -> bool:
    return user.has_luoshi_perm(Perm.BUSINESS_READ_ALL)


def is_office(user) -> bool:
    return user.has_luoshi_perm(Perm.PLAN_EDIT)


def reader_unit_id(user) -> int | None:
    """The unit whose assistance records a unit head or reporter sees (None for others)."""
    if user.has_luoshi_perm(Perm.BUSINESS_READ_UNIT) and user.unit_id:
        return user.unit_id
    return None


def can_read(user) -> bool:
    return reads_all(user) or reader_unit_id(user) is not None


# --- scope ----------------------------------------------------------------------------------------


def enterprise_scope(user) -> QuerySet[Enterprise]:
    qs = Enterprise.objects.all()
    if reads_all(user):
        return qs
    unit_id = reader_unit_id(user)
    if unit_id is None:
        return qs.none()
    handled = AssistanceRequest.objects.filter(enterprise=OuterRef("pk"), unit_id=unit_id)
    visited = Visit.objects.filter(enterprise=OuterRef("pk"), officer_unit_id=unit_id)
    return qs.filter(Q(officer_unit_id=unit_id) | Exists(handled) | Exists(visited))


def enterprise_get_for_user(user, pk: int) -> Enterprise:
    try:
        related = ("subdistrict", "block", "officer", "officer_unit", "leader_post")
        return enterprise_scope(user).select_related(*related).get(pk=pk)
    except Enterprise.DoesNotExist as exc:
        raise out_of_scope(Enterprise, pk) from exc


def request_scope(user) -> QuerySet[AssistanceRequest]:
    qs = AssistanceRequest.objects.all()
    if reads_all(user):
        return qs
    unit_id = reader_unit_id(user)
    if unit_id is None:
        return qs.none()
    return qs.filter(Q(unit_id=unit_id) | Q(enterprise__officer_unit_id=unit_id))


def request_get_for_user(user, pk: int) -> AssistanceRequest:
    try:
        return (
            request_scope(user)
            .select_related("enterprise", "category", "unit", "visit", "created_by", "repeat_of")
            .get(pk=pk)
        )
    except AssistanceRequest.DoesNotExist as exc:
        raise out_of_scope(AssistanceRequest, pk) from exc


def visit_get_for_user(user, pk: int) -> Visit:
    try:
        visit = Visit.objects.select_related("enterprise").get(pk=pk)
    except Visit.DoesNotExist as exc:
        raise out_of_scope(Visit, pk) from exc
    if not enterprise_scope(user).filter(pk=visit.enterprise_id).exists():
        raise out_of_scope(Visit, pk)
    return visit


# --- the contact masking rule ---------------------------------------------------------------------


def mask_name(name: str) -> str:
    """张三 → 张*; 欧阳明月 → 欧***: the family name stays so the officer knows whom to ask for."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short numbers keep nothing."""
    digits = phone.strip()
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "****" if digits else ""


@dataclass
class ContactRule:
    """Whose contact data a user reads in clear: all (office), the firms of a unit, or none."""

    everything: bool = False
    unit_id: int | None = None
    handled_firms: set[int] = field(default_factory=set)

    def visible(self, enterprise: Enterprise) -> bool:
        if self.everything:
            return True
        if self.unit_id is None:
            return False
        return enterprise.officer_unit_id == self.unit_id or enterprise.pk in self.handled_firms

    def contact(self, enterprise: Enterprise) -> tuple[str, str, bool]:
        """(person, phone, shown in clear)."""
        if self.visible(enterprise):
            return enterprise.contact_name, enterprise.contact_phone, True
        return mask_name(enterprise.contact_name), mask_phone(enterprise.contact_phone), False


def contact_rule(user) -> ContactRule:
    """The office reads every contact; a unit those of the firms it serves or handles a request of; leaders
    and everyone else masked (personal data is shown to whoever must call the firm, not to all readers)."""
    if is_office(user):
        return ContactRule(everything=True)
    unit_id = reader_unit_id(user)
    if unit_id is None:
        return ContactRule()
    firms = set(AssistanceRequest.objects.filter(unit_id=unit_id).values_list("enterprise_id", flat=True).distinct())
    return ContactRule(unit_id=unit_id, handled_firms=firms)


# --- lists ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnterpriseFilter:
    q: str = ""
    industry: str = ""
    size: str = ""
    subdistrict: int | None = None
    block: int | None = None


def enterprise_list(user, f: EnterpriseFilter = EnterpriseFilter()) -> QuerySet[Enterprise]:
    qs = enterprise_scope(user).select_related("subdistrict", "block", "officer_unit")
    if f.q:
        code = "".join(f.q.split()).upper()
        qs = qs.filter(Q(name__icontains=f.q.strip()) | Q(credit_code__startswith=code))
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.size:
        qs = qs.filter(size=f.size)
    if f.subdistrict:
        qs = qs.filter(subdistrict_id=f.subdistrict)
    if f.block:
        qs = qs.filter(block_id=f.block)
    return qs.order_by("name", "pk")


def industries() -> list[str]:
    return list(Enterprise.objects.exclude(industry="").values_list("industry", flat=True).distinct().order_by())


def request_list(user, *, enterprise_id: int | None = None) -> QuerySet[AssistanceRequest]:
    qs = request_scope(user).select_related("enterprise", "category", "unit", "outcome")
    if enterprise_id is not None:
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs


def request_queue(user) -> QuerySet[AssistanceRequest]:
    """待办诉求: for a unit, its requests waiting for it (assigned, accepted); for the office, those waiting for
    the office (received, returned) and answered ones waiting for the firm's feedback. Bounded queries."""
    qs = AssistanceRequest.objects.select_related("enterprise", "category", "unit")
    if is_office(user):
        return qs.filter(state__in=[*AssistanceRequest.OFFICE_STATES, AssistanceRequest.State.ANSWERED]).order_by(
            "due_date", "pk"
        )
    unit_id = reader_unit_id(user)
    if unit_id is None:
        return qs.none()
    return qs.filter(unit_id=unit_id, state__in=AssistanceRequest.UNIT_STATES).order_by("due_date", "pk")


def visit_list(enterprise: Enterprise) -> QuerySet[Visit]:
    return enterprise.visits.select_related("officer", "officer_unit").prefetch_related("policies", "photos")


def outcome_pending_for(user) -> QuerySet[Outcome]:
    """Outcomes of the user's unit waiting for its head's approval."""
    unit_id = reader_unit_id(user)
    if unit_id is None or not user.has_luoshi_perm(Perm.REPORT_APPROVE):
        return Outcome.objects.none()
    return Outcome.objects.filter(request__unit_id=unit_id, approved_on__isnull=True).select_related(
        "request__enterprise"
    )


# --- flags for the office -------------------------------------------------------------------------


def flagged_requests(user) -> dict[str, QuerySet[AssistanceRequest]]:
    """重复诉求 (another request of the firm on the same matter), closed without an approved outcome,
    closed with "not satisfied" feedback."""
    qs = request_scope(user).select_related("enterprise", "category", "unit")
    has_outcome = Outcome.objects.filter(request=OuterRef("pk"), approved_on__isnull=False)
    closed = qs.filter(state=AssistanceRequest.State.CLOSED)
    return {
        "repeated": qs.filter(repeat_of__isnull=False),
        "no_outcome": closed.filter(~Exists(has_outcome)),
        "not_satisfied": closed.filter(feedback=AssistanceRequest.Feedback.NOT_SATISFIED),
    }
