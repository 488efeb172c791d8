"""实地督查 and 整改: site inspections, their findings and the rectification items opened on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from audit.services import audit_record
from core import uploads
from core.errors import ServiceError
from core.workcalendar import refuse_outside_calendar, work_calendar
from core.workdays import WorkCalendar
from notifications.services import notify
from org.models import Unit
from supervision.models import (
    Attachment,
    Finding,
    Inspection,
    InspectionTarget,
    Rectification,
)
from supervision.services.common import (
    Upload,
    checked_targets,
    forbidden,
    in_unit,
    link_targets,
    msg_not_workday,
    office_people,
    require_office,
    say,
    store_attachments,
    target_label,
    unit_people,
    wrong_state,
)

# --- site inspections and rectifications ----------------------------------------------------------


def _coordinates(latitude: Decimal | None, longitude: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    if (latitude is None) != (longitude is None):
        raise ServiceError(_("Give both latitude and longitude, or neither."), field="latitude")
    if latitude is not None and not (-90 <= latitude <= 90):
        raise ServiceError(_("The latitude must be between -90 and 90."), field="latitude")
    if longitude is not None and not (-180 <= longitude <= 180):
        raise ServiceError(_("The longitude must be between -180 and 180."), field="longitude")
    return latitude, longitude


@uploads.atomic
def inspection_record(
    *,
    actor: User,
    inspected_on: date | None,
    inspectors: str,
    place: str,
    tasks: Sequence = (),
    targets: Sequence = (),
    summary: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photos: Sequence[Upload] = (),
) -> Inspection:
    """实地督查: the office records a site visit; without typed coordinates, the first photo's GPS is used."""
    require_office(actor)
    if inspected_on is None:
        raise ServiceError(_("Give the date of the inspection."), field="inspected_on")
    if inspected_on > timezone.localdate():
        raise ServiceError(_("An inspection cannot be recorded for a future date."), field="inspected_on")
    inspectors, place = inspectors.strip(), place.strip()
    if not inspectors:
        raise ServiceError(_("Name the inspectors."), field="inspectors")
    if not place:
        raise ServiceError(_("Give the place visited."), field="place")
    latitude, longitude = _coordinates(latitude, longitude)
    visited = checked_targets(actor, [*tasks, *targets], field="tasks" if tasks and not targets else "targets")
    checked = uploads.validate_uploads(photos, kind=uploads.PHOTO)
    source = Inspection.CoordinatesSource.TYPED if latitude is not None else Inspection.CoordinatesSource.NONE
    inspection = Inspection.objects.create(
        inspected_on=inspected_on,
        inspectors=inspectors,
        place=place,
        summary=summary.strip(),
        latitude=latitude,
        longitude=longitude,
        coordinates_source=source,
        recorded_by=actor,
    )
    link_targets(InspectionTarget, visited, inspection=inspection)
    attachments = store_attachments(actor, checked, inspection=inspection)
    if latitude is None:
        located = next((a for a in attachments if a.latitude is not None), None)
        if located is not None:
            inspection.latitude, inspection.longitude = located.latitude, located.longitude
            inspection.coordinates_source = Inspection.CoordinatesSource.PHOTO
            inspection.save(update_fields=["latitude", "longitude", "coordinates_source"])
    audit_record(
        actor=actor,
        verb="inspection.record",
        obj=inspection,
        after={
            "inspected_on": inspected_on,
            "place": place,
            "inspectors": inspectors,
            "latitude": inspection.latitude,
            "longitude": inspection.longitude,
            "coordinates_source": inspection.coordinates_source,
            "targets": [target_label(o) for o in visited],
            "photos": [a.sha256 for a in attachments],
        },
    )
    return inspection


