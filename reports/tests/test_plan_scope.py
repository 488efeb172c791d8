"""Plans are never mixed: the cockpit, its links, the task list, rollups and pickers cover the chosen
plans (default: the as-of year's active plans), areas are plan nodes (never merged by name), and a
task's code carries its plan where plans mix."""

import datetime as dt
import re

import pytest
from django.core.cache import cache

from plans.models import Plan, PlanNode, Task
from plans.selectors import plans_choose, plans_default
from reports.selectors import cockpit, rollups
from reports.tests.second_plan import second_plan_create

AUTUMN = dt.date(2021, 10, 15)


@pytest.fixture
def second(demo_plan):
    return second_plan_create(demo_plan)


def _red_rows(html: str) -> int:
    return len(re.findall(r'data-testid="code-\d+"', html))


def test_the_default_plans_are_the_active_plans_of_the_as_of_year_else_every_active_plan():
    plans = [
        Plan(pk=1, year=2021, title="a", status="active"),
        Plan(pk=2, year=2022, title="b", status="active"),
        Plan(pk=3, year=2022, title="c", status="draft"),
        Plan(pk=4, year=2020, title="d", status="closed"),
    ]
    assert [p.pk for p in plans_default(plans, dt.date(2022, 5, 1))] == [2]
    assert [p.pk for p in plans_default(plans, dt.date(2026, 5, 1))] == [1, 2]
    assert [p.pk for p in plans_default(plans[2:], dt.date(2026, 5, 1))] == [3, 4]


def test_a_plan_choice_takes_the_plans_asked_for_and_says_when_one_does_not_exist(users, demo_plan, second):
    office = users["office"]
    both = plans_choose(office, [], AUTUMN)
    assert set(both.ids) == {demo_plan.pk, second.pk} and not both.chosen and both.mixed
    one = plans_choose(office, [str(second.pk)], AUTUMN)
    assert one.ids == (second.pk,) and one.chosen and not one.mixed
    bad = plans_choose(office, ["999999", "x"], AUTUMN)
    assert bad.invalid and set(bad.ids) == set(both.ids)


def test_two_plans_same_named_areas_are_two_rows_and_the_cockpit_counts_each_plan(users, demo_plan, second):
    office = users["office"]
    alone = cockpit(office, AUTUMN, plans=[demo_plan.pk])
    other = cockpit(office, AUTUMN, plans=[second.pk])
    both = cockpit(office, AUTUMN, plans=[demo_plan.pk, second.pk])
    assert other.total == 3 and other.by_light["red"] == 3
    assert both.total == alone.total + other.total
    assert both.by_light == {k: alone.by_light[k] + other.by_light[k] for k in both.by_light}
    twin = PlanNode.objects.get(plan=second, kind=PlanNode.Kind.AREA).title
    rows = [r for r in both.areas if r.key == twin]
    assert len(rows) == 2 and {r.plan_id for r in rows} == {demo_plan.pk, second.pk}
    assert {r.ref for r in rows} == set(
        PlanNode.objects.filter(title=twin, kind=PlanNode.Kind.AREA).values_list("pk", flat=True)
    )
    assert {t.plan_id for t, _s in other.red} == {second.pk}


def test_the_cockpit_figures_and_the_lists_they_link_to_agree_per_plan(users, client_as, demo_plan, second):
    client = client_as("office")
    for plans in ([second.pk], [demo_plan.pk], [demo_plan.pk, second.pk]):
        query = "&".join(f"plan={pk}" for pk in plans)
        page = client.get(f"/cockpit/?as_of={AUTUMN}&{query}").content.decode()
        red = int(re.search(r'data-testid="count-red">(\d+)<', page).group(1))
        assert red == cockpit(users["office"], AUTUMN, plans=plans).by_light["red"]
        link = re.search(r'<a href="([^"]*)"><div class="n" data-testid="count-red"', page).group(1)
        assert _red_rows(client.get(link.replace("&amp;", "&")).content.decode()) == red
        for href, count in re.findall(r'<a href="([^"]*)" data-testid="area-red-\d+">(\d+)</a>', page):
            assert _red_rows(client.get(href.replace("&amp;", "&")).content.decode()) == int(count), href


