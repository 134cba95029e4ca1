"""Location signals besides the text: phone country codes, country-code domains, photo GPS points."""

from __future__ import annotations

import phonenumbers

# Country-code domains sold worldwide as generic names: they say nothing about where an ad comes from.
GENERIC_CCTLDS = {"io", "co", "me", "tv", "ai", "ly", "to", "cc", "ws", "fm", "gg", "la", "so", "sh", "ac", "app"}
CCTLD_ALIASES = {"uk": "GB", "su": "RU"}


def phone_country(phone: str) -> str | None:
    """ISO country of an E.164 number ("+85512345678" → "KH"), None for non-geographic or invalid ones."""
    try:
        number = phonenumbers.parse(phone if phone.startswith("+") else "+" + phone, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    if (not region or region == "001") and number.country_code is not None:
        region = phonenumbers.region_code_for_country_code(number.country_code)
    return region if region and region not in ("001", "ZZ") else None


def domain_country(domain: str) -> str | None:
    """ISO country of a country-code top-level domain ("jobs.example.com.kh" → "KH"), else None."""
    label = domain.strip().rstrip(".").rsplit(".", 1)[-1].lower()
    if len(label) != 2 or not label.isalpha() or label in GENERIC_CCTLDS:
        return None
    return CCTLD_ALIASES.get(label, label.upper())


def valid_point(point: tuple[float, float]) -> bool:
    """A usable GPS point: in range and not the (0, 0) that broken cameras write."""
    lat, lon = point
    return -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0.0, 0.0)
