"""Deadline ≥ start and milestones inside [start, deadline]: one rule, kept by every write and by the database."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from core.errors import ServiceError
from plans import services
from plans.milestones import MilestoneLine, date_order_problem
from plans.models import Task, TaskChangeRequest

pytestmark = pytest.mark.django_db


def test_the_date_rule_names_the_first_broken_part():
    start, deadline = date(2021, 3, 1), date(2021, 12, 31)
    assert date_order_problem(start, deadline, [date(2021, 6, 30)]) is None
    assert date_order_problem(start, start) is None
    assert date_order_problem(start, date(2021, 2, 28)) == "deadline_before_start"
    assert date_order_problem(start, deadline, [date(2021, 2, 1)]) == "milestone_before_start"
    assert date_order_problem(start, deadline, [date(2022, 1, 1)]) == "milestone_after_deadline"


def test_a_change_request_moving_the_deadline_before_the_start_is_refused_in_chinese(client_as, users, task_by_object):
    task = task_by_object("老旧小区改造提升")
    Task.objects.filter(pk=task.pk).update(start_date=date(2021, 3, 1))
    response = client_as("zjj_reporter").post(
        f"/tasks/{task.pk}/change-request/",
        {"new_target_value": "248", "new_deadline": "2021-02-26", "reason": "提前完成"},
    )
    assert response.status_code == 200
    assert "早于" in response.content.decode()
    assert not TaskChangeRequest.objects.filter(task=task).exists()


def test_approving_a_request_whose_deadline_became_earlier_than_the_start_is_refused(users, task_by_object):
    task = task_by_object("老旧小区改造提升")
    task.milestones.all().delete()
    request = services.change_request_create(
        actor=users["zjj_head"], task=task, new_target_value=task.target_value, new_deadline=date(2021, 4, 30),
        reason="提前完成",
    )  # fmt: skip
    # The start moved after the request was made: approving it now would break the rule.
    Task.objects.filter(pk=task.pk).update(start_date=date(2021, 5, 10))
    with pytest.raises(ServiceError) as caught:
        services.change_request_decide(actor=users["office"], request=request, approve=True)
    assert caught.value.field == "new_deadline"
    task.refresh_from_db()
    request.refresh_from_db()
    assert task.deadline == date(2021, 12, 31) and request.status == TaskChangeRequest.Status.PENDING


def test_a_change_request_that_leaves_a_milestone_after_the_new_deadline_is_refused(users, task_by_object):
    task = task_by_object("老旧小区改造提升")
    assert task.milestones.filter(date__gt=date(2021, 5, 31)).exists()
    with pytest.raises(ServiceError):
        services.change_request_create(
            actor=users["zjj_head"], task=task, new_target_value=task.target_value, new_deadline=date(2021, 5, 31),
            reason="提前完成",
        )  # fmt: skip


def _data(task: Task, **over) -> services.TaskData:
    values = {
        "title": task.node.title,
        "deadline": task.deadline,
        "target_value": task.target_value,
        "target_unit": task.target_unit,
        "lead_unit": task.lead_unit,
        "responsible_post": task.responsible_post,
        "milestones": [MilestoneLine(m.date, m.planned_value, m.description) for m in task.milestones.all()],
    }
    return services.TaskData(**{**values, **over})


def test_task_update_checks_the_start_it_keeps(users, task_by_object):
    # No start given: the task keeps its own (1 May), so a 30 April deadline must be refused
    # (the check used to compare with 1 January and then keep 1 May).
    task = task_by_object("老旧小区改造提升")
    task.plan.status = "draft"
    task.plan.save(update_fields=["status"])
    Task.objects.filter(pk=task.pk).update(start_date=date(2021, 5, 1))
    task.refresh_from_db()
    with pytest.raises(ServiceError) as caught:
        services.task_update(
            actor=users["office"], task=task, expected_version=task.version,
            data=_data(task, deadline=date(2021, 4, 30), milestones=[]),
        )  # fmt: skip
    assert caught.value.field == "deadline"
    task.refresh_from_db()
    assert task.deadline == date(2021, 12, 31)


def test_a_milestone_before_the_start_is_refused(users, task_by_object):
    task = task_by_object("老旧小区改造提升")
    with pytest.raises(ServiceError) as caught:
        services.task_update(
            actor=users["office"], task=task, expected_version=task.version,
            data=_data(task, start_date=date(2021, 7, 1)),
        )  # fmt: skip
    assert caught.value.field == "milestones"


def test_task_create_refuses_a_deadline_before_the_start(users, demo_plan):
    area = demo_plan.nodes.filter(kind="area").first()
    with pytest.raises(ServiceError):
        services.task_create(
            actor=users["office"], plan=demo_plan, parent=area,
            data=services.TaskData(title="新任务", start_date=date(2021, 6, 1), deadline=date(2021, 5, 1),
                                   target_value=Decimal(1), target_unit="个"),
        )  # fmt: skip


def test_ledger_import_refuses_a_row_whose_deadline_is_before_the_task_start(client_as, users, demo_plan):
    office = client_as("office")
    book = load_workbook(io.BytesIO(office.get("/tasks/export.xlsx", {"plan": demo_plan.pk}).content))
    demo_plan.status = "draft"
    demo_plan.save(update_fields=["status"])
    ws = book.active
    header = [c.value for c in ws[2]]
    code_col, deadline_col, ms_col = header.index("任务编号"), header.index("完成时限"), header.index("推进措施/节点")
    row = next(r for r in ws.iter_rows(min_row=3) if r[code_col].value)
    task = Task.objects.get(plan=demo_plan, code=row[code_col].value)
    Task.objects.filter(pk=task.pk).update(start_date=date(2021, 6, 1))
    row[deadline_col].value, row[ms_col].value = "2021-05-31", ""
    out = io.BytesIO()
    book.save(out)
    outcome = services.ledger_import(actor=users["office"], plan=demo_plan, data=out.getvalue())
    assert outcome.errors and "完成时限" in outcome.errors[0]
    task.refresh_from_db()
    assert task.deadline != date(2021, 5, 31)


def test_the_database_refuses_a_deadline_before_the_start(task_by_object):
    task = task_by_object("老旧小区改造提升")
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(start_date=date(2022, 1, 1))
