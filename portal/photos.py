"""The published copy of a photo: pixels only, re-encoded, no metadata. Pure (Pillow, no Django).

A phone photo carries EXIF: GPS position, camera make and serial, time, sometimes the owner's name.
None of it may reach the public portal, so the published copy is a new JPEG built from the pixels
(turned upright first, as EXIF orientation asked), without EXIF, XMP, ICC or comments, and no wider
than `MAX_SIDE` (a phone screen does not need 12 megapixels and the portal must be fast).
"""

from io import BytesIO

from PIL import Image, ImageOps

MAX_SIDE = 1600


def published_copy(data: bytes, *, max_side: int = MAX_SIDE) -> bytes:
    """A metadata-free JPEG of the image in `data` (raises PIL's errors for what is not an image)."""
    with Image.open(BytesIO(data)) as original:
        upright = ImageOps.exif_transpose(original)
        rgb = upright.convert("RGB")
    rgb.thumbnail((max_side, max_side))
    # A fresh image holds no info dict at all: nothing of the original's metadata can be copied over.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    out = BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def has_metadata(data: bytes) -> bool:
    """Whether a JPEG carries EXIF (or GPS) data: what a test and the safety check look for."""
    with Image.open(BytesIO(data)) as image:
        return bool(image.getexif()) or "exif" in image.info or "icc_profile" in image.info
