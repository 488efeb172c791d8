"""企业帮扶 API: the firm list, requests and their answer, and the summary figures (/api/v1/…)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from accounts.roles import Perm
from core.api import In, Out, require_api_perm
from core.errors import ServiceError
from enterprises import figures, selectors, services
from enterprises.models import AssistanceRequest, Enterprise, RequestCategory, SizeClass
from org.models import Unit

router = Router(tags=["enterprises"])
READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


class EnterpriseOut(Out):
    id: int
    name: str
    credit_code: str
    industry: str
    size: str
    subdistrict: str
    block: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    contact_name: str
    contact_phone: str
    contact_masked: bool
    officer_unit: str
    is_demo: bool


class EnterpriseIn(In):
    name: str = Field(..., max_length=200)
    credit_code: str = Field(..., max_length=40, description="统一社会信用代码, 18 characters (GB 32100-2015)")
    industry: str = Field("", max_length=60)
    size: str = Field(SizeClass.SMALL, description="large, medium, small or micro")
    subdistrict_id: int | None = None
    address: str = Field("", max_length=200)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    contact_name: str = Field("", max_length=60)
    contact_phone: str = Field("", max_length=30)
    officer_unit_id: int | None = None


class AssistanceRequestIn(In):
    enterprise_id: int | None = Field(None, description="The firm, by id …")
    credit_code: str | None = Field(None, max_length=40, description="… or by its 统一社会信用代码")
    category: str = Field(
        ..., max_length=20, description="用工, 资金, 税费, 审批, 用地, 用能, 物流, 其他 (or its code)"
    )
    description: str
    received_on: date
    channel: str = AssistanceRequest.Channel.VISIT
    unit_id: int | None = Field(None, description="The handling unit (office only).")


class AssistanceAnswerIn(In):
    answer: str
    jobs: int = 0
    tax_relieved: Decimal = Decimal(0)
    funds: Decimal = Decimal(0)
    funds_channel: str = ""
    approval_days_saved: int = 0
    land_mu: Decimal = Decimal(0)


class AssistanceRequestOut(Out):
    id: int
    enterprise_id: int
    enterprise: str
    category: str
    description: str
    received_on: date
    due_date: date
    state: str
    unit: str
    answer: str
    feedback: str
    repeat_of_id: int | None


class AssistanceSummaryOut(Out):
    scope: str
    enterprises_helped: int
    requests: int
    closed: int
    on_time_rate: float | None
    satisfaction_rate: float | None
    jobs_filled: int
    tax_relieved_yuan: Decimal
    funds_provided_yuan: Decimal
    links: dict[str, str]


class EnterpriseListIn(In):
    q: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def enterprise_out(e: Enterprise, rule: selectors.ContactRule) -> dict:
    name, phone, clear = rule.contact(e)
    return {
        "id": e.pk,
        "name": e.name,
        "credit_code": e.credit_code,
        "industry": e.industry,
        "size": e.size,
        "subdistrict": e.subdistrict.name if e.subdistrict else "",
        "block": e.block.name if e.block else "",
        "address": e.address,
        "latitude": e.latitude,
        "longitude": e.longitude,
        "contact_name": name,
        "contact_phone": phone,
        "contact_masked": not clear,
        "officer_unit": e.officer_unit.name if e.officer_unit else "",
        "is_demo": e.is_demo,
    }


def request_out(r: AssistanceRequest) -> dict:
    return {
        "id": r.pk,
        "enterprise_id": r.enterprise_id,
        "enterprise": r.enterprise.name,
        "category": r.category.name,
        "description": r.description,
        "received_on": r.received_on,
        "due_date": r.due_date,
        "state": r.state,
        "unit": r.unit.name if r.unit else "",
        "answer": r.answer,
        "feedback": r.feedback,
        "repeat_of_id": r.repeat_of_id,
    }


def _unit(pk: int | None, field: str) -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise ServiceError(_("Unknown unit."), field=field)
    return unit


@router.get("/enterprises", response=list[EnterpriseOut])
def enterprises_list(request, filters: Query[EnterpriseListIn]):
    require_api_perm(request, *READ)
    rows = selectors.enterprise_list(request.user, selectors.EnterpriseFilter(q=filters.q))
    rule = selectors.contact_rule(request.user)
    return [enterprise_out(e, rule) for e in rows[filters.offset : filters.offset + filters.limit]]


@router.post("/enterprises", response={201: EnterpriseOut})
def enterprises_create(request, payload: EnterpriseIn):
    require_api_perm(request, Perm.PLAN_EDIT)
    data = services.EnterpriseData(
        name=payload.name,
        credit_code=payload.credit_code,
        industry=payload.industry,
        size=payload.size,
        subdistrict=_unit(payload.subdistrict_id, "subdistrict_id"),
        address=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        officer_unit=_unit(payload.officer_unit_id, "officer_unit_id"),
    )
    firm = services.enterprise_create(actor=request.user, data=data)
    return Status(201, enterprise_out(firm, selectors.contact_rule(request.user)))


@router.get("/enterprises/{enterprise_id}", response=EnterpriseOut)
def enterprises_get(request, enterprise_id: int):
    require_api_perm(request, *READ)
    firm = selectors.enterprise_get_for_user(request.user, enterprise_id)
    return enterprise_out(firm, selectors.contact_rule(request.user))


def _category(text: str) -> RequestCategory:
    by_code = RequestCategory.objects.filter(is_active=True, code=text.strip()).first()
    return by_code or services.category_by_name(text)


def _firm_of(user, payload: AssistanceRequestIn) -> Enterprise:
    if payload.enterprise_id is not None:
        return selectors.enterprise_get_for_user(user, payload.enterprise_id)
    if not payload.credit_code:
        raise ServiceError(_("Name the enterprise: enterprise_id or credit_code."), field="enterprise_id")
    code = services.clean_credit_code(payload.credit_code)
    found = selectors.enterprise_scope(user).filter(credit_code=code).first()
    if found is None:
        raise Http404
    return found


@router.post("/assistance/requests", response={201: AssistanceRequestOut})
def assistance_request_create(request, payload: AssistanceRequestIn):
    require_api_perm(request, *READ)
    firm = _firm_of(request.user, payload)
    created = services.request_create(
        actor=request.user,
        enterprise=firm,
        category=_category(payload.category),
        description=payload.description,
        received_on=payload.received_on,
        channel=payload.channel,
        unit=_unit(payload.unit_id, "unit_id"),
    )
    return Status(201, request_out(selectors.request_get_for_user(request.user, created.pk)))


@router.post("/assistance/requests/{request_id}/answer", response=AssistanceRequestOut)
def assistance_request_answer(request, request_id: int, payload: AssistanceAnswerIn):
    require_api_perm(request, Perm.BUSINESS_READ_UNIT)
    found = selectors.request_get_for_user(request.user, request_id)
    outcome = services.OutcomeData(
        jobs=payload.jobs,
        tax_relieved=payload.tax_relieved,
        funds=payload.funds,
        funds_channel=payload.funds_channel,
        approval_days_saved=payload.approval_days_saved,
        land_mu=payload.land_mu,
    )
    services.request_answer(actor=request.user, request=found, answer=payload.answer, outcome=outcome)
    return request_out(selectors.request_get_for_user(request.user, request_id))


class AssistanceSummaryIn(In):
    start: date | None = Field(None, alias="from", description="YYYY-MM-DD; default: 1 January of this year")
    end: date | None = Field(None, alias="to", description="YYYY-MM-DD; default: today")
    scope: str = Field("district", max_length=80)


def summary_scope(user, start: date, end: date, text: str):
    """The scope asked for, refused when malformed; a unit reader's scope is always its own unit."""
    if end < start:
        raise ServiceError(_("“to” must not be before “from”."), field="to")
    try:
        scope = figures.parse_scope(text, start, end)
    except ValueError:
        raise ServiceError(
            _("Unknown scope “%(s)s”: use district, block:<id>, industry:<name>, unit:<id> or subdistrict:<id>.")
            % {"s": text},
            field="scope",
        ) from None
    if not selectors.reads_all(user):
        unit_id = selectors.reader_unit_id(user)
        if unit_id is None:
            raise PermissionDenied
        from dataclasses import replace

        scope = replace(scope, unit_id=unit_id)
    return scope


@router.get("/assistance/summary", response=AssistanceSummaryOut)
def assistance_summary(request, filters: Query[AssistanceSummaryIn]):
    require_api_perm(request, *READ)
    today = timezone.localdate()
    start, end = filters.start or date(today.year, 1, 1), filters.end or today
    scope = summary_scope(request.user, start, end, filters.scope)
    s = figures.assistance_summary(scope)
    return {
        "scope": figures.scope_text(scope),
        "enterprises_helped": s.enterprises_helped,
        "requests": s.requests,
        "closed": s.closed,
        "on_time_rate": float(s.on_time_rate) if s.on_time_rate is not None else None,
        "satisfaction_rate": float(s.satisfaction_rate) if s.satisfaction_rate is not None else None,
        "jobs_filled": s.jobs_filled,
        "tax_relieved_yuan": s.tax_relieved_yuan,
        "funds_provided_yuan": s.funds_provided_yuan,
        "links": figures.figure_links(scope),
    }
