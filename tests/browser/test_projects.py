"""重大项目 end to end: the reporter files a month's investment with a photo, the head approves, the office
sees the investment chart move."""

import datetime as dt

from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def logout(page):
    page.locator("form[action='/accounts/logout/'] button").click()


def chart_actual(page) -> list:
    return page.evaluate("() => document.getElementById('investment-chart').luoshiChart.getOption().series[1].data")


def test_monthly_investment_from_filing_to_the_chart(offline_page, tmp_path):
    from projects.demo import load_demo_projects
    from projects.models import Project

    page = offline_page
    today = timezone.localdate()
    load_demo_projects(today)
    project = Project.objects.filter(lead_unit__code="zjj").order_by("code").first()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    project.reports.filter(month=last_month).delete()  # the demo may have it approved already
    month_index = last_month.month - 1
    photo = tmp_path / "施工现场.jpg"
    Image.new("RGB", (1200, 900), (90, 120, 140)).save(photo, format="JPEG")

    login(page, "office")
    page.goto(page.base + f"/projects/{project.pk}/")
    before = chart_actual(page)
    assert before[month_index] is not None  # the year so far, from the approved months
    logout(page)

    login(page, "zjj_reporter")
    page.goto(page.base + f"/projects/{project.pk}/")
    page.get_by_test_id("file-report").click()
    page.fill("#id_month", last_month.isoformat())
    page.fill("#id_amount_month", "1234.5")
    page.fill("#id_progress_text", "主体结构施工至三层")
    page.set_input_files("#id_photos", str(photo))
    shot(page, "projects-report-form")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id(f"report-{last_month:%Y-%m}")).to_contain_text("已提交")
    expect(page.get_by_test_id(f"report-{last_month:%Y-%m}").locator("img.thumb")).to_have_count(1)
    logout(page)

    login(page, "zjj_head")
    page.goto(page.base + f"/projects/{project.pk}/")
    page.get_by_test_id(f"report-{last_month:%Y-%m}").get_by_role("button", name="批准").click()
    expect(page.get_by_test_id(f"report-{last_month:%Y-%m}")).to_contain_text("已批准")
    logout(page)

    login(page, "office")
    page.goto(page.base + f"/projects/{project.pk}/")
    after = chart_actual(page)
    assert round(after[month_index] - before[month_index], 2) == 1234.5
    shot(page, "projects-detail-after-approval")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "projects-detail-phone")
    page.set_viewport_size({"width": 1366, "height": 768})

    # The office sees the project among the red ones and issues an order on it from its page.
    page.goto(page.base + "/projects/?light=red")
    expect(page.get_by_test_id(f"project-{project.code}")).to_be_visible()
    page.goto(page.base + f"/projects/{project.pk}/")
    page.get_by_test_id("issue-order-on-target").click()
    expect(page.get_by_test_id(f"order-target-project-{project.pk}")).to_contain_text(project.code)
    expect(page.locator("#id_unit option:checked")).to_have_text("区住建局")
    page.fill("#id_content", "项目投资进度滞后，请于5个工作日内书面反馈整改措施。")
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("order-targets")).to_contain_text(project.code)
    page.goto(page.base + f"/projects/{project.pk}/")
    expect(page.get_by_test_id("orders-on-target")).to_contain_text("区住建局")
    shot(page, "projects-detail-with-order")
    logout(page)

    # The unit answers the order.
    login(page, "zjj_reporter")
    page.goto(page.base + f"/projects/{project.pk}/")
    page.get_by_test_id("orders-on-target").locator("a").first.click()
    page.get_by_test_id("acknowledge").click()
    page.fill("#id_text", "已召开项目推进会，下月补足投资缺口，12月底前完成年度计划。")
    page.get_by_test_id("respond").click()
    expect(page.get_by_test_id("response")).to_have_count(1)
    shot(page, "projects-order-answered")


def test_project_pages_render_on_desktop_and_phone(offline_page):
    from projects.demo import load_demo_projects

    page = offline_page
    load_demo_projects(timezone.localdate())
    login(page, "office")
    for width, height, suffix in ((1366, 768, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(page.base + "/projects/?light=red")
        expect(page.get_by_test_id("project-count")).to_contain_text("个项目")
        shot(page, f"projects-list-{suffix}")
        page.goto(page.base + "/projects/schedule/")
        expect(page.locator("table.table tbody tr").first).to_be_visible()
        shot(page, f"projects-schedule-{suffix}")
        page.goto(page.base + "/projects/rollup/?by=block")
        expect(page.get_by_test_id("rollup")).to_contain_text("二七商圈")
        shot(page, f"projects-rollup-{suffix}")
        page.goto(page.base + "/cockpit/")
        expect(page.get_by_test_id("projects-cockpit")).to_be_visible()
        chart = page.evaluate(
            "() => document.getElementById('projects-investment-chart').luoshiChart.getOption().series[0].data.length"
        )
        assert chart == 12
        shot(page, f"projects-cockpit-{suffix}")
