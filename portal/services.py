"""Writes of the portal: the office chooses what is public and writes the public texts.

Every write bumps the item's `version` (the per-item cache key) and `updated_at` (the index's), so a
cached public page never outlives the change that commits.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import UnidentifiedImageError

from audit.services import audit_record
from core import uploads
from core.errors import ServiceError
from core.publishing import get_public_kind
from core.validation import problem_text, text_problem
from portal.models import PublicItem, PublicPhoto, PublicUpdate
from portal.photos import published_copy

MAX_PHOTOS = 12


def _text(value: str, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_("%(field)s is required.") % {"field": label}, field=field)
    problem = text_problem(value, max_length=max_length)
    if problem:
        raise ServiceError(problem_text(problem, label), field=field)
    return value


def _touch(item: PublicItem) -> None:
    item.version += 1
    item.save(update_fields=["version", "updated_at"])


def _kind_or_refuse(kind: str, object_id: int):
    try:
        registered = get_public_kind(kind)
    except KeyError:
        raise ServiceError(_("This kind of item cannot be published."), field="kind") from None
    if not registered.exists(object_id):
        raise ServiceError(_("The item does not exist."), field="object_id")
    return registered


@transaction.atomic
def item_save(
    *, actor, kind: str, object_id: int, title: str, summary: str, year: int, item: PublicItem | None = None
) -> PublicItem:
    """Create (item=None) or edit an item's public texts; publishing is a separate, deliberate step."""
    title = _text(title, field="title", label=_("Public title"), max_length=120, required=True)
    summary = _text(summary, field="summary", label=_("Public summary"), max_length=2000)
    if not 2000 <= year <= 2100:
        raise ServiceError(_("Year: enter a year between 2000 and 2100."), field="year")
    if item is None:
        _kind_or_refuse(kind, object_id)
        if PublicItem.objects.filter(kind=kind, object_id=object_id).exists():
            raise ServiceError(_("This item already has a public page."), field="object_id")
        item = PublicItem.objects.create(
            kind=kind, object_id=object_id, title=title, summary=summary, year=year, created_by=actor
        )
        audit_record(actor=actor, verb="publicitem.create", obj=item, after={"title": title})
        return item
    item = PublicItem.objects.select_for_update().get(pk=item.pk)
    before = {"title": item.title, "summary": item.summary, "year": item.year}
    item.title, item.summary, item.year = title, summary, year
    item.version += 1
    item.save(update_fields=["title", "summary", "year", "version", "updated_at"])
    audit_record(actor=actor, verb="publicitem.update", obj=item, before=before, after={"title": title})
    return item


@transaction.atomic
def item_publish(*, actor, item: PublicItem, publish: bool) -> PublicItem:
    """Show the item on /public/ (or take it off): only then can anyone outside read it."""
    item = PublicItem.objects.select_for_update().get(pk=item.pk)
    if publish:
        _kind_or_refuse(item.kind, item.object_id)
    item.is_published = publish
    item.published_at = timezone.now() if publish else None
    item.version += 1
    item.save(update_fields=["is_published", "published_at", "version", "updated_at"])
    audit_record(actor=actor, verb="publicitem.publish" if publish else "publicitem.unpublish", obj=item)
    return item


@transaction.atomic
def update_add(*, actor, item: PublicItem, day: date, text: str) -> PublicUpdate:
    text = _text(text, field="text", label=_("Public progress note"), max_length=1000, required=True)
    if day > timezone.localdate():
        raise ServiceError(_("Date: a progress note cannot be dated in the future."), field="date")
    update = PublicUpdate.objects.create(item=item, date=day, text=text, created_by=actor)
    _touch(item)
    audit_record(actor=actor, verb="publicupdate.create", obj=update, after={"text": text[:200]})
    return update


@transaction.atomic
def update_remove(*, actor, update: PublicUpdate) -> None:
    item = update.item
    audit_record(actor=actor, verb="publicupdate.delete", obj=update)
    update.delete()
    _touch(item)


@uploads.atomic
def photo_publish(*, actor, item: PublicItem, caption: str, source_ref: str = "", upload=None) -> PublicPhoto:
    """Publish a photo of the item (one of its own records' photos by `source_ref`, or an uploaded one):
    the stored copy is re-encoded from the pixels, so no EXIF (GPS, camera) reaches the portal."""
    caption = _text(caption, field="caption", label=_("Caption"), max_length=100)
    if item.photos.count() >= MAX_PHOTOS:
        raise ServiceError(_("At most %(n)s photos can be published per item.") % {"n": MAX_PHOTOS}, field="photo")
    if upload is not None:
        checked = uploads.validate_upload(upload, kind=uploads.PHOTO, field="photo")
        data, source_ref = checked.read(), "upload"
    else:
        candidates = {c.ref: c for c in get_public_kind(item.kind).photos(item.object_id)}
        if source_ref not in candidates:
            raise ServiceError(_("Choose one of this item's photos."), field="photo")
        if item.photos.filter(source_ref=source_ref).exists():
            raise ServiceError(_("This photo is already published."), field="photo")
        data = candidates[source_ref].read()
    try:
        clean = published_copy(data)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ServiceError(_("The photo could not be read as an image."), field="photo") from exc
    checked_copy = uploads.validate_upload(uploads.Upload(clean, "photo.jpg"), kind=uploads.PHOTO, field="photo")
    stored = uploads.store_upload(checked_copy, folder="portal", thumbnail=True)
    photo = PublicPhoto.objects.create(
        item=item,
        file=stored.name,
        thumbnail=stored.thumbnail,
        caption=caption,
        source_ref=source_ref,
        created_by=actor,
    )
    _touch(item)
    audit_record(actor=actor, verb="publicphoto.create", obj=photo, after={"source": source_ref})
    return photo


@uploads.atomic
def photo_remove(*, actor, photo: PublicPhoto) -> None:
    item = photo.item
    uploads.release_upload(photo.file.name, photo.thumbnail.name)
    audit_record(actor=actor, verb="publicphoto.delete", obj=photo)
    photo.delete()
    _touch(item)
