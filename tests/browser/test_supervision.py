"""督查督办 end to end: the office orders a red task, the reporter acknowledges and answers, the office closes it."""

import re

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

NUMBER = re.compile(r"二七督〔\d{4}〕1号")


def logout(page):
    page.locator("form[action='/accounts/logout/'] button").click()


def photo(tmp_path) -> str:
    path = tmp_path / "整改现场.jpg"
    Image.new("RGB", (1200, 900), (120, 110, 95)).save(path, format="JPEG")
    return str(path)


def counts(page) -> tuple[str, str, str]:
    page.goto(page.base + "/supervision/orders/")
    return tuple(page.get_by_test_id(f"count-{key}").inner_text() for key in ("open", "responded", "done"))


def test_an_order_from_the_red_list_to_closed(offline_page, tmp_path):
    page = offline_page

    # The office proposes an order on a red task from the cockpit: one click pre-fills the form.
    login(page, "office")
    page.goto(page.base + "/cockpit/")
    page.get_by_test_id("propose-T005").click()
    expect(page.get_by_test_id("proposal")).to_contain_text("T005")
    expect(page.locator("#id_content")).to_have_value(re.compile("248个老旧小区"))
    expect(page.locator("#id_unit option:checked")).to_have_text("区住建局")
    shot(page, "supervision-order-form")
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("order-number")).to_have_text(NUMBER)
    expect(page.get_by_test_id("official-header")).to_contain_text("督办通知单")
    shot(page, "supervision-order-issued")
    assert counts(page) == ("1", "0", "0")
    page.goto(page.base + "/cockpit/")
    expect(page.get_by_test_id("red-list")).to_contain_text("248个老旧小区")  # still red: an order is not a fix
    logout(page)

    # The reporter of 区住建局 finds it in the inbox, acknowledges and answers with a photo.
    login(page, "zjj_reporter")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    page.get_by_test_id("bell").click()
    row = page.get_by_test_id("note")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(NUMBER)
    row.locator(".note-title").click()  # read, and on to the order
    expect(page.get_by_test_id("order-number")).to_have_text(NUMBER)
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
    page.get_by_test_id("acknowledge").click()
    page.get_by_test_id("respond").click()  # no text: refused, nothing sent
    expect(page.locator(".form-errors, .error").first).to_be_visible()
    expect(page.get_by_test_id("response")).to_have_count(0)
    page.fill("#id_text", "已召开专题推进会，四季度每月完成不少于30个小区，12月底前全部完工。")
    page.set_input_files("#id_files", photo(tmp_path))
    page.get_by_test_id("respond").click()
    expect(page.get_by_test_id("response")).to_have_count(1)
    expect(page.locator("[data-testid=response] img")).to_have_count(1)
    shot(page, "supervision-order-responded")
    assert counts(page) == ("0", "1", "0")
    logout(page)

    # The office hears of the response, verifies it and closes the order.
    login(page, "office")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    page.goto(page.base + "/supervision/orders/?show=responded")
    page.get_by_test_id("order-list").get_by_role("link", name=NUMBER).click()
    page.fill("#id_note", "措施具体，同意")
    page.get_by_test_id("verify").click()
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("close")).to_have_count(0)
    shot(page, "supervision-order-closed")
    assert counts(page) == ("0", "0", "1")
    logout(page)

    login(page, "zjj_reporter")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")  # the order is closed
    assert counts(page) == ("0", "0", "1")
