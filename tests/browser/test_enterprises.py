"""企业帮扶 end to end: an officer records a visit and a labour request; the office assigns it to 区人社局; the unit
answers with 30 jobs filled and its head approves; the enterprise's feedback closes it; the summary shows it."""

from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def logout(page):
    page.locator("form[action='/accounts/logout/'] button").click()


def test_a_labour_request_from_visit_to_summary(offline_page):
    from django.utils import timezone

    from enterprises import services
    from enterprises.demo import _accounts
    from enterprises.generate import ensure_categories
    from enterprises.models import AssistanceRequest, Policy
    from enterprises.tests.factories import unit, user

    ensure_categories()  # the live server's database is flushed between tests: the migration's rows are gone
    _accounts(unit("rsj"))
    Policy.objects.create(title="企业招工用工补贴")
    firm = services.enterprise_create(
        actor=user("office"),
        data=services.EnterpriseData(
            name="演示机械制造企业", credit_code="91350100M000100Y43", contact_name="赵女士",
            contact_phone="13700001234", officer_unit=unit("zjj"),
        ),
    )  # fmt: skip
    page = offline_page
    today = timezone.localdate()

    # The service officer (区住建局) visits the firm and records a labour request.
    login(page, "zjj_reporter")
    page.goto(page.base + f"/enterprises/{firm.pk}/")
    expect(page.get_by_test_id("contact")).to_contain_text("13700001234")
    page.get_by_test_id("record-visit").click()
    page.get_by_label("企业招工用工补贴").check()
    page.fill("#id_services", "对接区人社局招聘会")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("visits")).to_contain_text("对接区人社局招聘会")
    page.get_by_test_id("record-request").click()
    page.select_option("#id_category", label="用工")
    page.fill("#id_description", "扩产缺普工30人")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("state")).to_have_text("已受理")
    request_url = page.url
    logout(page)

    # The office assigns it to 区人社局.
    login(page, "office")
    page.goto(request_url)
    page.select_option("#id_assign-unit", label="区人社局")
    page.get_by_test_id("do-assign").click()
    expect(page.get_by_test_id("unit")).to_have_text("区人社局")
    logout(page)

    # 区人社局 finds it in its queue, accepts it and answers with 30 jobs filled; the head approves.
    login(page, "rsj_reporter")
    page.goto(page.base + "/assistance/queue/")
    expect(page.get_by_test_id("queue")).to_contain_text("扩产缺普工30人")
    shot(page, "enterprises-queue")
    page.get_by_test_id("queue").get_by_role("link", name="扩产缺普工30人").click()
    page.get_by_test_id("do-accept").click()
    page.fill("#id_answer-answer", "组织专场招聘会，已到岗30人")
    page.fill("#id_answer-jobs", "30")
    page.get_by_test_id("do-answer").click()
    expect(page.get_by_test_id("jobs")).to_have_text("30人")
    logout(page)
    login(page, "rsj_head")
    page.goto(request_url)
    page.get_by_test_id("do-approve").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("已审核")
    logout(page)

    # The enterprise's feedback, recorded by its service officer, closes it.
    login(page, "zjj_reporter")
    page.goto(request_url)
    page.select_option("#id_feedback-satisfied", label="满意")
    page.get_by_test_id("do-feedback").click()
    expect(page.get_by_test_id("state")).to_have_text("已办结")
    logout(page)

    # The summary counts it, and its figure links to the firm.
    login(page, "office")
    page.goto(page.base + f"/assistance/?from={today.isoformat()}&to={today.isoformat()}")
    expect(page.get_by_test_id("jobs_filled")).to_have_text("30人")
    expect(page.get_by_test_id("enterprises_helped")).to_have_text("1")
    shot(page, "enterprises-overview")
    page.get_by_test_id("enterprises_helped").click()
    expect(page.get_by_test_id("figure-rows")).to_contain_text("演示机械制造企业")
    assert AssistanceRequest.objects.get().state == AssistanceRequest.State.CLOSED
