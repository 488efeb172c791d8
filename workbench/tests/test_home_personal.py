"""工作台 is personal (SPEC §10): each role sees what waits for it (issue 13, defects 5 and 8)."""

from decimal import Decimal

import pytest
from django.test import Client

from plans import services as plan_services
from supervision.tests.access_rows import make_instruction, make_order, make_rectification

pytestmark = pytest.mark.django_db


def home(users, name: str):
    client = Client()
    client.force_login(users[name])
    response = client.get("/")
    assert response.status_code == 200
    return response


def test_the_office_sees_what_waits_for_its_verification(users, task_by_object):
    responded = make_order("responded")
    make_order("issued")  # waiting for the unit, not for the office
    make_rectification("reported")
    task = task_by_object("老旧小区改造提升")
    plan_services.change_request_create(
        actor=users["zjj_head"], task=task, new_target_value=Decimal(240), new_deadline=task.deadline, reason="资金不足"
    )
    response = home(users, "office")
    office = response.context["office"]
    assert [o.pk for o in office["responded_orders"].rows] == [responded.pk]
    assert office["reported_rectifications"].count == 1 and office["change_requests"].count == 1
    page = response.content.decode()
    assert 'data-testid="home-verify"' in page and responded.number in page and task.code in page


def test_a_leader_sees_the_tasks_of_his_post_and_his_instructions_awaiting_answers(users):
    instruction = make_instruction()  # written by leader_cj
    response = home(users, "leader_cj")
    [card] = response.context["leader_posts"]
    assert card.post.title == "分管城建副区长" and card.rollup.count > 0
    assert [i.pk for i in response.context["leader"]["awaiting_answer"].rows] == [instruction.pk]
    page = response.content.decode()
    assert f"?leader_post={card.post.pk}" in page
    # Another leader's home does not list leader_cj's instruction as his.
    assert home(users, "leader").context["leader"]["awaiting_answer"].count == 0


def test_a_unit_head_sees_the_units_open_orders_and_instructions(users):
    order = make_order("issued")
    instruction = make_instruction()
    response = home(users, "zjj_head")
    unit = response.context["unit"]
    assert [o.pk for o in unit["open_orders"].rows] == [order.pk]
    assert [i.pk for i in unit["open_instructions"].rows] == [instruction.pk]
    assert 'data-testid="home-unit-supervision"' in response.content.decode()
    other = home(users, "fgw_reporter").context["unit"]
    assert other["open_orders"].count == 0 and other["open_instructions"].count == 0


def test_home_due_dates_carry_the_year(users):
    response = home(users, "zjj_reporter")
    due = response.context["due"]
    assert due, "the demo unit has reports due"
    page = response.content.decode()
    card = page[page.index('data-testid="home-due"') :]
    assert f"{due[0].period.due.year}年" in card[: card.index("</div>")]
