"""The pure upload checks (core/filecheck.py), on plain bytes: no Django."""

import io
import struct
import zlib

import pytest
from PIL import Image

from core.filecheck import BAD_TYPE, EMPTY, TOO_LARGE, TOO_MANY_PIXELS, FileRefused, check_file

LIMITS = {"max_bytes": 20 * 1024 * 1024, "max_pixels": 50_000_000}


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares width × height pixels in a few dozen bytes: the pixels are never allocated."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def refused(data: bytes, **limits) -> str:
    with pytest.raises(FileRefused) as caught:
        check_file(io.BytesIO(data), **{**LIMITS, **limits})
    return caught.value.code


def test_a_30000_by_30000_png_is_refused_from_its_header():
    data = png_header(30_000, 30_000)
    assert len(data) < 200
    assert refused(data) == TOO_MANY_PIXELS


def test_an_image_over_the_limit_but_under_pillows_own_is_refused_too():
    # 8000 × 8000 = 64 Mpx: over our 50 Mpx, under Pillow's bomb error (2 × MAX_IMAGE_PIXELS).
    assert refused(png_header(8_000, 8_000)) == TOO_MANY_PIXELS
    assert refused(png_header(100, 100), max_pixels=9_999) == TOO_MANY_PIXELS


def test_a_real_photo_within_the_limits_passes_with_its_dimensions():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "#c33").save(buffer, "PNG")
    checked = check_file(io.BytesIO(buffer.getvalue()), **LIMITS)
    assert (checked.content_type, checked.extension, checked.is_image) == ("image/png", ".png", True)
    assert (checked.width, checked.height, checked.size) == (120, 80, len(buffer.getvalue()))


def test_size_type_and_emptiness_are_refused_with_their_codes():
    assert refused(b"") == EMPTY
    assert refused(b"%PDF-1.4 " + b"x" * 2000, max_bytes=1000) == TOO_LARGE
    assert refused(b"%PDF-1.4 small", declared_size=10**9) == TOO_LARGE  # before reading anything
    assert refused(b"MZ\x90\x00 windows program") == BAD_TYPE
    assert refused(b"%PDF-1.4 a document", images_only=True) == BAD_TYPE
