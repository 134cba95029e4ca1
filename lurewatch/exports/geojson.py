"""GeoJSON: a FeatureCollection with one Point per located place of each finding (RFC 7946, lon/lat WGS 84)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from lurewatch.exports.writers import Resource

if TYPE_CHECKING:
    from lurewatch.records import Finding

FILE = "locations.geojson"


class GeojsonWriter:
    """Features are written as they come: the collection is never held in memory."""

    def __init__(self, folder: Path) -> None:
        self._fh = (folder / FILE).open("w", encoding="utf-8")
        self._fh.write('{"type":"FeatureCollection","features":[\n')
        self.rows = 0
        self.findings = 0

    def write(self, finding: Finding) -> None:
        placed = False
        for i, loc in enumerate(finding.locations):
            if loc.lat is None or loc.lon is None:
                continue
            feature = {
                "type": "Feature",
                "id": f"{finding.posting_id}/{i}",
                "geometry": {"type": "Point", "coordinates": [loc.lon, loc.lat]},
                "properties": {
                    "posting_id": finding.posting_id, "title": finding.title, "url": finding.url,
                    "fetched_at": finding.fetched_at, "risk_score": finding.risk_score,
                    "cluster_id": finding.cluster_id, "compound": finding.compound, "place": loc.name,
                    "country": loc.country, "admin1": loc.admin1, "geonameid": loc.geonameid,
                    "located_by": loc.source, "confidence": loc.confidence, "primary": i == 0,
                },
            }  # fmt: skip
            self._fh.write(("" if self.rows == 0 else ",\n") + json.dumps(feature, ensure_ascii=False))
            self.rows += 1
            placed = True
        self.findings += placed

    def close(self) -> list[Resource]:
        self._fh.write("\n]}\n")
        self._fh.close()
        return [Resource(FILE, "locations", "geojson", "application/geo+json",
                         "one Point feature per located place of a finding (properties: posting_id, title, "
                         "risk_score, place, country, located_by, confidence, ...)", self.rows,
                         extra={"findings_located": self.findings})]  # fmt: skip
