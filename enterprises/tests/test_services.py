"""Requests from receipt to close, outcomes, bad input, masking, and the summary as sums over records."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ServiceError
from core.measures import MeasureScope, get_measure
from enterprises import figures, selectors, services
from enterprises.models import AssistanceRequest, Enterprise, Outcome
from enterprises.tests.factories import category, firm, request, unit, user

pytestmark = pytest.mark.django_db
S = AssistanceRequest.State


def _through_to_answer(req, jobs=30):
    services.request_accept(actor=user("zjj_reporter"), request=req)
    services.request_answer(
        actor=user("zjj_reporter"), request=req, answer="已组织专场招聘", outcome=services.OutcomeData(jobs=jobs)
    )
    req.refresh_from_db()
    return req


def test_due_date_counts_working_days_of_the_category():
    e = firm()
    req = request(e, received_on=date(2021, 9, 28))  # 用工: 10 working days, over the National Day holiday
    assert req.state == S.ASSIGNED
    assert req.due_date == date(2021, 10, 18)  # 9-29, 9-30, 10-8, 10-9 (make-up), 10-11..15, 10-18


def test_full_cycle_counts_in_the_summary_only_once_approved_and_closed():
    e = firm()
    today = timezone.localdate()
    req = _through_to_answer(request(e, received_on=today))
    scope = MeasureScope(start=today - timedelta(days=1), end=today)
    assert figures.assistance_summary(scope).jobs_filled == 0  # not approved yet
    services.outcome_approve(actor=user("zjj_head"), request=req)
    services.request_feedback(actor=user("office"), request=req, satisfied=True)
    req.refresh_from_db()
    assert req.state == S.CLOSED and req.closed_on == today
    s = figures.assistance_summary(scope)
    assert (s.enterprises_helped, s.closed, s.jobs_filled) == (1, 1, 30)
    assert s.satisfaction_rate == 1 and s.on_time_rate == 1
    assert list(get_measure("enterprises.helped").rows(scope)) == [e]
    assert get_measure("enterprises.jobs_filled").value(scope) == Decimal(30)


def test_not_satisfied_reopens_and_a_unit_returns_a_wrong_assignment():
    req = _through_to_answer(request(firm()))
    services.request_feedback(actor=user("office"), request=req, satisfied=False, note="人数不够")
    req.refresh_from_db()
    assert (req.state, req.feedback, req.reopened) == (S.ACCEPTED, "not_satisfied", 1)
    services.request_return(actor=user("zjj_reporter"), request=req, reason="应由区人社局办理")
    req.refresh_from_db()
    assert req.state == S.RETURNED
    services.request_assign(actor=user("office"), request=req, unit=unit("rsj"))
    req.refresh_from_db()
    assert (req.state, req.unit.code) == (S.ASSIGNED, "rsj")


def test_only_the_handling_unit_answers_and_only_its_head_approves():
    req = request(firm())
    with pytest.raises(ServiceError) as exc:
        services.request_accept(actor=user("fgw_reporter"), request=req)
    assert exc.value.code == "forbidden"
    req = _through_to_answer(req)
    with pytest.raises(ServiceError):
        services.outcome_approve(actor=user("zjj_reporter"), request=req)


def test_bad_credit_code_names_the_position_and_writes_nothing():
    before = Enterprise.objects.count()
    data = services.EnterpriseData(name="错码企业", credit_code="91350100M000100Y44")
    with pytest.raises(ServiceError) as exc:
        services.enterprise_create(actor=user("office"), data=data)
    assert exc.value.field == "credit_code"
    assert "18" in exc.value.message and "3" in exc.value.message
    assert Enterprise.objects.count() == before


def test_unknown_category_negative_outcome_and_outcome_on_unanswered_request_are_refused():
    with pytest.raises(ServiceError) as exc:
        services.category_by_name("无此类")
    assert exc.value.code == "unknown_category" and "用工" in exc.value.message
    req = request(firm())
    with pytest.raises(ServiceError) as exc:
        services.outcome_record(actor=user("zjj_reporter"), request=req, data=services.OutcomeData(jobs=3))
    assert exc.value.code == "not_answered"
    services.request_accept(actor=user("zjj_reporter"), request=req)
    with pytest.raises(ServiceError) as exc:
        services.request_answer(
            actor=user("zjj_reporter"), request=req, answer="x", outcome=services.OutcomeData(jobs=-1)
        )
    assert exc.value.code == "negative"
    req.refresh_from_db()
    assert req.state == S.ACCEPTED and not Outcome.objects.filter(request=req).exists()


def test_repeated_request_and_closed_without_outcome_are_flagged():
    e = firm()
    first = request(e)
    second = request(e, received_on=date(2021, 6, 20))
    assert second.repeat_of_id == first.pk
    services.request_accept(actor=user("zjj_reporter"), request=first)
    services.request_answer(actor=user("zjj_reporter"), request=first, answer="已答复")
    services.request_close(actor=user("office"), request=first, note="企业未回复")
    flags = selectors.flagged_requests(user("office"))
    assert first in flags["no_outcome"] and second in flags["repeated"]


def test_contact_is_masked_outside_the_office_and_the_serving_or_handling_unit():
    e = firm(officer_unit="fgw")
    assert selectors.contact_rule(user("office")).contact(e) == ("张三", "13812345678", True)
    assert selectors.contact_rule(user("leader")).contact(e) == ("张*", "138****5678", False)
    assert selectors.contact_rule(user("fgw_reporter")).contact(e)[2] is True
    assert selectors.contact_rule(user("zjj_reporter")).contact(e)[2] is False
    request(e, handler="zjj")
    assert selectors.contact_rule(user("zjj_reporter")).contact(e)[2] is True


def test_unit_scope_sees_its_requests_and_firms_only():
    mine, other = firm(1, officer_unit="zjj"), firm(2, officer_unit="fgw")
    r = request(other, handler="fgw")
    assert set(selectors.enterprise_scope(user("zjj_reporter"))) == {mine}
    assert list(selectors.request_scope(user("zjj_reporter"))) == []
    assert list(selectors.request_scope(user("fgw_reporter"))) == [r]
    assert list(selectors.request_queue(user("fgw_reporter"))) == [r]


def test_a_visit_with_a_delivered_item_helps_and_one_without_does_not():
    a, b = firm(1), firm(2)
    today = timezone.localdate()
    services.visit_record(actor=user("zjj_reporter"), enterprise=a, visited_on=today, services="协调招聘会")
    services.visit_record(actor=user("zjj_reporter"), enterprise=b, visited_on=today, notes="走访了解情况")
    scope = MeasureScope(start=today, end=today)
    assert list(figures.helped_rows(scope)) == [a]
    assert figures.assistance_summary(scope).enterprises_helped == 1
    assert (
        figures.assistance_summary(MeasureScope(start=today, end=today, unit_id=unit("fgw").pk)).enterprises_helped == 0
    )


def test_industry_scope_narrows_the_figures():
    a = firm(1, industry="制造业")
    b = firm(2, industry="批发零售")
    request(a)
    request(b)
    start, end = date(2021, 1, 1), date(2021, 12, 31)
    assert figures.assistance_summary(figures.parse_scope("industry:制造业", start, end)).requests == 1
    assert figures.assistance_summary(figures.parse_scope("district", start, end)).requests == 2
    with pytest.raises(ValueError):
        figures.parse_scope("planet:mars", start, end)
    assert category().due_workdays == 10
