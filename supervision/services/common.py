"""What the supervision services share: messages, who is who, the permission and state checks, files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm, Role
from accounts.selectors import role_holders
from core import uploads
from core.errors import ServiceError
from supervision.escalation import Rung, Thresholds
from supervision.exif import gps_coordinates
from supervision.models import (
    Attachment,
    SupervisionOrder,
)
from supervision.targets import target_kind_of, target_visible

# --- messages (tests import them) -----------------------------------------------------------------


def msg_forbidden() -> str:
    return _("You do not have permission to do this.")


def msg_not_workday(day: date, name: str | None, next_day: date) -> str:
    words = {"d": date_format(day, "DATE_FORMAT"), "next": date_format(next_day, "DATE_FORMAT")}
    if name:
        words["name"] = name
        return _("%(d)s is not a working day (%(name)s). Choose a working day, e.g. %(next)s.") % words
    return _("%(d)s is not a working day. Choose a working day, e.g. %(next)s.") % words


def forbidden() -> ServiceError:
    return ServiceError(msg_forbidden(), code="forbidden")


def wrong_state(obj) -> ServiceError:
    # The state is read under the row lock: someone else may have acted since the page was loaded.
    return ServiceError(
        _("This is now “%(state)s”, so that cannot be done; nothing was changed. Reload the page to see it.")
        % {"state": obj.get_state_display()},
        code="wrong_state",
    )


def escalation_thresholds() -> Thresholds:
    """settings.SUPERVISION_ESCALATION, checked (a bad value stops the process at start, see apps.ready)."""
    try:
        return Thresholds.from_mapping(getattr(settings, "SUPERVISION_ESCALATION", None))
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"SUPERVISION_ESCALATION: {exc}") from exc


# --- who is who -----------------------------------------------------------------------------------


def unit_people(unit_id: int, *roles: Role) -> list[User]:
    return list(role_holders(*roles, unit_ids=[unit_id]))


def office_people() -> list[User]:
    return list(role_holders(Role.OFFICE))


def _order_leaders(order: SupervisionOrder) -> list[User]:
    """The responsible leaders of every object the order is about (each kind names its own)."""
    people: dict[int, User] = {}
    for obj in order.target_objects():
        for person in target_kind_of(obj).leaders(obj):
            people.setdefault(person.pk, person)
    return list(people.values())


def checked_targets(actor: User, objects, *, field: str = "targets") -> list:
    """The objects to supervise, each of a registered kind, alive, and readable by the actor (pages and the
    API found them through `targets.target_get_for_user`; checked again so no caller can differ)."""
    checked = []
    for obj in dict.fromkeys(objects):
        try:
            target_kind_of(obj)
        except LookupError:
            raise ServiceError(
                _("%(what)s cannot be supervised: it is not a kind of object supervision knows.")
                % {"what": obj._meta.verbose_name},
                field=field,
            ) from None
        if getattr(obj, "is_deleted", False):
            raise ServiceError(
                _("A deleted %(what)s cannot be supervised.") % {"what": obj._meta.verbose_name}, field=field
            )
        if not target_visible(actor, obj):
            raise ServiceError(
                _("You cannot see %(what)s %(id)s.") % {"what": obj._meta.verbose_name, "id": obj.pk}, field=field
            )
        checked.append(obj)
    return checked


def link_targets(link_model, objects, **parent) -> None:
    """One generic link row per object (OrderTarget, InspectionTarget), in the given order."""
    from supervision.targets import target_content_type

    link_model.objects.bulk_create(
        [link_model(target_type=target_content_type(obj), target_id=obj.pk, **parent) for obj in objects]
    )


def target_label(obj) -> str:
    """ "kind:id" for audit records."""
    return f"{target_kind_of(obj).key}:{obj.pk}"


def rung_people(order: SupervisionOrder, rungs: Iterable[Rung]) -> list[User]:
    """The people of the given rungs of an order's chain of responsibility."""
    people: list[User] = []
    for rung in rungs:
        if rung is Rung.REPORTER:
            people += unit_people(order.unit_id, Role.UNIT_REPORTER)
        elif rung is Rung.UNIT_HEAD:
            people += unit_people(order.unit_id, Role.UNIT_HEAD)
        elif rung is Rung.LEADER:
            people += _order_leaders(order)
        elif rung is Rung.OFFICE:
            people += office_people()
    return people


def in_unit(actor: User, unit_id: int) -> bool:
    """A unit head or reporter of that unit (they acknowledge, respond, answer, report rectification)."""
    return (
        bool(actor.unit_id)
        and actor.unit_id == unit_id
        and (actor.has_luoshi_perm(Perm.REPORT_DRAFT) or actor.has_luoshi_perm(Perm.REPORT_APPROVE))
    )


def require_office(actor: User) -> None:
    if not actor.has_luoshi_perm(Perm.PLAN_EDIT):
        raise forbidden()


def say(text_fn):
    """Notification texts in the site language: the recipients read them, not the actor."""
    with translation.override(settings.LANGUAGE_CODE):
        return text_fn()


# --- files ----------------------------------------------------------------------------------------

# Files in one write; checked by core.uploads, the one home of the file rules.
MAX_FILES = uploads.MAX_FILES_PER_BATCH
Upload = uploads.Upload  # a file in memory with its name; pages and the API pass Django's uploaded files


def store_attachments(actor: User, checked: Sequence[uploads.CheckedUpload], **parent) -> list[Attachment]:
    """Store files already checked by `uploads.validate_uploads`, one Attachment each (in the caller's
    `uploads.atomic` transaction, so a rollback deletes them)."""
    stored = []
    for upload in checked:
        gps = gps_coordinates(upload.read()) if upload.is_image else None
        files = uploads.store_upload(upload, folder="supervision", thumbnail=True)
        stored.append(
            Attachment.objects.create(
                file=files.name,
                thumbnail=files.thumbnail,
                original_name=upload.name,
                content_type=upload.content_type,
                kind=Attachment.Kind.IMAGE if upload.is_image else Attachment.Kind.DOCUMENT,
                size=upload.size,
                sha256=upload.sha256,
                extension=upload.extension,
                latitude=Decimal(str(gps.latitude)) if gps else None,
                longitude=Decimal(str(gps.longitude)) if gps else None,
                uploaded_by=actor,
                **parent,
            )
        )
    return stored
