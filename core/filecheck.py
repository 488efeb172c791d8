"""Checking an uploaded file by its content before anything is stored. Pure: no Django import.

Only what a supervision office needs is accepted: photos (JPEG, PNG, GIF, WebP,
HEIC from phones) and documents (PDF, Word, Excel). The type comes from the
file's first bytes (`filetype`), so a renamed .exe is refused. An image's
width and height are read from its header (Pillow opens lazily and decodes
nothing) and compared with the pixel limit before anything decodes it: a
30000×30000 PNG of a few kilobytes would need 2.7 GB to decode.

The file is read from a seekable stream in chunks, never whole, so a large
upload spooled to disk is not pulled into memory to be checked. The limits
are arguments: `core.uploads` passes the settings.
"""

import hashlib
import warnings
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import filetype

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
# Pillow's format names for the image types it decodes; HEIC it cannot (no plugin), so it is never decoded.
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
_CHUNK = 1024 * 1024

# Why a file was refused; `core.uploads.MESSAGES` holds the sentence for each code.
EMPTY, TOO_LARGE, BAD_TYPE, TOO_MANY_PIXELS = "empty", "too_large", "bad_type", "too_many_pixels"


class FileRefused(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    is_image: bool
    sha256: str
    size: int
    width: int | None = None
    height: int | None = None


def _ooxml_type(stream: BinaryIO) -> str | None:
    stream.seek(0)
    try:
        names = zipfile.ZipFile(stream).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if any(n.startswith("word/") for n in names):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if any(n.startswith("xl/") for n in names):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def _content_type(stream: BinaryIO) -> str | None:
    stream.seek(0)
    kind = filetype.guess(stream.read(8192))
    mime = kind.mime if kind else None
    if mime in {"application/zip", "application/x-zip-compressed"} or (
        mime and mime.startswith("application/vnd.openxmlformats")
    ):
        mime = _ooxml_type(stream)
    if mime == "application/x-ole-storage":
        mime = "application/msword"
    return mime


def _digest(stream: BinaryIO, max_bytes: int) -> tuple[str, int]:
    """SHA-256 and the real size (a client's declared size is not trusted), stopping past the limit."""
    stream.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise FileRefused(TOO_LARGE)
        digest.update(chunk)
    return digest.hexdigest(), size


def image_dimensions(stream: BinaryIO, content_type: str) -> tuple[int, int] | None:
    """(width, height) from the header without decoding pixels; None when Pillow cannot read the header.

    Raises FileRefused(TOO_MANY_PIXELS) when Pillow itself refuses the header as a decompression bomb.
    """
    from PIL import Image, UnidentifiedImageError

    pillow_format = _PILLOW_FORMATS.get(content_type)
    if pillow_format is None:
        return None
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(stream, formats=[pillow_format]) as image:
                return image.size
    except Image.DecompressionBombError as exc:
        raise FileRefused(TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def check_file(
    stream: BinaryIO, *, max_bytes: int, max_pixels: int, images_only: bool = False, declared_size: int | None = None
) -> CheckedFile:
    """The file's type, size, hash and (images) dimensions, or FileRefused with the reason.

    Cheap checks first: the declared size, then the type from the first bytes, then the pixel count from
    the header, and only then a full read for the hash and the real size.
    """
    if declared_size is not None and declared_size > max_bytes:
        raise FileRefused(TOO_LARGE)
    stream.seek(0)
    if not stream.read(1):
        raise FileRefused(EMPTY)
    mime = _content_type(stream)
    if mime in IMAGE_TYPES:
        extension, is_image = IMAGE_TYPES[mime], True
    elif mime in DOCUMENT_TYPES and not images_only:
        extension, is_image = DOCUMENT_TYPES[mime], False
    else:
        raise FileRefused(BAD_TYPE)
    width = height = None
    if is_image:
        dimensions = image_dimensions(stream, mime)
        if dimensions is not None:
            width, height = dimensions
            if width * height > max_pixels:
                raise FileRefused(TOO_MANY_PIXELS)
    sha256, size = _digest(stream, max_bytes)
    stream.seek(0)
    return CheckedFile(mime, extension, is_image, sha256, size, width, height)


def make_thumbnail(stream: BinaryIO, *, size: int = 320) -> bytes | None:
    """A JPEG thumbnail of a checked image (EXIF orientation applied), or None when Pillow cannot read it."""
    import io

    from PIL import Image, ImageOps, UnidentifiedImageError

    stream.seek(0)
    try:
        with Image.open(stream) as opened:
            image = ImageOps.exif_transpose(opened)
            image.thumbnail((size, size))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    finally:
        stream.seek(0)
