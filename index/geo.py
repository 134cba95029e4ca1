"""Geo arithmetic of the SQLite backend and the map: web-mercator tiles (distance: ``lurewatch.geo``)."""

from __future__ import annotations

import math

from lurewatch.geo import EARTH_RADIUS_M

TILE_ZOOM = 16  # tiles are stored at this zoom; coarser ones are a shift away


def tile_of(lat: float, lon: float, zoom: int = TILE_ZOOM) -> tuple[int, int]:
    """The (x, y) web-mercator tile holding a point, as Elasticsearch's geotile_grid computes it."""
    n = 1 << zoom
    x = int(math.floor((lon + 180.0) / 360.0 * n))
    lat = max(min(lat, 85.05112878), -85.05112878)
    rad = math.radians(lat)
    y = int(math.floor((1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n))
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_center(key: str) -> tuple[float, float]:
    """The (lat, lon) of the centre of tile ``z/x/y``."""
    z, x, y = (int(p) for p in key.split("/"))
    n = 1 << z
    lon = (x + 0.5) / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 0.5) / n))))
    return lat, lon


def tile_bounds(key: str) -> tuple[float, float, float, float]:
    """The (west, south, east, north) box of tile ``z/x/y``."""
    z, x, y = (int(p) for p in key.split("/"))
    n = 1 << z

    def lat_of(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360.0 - 180.0, lat_of(y + 1), (x + 1) / n * 360.0 - 180.0, lat_of(y)


def zoom_for(width_degrees: float) -> int:
    """A geotile zoom that splits a view ``width_degrees`` wide into a few dozen cells."""
    return max(2, min(14, round(math.log2(360.0 / max(width_degrees, 1e-6))) + 3))


def box_around(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """A (west, south, east, north) box that contains the circle; a cheap pre-filter."""
    dlat = math.degrees(km * 1000 / EARTH_RADIUS_M) * 1.01
    dlon = dlat / max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat
