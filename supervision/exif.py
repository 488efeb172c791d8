"""GPS coordinates from a photo's EXIF data (Pillow). Pure: no Django import.

A phone photo taken at an inspection site usually carries the place in its
EXIF GPS block (IFD 0x8825): latitude and longitude as degrees, minutes and
seconds (three rationals) with N/S and E/W references. WGS-84, as the phone's
GNSS reports it; converting to the GCJ-02 grid of Chinese web maps is the map's
business, not ours.
"""

import io
from dataclasses import dataclass

GPS_IFD = 0x8825
_LAT_REF, _LAT, _LON_REF, _LON = 1, 2, 3, 4


@dataclass(frozen=True)
class Coordinates:
    latitude: float
    longitude: float


def _degrees(value) -> float:
    """(deg, min, sec) rationals → decimal degrees; a bare number is taken as degrees."""
    if isinstance(value, tuple | list):
        parts = [float(v) for v in value] + [0.0, 0.0]
        return parts[0] + parts[1] / 60 + parts[2] / 3600
    return float(value)


def gps_coordinates(data: bytes) -> Coordinates | None:
    """The photo's GPS position, or None when it has none (or is not an image Pillow can read)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            gps = image.getexif().get_ifd(GPS_IFD)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    if not gps or _LAT not in gps or _LON not in gps:
        return None
    try:
        latitude, longitude = _degrees(gps[_LAT]), _degrees(gps[_LON])
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if str(gps.get(_LAT_REF, "N")).upper().startswith("S"):
        latitude = -latitude
    if str(gps.get(_LON_REF, "E")).upper().startswith("W"):
        longitude = -longitude
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or (latitude == 0 and longitude == 0):
        return None  # a phone without a fix writes zeros
    return Coordinates(round(latitude, 6), round(longitude, 6))
