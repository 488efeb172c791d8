"""The inbox bell: a report returned by the unit head shows up in the reporter's inbox; reading it updates the count."""

import datetime as dt
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def logout(page):
    page.locator("form[action='/accounts/logout/'] button").click()


def _submitted_report():
    from accounts.models import User
    from plans.models import Task
    from reports import services

    reporter = User.objects.get(username="zjj_reporter")
    task = Task.objects.get(object="老旧小区改造提升", node__kind="key_task")
    report = services.report_start(
        actor=reporter, task=task, period_end=dt.date(2021, 12, 5), due_date=dt.date(2021, 12, 7)
    )
    return services.report_save(
        actor=reporter, report=report, value=Decimal(230), narrative="已完成230个小区改造。", submit=True
    )


def test_a_returned_report_rings_the_reporters_bell_and_reading_it_clears_the_count(offline_page):
    page = offline_page
    report = _submitted_report()

    # The head has a notification too (a report waits for approval): open it from the inbox.
    login(page, "zjj_head")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("note")).to_have_count(1)
    shot(page, "notifications-head-inbox")
    page.locator("[data-testid=note] .note-title").click()  # marks it read and goes to the approvals page
    expect(page).to_have_url(page.base + "/reports/approvals/")
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
    page.goto(page.base + f"/reports/{report.pk}/")
    page.fill("#id_reason", "请补充竣工验收材料")
    page.get_by_test_id("return").click()
    logout(page)

    login(page, "zjj_reporter")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    shot(page, "notifications-bell")
    page.get_by_test_id("bell").click()
    row = page.get_by_test_id("note")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("T005")
    expect(row).to_contain_text("请补充竣工验收材料")
    expect(row).to_have_class("note unread")
    shot(page, "notifications-inbox")
    page.get_by_test_id("mark-read").click()  # htmx: the row and the bell update in place
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
    expect(row).to_have_class("note")
    expect(page.get_by_test_id("mark-read")).to_have_count(0)
    shot(page, "notifications-inbox-read")
    page.reload()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)


def test_following_a_task_and_the_admins_robot_page(offline_page):
    from notifications.models import UnitWebhook
    from org.models import Unit

    page = offline_page
    login(page, "leader")
    page.goto(page.base + "/tasks/")
    page.click("text=2021年底前高质量完成248个老旧小区改造提升任务")
    follow = page.get_by_test_id("follow")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    expect(page.get_by_test_id("follow")).to_have_attribute("aria-pressed", "true")
    shot(page, "notifications-follow")
    logout(page)

    UnitWebhook.objects.create(
        unit=Unit.objects.get(code="zjj"), kind="dingtalk", url="https://oapi.dingtalk.com/robot/send?access_token=x"
    )
    login(page, "sysadmin")
    page.goto(page.base + "/notifications/webhooks/new/")
    page.select_option("#id_unit", label="区发改委")
    page.fill("#id_url", "ftp://robot.local/send")
    page.fill("#id_secret", "oops")
    page.click("main button.primary")
    expect(page.locator(".field.has-error")).to_have_count(2)
    shot(page, "notifications-webhook-form-errors")
    page.goto(page.base + "/notifications/webhooks/")
    expect(page.get_by_test_id("webhooks")).to_contain_text("区住建局")
    shot(page, "notifications-webhooks")
