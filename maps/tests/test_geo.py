"""The map's pure geometry: GeoJSON checks, point in polygon, the datum shift (plain data, Hypothesis)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maps.geo import (
    Bounds,
    GeoError,
    contains,
    gcj02_to_wgs84,
    parse_features,
    share_colour,
    wgs84_to_gcj02,
)

ERQI = Bounds(113.50, 34.58, 113.72, 34.78)
SQUARE = [[113.60, 34.70], [113.62, 34.70], [113.62, 34.72], [113.60, 34.72], [113.60, 34.70]]


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def feature(name="二七商圈", coordinates=None, kind="Polygon"):
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": kind, "coordinates": coordinates or [SQUARE]},
    }


def problem(data):
    with pytest.raises(GeoError) as refused:
        parse_features(data, within=ERQI)
    return refused.value.problem


def test_a_valid_polygon_and_multipolygon_are_read():
    features = parse_features(collection(feature(), feature("马寨", [[SQUARE]], "MultiPolygon")), within=ERQI)
    assert [f.name for f in features] == ["二七商圈", "马寨"]
    assert features[0].geometry()["type"] == "Polygon" and features[1].geometry()["type"] == "Polygon"


@pytest.mark.parametrize(
    ("data", "code", "index"),
    [
        ({"type": "Feature"}, "not_feature_collection", 0),
        (collection(), "no_features", 0),
        (collection(feature(coordinates=[SQUARE[:-1]])), "ring_not_closed", 1),
        (collection(feature(), feature("b", [SQUARE[:3]])), "ring_too_short", 2),
        (collection(feature(coordinates=[[[113.6, "x"], *SQUARE[1:]]])), "bad_position", 1),
        (collection(feature(kind="LineString")), "not_polygon", 1),
        (collection(feature(name="")), "no_name", 1),
        (collection(feature(), feature()), "duplicate_name", 2),
        (
            collection(feature(coordinates=[[[116.4, 39.9], [116.5, 39.9], [116.5, 40.0], [116.4, 39.9]]])),
            "outside_district",
            1,
        ),
    ],
)
def test_each_problem_is_named_with_its_feature(data, code, index):
    found = problem(data)
    assert (found.code, found.feature) == (code, index)


def test_point_in_polygon_with_a_hole():
    hole = [[113.605, 34.705], [113.615, 34.705], [113.615, 34.715], [113.605, 34.715], [113.605, 34.705]]
    polygons = parse_features(collection(feature(coordinates=[SQUARE, hole])))[0].polygons
    assert contains(polygons, 113.601, 34.701)
    assert not contains(polygons, 113.61, 34.71)  # in the hole
    assert not contains(polygons, 113.63, 34.71)


def test_the_shift_is_a_few_hundred_metres_near_zhengzhou():
    lng, lat = wgs84_to_gcj02(113.64, 34.72)
    assert 0.003 < abs(lng - 113.64) + abs(lat - 34.72) < 0.01


@given(st.floats(113.0, 114.2), st.floats(34.2, 35.0))
def test_the_inverse_shift_returns_the_stored_point(lng, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lng, lat))
    assert abs(back[0] - lng) < 1e-6 and abs(back[1] - lat) < 1e-6


def test_share_colour_goes_from_green_to_red():
    assert share_colour(None) == "#e8ecef"
    assert share_colour(0) == "#c8e6c9" and share_colour(0.9) == "#e57373"
