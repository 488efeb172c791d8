"""Late requests remind the unit's reporters, then its head, then the firm's 包联领导, then the office; once each."""

from datetime import date

import pytest

from core.workdays import WorkCalendar
from enterprises.escalation import request_escalate, requests_escalate
from enterprises.tests.factories import firm, request, user
from notifications.models import Notification
from org.models import LeaderPost
from supervision.escalation import Thresholds

pytestmark = pytest.mark.django_db
CAL = WorkCalendar()
T = Thresholds()


def _late_notices(username: str) -> int:
    return Notification.objects.filter(recipient=user(username), kind="assistance_request.late").count()


def test_the_ladder_climbs_once_per_rung():
    post = LeaderPost.objects.get(title="分管城建副区长")
    e = firm()
    e.leader_post = post
    e.save(update_fields=["leader_post"])
    req = request(e, received_on=date(2021, 6, 1))  # 用工: due 2021-06-16 (10 working days, 端午 6-14)
    assert req.due_date == date(2021, 6, 16)
    assert request_escalate(request=req, today=date(2021, 6, 16), calendar=CAL, thresholds=T).decision.is_late is False
    first = request_escalate(request=req, today=date(2021, 6, 17), calendar=CAL, thresholds=T)
    assert [r.name for r in first.new_rungs] == ["REPORTER"]
    assert _late_notices("zjj_reporter") == 1 and _late_notices("zjj_head") == 0
    again = request_escalate(request=req, today=date(2021, 6, 17), calendar=CAL, thresholds=T)
    assert again.new_rungs == [] and _late_notices("zjj_reporter") == 1
    request_escalate(request=req, today=date(2021, 6, 23), calendar=CAL, thresholds=T)  # 5 working days late
    assert _late_notices("zjj_head") == 1 and _late_notices("leader_cj") == 1
    late, sent = requests_escalate(today=date(2021, 6, 30), calendar=CAL, thresholds=T)  # 10 late: the office
    assert (late, _late_notices("office")) == (1, 1) and sent >= 1
    office_notice = Notification.objects.get(recipient=user("office"), kind="assistance_request.late")
    assert office_notice.url == f"/supervision/orders/new/?target=assistance_request:{req.pk}"


def test_the_office_issues_an_order_on_a_request_and_the_request_page_shows_it(client_as):
    from django.urls import reverse

    from supervision import services as supervision_services

    req = request(firm(), received_on=date(2021, 6, 1))
    form = client_as("office").get(reverse("supervision:order_create") + f"?target=assistance_request:{req.pk}")
    assert form.status_code == 200 and req.enterprise.name in form.content.decode()
    order = supervision_services.order_issue(
        actor=user("office"), targets=[req], unit=req.unit, kind="order", content="诉求超期未办理，请立即办理"
    )
    page = client_as("zjj_reporter").get(reverse("enterprises:request_detail", kwargs={"pk": req.pk}))
    assert 'data-testid="on-target-assistance_request"' in page.content.decode()
    assert order.number in page.content.decode()
    assert (
        client_as("fgw_reporter").get(reverse("enterprises:request_detail", kwargs={"pk": req.pk})).status_code == 404
    )


def test_an_answered_request_is_not_escalated():
    from enterprises import services

    req = request(firm(), received_on=date(2021, 6, 1))
    services.request_answer(actor=user("zjj_reporter"), request=req, answer="已办")
    assert request_escalate(request=req, today=date(2021, 7, 30), calendar=CAL, thresholds=T) is None
