"""The one way a file is stored: validate fully, store through Django's storage API, never leave it behind.

Every stored file (report evidence, order-response files, inspection and rectification photos,
change-request evidence, and whatever a later module attaches) goes through here::

    @uploads.atomic                      # instead of @transaction.atomic
    def thing_attach(*, actor, thing, files):
        checked = uploads.validate_uploads(files, kind=uploads.PHOTO)   # all files, before anything is written
        ...                                                            # permission and state checks, locks
        for upload in checked:
            stored = uploads.store_upload(upload, folder="things", thumbnail=True)
            ThingFile.objects.create(thing=thing, file=stored.name, thumbnail=stored.thumbnail, ...)

and, when a row is deleted, `uploads.release_upload(row.file.name)` deletes its file once the
delete commits.

Why each piece:
- `validate_upload(s)` refuses with a `ServiceError` (code and message from `MESSAGES`) before a byte is
  stored: size (`UPLOAD_MAX_BYTES`), type by content, image pixels from the header
  (`UPLOAD_MAX_IMAGE_PIXELS`, checked before anything decodes the image). The checks themselves are pure
  (`core/filecheck.py`).
- `store_upload` writes through `default_storage` (the storage of every FileField), so an S3-style
  backend can replace the file system in `STORAGES` without touching a service. Names are the content's
  SHA-256 plus a random token: no user-chosen path reaches the storage, and no two rows share a file (so
  deleting one row's file never breaks another, even on a storage that overwrites).
- Delete on rollback. Django has on-commit hooks but no on-rollback hook, so each stored name is
  registered with an on-commit marker; when the savepoint or transaction that stored it rolls back,
  Django drops the marker. `discard_rolled_back` deletes the files whose marker is gone; it runs when an
  `uploads.atomic` block ends (however it ends) and at the end of every request (`request_finished`), so
  a rollback of an enclosing block is caught too. A worker killed mid-request runs neither:
  `manage.py files_gc` removes what no row refers to (after a grace period, so uploads in flight are
  safe).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache, partial
from io import BytesIO
from typing import Any, BinaryIO, cast

from asgiref.local import Local
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import filecheck
from core.errors import ServiceError

logger = logging.getLogger(__name__)

MAX_FILES_PER_BATCH = 10


class UploadKind(StrEnum):
    EVIDENCE = "evidence"  # photos and documents (PDF, Word, Excel)
    PHOTO = "photo"  # photos only (inspections, rectifications)


EVIDENCE, PHOTO = UploadKind.EVIDENCE, UploadKind.PHOTO

# The one message table for refused uploads (msgids in English, zh-Hans in locale/).
MESSAGES = {
    filecheck.EMPTY: gettext_lazy("The file is empty."),
    filecheck.TOO_LARGE: gettext_lazy("The file is larger than %(limit)s."),
    filecheck.BAD_TYPE: gettext_lazy(
        "Only photos (JPEG, PNG, GIF, WebP, HEIC) and documents (PDF, Word, Excel) can be attached."
    ),
    "bad_type_photo": gettext_lazy("Only photos (JPEG, PNG, GIF, WebP, HEIC) can be attached here."),
    filecheck.TOO_MANY_PIXELS: gettext_lazy(
        "The image has too many pixels (at most %(limit)s million); reduce it and upload it again."
    ),
    "too_many_files": gettext_lazy("Attach at most %(n)d files at once."),
}


def max_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


def max_pixels() -> int:
    return settings.UPLOAD_MAX_IMAGE_PIXELS


def _size_text(n: int) -> str:
    mb = 1024 * 1024
    return f"{n // mb} MB" if n >= mb and n % mb == 0 else f"{n / mb:.1f} MB" if n >= mb else f"{n} bytes"


def refusal_message(code: str, *, kind: UploadKind = EVIDENCE) -> str:
    if code == filecheck.BAD_TYPE and kind == PHOTO:
        code = "bad_type_photo"
    text = str(MESSAGES[code])
    if code == filecheck.TOO_LARGE:
        return text % {"limit": _size_text(max_bytes())}
    if code == filecheck.TOO_MANY_PIXELS:
        return text % {"limit": f"{max_pixels() / 1_000_000:g}"}
    return text


# --- validate -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file already in memory with its name (tests, demo data, generated files)."""

    data: bytes
    name: str


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed every check; `store_upload` stores it. Holds the open source, not a copy."""

    name: str  # the name the user gave (kept for display, never used as a path)
    facts: filecheck.CheckedFile
    source: BinaryIO

    content_type = property(lambda self: self.facts.content_type)
    extension = property(lambda self: self.facts.extension)
    is_image = property(lambda self: self.facts.is_image)
    sha256 = property(lambda self: self.facts.sha256)
    size = property(lambda self: self.facts.size)

    def read(self) -> bytes:
        self.source.seek(0)
        try:
            return self.source.read()
        finally:
            self.source.seek(0)


def _open(upload: Upload | File | Any) -> tuple[BinaryIO, str, int | None]:
    if isinstance(upload, Upload):
        return BytesIO(upload.data), upload.name, len(upload.data)
    # A Django UploadedFile / File: seekable, on disk when large; its size is declared by the client
    # (checked first, cheaply) and measured again while hashing. Not an IO subclass, but it proxies
    # read, seek and tell to the file it wraps.
    return cast(BinaryIO, upload), getattr(upload, "name", "") or "", getattr(upload, "size", None)


def validate_upload(upload: Upload | File, *, kind: UploadKind = EVIDENCE, field: str = "file") -> CheckedUpload:
    """The upload checked by content, or ServiceError(code=…, field=field) with the message from MESSAGES."""
    source, name, declared = _open(upload)
    try:
        facts = filecheck.check_file(
            source,
            max_bytes=max_bytes(),
            max_pixels=max_pixels(),
            images_only=kind == PHOTO,
            declared_size=declared,
        )
    except filecheck.FileRefused as exc:
        raise ServiceError(refusal_message(exc.code, kind=kind), field=field, code=exc.code) from exc
    return CheckedUpload(name=name[-200:], facts=facts, source=source)


def validate_uploads(
    uploads: Iterable[Upload | File],
    *,
    kind: UploadKind = EVIDENCE,
    field: str = "files",
    max_files: int = MAX_FILES_PER_BATCH,
) -> list[CheckedUpload]:
    """Every file of a batch checked before any is stored: one bad file refuses the batch (message names it)."""
    uploads = list(uploads)
    if len(uploads) > max_files:
        raise ServiceError(str(MESSAGES["too_many_files"]) % {"n": max_files}, field=field, code="too_many_files")
    checked = []
    for upload in uploads:
        try:
            checked.append(validate_upload(upload, kind=kind, field=field))
        except ServiceError as exc:
            _source, name, _size = _open(upload)
            raise ServiceError(f"{name}: {exc.message}" if name else exc.message, field=field, code=exc.code) from exc
    return checked


# --- store and clean up ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredUpload:
    name: str  # the stored name, for the row's FileField
    thumbnail: str = ""  # the stored JPEG thumbnail's name ("" when none)


class _Pending:
    """A stored name not yet committed; its on-commit marker is itself (Django drops it on rollback)."""

    __slots__ = ("committed", "name")

    def __init__(self, name: str) -> None:
        self.name, self.committed = name, False

    def __call__(self) -> None:
        self.committed = True


_registry = Local()  # per thread (and per async context), like Django's connections


def _pending(using: str) -> list[_Pending]:
    if not hasattr(_registry, "pending"):
        _registry.pending = {}
    return _registry.pending.setdefault(using, [])


def _save(storage, name: str, content: File, using: str) -> str:
    stored = storage.save(name, content)
    entry = _Pending(stored)
    _pending(using).append(entry)
    transaction.on_commit(entry, using=using, robust=True)
    return stored


def store_upload(
    checked: CheckedUpload, *, folder: str, thumbnail: bool = False, using: str = DEFAULT_DB_ALIAS
) -> StoredUpload:
    """Store a checked upload (and, for an image, its thumbnail) inside the caller's transaction.

    The files are deleted again if that transaction rolls back (see the module docstring).
    """
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("store_upload runs inside the service's transaction (uploads.atomic)")
    token = secrets.token_hex(4)
    stem = f"{folder}/{checked.sha256[:2]}/{checked.sha256}-{token}"
    checked.source.seek(0)
    name = _save(default_storage, f"{stem}{checked.extension}", File(checked.source), using)
    thumb_name = ""
    if thumbnail and checked.is_image:
        thumb = filecheck.make_thumbnail(checked.source)
        if thumb:
            thumb_name = _save(
                default_storage, f"{folder}/thumbs/{checked.sha256}-{token}.jpg", ContentFile(thumb), using
            )
    checked.source.seek(0)
    return StoredUpload(name, thumb_name)


def release_upload(*names: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Delete these stored files once the transaction that deletes their rows commits (never before)."""
    for name in names:
        if name:
            transaction.on_commit(partial(_delete, name), using=using, robust=True)