@uploads.atomic
def inspection_add_photos(*, actor: User, inspection: Inspection, photos: Sequence[Upload]) -> list[Attachment]:
    require_office(actor)
    if not photos:
        raise ServiceError(_("Choose at least one photo."), field="files")
    checked = uploads.validate_uploads(photos, kind=uploads.PHOTO)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    attachments = store_attachments(actor, checked, inspection=inspection)
    if inspection.latitude is None:
        located = next((a for a in attachments if a.latitude is not None), None)
        if located is not None:
            inspection.latitude, inspection.longitude = located.latitude, located.longitude
            inspection.coordinates_source = Inspection.CoordinatesSource.PHOTO
            inspection.save(update_fields=["latitude", "longitude", "coordinates_source"])
    audit_record(
        actor=actor, verb="inspection.photos", obj=inspection, after={"photos": [a.sha256 for a in attachments]}
    )
    return attachments


@transaction.atomic
def finding_add(*, actor: User, inspection: Inspection, text: str, task=None, target=None) -> Finding:
    """督查发现 on an inspection, about one supervised object (`target`, or `task`, its older name) or none."""
    require_office(actor)
    text = text.strip()
    if not text:
        raise ServiceError(_("Describe the finding."), field="text")
    about = target if target is not None else task
    if about is not None:
        [about] = checked_targets(actor, [about], field="target" if target is not None else "task")
    finding = Finding.objects.create(inspection=inspection, text=text, target=about, created_by=actor)
    audit_record(
        actor=actor,
        verb="finding.add",
        obj=finding,
        after={"inspection": inspection.pk, "text": text, "target": target_label(about) if about else None},
    )
    return finding


def _rectification_snapshot(item: Rectification) -> dict:
    return {"state": item.state, "unit": item.unit_id, "deadline": item.deadline, "version": item.version}


def rectification_url(item: Rectification) -> str:
    return reverse("supervision:rectification_detail", kwargs={"pk": item.pk})


@uploads.atomic
def rectification_open(
    *,
    actor: User,
    finding: Finding,
    unit: Unit | None,
    deadline: date | None,
    requirement: str,
    photos: Sequence[Upload] = (),
    today: date | None = None,
    calendar: WorkCalendar | None = None,
) -> Rectification:
    """整改: the office assigns a finding to a unit with a deadline (a working day), with before photos."""
    require_office(actor)
    if unit is None or not unit.is_active:
        raise ServiceError(_("Choose the unit that must rectify."), field="unit")
    requirement = requirement.strip()
    if not requirement:
        raise ServiceError(_("Say what must be rectified."), field="requirement")
    today = today or timezone.localdate()
    calendar = calendar or work_calendar()
    if deadline is None or deadline <= today:
        raise ServiceError(_("The deadline must be after today."), field="deadline")
    refuse_outside_calendar(calendar, deadline, field="deadline")
    if not calendar.is_workday(deadline):
        raise ServiceError(
            msg_not_workday(deadline, calendar.holiday_name(deadline), calendar.next_workday(deadline)),
            field="deadline",
            code="not_workday",
        )
    checked = uploads.validate_uploads(photos, kind=uploads.PHOTO)
    Finding.objects.select_for_update().get(pk=finding.pk)
    if Rectification.objects.filter(finding=finding).exists():
        raise ServiceError(_("This finding already has a rectification item."), code="exists")
    item = Rectification.objects.create(
        finding=finding,
        unit=unit,
        deadline=deadline,
        requirement=requirement,
        opened_by=actor,
        opened_at=timezone.now(),
    )
    attachments = store_attachments(actor, checked, rectification=item, stage=Attachment.Stage.BEFORE)
    audit_record(
        actor=actor,
        verb="rectification.open",
        obj=item,
        after={**_rectification_snapshot(item), "requirement": requirement, "photos": [a.sha256 for a in attachments]},
    )
    words = {"unit": unit.name, "deadline": date_format(deadline, "DATE_FORMAT")}
    notify(
        recipients=unit_people(unit.pk, Role.UNIT_HEAD, Role.UNIT_REPORTER),
        kind="rectification.assigned",
        title=say(lambda: _("Rectification for %(unit)s, due %(deadline)s") % words),
        body=requirement,
        url=rectification_url(item),
        obj=item,
        dedupe_key=f"rectification.assigned:{item.pk}",
    )
    return item


