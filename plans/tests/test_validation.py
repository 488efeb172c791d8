"""Hostile input on the task API and the ledger import: refused with a message naming the field, nothing changed."""

import json
from decimal import Decimal

import pytest

from accounts.services import token_issue
from plans import ledger
from plans.models import Milestone, PlanNode, Task
from plans.tests.test_ledger_import import edit, export, snapshot, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def patch(client, users):
    token = token_issue(user=users["office"])

    def call(task, body):
        return client.patch(
            f"/api/v1/tasks/{task.pk}",
            json.dumps({"version": task.version, **body}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    return call


def _fields(task: Task) -> dict:
    task.refresh_from_db()
    return {
        **{f.name: getattr(task, f.attname) for f in Task._meta.concrete_fields if f.name not in ("version",
                                                                                               "updated_at")},
        "title": task.node.title,
        "tags": sorted(task.node.tags.values_list("pk", flat=True)),
        "co_units": sorted(task.co_units.values_list("pk", flat=True)),
        "milestones": list(task.milestones.values_list("date", "planned_value", "description")),
    }  # fmt: skip


def test_a_patch_of_measures_changes_only_measures(patch, task_by_object):
    task = task_by_object("老旧小区改造提升")
    Task.objects.filter(pk=task.pk).update(weight=Decimal("3.50"))
    task.refresh_from_db()
    before = _fields(task)
    response = patch(task, {"measures": "每周调度"})
    assert response.status_code == 200, response.content
    after = _fields(task)
    assert after.pop("measures") == "每周调度"
    before.pop("measures")
    assert after == before  # weight stays 3.50, tags and milestones as they were


@pytest.mark.parametrize("field", ["measures", "title", "source_quote", "deadline", "modality", "co_unit_ids"])
def test_null_for_a_not_null_field_in_a_patch_is_422_naming_it(patch, task_by_object, field):
    task = task_by_object("老旧小区改造提升")
    before = _fields(task)
    response = patch(task, {field: None})
    assert response.status_code == 422
    assert field in response.json()["detail"] and "null" in response.json()["detail"]
    assert _fields(task) == before


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"title": "a\u0000b"}, "控制字符"),
        ({"measures": "a\u0007b"}, "控制字符"),
        ({"target_value": 1e16}, "超出范围"),
        ({"target_value": "-1e16"}, "target_value"),
        ({"target_value": "NaN"}, "target_value"),
        ({"target_value": "Infinity"}, "target_value"),
        ({"title": "x" * 301}, "最多 300"),
        ({"target_unit": "x" * 21}, "最多 20"),
        ({"milestones": [{"date": "2021-06-30", "planned_value": 1e300}]}, "超出范围"),
        ({"milestones": [{"date": "2021-06-30", "description": "x" * 201}]}, "最多 200"),
    ],
)
def test_hostile_values_in_a_task_patch_are_422_with_a_message(patch, task_by_object, body, words):
    task = task_by_object("老旧小区改造提升")
    before = _fields(task)
    response = patch(task, body)
    assert response.status_code == 422
    assert words in response.json()["detail"]
    assert _fields(task) == before


def test_the_ledger_length_limits_are_the_columns():
    assert ledger.MAX_LENGTHS == {
        "code": Task._meta.get_field("code").max_length,
        "title": PlanNode._meta.get_field("title").max_length,
        "target_unit": Task._meta.get_field("target_unit").max_length,
    }
    assert Milestone._meta.get_field("description").max_length == 200
    target = Task._meta.get_field("target_value")
    assert (ledger.TARGET_DIGITS, ledger.TARGET_PLACES) == (target.max_digits, target.decimal_places)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"C3": "长" * 505}, "第 3 行"),
        ({"E3": "个" * 21}, "最多 20 个字符"),
        ({"D3": "1e16"}, "超出范围"),
        ({"D3": 1e16}, "超出范围"),
        ({"J3": "2021年6月30日 99999999999999999 节点"}, "超出范围"),
    ],
)
def test_hostile_ledger_cells_are_refused_with_row_and_column_and_nothing_is_imported(
    client_as, demo_plan, cells, expected
):
    client = client_as("office")
    data = edit(export(client, plan=demo_plan.pk), cells)
    before = snapshot()
    response = upload(client, demo_plan, data)
    text = response.content.decode()
    assert response.status_code in (200, 400)
    assert expected in text or expected.replace(" ", "") in text, text[:3000]
    assert snapshot() == before
