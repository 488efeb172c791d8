import json

import pytest

from accounts.services import token_issue
from org.models import LeaderPost, Unit
from plans.models import PlanNode, Task, TaskChangeRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, users):
    def as_user(username: str):
        token = token_issue(user=users[username])

        def call(method: str, path: str, body=None, **params):
            kwargs = {"headers": {"Authorization": f"Bearer {token}"}}
            if body is not None:
                kwargs.update(data=json.dumps(body), content_type="application/json")
            if params:
                kwargs["data"] = params
            return getattr(client, method)(f"/api/v1{path}", **kwargs)

        return call

    return as_user


def test_plans_and_tree(api, demo_plan):
    office = api("office")
    assert [p["title"] for p in office("get", "/plans").json()] == [demo_plan.title]
    tree = office("get", f"/plans/{demo_plan.pk}/tree").json()
    assert tree[0]["kind"] == "vision" and tree[0]["task_count"] == 13
    assert [n["title"] for n in tree if n["kind"] == "path"] == ["品质二七", "田园二七", "温暖二七"]
    assert len([n for n in tree if n["kind"] == "area"]) == 6


def test_task_list_filters_and_pagination(api):
    office = api("office")
    zjj = Unit.objects.get(name="区住建局")
    body = office("get", "/tasks", lead_unit=zjj.pk, page_size=2, page=2, sort="deadline").json()
    assert body["count"] == 3 and body["page"] == 2 and len(body["results"]) == 1
    assert body["results"][0]["target_value"] == 248.0 and body["results"][0]["area"] == "在城市品质提升上争先出彩"
    assert office("get", "/tasks", page_size=1000).status_code == 422


def test_reporter_scope_in_the_api(api, task_by_object):
    reporter = api("zjj_reporter")
    codes = {t["code"] for t in reporter("get", "/tasks", page_size=200).json()["results"]}
    assert task_by_object("核心板块打造").code not in codes
    assert reporter("get", f"/tasks/{task_by_object('核心板块打造').pk}").status_code == 404


def test_create_patch_and_conflict(api, demo_plan):
    office = api("office")
    area = PlanNode.objects.get(title="在社会治理强化上争先出彩")
    created = office(
        "post",
        "/tasks",
        {
            "plan_id": demo_plan.pk,
            "parent_id": area.pk,
            "title": "开展智慧社区试点10个",
            "target_value": 10,
            "target_unit": "个",
            "deadline": "2021-12-31",
            "responsible_post_id": LeaderPost.objects.get(title="区长").pk,
            "lead_unit_id": Unit.objects.get(name="区大数据局").pk,
            "co_unit_ids": [Unit.objects.get(name="区民政局").pk],
            "milestones": [{"date": "2021-06-30", "planned_value": 4}],
        },
    )
    assert created.status_code == 201, created.json()
    task = created.json()
    assert task["code"] and task["version"] == 1 and task["milestones"][0]["planned_value"] == 4.0
    patched = office("patch", f"/tasks/{task['id']}", {"version": 1, "co_unit_ids": []})
    assert patched.status_code == 200 and patched.json()["co_units"] == [] and patched.json()["version"] == 2
    stale = office("patch", f"/tasks/{task['id']}", {"version": 1, "measures": "过期的修改"})
    assert stale.status_code == 409
    assert any(c["field"] == "co_units" for c in stale.json()["changes"])
    # The active plan's target is frozen.
    frozen = office("patch", f"/tasks/{task['id']}", {"version": 2, "target_value": 12})
    assert frozen.status_code == 400 and "调整申请" in frozen.json()["detail"]


def test_bad_bodies_get_clear_messages_and_change_nothing(api, demo_plan):
    office = api("office")
    before = Task.objects.count()
    area = PlanNode.objects.get(title="在社会治理强化上争先出彩")
    base = {
        "plan_id": demo_plan.pk,
        "parent_id": area.pk,
        "title": "x",
        "deadline": "2021-02-30",
        "responsible_post_id": 1,
        "lead_unit_id": 1,
    }
    assert office("post", "/tasks", base).status_code == 422
    response = office("post", "/tasks", {**base, "deadline": "2021-12-31", "target_value": 5, "lead_unit_id": 99999})
    assert response.status_code == 400 and response.json()["field"] == "lead_unit_id"
    response = office("post", "/tasks", {**base, "deadline": "2021-12-31", "target_value": -1})
    assert response.status_code == 422
    assert Task.objects.count() == before


def test_unit_cannot_create_tasks_but_can_request_a_change(api, task_by_object):
    task = task_by_object("老旧小区改造提升")
    reporter = api("zjj_reporter")
    assert reporter("post", "/tasks", {"plan_id": 1}).status_code in (403, 422)
    response = reporter(
        "post",
        f"/tasks/{task.pk}/change-requests",
        {"new_deadline": "2022-03-31", "new_target_value": 248, "reason": "冬季停工"},
    )
    assert response.status_code == 201
    assert TaskChangeRequest.objects.get(pk=response.json()["id"]).status == "pending"
    other = api("fgw_reporter")(
        "post", f"/tasks/{task.pk}/change-requests", {"new_deadline": "2022-03-31", "reason": "x"}
    )
    assert other.status_code == 404
