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


def test_an_answered_request_is_not_escalated():
    from enterprises import services

    req = request(firm(), received_on=date(2021, 6, 1))
    services.request_answer(actor=user("zjj_reporter"), request=req, answer="已办")
    assert request_escalate(request=req, today=date(2021, 7, 30), calendar=CAL, thresholds=T) is None
