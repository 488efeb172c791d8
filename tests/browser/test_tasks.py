import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def test_office_filters_opens_edits_co_units_and_exports(offline_page):
    page = offline_page
    login(page, "office")
    page.click(".sidenav >> text=任务清单")
    page.select_option("select[name=lead_unit]", label="区住建局")
    page.click("button:has-text('筛选')")
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(3)
    shot(page, "tasks-filtered")
    page.click("text=2021年底前高质量完成248个老旧小区改造提升任务")
    expect(page.locator("main h1")).to_contain_text("248个老旧小区")
    page.wait_for_selector("#trajectory canvas", state="attached")  # no string eval: the CSP forbids it
    shot(page, "task-detail")
    page.get_by_test_id("edit").click()
    page.select_option("select[name=co_units]", label=["区城管局", "淮河路街道"])
    shot(page, "task-edit")
    page.click("button:has-text('保存')")
    expect(page.get_by_test_id("co-units")).to_have_text("淮河路街道、区城管局")
    page.goto(page.base + "/tasks/")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    ws = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert ws["A1"].value == "任务分解表"
    row = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[2].startswith("2021年底前高质量完成248个"))
    assert row[7] == "淮河路街道、区城管局"


def test_zjj_reporter_cannot_see_a_task_led_by_fgw(offline_page):
    from plans.models import Task

    task = Task.objects.get(object="核心板块打造", node__kind="key_task")
    page = offline_page
    login(page, "zjj_reporter")
    page.click(".sidenav >> text=任务清单")
    expect(page.locator("main")).not_to_contain_text("全面打造6个核心板块")
    response = page.goto(f"{page.base}/tasks/{task.pk}/")
    assert response.status == 404
    expect(page.locator("main h1")).to_have_text("页面不存在")
    shot(page, "task-404-for-other-unit")
    api = page.request.get(f"{page.base}/api/v1/tasks/{task.pk}")
    assert api.status == 404
