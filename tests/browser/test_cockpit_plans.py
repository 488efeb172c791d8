"""Issue 13 defects 2 and 7 in a browser: two plans' cockpit figures and the lists they link to agree,
the order's task picker searches as you type, and the wall uses the whole screen with every label."""

from playwright.sync_api import expect

from tests.browser.conftest import login, shot

AUTUMN = "2021-10-15"


def _second_plan():
    from plans.demo import TITLE
    from plans.models import Plan
    from reports.tests.second_plan import second_plan_create

    return second_plan_create(Plan.objects.get(title=TITLE))


def _rows(page) -> int:
    return page.locator('[data-testid^="code-"]').count()


def test_two_plans_cockpit_numbers_and_their_links_agree(offline_page):
    page = offline_page
    second = _second_plan()
    login(page, "office")
    page.goto(f"{page.base}/cockpit/?as_of={AUTUMN}")
    expect(page.get_by_test_id("plan-chosen")).to_contain_text(second.title)  # both plans, shown
    expect(page.get_by_test_id("red-list")).to_contain_text("·T001")  # codes carry their plan
    shot(page, "cockpit-two-plans-1366")
    for plan_query in (f"plan={second.pk}", ""):
        page.goto(f"{page.base}/cockpit/?as_of={AUTUMN}&{plan_query}")
        red = int(page.get_by_test_id("count-red").inner_text())
        area_links = page.locator('[data-testid^="area-red-"]')
        counts = [(a.get_attribute("href"), int(a.inner_text())) for a in area_links.all()]
        page.locator(".kpi.red a").click()
        assert _rows(page) == red
        for href, count in counts:
            page.goto(page.base + href)
            assert _rows(page) == count, href
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base}/cockpit/?as_of={AUTUMN}")
    shot(page, "cockpit-two-plans-390")


def test_the_order_task_picker_searches_as_you_type(offline_page):
    page = offline_page
    second = _second_plan()
    login(page, "office")
    page.goto(page.base + "/supervision/orders/new/")
    box = page.get_by_test_id("task-search-tasks")
    box.locator("input[type=search]").fill("T001")
    expect(box.locator(".task-results label")).to_have_count(2)  # T001 of each plan, with its plan
    box.locator(".task-results label", has_text="城市更新项目1").locator("input").check()
    box.locator("input[type=search]").fill("T002")
    expect(box.locator(".task-results label")).to_have_count(2)
    expect(box.locator(".task-chosen input:checked")).to_have_count(1)  # the first choice stays
    assert box.locator(".task-chosen input").get_attribute("value") == str(second.tasks.get(code="T001").pk)
    shot(page, "order-task-picker")


def test_the_wall_has_no_navigation_uses_the_whole_screen_and_shows_every_area_label(offline_page):
    page = offline_page
    _second_plan()
    login(page, "office")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{page.base}/cockpit/?as_of={AUTUMN}&wall=1")
    expect(page.locator(".sidenav")).to_have_count(0)
    expect(page.locator(".topbar")).to_have_count(0)
    assert page.locator("main.content").bounding_box()["width"] >= 1880
    option = page.evaluate(
        "() => { const c = echarts.getInstanceByDom(document.getElementById('area-chart')).getOption();"
        " return {interval: c.yAxis[0].axisLabel.interval, n: c.yAxis[0].data.length}; }"
    )
    assert option["interval"] == 0 and option["n"] == page.locator('[data-testid^="area-red-"]').count()
    shot(page, "cockpit-wall-1920")
    page.goto(f"{page.base}/cockpit/?as_of={AUTUMN}")  # every mode shows every label
    interval = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('area-chart')).getOption().yAxis[0].axisLabel.interval"
    )
    assert interval == 0
