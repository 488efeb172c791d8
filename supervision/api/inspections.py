"""API of 实地督查 and 整改: inspections, findings, rectification items."""

from datetime import date
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Status
from ninja.files import UploadedFile

from accounts.roles import Perm
from core.api import In, Out, require_api_perm
from core.errors import ServiceError
from plans.models import Task
from plans.selectors import task_scope
from supervision import services
from supervision.api.common import (
    READ,
    UNIT_ROLES,
    ErrorOut,
    FileOut,
    ReasonIn,
    TargetIn,
    TargetOut,
    TextIn,
    as_float,
    file_out,
    router,
    target_in,
    targets_out,
    unit_by_id,
)
from supervision.models import (
    Inspection,
    Rectification,
)
from supervision.selectors import (
    finding_get_for_user,
    inspection_get_for_user,
    inspection_list,
    rectification_get_for_user,
    rectification_list,
)


class FindingOut(Out):
    id: int
    text: str
    task_id: int | None
    target: TargetOut | None
    rectification_id: int | None


class InspectionOut(Out):
    id: int
    inspected_on: date
    inspectors: str
    place: str
    latitude: float | None
    longitude: float | None
    coordinates_source: str
    summary: str
    task_ids: list[int]
    targets: list[TargetOut]
    findings: list[FindingOut]
    photos: list[FileOut]


class InspectionIn(In):
    inspected_on: date | None = None
    inspectors: str = Field("", max_length=Inspection._meta.get_field("inspectors").max_length)
    place: str = Field("", max_length=Inspection._meta.get_field("place").max_length)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    task_ids: list[int] = []
    targets: list[TargetIn] = []
    summary: str = ""


class FindingIn(In):
    text: str = ""
    task_id: int | None = None  # a task the inspection visited
    target: TargetIn | None = None  # or any object it visited


class RectificationOut(Out):
    id: int
    finding_id: int
    unit_id: int
    unit: str
    requirement: str
    deadline: date
    state: str
    report: str
    return_reason: str
    files: list[FileOut]


class RectificationIn(In):
    unit_id: int | None = None
    deadline: date | None = None
    requirement: str = ""


def finding_out(f) -> dict:
    about = f.target if f.target_type_id else None
    return {
        "id": f.pk,
        "text": f.text,
        "task_id": about.pk if isinstance(about, Task) else None,
        "target": targets_out([about])[0] if about is not None else None,
        "rectification_id": getattr(getattr(f, "rectification", None), "pk", None),
    }


def inspection_out(i: Inspection) -> dict:
    visited = i.target_objects()
    return {
        "id": i.pk,
        "inspected_on": i.inspected_on,
        "inspectors": i.inspectors,
        "place": i.place,
        "latitude": as_float(i.latitude),
        "longitude": as_float(i.longitude),
        "coordinates_source": i.coordinates_source,
        "summary": i.summary,
        "task_ids": [o.pk for o in visited if isinstance(o, Task)],
        "targets": targets_out(visited),
        "findings": [finding_out(f) for f in i.findings.all()],
        "photos": [file_out(a) for a in i.attachments.all()],
    }


@router.get("/inspections", response=list[InspectionOut])
def inspections(request):
    require_api_perm(request, Perm.BUSINESS_READ_ALL)
    return [inspection_out(i) for i in inspection_list(request.user).prefetch_related("attachments")]


@router.get("/inspections/{inspection_id}", response=InspectionOut)
def inspection_detail(request, inspection_id: int):
    require_api_perm(request, Perm.BUSINESS_READ_ALL)
    return inspection_out(inspection_get_for_user(request.user, inspection_id))


@router.post("/inspections", response={201: InspectionOut, 400: ErrorOut, 403: ErrorOut})
def inspection_record(request, payload: InspectionIn):
    """实地督查 (JSON; add photos with POST /inspections/{id}/photos)."""
    require_api_perm(request, Perm.PLAN_EDIT)
    tasks = list(task_scope(request.user).filter(pk__in=payload.task_ids))
    if len(tasks) != len(set(payload.task_ids)):
        raise ServiceError(_("Unknown task in task_ids."), field="task_ids")
    inspection = services.inspection_record(
        actor=request.user,
        inspected_on=payload.inspected_on,
        inspectors=payload.inspectors,
        place=payload.place,
        tasks=tasks,
        targets=[target_in(request, t) for t in payload.targets],
        summary=payload.summary,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )
    return Status(201, inspection_out(inspection_get_for_user(request.user, inspection.pk)))