def _lock_rectification(item: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().select_related("unit").get(pk=item.pk)


@uploads.atomic
def rectification_report(
    *, actor: User, item: Rectification, text: str, photos: Sequence[Upload] = ()
) -> Rectification:
    """The unit reports the rectification done, with after photos."""
    if not in_unit(actor, item.unit_id):
        raise forbidden()
    text = text.strip()
    if not text:
        raise ServiceError(_("Describe what was done."), field="text")
    checked = uploads.validate_uploads(photos, kind=uploads.PHOTO)
    item = _lock_rectification(item)
    if not item.is_open:
        raise wrong_state(item)
    before = _rectification_snapshot(item)
    item.state, item.report, item.reported_by, item.reported_at = (
        Rectification.State.REPORTED,
        text,
        actor,
        timezone.now(),
    )
    item.version += 1
    item.save(update_fields=["state", "report", "reported_by", "reported_at", "version"])
    attachments = store_attachments(actor, checked, rectification=item, stage=Attachment.Stage.AFTER)
    audit_record(
        actor=actor,
        verb="rectification.report",
        obj=item,
        before=before,
        after={**_rectification_snapshot(item), "report": text, "photos": [a.sha256 for a in attachments]},
    )
    return item


def _rectification_step(
    actor: User, item: Rectification, *, expect: str, to: str, stamp: str, verb: str
) -> Rectification:
    """The office moves an item from `expect` to `to`, recording who (`<stamp>_by`) and when (`<stamp>_at`)."""
    require_office(actor)
    item = _lock_rectification(item)
    if item.state != expect:
        raise wrong_state(item)
    before = _rectification_snapshot(item)
    item.state = to
    setattr(item, f"{stamp}_by", actor)
    setattr(item, f"{stamp}_at", timezone.now())
    item.version += 1
    item.save(update_fields=["state", f"{stamp}_by", f"{stamp}_at", "version"])
    audit_record(actor=actor, verb=verb, obj=item, before=before, after=_rectification_snapshot(item))
    return item


@transaction.atomic
def rectification_verify(*, actor: User, item: Rectification) -> Rectification:
    return _rectification_step(actor, item, expect=Rectification.State.REPORTED, to=Rectification.State.VERIFIED,
                               stamp="verified", verb="rectification.verify")  # fmt: skip


@transaction.atomic
def rectification_return(*, actor: User, item: Rectification, reason: str) -> Rectification:
    require_office(actor)
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Give the reason for sending the report back."), field="reason")
    item = _lock_rectification(item)
    if item.state != Rectification.State.REPORTED:
        raise wrong_state(item)
    before = _rectification_snapshot(item)
    item.state, item.return_reason = Rectification.State.RETURNED, reason
    item.version += 1
    item.save(update_fields=["state", "return_reason", "version"])
    audit_record(
        actor=actor,
        verb="rectification.return",
        obj=item,
        before=before,
        after={**_rectification_snapshot(item), "reason": reason},
    )
    return item


@transaction.atomic
def rectification_close(*, actor: User, item: Rectification) -> Rectification:
    return _rectification_step(actor, item, expect=Rectification.State.VERIFIED, to=Rectification.State.CLOSED,
                               stamp="closed", verb="rectification.close")  # fmt: skip


def rectification_remind_late(*, item: Rectification, today: date) -> int:
    """An open rectification past its deadline: the unit and the office are told once per deadline."""
    if not item.is_open or today <= item.deadline:
        return 0
    words = {"unit": item.unit.name, "deadline": date_format(item.deadline, "DATE_FORMAT")}
    return len(
        notify(
            recipients=[*unit_people(item.unit_id, Role.UNIT_HEAD, Role.UNIT_REPORTER), *office_people()],
            kind="rectification.late",
            title=say(lambda: _("Rectification by %(unit)s is past its deadline (%(deadline)s)") % words),
            body=item.requirement,
            url=rectification_url(item),
            obj=item,
            dedupe_key=f"rectification.late:{item.pk}:{item.deadline.isoformat()}",
        )
    )
