"""评价考核 end to end: the office previews and publishes June 2021; the 区住建局 head appeals his delivery
points with evidence; the office upholds; the table shows 经申诉调整 (issue 17)."""

from django.core.management import call_command
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def logout(page):
    page.locator("form[action='/accounts/logout/'] button").click()


def both_sizes(page, name: str) -> None:
    shot(page, f"eval-{name}-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"eval-{name}-390")
    page.set_viewport_size({"width": 1366, "height": 768})


def test_preview_publish_appeal_uphold(offline_page, tmp_path):
    from accounts.models import User
    from evaluation.demo import load_demo_scheme
    from evaluation.models import Period

    page = offline_page
    scheme = load_demo_scheme(User.objects.get(username="office"))
    june = Period.objects.get(scheme=scheme, start="2021-06-01")
    evidence = tmp_path / "竣工验收.png"
    Image.new("RGB", (300, 200), (20, 120, 60)).save(evidence)

    login(page, "office")
    page.goto(page.base + f"/evaluation/schemes/{scheme.pk}/")
    expect(page.get_by_test_id("scheme-form")).to_be_visible()
    both_sizes(page, "scheme")
    page.goto(page.base + "/evaluation/adjustments/")
    both_sizes(page, "adjustments")
    page.goto(page.base + "/evaluation/")
    both_sizes(page, "periods")
    page.get_by_test_id(f"period-{june.pk}").click()
    expect(page.get_by_test_id("preview-note")).to_be_visible()
    expect(page.get_by_test_id("preview-1")).to_contain_text("区住建局")
    both_sizes(page, "preview")
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("league-1")).to_contain_text("区住建局")
    logout(page)

    login(page, "zjj_head")
    page.goto(page.base + f"/evaluation/periods/{june.pk}/")
    both_sizes(page, "table")
    page.get_by_role("link", name="区住建局").first.click()
    expect(page.get_by_test_id("sheet-total")).to_be_visible()
    both_sizes(page, "sheet")
    page.goto(page.base + f"/evaluation/periods/{june.pk}/")
    page.get_by_test_id("appeal").click()
    page.select_option("#id_component_key", "delivery")
    page.fill("#id_reason", "T005 老旧小区改造已于6月28日完成竣工验收，见附件")
    page.set_input_files("#id_evidence", str(evidence))
    both_sizes(page, "appeal-form")
    page.get_by_test_id("send-appeal").click()
    expect(page.get_by_test_id("appeals")).to_contain_text("待处理")
    logout(page)

    login(page, "office")
    page.goto(page.base + f"/evaluation/periods/{june.pk}/")
    form = page.locator("[data-testid^=decide-]")
    form.locator("select[name=decision]").select_option("uphold")
    form.locator("input[name=corrected_points]").fill("50")
    form.locator("textarea[name=note]").fill("经核实，竣工验收材料属实")
    both_sizes(page, "decide")
    form.get_by_test_id("decide").click()
    expect(page.get_by_test_id("adjusted")).to_have_count(1)
    expect(page.get_by_test_id("adjusted")).to_have_text("经申诉调整")
    logout(page)

    login(page, "zjj_head")
    page.goto(page.base + f"/evaluation/periods/{june.pk}/")
    expect(page.get_by_test_id("adjusted")).to_have_text("经申诉调整")
    expect(page.get_by_test_id("appeals")).to_contain_text("申诉成立")
    both_sizes(page, "adjusted")


def test_office_issues_a_bulletin(offline_page):
    page = offline_page
    login(page, "office")
    page.goto(page.base + "/bulletins/")
    page.fill("#id_month", "2021-06")
    page.fill("#id_opening", "现将6月份重点工作推进情况通报如下。")
    page.get_by_test_id("issue-bulletin").click()
    # Issued by the queue (evaluation/jobs.py): the job page follows the worker, then links back.
    expect(page.get_by_test_id("job-status")).to_have_attribute("data-state", "queued")
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    page.get_by_test_id("job-link").click(timeout=10_000)
    expect(page.get_by_test_id("bulletins")).to_contain_text("第1期")
    both_sizes(page, "bulletins")
    with page.expect_download() as info:
        page.locator("[data-testid^=download-]").first.click()
    assert info.value.suggested_filename.endswith(".docx")
