import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

SEED = (Path(__file__).resolve().parents[2] / "decomposition" / "tests" / "data" / "erqi-2021-plan.txt").read_text(
    encoding="utf-8"
)
AREAS = ["在主导产业升级上争先出彩", "在城市品质提升上争先出彩", "在美丽田园打造上争先出彩"]


@pytest.fixture
def fresh_plan(demo):
    """A new 2021 plan with the seed's area headings as nodes and no tasks: what the office decomposes into."""
    from accounts.models import User
    from plans.services import node_add, plan_create

    office = User.objects.get(username="office")
    plan = plan_create(actor=office, year=2021, title="二七区2021年度重点工作（分解）")
    vision = node_add(actor=office, plan=plan, parent=None, title="建设现代化国际化生态化新城区", kind="vision")
    for title in AREAS:
        node_add(actor=office, plan=plan, parent=vision, title=title, kind="area")
    return plan


def test_office_pastes_edits_assigns_accepts_and_finds_the_tasks(offline_page, fresh_plan):
    page = offline_page
    login(page, "office")
    page.goto(f"{page.base}/plans/{fresh_plan.pk}/")
    page.get_by_test_id("decompose").click()
    page.fill("textarea[name=text]", SEED)
    shot(page, "decompose-input")
    page.get_by_test_id("extract").click()

    commitments = page.locator("#doc mark.hl-commitment")
    expect(commitments).to_have_count(10)
    expect(page.locator("#doc mark.hl-achievement")).to_have_count(19)
    expect(page.get_by_test_id("row")).to_have_count(10)
    shot(page, "decompose-review")

    # A highlight leads to its row.
    page.locator("#doc mark.hl-commitment").nth(2).click()
    row = page.get_by_test_id("row").nth(2)
    expect(row.locator("textarea[name=title]")).to_have_value("1月底前完成“一环十横十纵”二期3条道路")

    # Edit one deadline: saved at once, and still there after a reload.
    row_id = row.get_attribute("data-row")
    row.get_by_test_id("deadline").fill("2021-02-28")
    expect(page.locator(f"#st-{row_id}.ok")).to_be_visible()
    # A value that is not a number is refused in the row, and nothing is saved.
    target = row.locator("input[name=target_value]")
    target.fill("三条")
    target.press("Tab")
    expect(page.locator(f"#st-{row_id}.err")).to_be_visible()
    page.reload()
    row = page.get_by_test_id("row").nth(2)
    expect(row.get_by_test_id("deadline")).to_have_value("2021-02-28")
    expect(row.locator("input[name=target_value]")).to_have_value("3")

    # 三定 for all rows at once.
    page.get_by_test_id("check-all").check()
    page.select_option("#bulk select[name=post]", label="分管城建副区长")
    page.select_option("#bulk select[name=lead_unit]", label="区住建局")
    page.click("#bulk details.co-pick summary")
    page.locator("#bulk .checks label", has_text="区城管局").locator("input").check()
    shot(page, "decompose-assign")
    page.get_by_test_id("assign").click()
    expect(page.locator(".messages")).to_contain_text("10")
    for i in range(10):
        expect(page.get_by_test_id("row").nth(i).locator("select[name=lead]")).to_have_value(
            page.locator("#bulk select[name=lead_unit] option", has_text="区住建局").get_attribute("value")
        )

    # The proposal as a 任务分解表, before accepting.
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    ws = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert ws["A1"].value == "任务分解表"
    assert [r[6] for r in ws.iter_rows(min_row=3, values_only=True) if r[2]] == ["区住建局"] * 10

    page.get_by_test_id("accept").click()
    expect(page.locator(".messages")).to_contain_text("10")
    expect(page.locator("#doc mark.hl-accepted")).to_have_count(29)
    expect(page.get_by_test_id("task-link")).to_have_count(10)
    shot(page, "decompose-accepted")

    # The tasks are in the task list, with the edited deadline.
    page.get_by_test_id("task-list").click()
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(10)
    edited = rows.filter(has_text="1月底前完成“一环十横十纵”二期3条道路")
    expect(edited).to_contain_text("2021年2月28日")
    expect(edited).to_contain_text("区住建局")
    shot(page, "decompose-task-list")

    # Accepting again creates nothing: the page says everything is accepted.
    page.goto(f"{page.base}/plans/{fresh_plan.pk}/decompose/")
    expect(page.get_by_test_id("accepted")).to_be_visible()

    # Each task links back to its sentence in the plan text.
    page.get_by_test_id("row").nth(4).get_by_test_id("sentence-link").click()
    expect(page.locator("[data-testid=plan-text] a.hl")).to_have_count(10)
    target = page.locator("[data-testid=plan-text] a.hl:target")
    expect(target).to_have_text("2021年底前高质量完成248个老旧小区改造提升任务")
    shot(page, "decompose-plan-text")


def test_a_scanned_pdf_is_refused_in_chinese_and_changes_nothing(offline_page, fresh_plan, tmp_path):
    from decomposition.models import DecompositionDraft
    from decomposition.tests.pdfs import make_pdf

    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(make_pdf(image_only_pages=2))
    page = offline_page
    login(page, "office")
    page.goto(f"{page.base}/plans/{fresh_plan.pk}/decompose/")
    page.set_input_files("input[name=file]", str(scan))
    page.get_by_test_id("extract").click()
    expect(page.locator(".field.has-error .error")).to_be_visible()
    shot(page, "decompose-bad-file")
    assert not DecompositionDraft.objects.filter(plan=fresh_plan).exists()


PLAN_WITH_LEVELS = """二、2021年重点工作

（一）扩大有效投资

1.抓好重大项目。加快市民中心建设,3月底前挂牌运营;实施市级重点项目45个以上。

（二）改善人居环境

1.推进城市更新。完成老旧小区改造120个,新开工棚户区安置房3000套。
"""


def test_office_uses_a_suggestion_and_accepts_part_of_the_rows(offline_page, fresh_plan):
    """Issue 19: heading path, qualitative milestone, 三定 suggestion with its reason, partial accept."""
    page = offline_page
    login(page, "office")
    page.goto(f"{page.base}/plans/{fresh_plan.pk}/decompose/")
    page.fill("textarea[name=text]", PLAN_WITH_LEVELS)
    page.get_by_test_id("extract").click()
    rows = page.get_by_test_id("row")
    expect(rows).to_have_count(4)
    expect(rows.nth(0).get_by_test_id("milestone-chip")).to_be_visible()
    expect(rows.nth(2).get_by_test_id("area-path")).to_contain_text("（二）改善人居环境 › 1.推进城市更新")
    expect(page.get_by_test_id("milestones")).to_contain_text("3月底前挂牌运营")
    suggestion = rows.nth(2).get_by_test_id("suggestion")
    expect(suggestion).to_contain_text("区住建局")
    expect(suggestion.get_by_test_id("suggestion-reason")).to_contain_text("依据")
    shot(page, "decompose-suggestion")
    suggestion.get_by_test_id("apply-suggestion").click()
    row = page.get_by_test_id("row").nth(2)
    expect(row.locator("select[name=lead] option:checked")).to_have_text("区住建局")
    page.get_by_test_id("accept").click()
    expect(page.locator("body")).to_contain_text("草稿中还剩 3 行未接受")
    expect(page.get_by_test_id("row").nth(2).get_by_test_id("task-link")).to_be_visible()
