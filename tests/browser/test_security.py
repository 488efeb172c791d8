"""Pages under the Content-Security-Policy in a real browser: the API docs page (Swagger UI, served
locally) and the approvals page's select-all, which used to be inline handlers. The offline_page
fixture fails the test on any CSP violation."""

from playwright.sync_api import expect

from tests.browser.conftest import login


def test_the_api_docs_page_works_under_the_csp_after_login(offline_page):
    page = offline_page
    page.goto(page.base + "/api/v1/docs")
    expect(page.locator("#id_username")).to_be_visible()  # behind login
    login(page, "office")
    page.goto(page.base + "/api/v1/docs")
    expect(page.locator(".swagger-ui .info")).to_contain_text("Luoshi API")


def test_removing_a_robot_asks_first_and_a_refusal_keeps_it(offline_page):
    from notifications.models import UnitWebhook
    from org.models import Unit

    hook = UnitWebhook.objects.create(
        unit=Unit.objects.get(code="zjj"), kind="wecom", url="http://127.0.0.1:9/cgi-bin/webhook/send?key=csp"
    )
    page = offline_page
    login(page, "sysadmin")
    page.goto(page.base + "/notifications/webhooks/")
    asked: list[str] = []

    def answer(dialog, accept: bool):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name="删除").first.click()
    page.wait_for_timeout(300)  # a dismissed confirm navigates nowhere; give a wrong submit time to happen
    assert len(asked) == 1 and UnitWebhook.objects.filter(pk=hook.pk).exists()
    page.once("dialog", lambda dialog: answer(dialog, True))
    with page.expect_navigation():
        page.get_by_role("button", name="删除").first.click()
    assert len(asked) == 2 and not UnitWebhook.objects.filter(pk=hook.pk).exists()
