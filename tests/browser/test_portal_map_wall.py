"""Issue 18 in a browser: the office publishes an item with one photo; an anonymous reader sees it without
the internal fields and without EXIF; the map shows it in its block; the wall fills 1920×1080 with no
overflowing text and refreshes in place without growing."""

from io import BytesIO

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def _setup():
    from accounts.models import User
    from maps import services as maps_services
    from maps.tests.test_maps import feature, geojson
    from plans.models import DimensionTag, Task
    from portal import services

    office = User.objects.get(username="office")
    task = Task.objects.get(object="老旧小区改造提升", node__kind="key_task")
    DimensionTag.objects.get_or_create(kind=DimensionTag.Kind.BLOCK, name="二七商圈")
    zone = maps_services.zones_import(actor=office, data=geojson(feature("二七商圈")))[0]
    maps_services.task_locate(actor=office, task=task, latitude="34.755", longitude="113.665", source="typed")
    item = services.item_save(actor=office, kind="task", object_id=task.pk, title="老旧小区改造", summary="", year=2021)
    return task, item, zone


def test_office_publishes_with_a_photo_and_the_public_sees_no_internals(offline_page, browser, tmp_path):
    from portal.tests.test_photos import photo_with_gps
    from reports.models import ProgressReport

    page = offline_page
    task, item, zone = _setup()
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(photo_with_gps(size=(320, 240)))
    login(page, "office")
    page.goto(f"{page.base}/portal/items/{item.pk}/")
    page.fill("#id_summary", "今年改造提升248个老旧小区，改善居住条件。")
    page.get_by_test_id("save-texts").click()
    page.set_input_files("input[name=photo]", str(photo))
    page.get_by_test_id("photo-form").locator("input[name=caption]").fill("改造后的小区")
    page.get_by_test_id("upload-photo").click()
    expect(page.get_by_test_id("published-photo")).to_have_count(1)
    page.get_by_test_id("publish-toggle").click()
    expect(page.get_by_test_id("item-state")).to_contain_text("已公开")
    shot(page, "portal-office-published-1366")

    # An anonymous reader, in a fresh browser context (no session, no cookie).
    public = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    public.goto(f"{page.base}/public/")
    public.get_by_test_id(f"public-item-{task.pk}").click()
    expect(public.get_by_test_id("public-summary")).to_contain_text("248个老旧小区")
    html = public.content()
    task.refresh_from_db()
    internal = [task.code, task.lead_unit.name, task.source_quote[:15]]
    internal += [r.narrative[:15] for r in ProgressReport.objects.filter(task=task).exclude(narrative="")[:20]]
    assert [text for text in internal if text in html] == []
    src = public.get_by_test_id("public-photo").get_attribute("src")
    full = public.request.get(page.base + src.replace("/thumb/", "/"))
    assert full.ok
    image = Image.open(BytesIO(full.body()))
    assert not image.getexif() and "exif" not in image.info
    shot(public, "portal-public-published-390")
    public.context.close()

    # The map shows it inside its block, and clicking the point opens its card.
    page.goto(f"{page.base}/map/?block={zone.pk}&as_of=2021-10-15")
    page.wait_for_function(
        "document.getElementById('district-map').luoshiChart && "
        "document.getElementById('district-map').luoshiChart.getOption().series"
    )
    points = page.evaluate("JSON.parse(document.getElementById('map-data').textContent).points")
    mine = [p for p in points if p["kind"] == "task" and p["pk"] == task.pk]
    assert mine and zone.pk in mine[0]["zones"]
    page.wait_for_timeout(500)
    box = page.get_by_test_id("district-map").bounding_box()
    x, y = page.evaluate(
        "([x, y]) => document.getElementById('district-map').luoshiChart.convertToPixel({geoIndex: 0}, [x, y])",
        [mine[0]["x"], mine[0]["y"]],
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page.get_by_test_id("map-card")).to_contain_text(task.code)
    expect(page.get_by_test_id("map-card-link")).to_have_attribute("href", f"/tasks/{task.pk}/")
    shot(page, "portal-map-block-1366")


WALL_OVERFLOW = """() => {
  const out = [];
  const texts = '.w-head h1, .w-asof, .w-n, .w-l, .w-panel h2, .w-table td, .w-red-row span';
  for (const el of document.querySelectorAll(texts)) {
    const s = getComputedStyle(el);
    const clipped = s.textOverflow === 'ellipsis';  // long names end in … by design, inside their cell
    if (!clipped && el.scrollWidth > el.clientWidth + 1) out.push(el.textContent);
  }
  for (const el of document.querySelectorAll('.w-kpi, .w-panel, .w-head')) {
    const r = el.getBoundingClientRect();
    if (r.right > innerWidth + 1 || r.bottom > innerHeight + 1) out.push('panel outside the screen: ' + el.className);
  }
  const root = document.documentElement;
  if (root.scrollWidth > innerWidth || root.scrollHeight > innerHeight) out.push('page scrolls');
  return out;
}"""


def test_the_wall_fills_the_screen_and_refreshes_without_growing(offline_page):
    page = offline_page
    _setup()
    page.set_viewport_size({"width": 1920, "height": 1080})
    login(page, "kiosk")
    assert page.url.endswith("/cockpit/wall/")  # the kiosk lands on the wall
    page.goto(f"{page.base}/cockpit/wall/?as_of=2021-10-15")
    page.wait_for_function("document.getElementById('w-area-chart').luoshiChart")
    page.wait_for_timeout(800)
    assert page.evaluate(WALL_OVERFLOW) == []
    labels = page.evaluate(
        "document.getElementById('w-area-chart').luoshiChart.getOption().yAxis[0].axisLabel.interval"
    )
    assert labels == 0  # every area's label is shown
    shot(page, "portal-wall-test-1920")

    def counts():
        return page.evaluate(
            "({nodes: document.getElementsByTagName('*').length,"
            " charts: document.querySelectorAll('[_echarts_instance_]').length})"
        )

    page.evaluate("LuoshiWall.refresh()")
    page.wait_for_timeout(300)
    before = counts()
    # A day of refreshes every minute is 1 440; the same work, back to back: fetch + update in place.
    page.evaluate("async () => { for (let i = 0; i < 60; i++) await LuoshiWall.refresh(); }")
    page.evaluate("""() => { const d = JSON.parse(document.getElementById('wall-data').textContent);
                            for (let i = 0; i < 1400; i++) LuoshiWall.update(d); }""")
    page.wait_for_timeout(500)
    after = counts()
    assert after["charts"] == before["charts"] == 2
    assert after["nodes"] == before["nodes"]
    assert page.evaluate(WALL_OVERFLOW) == []
    assert page.request.get(f"{page.base}/cockpit/").status == 403  # nothing but the wall
