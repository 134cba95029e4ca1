"""Job-ad images for the demo board: small deterministic PNG flyers and a JPEG with GPS EXIF."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw

SIZE = (240, 160)
GPS_IFD = 0x8825
# Downtown Sihanoukville, Cambodia, as (degrees, minutes, seconds).
SIHANOUKVILLE_GPS = ((10.0, 37.0, 31.08), (103.0, 31.0, 24.24))


def _flyer(key: str) -> Image.Image:
    """Draw a 'we are hiring' flyer whose colours and bars are derived from key."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    background = (digest[0], digest[1], digest[2])
    ink = tuple(255 - c for c in background)
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((6, 6, SIZE[0] - 7, SIZE[1] - 7), outline=ink, width=4)
    draw.text((20, 20), "WE ARE HIRING", fill=ink)
    draw.text((20, 40), "HIGH SALARY" if digest[3] % 2 else "APPLY TODAY", fill=ink)
    for i in range(6):
        width = 40 + digest[4 + i] % 160
        draw.rectangle((20, 70 + i * 12, 20 + width, 76 + i * 12), fill=ink)
    return image


def flyer_png(key: str) -> bytes:
    """PNG bytes of the flyer for key; identical for identical keys."""
    buffer = io.BytesIO()
    _flyer(key).save(buffer, format="PNG")
    return buffer.getvalue()


def flyer_jpeg_with_gps(key: str) -> bytes:
    """JPEG bytes of the flyer for key, carrying EXIF GPS tags that point at Sihanoukville."""
    latitude, longitude = SIHANOUKVILLE_GPS
    exif = Image.Exif()
    gps = exif.get_ifd(GPS_IFD)
    gps.update({0: b"\x02\x02\x00\x00", 1: "N", 2: latitude, 3: "E", 4: longitude})
    buffer = io.BytesIO()
    _flyer(key).save(buffer, format="JPEG", quality=85, exif=exif)
    return buffer.getvalue()
