"""Great-circle distance, the one copy that enrichment (geolocation) and the index (geo filters) both use.

Kept by hand: the ``haversine`` package computes the same figure 1.5x slower (7.0 against 4.7 us a call,
measured on the shared 2-core machine), and the SQLite backend calls this once per candidate row.
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6371008.7714  # the mean radius Elasticsearch uses for arc distance


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    return distance_m(lat1, lon1, lat2, lon2) / 1000.0
