"""Leader instructions (领导批示) and their follow-ups: written on any item, answered by the owning unit."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import ServiceError
from core.workcalendar import work_calendar
from notifications.models import Notification
from reports.models import ProgressReport
from supervision import services
from supervision.models import FollowUp, Instruction

pytestmark = pytest.mark.django_db


@pytest.fixture
def compounds(task_by_object):
    return task_by_object("老旧小区改造提升")


def due_in(n: int = 5) -> dt.date:
    return work_calendar().add_workdays(timezone.localdate(), n)


def test_a_leader_writes_on_a_task_and_the_lead_unit_answers(client_as, users, compounds):
    leader = client_as("leader_cj")
    form = leader.get(f"/supervision/instructions/new/task/{compounds.pk}/")
    assert form.status_code == 200 and form.context["form"].initial["unit"] == compounds.lead_unit
    response = leader.post(
        f"/supervision/instructions/new/task/{compounds.pk}/",
        {"text": "要倒排工期，确保年底完成", "unit": compounds.lead_unit_id, "due_date": due_in().isoformat()},
    )
    assert response.status_code == 302
    instruction = Instruction.objects.get()
    followup = instruction.followup
    assert (instruction.target, followup.unit, followup.state) == (compounds, compounds.lead_unit, "open")
    assert Notification.objects.filter(recipient=users["zjj_reporter"], kind="instruction.received").count() == 1

    mine = leader.get("/supervision/instructions/").context
    assert mine["mine"] and [i.pk for i in mine["page"].object_list] == [instruction.pk]
    assert mine["counts"] == {"open": 1, "answered": 0, "accepted": 0, "all": 1}
    # 区长 did not write it: not in his 我的批示, but in the list of all leaders' instructions.
    assert client_as("leader").get("/supervision/instructions/").context["counts"]["all"] == 0
    assert client_as("leader").get("/supervision/instructions/?all=1").context["counts"]["all"] == 1

    head = client_as("zjj_head")
    assert head.post(f"/supervision/followups/{followup.pk}/answer/", {"answer": ""}).status_code == 400
    assert head.post(f"/supervision/followups/{followup.pk}/answer/", {"answer": "已成立工作专班"}).status_code == 302
    followup.refresh_from_db()
    assert followup.state == "answered" and followup.answered_by == users["zjj_head"] and not followup.answered_late
    assert Notification.objects.filter(recipient=users["leader_cj"], kind="followup.answered").count() == 1
    assert leader.get("/supervision/instructions/").context["counts"] == {
        "open": 0,
        "answered": 1,
        "accepted": 0,
        "all": 1,
    }
    with pytest.raises(ServiceError):
        services.followup_answer(actor=users["zjj_reporter"], followup=followup, answer="again")


def test_instructions_on_a_report_an_order_and_a_finding_go_to_the_owning_unit(users, compounds, task_by_object):
    report = ProgressReport.objects.filter(task=compounds).first()
    on_report = services.instruction_create(actor=users["leader"], text="数据要核实", due_date=due_in(), report=report)
    assert on_report.followup.unit == report.unit
    fgw_task = task_by_object("核心板块打造")
    order = services.order_issue(
        actor=users["office"], tasks=[fgw_task], unit=fgw_task.lead_unit, kind="order", content="滞后"
    )
    on_order = services.instruction_create(actor=users["leader"], text="发改委要重视", due_date=due_in(), order=order)
    assert on_order.followup.unit.name == "区发改委"
    inspection = services.inspection_record(
        actor=users["office"], inspected_on=timezone.localdate(), inspectors="督查室", place="现场"
    )
    finding = services.finding_add(actor=users["office"], inspection=inspection, text="围挡破损", task=compounds)
    on_finding = services.instruction_create(actor=users["leader"], text="立即整改", due_date=due_in(), finding=finding)
    assert on_finding.followup.unit == compounds.lead_unit


def test_bad_instructions_are_refused_and_change_nothing(users, compounds):
    cases = [
        ({"text": " ", "due_date": due_in(), "task": compounds}, "text"),
        ({"text": "x", "due_date": timezone.localdate(), "task": compounds}, "due_date"),
        ({"text": "x", "due_date": due_in()}, None),  # no target
    ]
    for kwargs, field in cases:
        with pytest.raises(ServiceError) as caught:
            services.instruction_create(actor=users["leader"], **kwargs)
        assert caught.value.field == field
    with pytest.raises(ServiceError) as caught:
        services.instruction_create(actor=users["leader"], text="x", due_date=dt.date(2031, 10, 4), task=compounds)
    assert caught.value.field == "due_date"  # a Saturday (2031 has no holiday data: Monday–Friday)
    with pytest.raises(ServiceError) as caught:
        services.instruction_create(actor=users["office"], text="x", due_date=due_in(), task=compounds)
    assert caught.value.code == "forbidden"  # the office supervises; leaders instruct
    assert not Instruction.objects.exists() and not FollowUp.objects.exists()


def test_units_see_only_follow_ups_addressed_to_them(client_as, users, compounds):
    instruction = services.instruction_create(actor=users["leader"], text="加快", due_date=due_in(), task=compounds)
    assert client_as("zjj_reporter").get(f"/supervision/instructions/{instruction.pk}/").status_code == 200
    assert client_as("fgw_reporter").get(f"/supervision/instructions/{instruction.pk}/").status_code == 404
    assert client_as("fgw_reporter").get("/supervision/instructions/").context["counts"]["all"] == 0
    response = client_as("fgw_reporter").post(
        f"/supervision/followups/{instruction.followup.pk}/answer/", {"answer": "x"}
    )
    assert response.status_code == 404
    assert client_as("office").get("/supervision/instructions/").context["counts"]["all"] == 1
    assert client_as("zjj_head").get(f"/supervision/instructions/new/task/{compounds.pk}/").status_code == 403
    assert client_as("leader").get(f"/supervision/instructions/new/nothing/{compounds.pk}/").status_code == 404