def _delete(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:  # gone already, or the storage is down: files_gc retries
        logger.warning("could not delete stored file %s", name, exc_info=True)


def discard_rolled_back(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Delete the files stored in savepoints or transactions that have rolled back; return their names."""
    pending = _pending(using)
    if not pending:
        return []
    connection = transaction.get_connection(using)
    live = {id(func) for _sids, func, _robust in connection.run_on_commit}
    rolled_back = [e for e in pending if not e.committed and id(e) not in live]
    pending[:] = [e for e in pending if not e.committed and id(e) in live]
    deleted = []
    for entry in rolled_back:
        # Inside an atomic block a dropped marker can only mean a rolled-back savepoint. Outside one it
        # could also mean an earlier on-commit hook raised after the commit, so ask the database first.
        if not connection.in_atomic_block and _still_referenced(entry.name, using):
            continue
        _delete(entry.name)
        deleted.append(entry.name)
    return deleted


def discard_uncommitted() -> list[str]:
    """Delete every stored file whose transaction never committed, on every connection, without asking
    the database; return their names. For a test's teardown: pytest-django rolls the test's transaction
    back without running on-commit hooks, and the database is already out of reach."""
    deleted = []
    for pending in getattr(_registry, "pending", {}).values():
        for entry in pending:
            if not entry.committed:
                _delete(entry.name)
                deleted.append(entry.name)
        pending.clear()
    return deleted


def _still_referenced(name: str, using: str) -> bool:
    try:
        return any(
            model._base_manager.using(using).filter(**{field.name: name}).exists() for model, field in file_fields()
        )
    except DatabaseError:
        return True  # cannot tell: keep it; files_gc decides later


@contextlib.contextmanager
def _atomic(using: str | None) -> Iterator[None]:
    alias = using or DEFAULT_DB_ALIAS
    try:
        with transaction.atomic(using=alias):
            yield
    finally:
        discard_rolled_back(alias)


def atomic(func=None, *, using: str | None = None):
    """`transaction.atomic` that deletes the files stored in the block if the block rolls back.

    Use it on every service that calls `store_upload`: `@uploads.atomic` or `with uploads.atomic():`.
    """
    if callable(func):
        return _atomic(using)(func)
    return _atomic(using)


def discard_after_request(**_kwargs) -> None:
    """request_finished: anything stored by a transaction that rolled back during the request goes."""
    registry = getattr(_registry, "pending", {})
    for using in [alias for alias, pending in registry.items() if pending]:
        discard_rolled_back(using)


# --- what rows refer to (files_gc, and the check above) ---------------------------------------------


@cache
def file_fields() -> tuple[tuple[type[models.Model], models.FileField], ...]:
    """Every concrete FileField (ImageField included) of every installed model on the default storage."""
    from django.apps import apps

    return tuple(
        (model, field)
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField) and field.storage is default_storage
    )


def referenced_names(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    names: set[str] = set()
    for model, field in file_fields():
        names.update(
            model._base_manager.using(using).exclude(**{field.name: ""}).values_list(field.name, flat=True).iterator()
        )
    return names


def stored_names(storage=None, folder: str = "") -> Iterator[str]:
    """Every file name under `folder` in the storage (listdir walk: works on any Django storage)."""
    storage = storage or default_storage
    directories, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for directory in directories:
        yield from stored_names(storage, f"{folder}/{directory}" if folder else directory)


@dataclass(frozen=True)
class Orphan:
    name: str
    size: int
    modified: datetime


def find_orphans(*, grace: timedelta, now: datetime | None = None, using: str = DEFAULT_DB_ALIAS) -> list[Orphan]:
    """Stored files that no row refers to and that are older than `grace` (younger ones may belong to a
    request still running: stored, not yet committed)."""
    storage = default_storage
    now = now or timezone.now()
    # Rows first, files second: a file stored and committed between the two reads is young, so skipped.
    referenced = referenced_names(using)
    orphans = []
    try:
        names = sorted(stored_names(storage))
    except FileNotFoundError:  # nothing was ever stored
        return []
    for name in names:
        if name in referenced:
            continue
        modified = storage.get_modified_time(name)
        if now - modified >= grace:
            orphans.append(Orphan(name, storage.size(name), modified))
    return orphans


def delete_orphans(orphans: Iterable[Orphan]) -> int:
    deleted = 0
    for orphan in orphans:
        _delete(orphan.name)
        deleted += 1
    return deleted


__all__ = [
    "EVIDENCE",
    "MESSAGES",
    "PHOTO",
    "CheckedUpload",
    "StoredUpload",
    "Upload",
    "UploadKind",
    "atomic",
    "delete_orphans",
    "discard_rolled_back",
    "find_orphans",
    "refusal_message",
    "release_upload",
    "store_upload",
    "validate_upload",
    "validate_uploads",
]
