"""Writes of the map: importing zone polygons and setting an item's position."""

import json
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from maps import geo, outline
from maps.models import Location, Zone
from plans.models import DimensionTag, Task

MAX_GEOJSON_BYTES = 2 * 1024 * 1024

# msgids (English; zh_Hans in locale/), worded with the feature's number and what was found.
GEO_MESSAGES = {
    "not_json": "The file is not JSON (GeoJSON).",
    "not_feature_collection": "The file must be a GeoJSON FeatureCollection.",
    "no_features": "The file holds no features.",
    "too_many_features": "The file holds more than %(n)s features.",
    "not_feature": "Feature %(i)s is not a GeoJSON Feature.",
    "no_name": "Feature %(i)s has no name (properties.name).",
    "duplicate_name": "Feature %(i)s: the name %(d)s appears twice.",
    "bad_geometry": "Feature %(i)s: the geometry is missing or malformed.",
    "not_polygon": "Feature %(i)s: the geometry must be a Polygon or MultiPolygon, not %(d)s.",
    "ring_too_short": "Feature %(i)s: a ring needs at least 4 positions.",
    "ring_not_closed": "Feature %(i)s: a ring is not closed (its last position must repeat the first).",
    "bad_position": "Feature %(i)s: a position is not a longitude and latitude in degrees.",
    "too_many_points": "Feature %(i)s: the file has too many positions (at most %(n)s).",
    "outside_district": "Feature %(i)s: the point %(d)s lies outside the district.",
}


def geo_message(problem: geo.GeoProblem) -> str:
    limit = geo.MAX_POINTS if problem.code == "too_many_points" else geo.MAX_FEATURES
    return _(GEO_MESSAGES[problem.code]) % {"i": problem.feature, "d": problem.detail, "n": limit}


@transaction.atomic
def zones_import(*, actor, data: bytes, is_demo: bool = False) -> list[Zone]:
    """Import named polygons (GeoJSON FeatureCollection, WGS-84): all or nothing, clear errors.

    A feature named like a core block (a dimension tag of kind block) becomes that block's polygon;
    other names are zones. A name already imported is replaced.
    """
    if len(data) > MAX_GEOJSON_BYTES:
        raise ServiceError(_("The file is larger than 2 MB."), field="file")
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ServiceError(geo_message(geo.GeoProblem("not_json")), field="file") from None
    try:
        features = geo.parse_features(parsed, within=outline.accepted_bounds())
    except geo.GeoError as exc:
        raise ServiceError(geo_message(exc.problem), field="file") from None
    blocks = {t.name: t for t in DimensionTag.objects.filter(kind=DimensionTag.Kind.BLOCK)}
    zones = []
    for feature in features:
        tag = blocks.get(feature.name)
        zone, created = Zone.objects.update_or_create(
            name=feature.name,
            defaults={"geometry": feature.geometry(), "tag": tag, "is_demo": is_demo, "imported_by": actor},
        )
        zones.append(zone)
        audit_record(actor=actor, verb="zone.import", obj=zone, after={"name": zone.name, "block": bool(tag)})
    return zones


@transaction.atomic
def zone_delete(*, actor, zone: Zone) -> None:
    audit_record(actor=actor, verb="zone.delete", obj=zone)
    zone.delete()


def _degrees(value, *, field: str, label: str, low: float, high: float) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    except ArithmeticError:
        raise ServiceError(_("%(f)s: enter a number of degrees.") % {"f": label}, field=field) from None
    if not number.is_finite() or not low <= float(number) <= high:
        raise ServiceError(_("%(f)s: the position lies outside the district.") % {"f": label}, field=field)
    return number


@transaction.atomic
def task_locate(*, actor, task: Task, latitude, longitude, source: str) -> Location:
    """Set a task's position (WGS-84), within the district's bounds."""
    box = outline.accepted_bounds()
    lat = _degrees(latitude, field="latitude", label=_("Latitude"), low=box.south, high=box.north)
    lng = _degrees(longitude, field="longitude", label=_("Longitude"), low=box.west, high=box.east)
    location, _created = Location.objects.update_or_create(
        kind="task",
        object_id=task.pk,
        defaults={"latitude": lat, "longitude": lng, "source": source, "set_by": actor},
    )
    audit_record(actor=actor, verb="task.locate", obj=task, after={"lat": str(lat), "lng": str(lng), "source": source})
    return location


@transaction.atomic
def task_unlocate(*, actor, task: Task) -> None:
    Location.objects.filter(kind="task", object_id=task.pk).delete()
    audit_record(actor=actor, verb="task.unlocate", obj=task)
