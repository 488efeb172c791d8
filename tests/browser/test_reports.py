from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def photo(tmp_path) -> str:
    path = tmp_path / "现场照片.jpg"
    Image.new("RGB", (1200, 900), (90, 140, 60)).save(path, format="JPEG")
    return str(path)


def logout(page):
    page.click("button:has-text('退出')")


def test_report_return_resubmit_approve_changes_the_cockpit(offline_page, tmp_path):
    page = offline_page
    login(page, "office")
    page.goto(page.base + "/cockpit/")
    red_before = int(page.get_by_test_id("count-red").inner_text())
    green_before = int(page.get_by_test_id("count-green").inner_text())
    expect(page.get_by_test_id("red-list")).to_contain_text("248个老旧小区")
    shot(page, "cockpit-before")
    logout(page)

    login(page, "zjj_reporter")
    page.click(".sidenav >> text=我的填报")
    shot(page, "inbox")
    page.get_by_test_id("report-T005").first.click()
    page.fill("#id_value", "248")
    page.fill("#id_narrative", "248个老旧小区改造提升任务全部完成，已组织竣工验收。")
    page.set_input_files("#evidence-input", photo(tmp_path))
    expect(page.locator("#evidence-list img")).to_have_count(1)
    shot(page, "report-form")
    page.get_by_test_id("submit-report").click()
    expect(page.locator(".messages")).to_contain_text("已提交单位负责人审核")
    logout(page)

    login(page, "zjj_head")
    page.click(".sidenav >> text=待我审核")
    page.get_by_test_id("open-T005").click()
    expect(page.locator("#evidence-list img")).to_have_count(1)
    page.fill("#id_reason", "请补充竣工验收材料")
    page.get_by_test_id("return").click()
    expect(page.locator(".messages")).to_contain_text("报送已退回填报员")
    logout(page)

    login(page, "zjj_reporter")
    page.click(".sidenav >> text=我的填报")
    page.get_by_test_id("report-T005").first.click()
    expect(page.get_by_test_id("returned-reason")).to_contain_text("请补充竣工验收材料")
    page.fill("#id_narrative", "248个老旧小区改造提升任务全部完成，竣工验收材料已补充。")
    page.get_by_test_id("submit-report").click()
    logout(page)

    login(page, "zjj_head")
    page.click(".sidenav >> text=待我审核")
    page.get_by_test_id("open-T005").click()
    page.get_by_test_id("approve").click()
    expect(page.locator(".messages")).to_contain_text("已审核通过 1 条报送")
    logout(page)

    login(page, "office")
    page.goto(page.base + "/cockpit/")
    expect(page.get_by_test_id("red-list")).not_to_contain_text("248个老旧小区")
    assert int(page.get_by_test_id("count-red").inner_text()) == red_before - 1
    assert int(page.get_by_test_id("count-green").inner_text()) == green_before + 1
    shot(page, "cockpit-after")
    # The as-of picker shows the earlier state: on 2021-06-30 the task was on track with 95 done.
    page.fill("input[name=as_of]", "2021-06-30")
    page.click("[data-testid=asof-picker] button")
    expect(page.get_by_test_id("asof-bar")).to_contain_text("2021年6月30日")
    shot(page, "cockpit-2021-06-30")
    page.click("text=任务清单")
    page.click("text=2021年底前高质量完成248个老旧小区改造提升任务")
    expect(page.get_by_test_id("status-card")).to_contain_text("截至 2021年6月30日")
    expect(page.get_by_test_id("status-card")).not_to_contain_text("248 / 248")
    page.wait_for_selector("#trajectory canvas", state="attached")  # no string eval: the CSP forbids it
    shot(page, "task-detail-2021-06-30")
    page.click("text=回到今天")
    expect(page.get_by_test_id("task-light")).to_contain_text("绿灯")
    shot(page, "task-detail-today")
