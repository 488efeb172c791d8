"""Reads of the map: the points of every registered source and the zones coloured by share of red.

One payload (`map_data`) feeds the /map/ page, its JSON and the wall screen's map panel. Positions
and polygons are stored in WGS-84 and shifted to the outline's datum for display (maps.outline).
"""

from collections import Counter
from dataclasses import asdict
from datetime import date

from core.publishing import MapQuery, map_sources
from maps import geo, outline
from maps.models import Zone
from reports.selectors import rollups

LIGHTS = ("green", "yellow", "red")


def zone_list() -> list[Zone]:
    return list(Zone.objects.select_related("tag").order_by("name"))


def map_data(
    user, as_of: date, plan_ids: tuple[int, ...], *, kinds=(), light: str = "", block: int | None = None
) -> dict:
    """Points (display datum) by source, filtered by kind, light and block, and the zones with their counts.

    A block's items are the tasks tagged with it (over the chosen plans) and the located points inside
    its polygon; its colour is the share of those that are red.
    """
    zones = zone_list()
    polygons = {z.pk: geo.polygons_of(z.geometry) for z in zones}
    query = MapQuery(as_of=as_of, plan_ids=plan_ids, user=user)
    sources = [s for s in map_sources() if not kinds or s.key in kinds]
    points = []
    for source in sources:
        for p in source.points(query):
            inside = tuple(z.pk for z in zones if geo.contains(polygons[z.pk], p.lng, p.lat))
            points.append((p, inside))
    if light in LIGHTS:
        points = [(p, inside) for p, inside in points if p.light == light]
    chosen = next((z for z in zones if z.pk == block), None)
    if chosen is not None:
        points = [(p, inside) for p, inside in points if chosen.pk in inside or (chosen.tag_id or -1) in p.block_ids]
    by_tag = {r.ref: r for r in rollups(user, "block", as_of, plans=plan_ids)} if any(z.tag_id for z in zones) else {}
    zone_rows = []
    for z in zones:
        counts: Counter[str] = Counter()
        if z.tag_id in by_tag:
            counts.update({k.value: v for k, v in by_tag[z.tag_id].rollup.by_light.items()})
        for p, inside in points:
            # A located task tagged with this block is already in the block's rollup: not counted twice.
            if z.pk in inside and not (p.kind == "task" and z.tag_id in p.block_ids):
                counts[p.light] += 1
        total = sum(counts[k] for k in LIGHTS)
        share = counts["red"] / total if total else None
        zone_rows.append(
            {
                "id": z.pk,
                "name": z.name,
                "block": z.tag_id,
                "demo": z.is_demo,
                "counts": {k: counts[k] for k in LIGHTS},
                "total": total,
                "red_share": round(share, 3) if share is not None else None,
                "colour": geo.share_colour(share),
                "geometry": _display_geometry(polygons[z.pk]),
            }
        )
    shown = []
    for p, inside in points:
        lng, lat = outline.display(p.lng, p.lat)
        row = asdict(p)
        row.update({"x": round(lng, 6), "y": round(lat, 6), "zones": list(inside)})
        shown.append(row)
    return {
        "as_of": as_of.isoformat(),
        "outline": outline.outline_url(),
        "district": outline.district_name(),
        "shifted": outline.shifts_for_display(),
        "sources": [{"key": s.key, "label": str(s.label)} for s in map_sources()],
        "points": shown,
        "zones": zone_rows,
        "counts": {k: sum(1 for p, _i in points if p.light == k) for k in LIGHTS},
    }


def _display_geometry(polygons: list[geo.Polygon]) -> dict:
    shifted = geo.shift_polygons(polygons) if outline.shifts_for_display() else polygons
    return {
        "type": "MultiPolygon",
        "coordinates": [[[[round(x, 6), round(y, 6)] for x, y in ring] for ring in poly] for poly in shifted],
    }
