"""The map: polygons imported all or nothing, positions within the district, points by light and block."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ServiceError
from maps import outline, services
from maps.models import Location, Zone
from maps.selectors import map_data
from plans.models import DimensionTag

pytestmark = pytest.mark.django_db

# A square in WGS-84 around 二七广场 (approximate).
SQUARE = [[113.655, 34.745], [113.675, 34.745], [113.675, 34.765], [113.655, 34.765], [113.655, 34.745]]


def geojson(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feature(name, ring=None):
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring or SQUARE]},
    }


@pytest.fixture
def block():
    return DimensionTag.objects.get_or_create(kind=DimensionTag.Kind.BLOCK, name="二七商圈")[0]


def test_the_district_bounds_come_from_the_vendored_outline():
    box = outline.district_bounds()
    assert 113.4 < box.west < box.east < 113.8 and 34.5 < box.south < box.north < 34.9


def test_import_links_a_block_and_replaces_on_reimport(users, block):
    zones = services.zones_import(actor=users["office"], data=geojson(feature("二七商圈"), feature("其他片区")))
    assert {z.name: z.tag_id for z in zones} == {"二七商圈": block.pk, "其他片区": None}
    services.zones_import(
        actor=users["office"],
        data=geojson(feature("二七商圈", [[113.66, 34.75], [113.67, 34.75], [113.67, 34.76], [113.66, 34.75]])),
    )
    assert Zone.objects.count() == 2
    assert Zone.objects.get(name="二七商圈").geometry["coordinates"][0][0] == [113.66, 34.75]


def test_a_bad_file_is_refused_with_the_feature_named_and_nothing_written(client_as, block):
    office = client_as("office")
    beijing = [[116.4, 39.9], [116.5, 39.9], [116.5, 40.0], [116.4, 39.9]]
    for data, words in [
        (geojson(feature("二七商圈"), feature("远处", beijing)), ("2", "district", "区域")),
        (geojson(feature("二七商圈", SQUARE[:-1])), ("1",)),
        (b"{not json", ("JSON",)),
        (json.dumps({"type": "Feature"}).encode(), ("FeatureCollection",)),
    ]:
        response = office.post("/map/zones/", {"file": SimpleUploadedFile("z.geojson", data)})
        assert response.status_code == 400
        assert any(w in response.content.decode() for w in words)
    assert not Zone.objects.exists()


def test_positions_outside_the_district_are_refused(users, task_by_object):
    task = task_by_object("老旧小区改造提升")
    with pytest.raises(ServiceError) as refused:
        services.task_locate(actor=users["office"], task=task, latitude=39.9, longitude=116.4, source="typed")
    assert refused.value.field == "latitude"
    assert not Location.objects.exists()


def test_a_click_on_the_map_is_stored_in_wgs84(client_as, task_by_object):
    task = task_by_object("老旧小区改造提升")
    shown = outline.display(113.665, 34.755)  # where the stored point appears on the GCJ-02 outline
    response = client_as("office").post(f"/map/tasks/{task.pk}/location/", {"map_x": shown[0], "map_y": shown[1]})
    assert response.status_code == 302
    location = Location.objects.get(kind="task", object_id=task.pk)
    assert abs(float(location.longitude) - 113.665) < 1e-5 and abs(float(location.latitude) - 34.755) < 1e-5
    assert location.source == "map"


def test_points_by_light_and_block(users, block, task_by_object, client_as):
    task = task_by_object("老旧小区改造提升")
    services.zones_import(actor=users["office"], data=geojson(feature("二七商圈")))
    services.task_locate(actor=users["office"], task=task, latitude="34.755", longitude="113.665", source="typed")
    from supervision.models import Inspection

    inside = Inspection.objects.create(
        inspected_on=date(2021, 6, 1),
        inspectors="督查室",
        place="现场A",
        latitude=34.75,
        longitude=113.66,
        recorded_by=users["office"],
    )
    Inspection.objects.create(
        inspected_on=date(2021, 6, 1),
        inspectors="督查室",
        place="现场B",
        latitude=34.70,
        longitude=113.60,
        recorded_by=users["office"],
    )
    plan_ids = (task.plan_id,)
    data = map_data(users["leader"], date(2021, 12, 31), plan_ids)
    kinds = {(p["kind"], p["pk"]) for p in data["points"]}
    assert ("task", task.pk) in kinds and ("inspection", inside.pk) in kinds
    zone = Zone.objects.get(name="二七商圈")
    in_block = map_data(users["leader"], date(2021, 12, 31), plan_ids, block=zone.pk)
    assert {p["pk"] for p in in_block["points"] if p["kind"] == "inspection"} == {inside.pk}
    assert ("task", task.pk) in {(p["kind"], p["pk"]) for p in in_block["points"]}
    point = next(p for p in data["points"] if p["kind"] == "task")
    assert point["light"] in ("green", "yellow", "red") and zone.pk in point["zones"]
    assert point["x"] != 113.665  # shifted for display
    only_red = map_data(users["leader"], date(2021, 12, 31), plan_ids, light="red")
    assert all(p["light"] == "red" for p in only_red["points"])
    only_inspections = map_data(users["leader"], date(2021, 12, 31), plan_ids, kinds=("inspection",))
    assert {p["kind"] for p in only_inspections["points"]} == {"inspection"}
    before = map_data(users["leader"], date(2021, 5, 1), plan_ids, kinds=("inspection",))
    assert before["points"] == []  # as of a day before the inspections
    zone_row = next(z for z in data["zones"] if z["name"] == "二七商圈")
    assert zone_row["colour"].startswith("#")
    response = client_as("leader").get("/map/data/", {"plan": task.plan_id, "as_of": "2021-12-31"})
    assert response.status_code == 200 and response.json()["points"]
    assert client_as("leader").get("/map/").status_code == 200


def test_rectification_and_inspection_lights(users, task_by_object):
    """A rectification is red when open past its deadline, yellow while open, green once reported;
    its inspection takes the worst of its open rectifications."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from supervision.models import Finding, Inspection, Rectification

    task = task_by_object("老旧小区改造提升")
    office = users["office"]
    inspection = Inspection.objects.create(
        inspected_on=date(2021, 6, 1),
        inspectors="督查室",
        place="现场C",
        latitude=34.75,
        longitude=113.66,
        recorded_by=office,
    )
    finding = Finding.objects.create(inspection=inspection, text="围挡破损", created_by=office)
    opened = datetime(2021, 6, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    rect = Rectification.objects.create(
        finding=finding,
        unit=task.lead_unit,
        requirement="修复围挡",
        deadline=date(2021, 6, 30),
        opened_by=office,
        opened_at=opened,
    )

    def lights(day):
        data = map_data(users["leader"], day, (task.plan_id,), kinds=("inspection", "rectification"))
        return {p["kind"]: p["light"] for p in data["points"] if p["pk"] in (inspection.pk, rect.pk)}

    assert lights(date(2021, 6, 1)) == {"inspection": "green"}  # the rectification did not exist yet
    assert lights(date(2021, 6, 15)) == {"inspection": "yellow", "rectification": "yellow"}
    assert lights(date(2021, 7, 15)) == {"inspection": "red", "rectification": "red"}
    Rectification.objects.filter(pk=rect.pk).update(state=Rectification.State.REPORTED, reported_at=timezone.now())
    assert lights(date(2021, 7, 15)) == {"inspection": "green", "rectification": "green"}