# `files` is optional; `| None` instead of the ignore would change the OpenAPI document's schema.
@router.post("/inspections/{inspection_id}/photos", response={201: InspectionOut, 400: ErrorOut, 403: ErrorOut})
def inspection_photos(request, inspection_id: int, files: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    """Photos (multipart `files`); without typed coordinates the first photo's GPS sets the place."""
    require_api_perm(request, Perm.PLAN_EDIT)
    inspection = inspection_get_for_user(request.user, inspection_id)
    services.inspection_add_photos(actor=request.user, inspection=inspection, photos=list(files or []))
    return Status(201, inspection_out(inspection_get_for_user(request.user, inspection_id)))


@router.post("/inspections/{inspection_id}/findings", response={201: FindingOut, 400: ErrorOut, 403: ErrorOut})
def finding_add(request, inspection_id: int, payload: FindingIn):
    require_api_perm(request, Perm.PLAN_EDIT)
    inspection = inspection_get_for_user(request.user, inspection_id)
    # A finding is about an object the inspection visited (by task_id, or by kind and id), or none.
    visited = {(type(o), o.pk): o for o in inspection.target_objects()}
    about = None
    if payload.target is not None:
        about = target_in(request, payload.target, field="target")
        if (type(about), about.pk) not in visited:
            raise Http404
    elif payload.task_id:
        about = visited.get((Task, payload.task_id))
        if about is None:
            raise Http404
    finding = services.finding_add(actor=request.user, inspection=inspection, text=payload.text, target=about)
    return Status(201, finding_out(finding))


def rectification_out(r: Rectification) -> dict:
    return {
        "id": r.pk,
        "finding_id": r.finding_id,
        "unit_id": r.unit_id,
        "unit": r.unit.name,
        "requirement": r.requirement,
        "deadline": r.deadline,
        "state": r.state,
        "report": r.report,
        "return_reason": r.return_reason,
        "files": [file_out(a) for a in r.attachments.all()],
    }


@router.get("/rectifications", response=list[RectificationOut])
def rectifications(request, show: str = "open"):
    require_api_perm(request, *READ)
    return [rectification_out(r) for r in rectification_list(request.user, show=show).prefetch_related("attachments")]


@router.get("/rectifications/{rectification_id}", response=RectificationOut)
def rectification_detail(request, rectification_id: int):
    require_api_perm(request, *READ)
    return rectification_out(rectification_get_for_user(request.user, rectification_id))


@router.post("/findings/{finding_id}/rectification", response={201: RectificationOut, 400: ErrorOut, 403: ErrorOut})
def rectification_open(request, finding_id: int, payload: RectificationIn):
    """整改: assign the finding to a unit with a deadline (a working day)."""
    require_api_perm(request, Perm.PLAN_EDIT)
    finding = finding_get_for_user(request.user, finding_id)
    unit = unit_by_id(payload.unit_id, "unit_id")
    if unit is None:
        raise ServiceError(_("Choose the unit that must rectify."), field="unit_id")
    item = services.rectification_open(
        actor=request.user, finding=finding, unit=unit, deadline=payload.deadline, requirement=payload.requirement
    )
    return Status(201, rectification_out(item))


# `files` is optional; `| None` instead of the ignore would change the OpenAPI document's schema.
@router.post(
    "/rectifications/{rectification_id}/report", response={200: RectificationOut, 400: ErrorOut, 403: ErrorOut}
)
def rectification_report(request, rectification_id: int, payload: Form[TextIn], files: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    """The unit reports the rectification done: multipart `text` and after photos `files`."""
    require_api_perm(request, *UNIT_ROLES)
    item = rectification_get_for_user(request.user, rectification_id)
    uploads = list(files or [])
    services.rectification_report(actor=request.user, item=item, text=payload.text, photos=uploads)
    return Status(200, rectification_out(rectification_get_for_user(request.user, rectification_id)))


@router.post(
    "/rectifications/{rectification_id}/verify", response={200: RectificationOut, 400: ErrorOut, 403: ErrorOut}
)
def rectification_verify(request, rectification_id: int):
    require_api_perm(request, Perm.PLAN_EDIT)
    item = rectification_get_for_user(request.user, rectification_id)
    return Status(200, rectification_out(services.rectification_verify(actor=request.user, item=item)))


@router.post(
    "/rectifications/{rectification_id}/return", response={200: RectificationOut, 400: ErrorOut, 403: ErrorOut}
)
def rectification_return(request, rectification_id: int, payload: ReasonIn):
    require_api_perm(request, Perm.PLAN_EDIT)
    item = rectification_get_for_user(request.user, rectification_id)
    return Status(
        200, rectification_out(services.rectification_return(actor=request.user, item=item, reason=payload.reason))
    )


@router.post("/rectifications/{rectification_id}/close", response={200: RectificationOut, 400: ErrorOut, 403: ErrorOut})
def rectification_close(request, rectification_id: int):
    require_api_perm(request, Perm.PLAN_EDIT)
    item = rectification_get_for_user(request.user, rectification_id)
    return Status(200, rectification_out(services.rectification_close(actor=request.user, item=item)))
