from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def test_office_logs_in_and_sees_the_chinese_home(offline_page):
    page = offline_page
    page.goto(page.base + "/accounts/login/")
    expect(page.locator("h1")).to_have_text("落实")
    shot(page, "login-zh")
    login(page, "office")
    expect(page.locator("main h1")).to_have_text("工作台")
    expect(page.locator(".topbar")).to_contain_text("区委区政府督查室")
    expect(page.locator(".topbar")).to_contain_text("督查室")
    expect(page.locator(".sidenav")).to_contain_text("组织机构")
    shot(page, "home-office-zh")


def test_switching_to_english_changes_every_page(offline_page):
    page = offline_page
    login(page, "office")
    page.click("[data-testid=lang-en]")
    expect(page.locator("main h1")).to_have_text("Home")
    page.click("text=Organisation")
    expect(page.locator("main h1")).to_have_text("Organisation")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "units-en")
    page.click("[data-testid=lang-zh-hans]")
    expect(page.locator("main h1")).to_have_text("组织机构")
    shot(page, "units-zh")


def test_a_locked_out_login_shows_the_lockout_message(offline_page):
    page = offline_page
    for _ in range(5):
        login(page, "fgw_reporter", "wrong-Password-1")
    expect(page.get_by_test_id("lockout")).to_contain_text("账号已锁定 15 分钟")
    shot(page, "login-locked")
    login(page, "fgw_reporter")  # the right password is refused too while locked
    expect(page.get_by_test_id("lockout")).to_be_visible()


def test_audit_admin_sees_only_the_audit_log_and_filters_it(offline_page):
    page = offline_page
    login(page, "auditadmin")
    nav = page.locator(".sidenav")
    expect(nav).to_contain_text("审计日志")
    expect(nav).not_to_contain_text("组织机构")
    page.click("text=审计日志")
    page.select_option("select[name=verb]", "role.grant")
    page.click("button:has-text('筛选')")
    expect(page.locator("table tbody tr").first).to_contain_text("role.grant")
    shot(page, "audit-log")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_security_admin_is_refused_a_second_admin_role(offline_page):
    page = offline_page
    login(page, "secadmin")
    page.click("text=用户管理")
    page.locator("tr", has_text="auditadmin").get_by_role("link", name="角色").click()
    page.get_by_test_id("grant-system_admin").click()
    expect(page.locator(".form-errors")).to_contain_text("三员分立")
    shot(page, "roles-refused")


def test_phone_width_login_and_home(offline_page):
    page = offline_page
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "zjj_reporter")
    expect(page.locator("main h1")).to_have_text("工作台")
    shot(page, "home-phone")
