from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def logout(page):
    page.click("button:has-text('退出')")


def _indicator():
    from accounts.models import User
    from indicators.models import CockpitIndicator
    from indicators.services import IndicatorData, indicator_create, target_set

    office = User.objects.get(username="office")
    unit = User.objects.get(username="zjj_reporter").unit
    data = IndicatorData(name="新增城市绿地", unit="平方米", display_unit="万平方米", source_unit=unit)
    indicator = indicator_create(actor=office, data=data)
    target_set(actor=office, indicator=indicator, year=2021, value="100", unit="万平方米")
    CockpitIndicator.objects.create(indicator=indicator, rank=1)
    return indicator


def test_estimate_entered_approved_seen_on_cockpit_then_superseded_by_a_final(offline_page):
    page = offline_page
    indicator = _indicator()
    detail = f"{page.base}/indicators/{indicator.pk}/"

    login(page, "zjj_reporter")
    page.goto(detail)
    page.fill("#id_period", "2021")
    page.fill("#id_value", "96")
    page.select_option("#id_kind", "estimate")
    page.get_by_test_id("value-form").locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("数值已录入")
    expect(page.get_by_test_id("history")).to_contain_text("待审核")
    logout(page)

    login(page, "zjj_head")
    page.goto(detail)
    page.locator("[data-testid^=approve-]").click()
    expect(page.locator(".messages")).to_contain_text("数值已审核通过")
    logout(page)

    login(page, "office")
    page.goto(page.base + "/cockpit/")
    row = page.get_by_test_id(f"panel-{indicator.pk}")
    expect(row).to_contain_text("96")
    expect(row).to_contain_text("预计")
    shot(page, "indicators-cockpit-estimate")
    row.get_by_role("link", name="新增城市绿地").click()
    page.fill("#id_period", "2021")
    page.fill("#id_value", "98.5")
    page.select_option("#id_kind", "final")
    page.get_by_test_id("value-form").locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("数值已录入")
    expect(page.get_by_test_id("latest")).to_have_text("98.5")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("98.5")
    expect(history).to_contain_text("96")
    series = page.evaluate(
        "() => document.getElementById('indicator-chart').luoshiChart.getOption().series.map(s => [s.name, s.data])"
    )
    drawn = {name: data for name, data in series}
    assert drawn["年报数"] == [98.5] and drawn["预计数"] == [96], drawn
    shot(page, "indicators-detail-final")
    page.goto(page.base + "/cockpit/")
    expect(page.get_by_test_id(f"panel-{indicator.pk}")).to_contain_text("年报")
