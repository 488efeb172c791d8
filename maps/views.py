"""Map pages: /map/ (points and blocks), its JSON, the office's zone import and task positions."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Perm
from core.access import require_perm
from core.middleware import as_of_date
from core.publishing import map_sources
from core.views_helpers import button_post, form_post
from maps import outline, selectors, services
from maps.forms import LocationForm, ZoneImportForm
from maps.models import Location, Zone
from plans.models import Task
from plans.selectors import plans_choose

LIGHTS = ("green", "yellow", "red")


def _filters(request):
    as_of = as_of_date(request)
    choice = plans_choose(request.user, request.GET.getlist("plan"), as_of)
    keys = {s.key for s in map_sources()}
    kinds = tuple(k for k in request.GET.getlist("kind") if k in keys)
    light = request.GET.get("light", "")
    block = request.GET.get("block", "")
    block_id = int(block) if block.isdigit() and len(block) < 10 else None
    return as_of, choice, kinds, (light if light in LIGHTS else ""), block_id


@require_perm(Perm.BUSINESS_READ_ALL)
def map_view(request):
    """地图: tasks, inspections and rectifications by position; block polygons by share of red."""
    as_of, choice, kinds, light, block = _filters(request)
    data = selectors.map_data(request.user, as_of, choice.ids, kinds=kinds, light=light, block=block)
    return render(
        request,
        "maps/map.html",
        {
            "data": data,
            "as_of": as_of,
            "plan_choice": choice,
            "kinds": kinds,
            "light": light,
            "block": block,
            "zones": selectors.zone_list(),
            "sources": map_sources(),
        },
    )


@require_perm(Perm.BUSINESS_READ_ALL)
def map_data_view(request):
    as_of, choice, kinds, light, block = _filters(request)
    return JsonResponse(selectors.map_data(request.user, as_of, choice.ids, kinds=kinds, light=light, block=block))


@require_perm(Perm.PLAN_EDIT)
def zones_view(request):
    """The office imports block and zone polygons (GeoJSON), all or nothing."""
    form = ZoneImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        return form_post(
            request,
            form,
            lambda d: services.zones_import(actor=request.user, data=d["file"].read()),
            success=lambda zones: _("%(n)s polygon(s) imported.") % {"n": len(zones)},
            redirect_to="maps:zones",
            invalid=lambda f: render(
                request, "maps/zones.html", {"form": f, "zones": selectors.zone_list()}, status=400
            ),
        )
    return render(request, "maps/zones.html", {"form": form, "zones": selectors.zone_list()})


@require_POST
@require_perm(Perm.PLAN_EDIT)
def zone_delete_view(request, pk: int):
    zone = get_object_or_404(Zone, pk=pk)
    return button_post(
        request,
        lambda: services.zone_delete(actor=request.user, zone=zone),
        success=_("Polygon removed."),
        redirect_to="maps:zones",
    )


@require_perm(Perm.PLAN_EDIT)
def task_location_view(request, pk: int):
    """A task's position: click on the district map or type WGS-84 coordinates."""
    task = get_object_or_404(Task.objects.select_related("node"), pk=pk, is_deleted=False)
    current = Location.objects.filter(kind="task", object_id=task.pk).first()
    form = LocationForm(
        request.POST or None,
        initial={"latitude": current.latitude, "longitude": current.longitude} if current else None,
    )

    def page(f, status=200):
        point = None
        if current:
            point = outline.display(float(current.longitude), float(current.latitude))
        return render(
            request,
            "maps/location.html",
            {
                "task": task,
                "form": f,
                "current": current,
                "map": {"outline": outline.outline_url(), "district": outline.district_name(), "point": point},
                "shifted": outline.shifts_for_display(),
            },
            status=status,
        )

    if request.method == "POST":
        if request.POST.get("clear") == "1":
            return button_post(
                request,
                lambda: services.task_unlocate(actor=request.user, task=task),
                success=_("Position removed."),
                redirect_to=reverse("maps:task_location", args=[task.pk]),
            )

        def write(d):
            if d.get("latitude") is not None and d.get("longitude") is not None:
                lat, lng, source = d["latitude"], d["longitude"], Location.Source.TYPED
            else:
                lng, lat = outline.stored(d["map_x"], d["map_y"])
                source = Location.Source.MAP
            return services.task_locate(actor=request.user, task=task, latitude=lat, longitude=lng, source=source)

        return form_post(
            request,
            form,
            write,
            success=_("Position saved."),
            redirect_to=reverse("maps:task_location", args=[task.pk]),
            invalid=lambda f: page(f, status=400),
        )
    return page(form)