def test_a_task_code_carries_its_plan_where_plans_mix(client_as, demo_plan, second):
    client = client_as("office")
    mixed = client.get(f"/cockpit/?as_of={AUTUMN}").content.decode()
    assert "2021城市更新·T001" in mixed and "2021重点工作·T001" in mixed
    single = client.get(f"/cockpit/?as_of={AUTUMN}&plan={second.pk}").content.decode()
    assert '<span class="mono">T001</span>' in single and "·T001" not in single
    assert 'data-testid="plan-picker"' in single and TITLE_IN(single, second)


def TITLE_IN(html: str, plan: Plan) -> bool:  # noqa: N802
    return f"{plan.year} {plan.title}" in html


def test_the_task_list_and_its_export_cover_the_chosen_plans(client_as, demo_plan, second):
    client = client_as("office")
    listed = client.get(f"/tasks/?plan={second.pk}").content.decode()
    assert _red_rows(listed) == 3
    default = client.get("/tasks/").content.decode()
    assert 'data-testid="plan-picker"' in default
    assert "plan=" in re.search(r'href="(/tasks/export\.xlsx[^"]*)"', default).group(1)
    assert client.get(f"/tasks/export.xlsx?plan={second.pk}").status_code == 200


def test_the_rollups_api_takes_a_plan_and_refuses_an_unknown_one(client_as, demo_plan, second):
    client = client_as("office")
    one = client.get(f"/api/v1/rollups?by=area&as_of={AUTUMN}&plan={second.pk}").json()
    assert [(r["count"], r["plan"]) for r in one] == [(3, second.pk)]
    both = client.get(f"/api/v1/rollups?by=area&as_of={AUTUMN}&plan={second.pk}&plan={demo_plan.pk}").json()
    assert len([r for r in both if r["key"] == one[0]["key"]]) == 2
    bad = client.get(f"/api/v1/rollups?by=area&as_of={AUTUMN}&plan=999999")
    assert bad.status_code == 400


def test_cached_rollups_are_kept_apart_by_plan(settings, users, demo_plan, second):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    try:
        first = rollups(users["office"], "unit", AUTUMN, plans=[second.pk])
        other = rollups(users["office"], "unit", AUTUMN, plans=[demo_plan.pk])
        assert sum(r.rollup.count for r in first) == 3
        assert sum(r.rollup.count for r in other) == Task.objects.filter(plan=demo_plan, is_deleted=False).count()
    finally:
        cache.clear()


def test_the_task_picker_searches_the_users_tasks_in_the_chosen_plan(client_as, demo_plan, second):
    office = client_as("office").get(f"/tasks/pick/?q=T001&plan={second.pk}").content.decode()
    assert office.count('name="tasks"') == 1 and "城市更新项目1" in office
    mixed = client_as("office").get("/tasks/pick/?q=T001").content.decode()
    assert mixed.count('name="tasks"') == 2 and "·T001" in mixed
    outside = client_as("fgw_reporter").get(f"/tasks/pick/?q=T00&plan={second.pk}").content.decode()
    assert 'name="tasks"' not in outside  # 区住建局's tasks are not 区发改委's to see
    assert client_as("office").get("/tasks/pick/?q=%00%01").status_code == 400  # control-character backstop


def test_the_order_form_picks_tasks_by_search_not_from_a_list_of_every_task(client_as, demo_plan, second):
    page = client_as("office").get("/supervision/orders/new/").content.decode()
    assert 'data-testid="task-search-tasks"' in page and "/tasks/pick/" in page
    assert "城市更新项目1" not in page  # no task is listed before the search
