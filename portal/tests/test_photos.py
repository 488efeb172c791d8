"""The published copy of a photo keeps the pixels and nothing else (pure: Pillow, plain bytes)."""

from io import BytesIO

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from portal.photos import has_metadata, published_copy


def photo_with_gps(size=(64, 48), orientation: int = 1) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "DemoCam"  # Make
    exif[0x0110] = "DemoCam X1"  # Model
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (34.0, 43.0, 26.0), 3: "E", 4: (113.0, 38.0, 24.0)}  # GPS IFD
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_the_original_has_gps_and_the_copy_has_none():
    original = photo_with_gps()
    assert has_metadata(original)
    assert Image.open(BytesIO(original)).getexif().get_ifd(0x8825)
    copy = published_copy(original)
    assert not has_metadata(copy)
    assert b"DemoCam" not in copy
    assert Image.open(BytesIO(copy)).size == (64, 48)


def test_the_copy_is_turned_upright_as_exif_asked():
    copy = published_copy(photo_with_gps(size=(64, 48), orientation=6))  # rotated 90°
    assert Image.open(BytesIO(copy)).size == (48, 64)


def test_a_large_photo_is_reduced():
    copy = published_copy(photo_with_gps(size=(4000, 1000)), max_side=1600)
    assert Image.open(BytesIO(copy)).size == (1600, 400)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 300), st.integers(1, 300), st.sampled_from(["RGB", "RGBA", "L", "P"]))
def test_any_image_gives_a_clean_jpeg(w, h, mode):
    out = BytesIO()
    Image.new(mode, (w, h)).save(out, format="PNG")
    copy = published_copy(out.getvalue())
    image = Image.open(BytesIO(copy))
    assert image.format == "JPEG" and not has_metadata(copy)
    assert max(image.size) <= 1600
