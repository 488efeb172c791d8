"""An order on an object that is not a task, in a real browser: a kind registered the way projects and
enterprises register theirs (here a test-only kind over org.Unit), issued from `?target=<kind>:<id>`."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

KEY = "test_unit"


@pytest.fixture
def unit_kind():
    from org.models import Unit
    from supervision.targets import TargetKind, register_target_kind, unregister_target_kind

    register_target_kind(
        TargetKind(
            key=KEY,
            model=Unit,
            label="单位事项",
            visible_to=lambda user: Unit.objects.filter(code="zjj"),
            units=lambda unit: [unit],
            title=lambda unit: f"{unit.code} {unit.name}",
            url=lambda unit: reverse("org:unit_edit", kwargs={"pk": unit.pk}),
        )
    )
    yield
    unregister_target_kind(KEY)


def test_an_order_on_another_kind_of_object(offline_page, unit_kind):
    from org.models import Unit

    page = offline_page
    zjj = Unit.objects.get(code="zjj")
    login(page, "office")
    page.goto(f"{page.base}/supervision/orders/new/?target={KEY}:{zjj.pk}")
    expect(page.get_by_test_id(f"order-target-{KEY}-{zjj.pk}")).to_contain_text("区住建局")
    expect(page.locator("#id_unit option:checked")).to_have_text("区住建局")
    page.fill("#id_content", "单位事项推进滞后，请于5个工作日内书面反馈。")
    shot(page, "target-order-form")
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("order-targets")).to_contain_text("单位事项")
    expect(page.get_by_test_id("order-targets")).to_contain_text("zjj 区住建局")
    shot(page, "target-order-detail")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "target-order-detail-phone")
    page.goto(f"{page.base}/supervision/orders/?show=all")
    expect(page.get_by_test_id("order-list")).to_contain_text("zjj 区住建局")
    shot(page, "target-order-list-phone")
