"""The map's point sources for tasks, inspections and rectifications (core.publishing's registry).

Registered by `MapsConfig.ready()`; projects and enterprises register their own sources the same way.
Positions are WGS-84 as stored; lights: a task's shown light on the day; an inspection is red when a
rectification it opened is past its deadline and still open, yellow while any is open, else green; a
rectification red when open past its deadline, yellow while open, green once reported, verified or closed.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.publishing import MapPoint, MapQuery, MapSource, register_map_source
from maps.models import Location
from plans.models import Task
from reports.selectors import group_keys
from reports.snapshots import lights_on
from supervision.models import Rectification
from supervision.selectors import inspection_scope, rectification_scope


def task_points(query: MapQuery) -> list[MapPoint]:
    placed = Location.objects.filter(kind="task")
    located = {
        pk: (float(lat), float(lng)) for pk, lat, lng in placed.values_list("object_id", "latitude", "longitude")
    }
    if not located:
        return []
    tasks = list(
        # A semi-join, not the ids: every located task of a city may be more than one statement binds.
        Task.objects.filter(pk__in=placed.values("object_id"), plan_id__in=query.plan_ids, is_deleted=False)
        .select_related("node", "lead_unit")
        .only("pk", "code", "node__title", "node__path", "lead_unit__name", "plan_id")
    )
    # A task located after `located` was read is shown from the next request on.
    tasks = [t for t in tasks if t.pk in located]
    lights = lights_on(query.as_of, [t.pk for t in tasks])
    blocks = group_keys(tasks, "block")
    return [
        MapPoint(
            kind="task",
            pk=t.pk,
            title=f"{t.code} {t.node.title}",
            lat=located[t.pk][0],
            lng=located[t.pk][1],
            light=lights[t.pk][1].value if t.pk in lights else "",
            url=reverse("plans:task_detail", args=[t.pk]),
            detail=t.lead_unit.name if t.lead_unit else "",
            block_ids=tuple(g.ref for g in blocks[t.pk] if g.ref),
        )
        for t in tasks
    ]


def _rectification_light(r: Rectification, day) -> str:
    if r.state in Rectification.OPEN_STATES:
        return "red" if r.deadline < day else "yellow"
    return "green"


def inspection_points(query: MapQuery) -> list[MapPoint]:
    inspections = list(
        inspection_scope(query.user)
        .filter(inspected_on__lte=query.as_of, latitude__isnull=False, longitude__isnull=False)
        .prefetch_related("findings__rectification")
    )
    points = []
    for i in inspections:
        lights = {
            _rectification_light(f.rectification, query.as_of)
            for f in i.findings.all()
            if hasattr(f, "rectification") and f.rectification.opened_at.date() <= query.as_of
        }
        light = "red" if "red" in lights else "yellow" if "yellow" in lights else "green"
        points.append(
            MapPoint(
                kind="inspection",
                pk=i.pk,
                title=f"{i.inspected_on:%Y-%m-%d} {i.place}",
                lat=float(str(i.latitude)),
                lng=float(str(i.longitude)),
                light=light,
                url=reverse("supervision:inspection_detail", args=[i.pk]),
            )
        )
    return points


def rectification_points(query: MapQuery) -> list[MapPoint]:
    rows = (
        rectification_scope(query.user)
        .filter(
            Q(finding__inspection__latitude__isnull=False),
            finding__inspection__longitude__isnull=False,
            opened_at__date__lte=query.as_of,
        )
        .select_related("unit", "finding__inspection")
    )
    return [
        MapPoint(
            kind="rectification",
            pk=r.pk,
            title=r.requirement[:40],
            lat=float(str(r.finding.inspection.latitude)),
            lng=float(str(r.finding.inspection.longitude)),
            light=_rectification_light(r, query.as_of),
            url=reverse("supervision:rectification_detail", args=[r.pk]),
            detail=r.unit.name,
        )
        for r in rows
    ]


def register() -> None:
    register_map_source(MapSource("task", _("Tasks"), task_points))
    register_map_source(MapSource("inspection", _("Inspections"), inspection_points))
    register_map_source(MapSource("rectification", _("Rectifications"), rectification_points))
