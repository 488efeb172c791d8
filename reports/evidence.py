"""Checking evidence uploads by their content, not their name. Pure: no Django import.

Only what a supervision office needs as evidence is accepted: photos (JPEG,
PNG, GIF, WebP, HEIC from phones) and documents (PDF, Word, Excel). The type
comes from the file's first bytes (`filetype`), so a renamed .exe is refused.
"""

import hashlib
import io
from dataclasses import dataclass

import filetype

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
IMAGE_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
}
DOCUMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
}


class EvidenceRejected(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # "empty" | "too_large" | "bad_type"


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    is_image: bool
    sha256: str
    size: int


def _ooxml_type(data: bytes) -> str | None:
    import zipfile

    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return None
    if any(n.startswith("word/") for n in names):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if any(n.startswith("xl/") for n in names):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def check_evidence(data: bytes) -> CheckedFile:
    if not data:
        raise EvidenceRejected("empty")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise EvidenceRejected("too_large")
    kind = filetype.guess(data)
    mime = kind.mime if kind else None
    if mime in {"application/zip", "application/x-zip-compressed"} or (
        mime and mime.startswith("application/vnd.openxmlformats")
    ):
        mime = _ooxml_type(data)
    if mime == "application/x-ole-storage":
        mime = "application/msword"
    if mime in IMAGE_TYPES:
        extension, is_image = IMAGE_TYPES[mime], True
    elif mime in DOCUMENT_TYPES:
        extension, is_image = DOCUMENT_TYPES[mime], False
    else:
        raise EvidenceRejected("bad_type")
    return CheckedFile(mime, extension, is_image, hashlib.sha256(data).hexdigest(), len(data))


def make_thumbnail(data: bytes, *, size: int = 320) -> bytes | None:
    """A JPEG thumbnail of an image (EXIF orientation applied), or None when Pillow cannot read it."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((size, size))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError):
        return None
