"""Geometry for the map, pure (no Django): GeoJSON checks, point in polygon, datum shift for display.

Stored coordinates are WGS-84 (what a phone's GPS writes and what people type). Chinese map data,
the district outline included, is published in GCJ-02 (the "Mars" datum, offset by a few hundred
metres); the map converts points and block polygons to the outline's datum for display only
(`wgs84_to_gcj02`), and a click on the map back to WGS-84 (`gcj02_to_wgs84`) before it is stored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Ring = list[tuple[float, float]]  # (lng, lat)
Polygon = list[Ring]  # outer ring, then holes

MAX_FEATURES = 50
MAX_POINTS = 20_000


@dataclass(frozen=True)
class Bounds:
    west: float
    south: float
    east: float
    north: float

    def contains(self, lng: float, lat: float) -> bool:
        return self.west <= lng <= self.east and self.south <= lat <= self.north

    def grown(self, degrees: float) -> Bounds:
        return Bounds(self.west - degrees, self.south - degrees, self.east + degrees, self.north + degrees)


@dataclass(frozen=True)
class GeoProblem:
    """What is wrong, where: `code` picks the message, `feature` is 1-based (0: the file itself)."""

    code: str
    feature: int = 0
    detail: str = ""


class GeoError(ValueError):
    def __init__(self, problem: GeoProblem) -> None:
        super().__init__(problem.code)
        self.problem = problem


@dataclass(frozen=True)
class Feature:
    name: str
    polygons: list[Polygon]  # a Polygon is one; a MultiPolygon several

    def geometry(self) -> dict[str, Any]:
        if len(self.polygons) == 1:
            return {"type": "Polygon", "coordinates": [[list(p) for p in ring] for ring in self.polygons[0]]}
        return {
            "type": "MultiPolygon",
            "coordinates": [[[list(p) for p in ring] for ring in poly] for poly in self.polygons],
        }


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _ring(raw: object, index: int, points: list[int]) -> Ring:
    if not isinstance(raw, list) or len(raw) < 4:
        raise GeoError(GeoProblem("ring_too_short", index))
    ring: Ring = []
    for position in raw:
        if not isinstance(position, list) or len(position) < 2:
            raise GeoError(GeoProblem("bad_position", index))
        lng, lat = _number(position[0]), _number(position[1])
        if lng is None or lat is None or not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise GeoError(GeoProblem("bad_position", index, str(position[:2])))
        ring.append((lng, lat))
    points[0] += len(ring)
    if points[0] > MAX_POINTS:
        raise GeoError(GeoProblem("too_many_points", index))
    if ring[0] != ring[-1]:
        raise GeoError(GeoProblem("ring_not_closed", index))
    return ring


def _polygon(raw: object, index: int, points: list[int]) -> Polygon:
    if not isinstance(raw, list) or not raw:
        raise GeoError(GeoProblem("bad_geometry", index))
    return [_ring(r, index, points) for r in raw]


def parse_features(data: object, *, within: Bounds | None = None) -> list[Feature]:
    """The named polygons of a GeoJSON FeatureCollection, all checked, or GeoError for the first problem.

    Each feature needs `properties.name` and a Polygon or MultiPolygon geometry whose rings are closed
    (first position = last) and lie inside `within` (the district's bounds with a margin).
    """
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeoError(GeoProblem("not_feature_collection"))
    raw_features = data.get("features")
    if not isinstance(raw_features, list) or not raw_features:
        raise GeoError(GeoProblem("no_features"))
    if len(raw_features) > MAX_FEATURES:
        raise GeoError(GeoProblem("too_many_features"))
    features: list[Feature] = []
    points = [0]
    seen: set[str] = set()
    for index, raw in enumerate(raw_features, start=1):
        if not isinstance(raw, dict) or raw.get("type") != "Feature":
            raise GeoError(GeoProblem("not_feature", index))
        properties = raw.get("properties") or {}
        name = properties.get("name") if isinstance(properties, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise GeoError(GeoProblem("no_name", index))
        name = name.strip()
        if name in seen:
            raise GeoError(GeoProblem("duplicate_name", index, name))
        seen.add(name)
        geometry = raw.get("geometry")
        if not isinstance(geometry, dict):
            raise GeoError(GeoProblem("bad_geometry", index))
        kind, coordinates = geometry.get("type"), geometry.get("coordinates")
        if kind == "Polygon":
            polygons = [_polygon(coordinates, index, points)]
        elif kind == "MultiPolygon" and isinstance(coordinates, list) and coordinates:
            polygons = [_polygon(c, index, points) for c in coordinates]
        else:
            raise GeoError(GeoProblem("not_polygon", index, str(kind)))
        if within is not None:
            for polygon in polygons:
                for lng, lat in polygon[0]:
                    if not within.contains(lng, lat):
                        raise GeoError(GeoProblem("outside_district", index, f"{lng:.5f}, {lat:.5f}"))
        features.append(Feature(name, polygons))
    return features


def bounds_of(polygons: Iterable[Polygon]) -> Bounds:
    lngs: list[float] = []
    lats: list[float] = []
    for polygon in polygons:
        for lng, lat in polygon[0]:
            lngs.append(lng)
            lats.append(lat)
    return Bounds(min(lngs), min(lats), max(lngs), max(lats))


def polygons_of(geometry: dict[str, Any]) -> list[Polygon]:
    """A stored (already checked) Polygon or MultiPolygon geometry as polygons of (lng, lat) rings."""
    raw = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [[[(float(p[0]), float(p[1])) for p in ring] for ring in poly] for poly in raw]


def _in_ring(lng: float, lat: float, ring: Sequence[tuple[float, float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def contains(polygons: Iterable[Polygon], lng: float, lat: float) -> bool:
    """Whether the point lies inside any polygon (inside its outer ring and outside its holes)."""
    return any(_in_ring(lng, lat, p[0]) and not any(_in_ring(lng, lat, h) for h in p[1:]) for p in polygons)


# --- datum shift (GCJ-02), the published algorithm ---------------------------------------------------

_A = 6378245.0
_EE = 0.00669342162296594323


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    d_lat = _transform_lat(lng - 105.0, lat - 35.0)
    d_lng = _transform_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lng + d_lng, lat + d_lat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """The inverse by fixed-point iteration (the forward shift varies slowly): within 1e-7° in a few steps."""
    w_lng, w_lat = lng, lat
    for _ in range(10):
        g_lng, g_lat = wgs84_to_gcj02(w_lng, w_lat)
        d_lng, d_lat = g_lng - lng, g_lat - lat
        w_lng, w_lat = w_lng - d_lng, w_lat - d_lat
        if abs(d_lng) < 1e-9 and abs(d_lat) < 1e-9:
            break
    return w_lng, w_lat


def shift_polygons(polygons: Iterable[Polygon]) -> list[Polygon]:
    return [[[wgs84_to_gcj02(lng, lat) for lng, lat in ring] for ring in poly] for poly in polygons]


def share_colour(share: float | None) -> str:
    """A block's fill by its share of red items: pale green (none red) through amber to red (half or more)."""
    if share is None:
        return "#e8ecef"
    stops = [(0.0, (200, 230, 201)), (0.15, (255, 224, 130)), (0.5, (229, 115, 115))]
    share = max(0.0, min(share, 0.5))
    for (s0, c0), (s1, c1) in zip(stops, stops[1:], strict=False):
        if share <= s1:
            t = (share - s0) / (s1 - s0)
            r, g, b = (round(a + (z - a) * t) for a, z in zip(c0, c1, strict=True))
            return f"#{r:02x}{g:02x}{b:02x}"
    return "#e57373"
