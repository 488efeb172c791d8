"""Defect 1 of issue 13: 我的填报 and the home page's 待报送 clear once a period is reported, and a returned
report comes back to the reporter (with 修改 on its page) until it is sent again."""

from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def logout(page):
    page.click("button:has-text('退出')")


def period_forms(page, code: str, period_end: str):
    """The 填报/继续 buttons of one task and period on 我的填报 (none once it is submitted)."""
    return page.locator(f"form:has(input[name=period_end][value='{period_end}']) [data-testid=report-{code}]")


def due_count(page) -> int:
    page.goto(page.base + "/")
    return int(page.locator("h2:has-text('待报送') .chip").first.inner_text())


def test_a_reported_period_leaves_my_reporting_and_a_returned_one_comes_back(offline_page):
    page = offline_page
    login(page, "zjj_reporter")
    due_before = due_count(page)
    page.goto(page.base + "/reports/")
    first = page.locator("form:has([data-testid=report-T005])").first
    period_end = first.locator("input[name=period_end]").get_attribute("value")
    expect(period_forms(page, "T005", period_end)).to_have_count(1)
    first.locator("[data-testid=report-T005]").click()
    page.fill("#id_value", "240")
    page.fill("#id_narrative", "已完成240个小区改造，其余8个正在收尾。")
    page.get_by_test_id("submit-report").click()
    expect(page.locator(".messages")).to_contain_text("已提交单位负责人审核")

    page.goto(page.base + "/reports/")
    expect(period_forms(page, "T005", period_end)).to_have_count(0)  # submitted: nothing left to do
    assert due_count(page) == due_before - 1
    shot(page, "inbox-after-submit")
    logout(page)

    login(page, "zjj_head")
    page.goto(page.base + "/reports/approvals/")
    page.get_by_test_id("open-T005").click()
    page.fill("#id_reason", "请补充现场照片")
    page.get_by_test_id("return").click()
    logout(page)

    login(page, "zjj_reporter")
    page.goto(page.base + "/reports/")
    expect(period_forms(page, "T005", period_end)).to_have_count(1)  # returned: back on the list
    assert due_count(page) == due_before
    page.goto(page.base + "/reports/")
    period_forms(page, "T005", period_end).click()
    expect(page.get_by_test_id("returned-reason")).to_contain_text("请补充现场照片")
    page.get_by_test_id("submit-report").click()
    page.goto(page.base + "/reports/")
    expect(period_forms(page, "T005", period_end)).to_have_count(0)
    logout(page)

    login(page, "zjj_head")
    page.goto(page.base + "/reports/approvals/")
    page.get_by_test_id("open-T005").click()
    page.get_by_test_id("approve").click()
    logout(page)

    login(page, "zjj_reporter")
    page.goto(page.base + "/reports/")
    expect(period_forms(page, "T005", period_end)).to_have_count(0)  # approved: stays cleared
    assert due_count(page) == due_before - 1
