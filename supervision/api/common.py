"""What the supervision endpoints share: the router, error and file schemas, the small input schemas."""

from datetime import date

from django.utils.translation import gettext as _
from ninja import Router

from accounts.roles import Perm
from core.api import In, Out
from core.errors import ServiceError
from org.models import Unit
from supervision.models import (
    Attachment,
)

router = Router(tags=["supervision"])
READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)
UNIT_ROLES = (Perm.REPORT_DRAFT, Perm.REPORT_APPROVE)


class ErrorOut(Out):
    detail: str
    field: str | None = None


class FileOut(Out):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    stage: str
    latitude: float | None
    longitude: float | None
    url: str


class TextIn(In):
    text: str = ""


class ReasonIn(In):
    reason: str = ""
    due_date: date | None = None


class NoteIn(In):
    note: str = ""


def as_float(value) -> float | None:
    return None if value is None else float(value)


def file_out(a: Attachment) -> dict:
    return {
        "id": a.pk,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "stage": a.stage,
        "latitude": as_float(a.latitude),
        "longitude": as_float(a.longitude),
        "url": f"/supervision/files/{a.pk}/",
    }


class TargetIn(In):
    """A supervised object: its kind (task, project, …: supervision.targets) and id."""

    kind: str
    id: int


class TargetOut(Out):
    kind: str
    id: int
    title: str
    url: str


def target_in(request, item: TargetIn, field: str = "targets"):
    """The object, access-checked (404 outside the caller's scope); an unknown kind is a 400 naming the field."""
    from supervision.targets import msg_unknown_kind, target_get_for_user

    try:
        return target_get_for_user(request.user, item.kind, item.id)
    except LookupError:
        raise ServiceError(msg_unknown_kind(item.kind), field=field) from None


def targets_out(objects) -> list[dict]:
    from supervision.targets import target_view

    return [target_view(obj).as_dict() for obj in objects]


def unit_by_id(pk: int | None, field: str) -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise ServiceError(_("Unknown id %(id)s.") % {"id": pk}, field=field)
    return unit
