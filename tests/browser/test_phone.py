"""The reporter's pages on a phone (390×844) and on a laptop (1366×768): no sideways scrolling, the
填报 button on screen, the evidence upload before 提交审核; screenshots in screenshots/ for a person to look at."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def assert_no_sideways_scroll(page):
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url}: {width} px wide on a {inner} px screen"


def assert_in_viewport(page, locator):
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    inner = page.evaluate("window.innerWidth")
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= inner, f"{box} outside 0..{inner}"


@pytest.mark.parametrize(("name", "size"), [("phone", PHONE), ("laptop", LAPTOP)])
def test_the_reporter_can_report_from_a_phone(offline_page, name, size):
    page = offline_page
    page.set_viewport_size(size)
    login(page, "zjj_reporter")
    assert_no_sideways_scroll(page)
    shot(page, f"{name}-home-reporter")

    page.goto(page.base + "/reports/")
    assert_no_sideways_scroll(page)
    button = page.get_by_test_id("report-T005").first
    assert_in_viewport(page, button)
    shot(page, f"{name}-inbox")

    button.click()
    expect(page.get_by_test_id("report-context")).to_be_visible()
    assert_no_sideways_scroll(page)
    dropzone, submit = page.locator("#dropzone"), page.get_by_test_id("submit-report")
    assert dropzone.bounding_box()["y"] < submit.bounding_box()["y"]  # evidence first, then 提交审核
    assert_in_viewport(page, submit)
    page.fill("#id_value", "230")
    page.fill("#id_narrative", "已完成230个小区改造。")
    shot(page, f"{name}-report-form")
    submit.click()
    expect(page.locator(".messages")).to_contain_text("已提交单位负责人审核")
    page.click("button:has-text('退出')")

    login(page, "zjj_head")
    page.goto(page.base + "/reports/approvals/")
    assert_no_sideways_scroll(page)
    expect(page.get_by_test_id("open-T005")).to_be_visible()
    shot(page, f"{name}-approvals")
    page.get_by_test_id("open-T005").click()
    expect(page.get_by_test_id("planned")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_in_viewport(page, page.get_by_test_id("approve"))
    shot(page, f"{name}-approval-detail")
