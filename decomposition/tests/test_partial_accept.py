"""Partial accept, heading hierarchy and milestone rows on the decomposition page (issue 19)."""

from __future__ import annotations

import pytest

from decomposition.tests.test_pages import counts, draft_of, office, paste, plan, url  # noqa: F401 (fixtures)
from org.models import LeaderPost, Unit
from plans.models import PlanNode, Task

pytestmark = pytest.mark.django_db

PLAN_TEXT = """二、2021年重点工作

（一）扩大有效投资

1.抓好重大项目。新建学校5所,新增学位2000个;上半年完成干熄焦改造。

（二）保障民生

新建幼儿园3所。
"""


def assign(client, plan, rows, lead="区住建局", post="分管城建副区长"):  # noqa: F811
    data = {
        "rows": rows,
        "post": LeaderPost.objects.get(title=post).pk,
        "lead_unit": Unit.objects.get(name=lead).pk,
        "co_units": [],
    }
    return client.post(url(plan, "assign/"), data)


def test_complete_rows_are_accepted_and_the_rest_stay_as_drafts_with_a_count(office, plan):  # noqa: F811
    paste(office, plan, PLAN_TEXT)
    rows = draft_of(plan).commitments
    assert [r["milestone"] for r in rows] == [False, False, True, False]  # in document order
    assign(office, plan, [rows[0]["id"], rows[2]["id"]])
    response = office.post(url(plan, "accept/"), follow=True)
    assert response.status_code == 200
    assert "草稿中还剩 2 行未接受" in response.content.decode()
    tasks = Task.objects.filter(plan=plan).order_by("code")
    assert [t.source_quote for t in tasks] == ["新建学校5所", "上半年完成干熄焦改造"]
    milestone = tasks[1]
    assert milestone.target_value is None and str(milestone.deadline) == "2021-06-30"
    draft = draft_of(plan)
    assert [bool(r["task"]) for r in draft.commitments] == [True, False, True, False]
    page = office.get(url(plan)).content.decode()
    assert page.count('class="row-problems"') == 2  # the rows left as drafts say what they miss
    # the rest can be completed and accepted later, nothing twice
    assign(office, plan, [r["id"] for r in draft.commitments if not r["task"]])
    office.post(url(plan, "accept/"))
    assert Task.objects.filter(plan=plan).count() == 4


def test_new_areas_follow_the_document_heading_levels(office, plan):  # noqa: F811
    paste(office, plan, PLAN_TEXT)
    assign(office, plan, [r["id"] for r in draft_of(plan).commitments])
    office.post(url(plan, "accept/"))
    school = Task.objects.get(plan=plan, source_quote="新建学校5所")
    chain = [n.title for n in PlanNode.objects.get_ancestors(school.node)]
    assert chain[-3:] == ["二、2021年重点工作", "（一）扩大有效投资", "1.抓好重大项目"]
    kindergarten = Task.objects.get(plan=plan, source_quote="新建幼儿园3所")
    chain = [n.title for n in PlanNode.objects.get_ancestors(kindergarten.node)]
    assert chain[-2:] == ["二、2021年重点工作", "（二）保障民生"]
    # the shared top level is one node
    assert plan.nodes.filter(kind="area", title="二、2021年重点工作").count() == 1
