"""The GeoNames index, the known-compounds gazetteer and the geoparse command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lurewatch.enrichment.gazetteer import COUNTRY, REGION, Gazetteer, cache_file, load_gazetteer
from lurewatch.enrichment.geo_compounds import find_compounds, load_compounds
from lurewatch.enrichment.geolocate import geoparse
from lurewatch.geo import distance_km
from tests.support import ROOT


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's geo data folder (shared with test_geo_ads): subprocesses load its cached index."""
    path = tmp_path_factory.getbasetemp() / "geo-data"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="module")
def gazetteer(data_dir: Path) -> Gazetteer:
    return load_gazetteer(data_dir / "cache")


def test_small_border_towns_and_local_script_names_are_indexed(gazetteer: Gazetteer) -> None:
    (myawaddy,) = [p for p in gazetteer.lookup("Myawaddy") if p.country == "MM"]
    assert myawaddy.admin1 == "Kayin"
    assert [p.name for p in gazetteer.lookup("แม่สอด")] == ["Mae Sot"]
    assert any(p.country == "MM" for p in gazetteer.lookup("မြဝတီ"))
    assert any(p.name == "Shwe Kokko" for p in gazetteer.lookup("shwe kokko"))  # population under 10,000


def test_countries_regions_and_abbreviations_resolve(gazetteer: Gazetteer) -> None:
    assert {(p.kind, p.country) for p in gazetteer.lookup("U.S.")} == {(COUNTRY, "US")}
    assert (REGION, "CA") in {(p.kind, p.country) for p in gazetteer.lookup("B.C.")}
    assert (REGION, "US") in {(p.kind, p.country) for p in gazetteer.lookup("Ky.")}
    assert gazetteer.demonym_country("Cambodian") == "KH"
    assert gazetteer.demonym_country("Thai") == "TH"


def test_the_index_is_cached_on_disk_and_loaded_once(gazetteer: Gazetteer, data_dir: Path, tmp_path: Path) -> None:
    assert cache_file(data_dir / "cache").stat().st_size > 1_000_000
    assert load_gazetteer() is gazetteer  # one per process, whatever folder
    assert load_gazetteer(tmp_path) is gazetteer


def test_every_compound_cites_a_source_and_lies_near_its_gazetteer_town(gazetteer: Gazetteer) -> None:
    compounds = load_compounds()
    assert len(compounds) >= 15
    for compound in compounds:
        assert compound.sources, compound.name
        towns = [p for p in gazetteer.lookup(compound.near_town) if p.country == compound.country]
        assert towns, f"{compound.name}: near_town {compound.near_town!r} is not a GeoNames town in {compound.country}"
        nearest = min(distance_km(compound.lat, compound.lon, t.lat, t.lon) for t in towns)
        assert nearest <= compound.radius_km, f"{compound.name} is {nearest:.0f} km from {compound.near_town}"


def test_compound_aliases_match_as_words_in_latin_and_anywhere_in_chinese() -> None:
    assert [m.compound.name for m in find_compounds("Jobs at KK Park!")] == ["KK Park"]
    assert find_compounds("the kkpark app") == []
    assert [m.compound.name for m in find_compounds("在金木棉工作")] == ["Golden Triangle Special Economic Zone"]


def test_news_text_with_context_picks_the_right_namesake(gazetteer: Gazetteer) -> None:
    text = "Police in Edmonton, Alberta said the driver was later found in Calgary."
    found = {m.text: m.country for m in geoparse(text, ner=False)}
    assert found == {"Edmonton": "CA", "Alberta": "CA", "Calgary": "CA"}
    london = {m.text: m.country for m in geoparse("The mayor of London met the Prime Minister of Britain.")}
    assert london["London"] == "GB"


def test_nationality_words_give_context_but_are_not_places_by_default(gazetteer: Gazetteer) -> None:
    assert geoparse("Thai speakers wanted") == []
    mentions = geoparse("A Turkish court in Ankara", demonym_spans=True)
    assert [(m.text, m.country) for m in mentions] == [("Turkish", "TR"), ("Ankara", "TR")]


def test_countries_sit_at_geonames_own_points(gazetteer: Gazetteer) -> None:
    import yaml

    points = yaml.safe_load((ROOT / "enrichment" / "data" / "country_points.yml").read_text(encoding="utf-8"))
    assert len(points) > 190
    for iso, (lat, lon) in points.items():
        if iso in gazetteer.countries:
            country = gazetteer.countries[iso]
            assert (country.lat, country.lon) == (float(lat), float(lon)), iso


def test_town_region_pairs_and_nationality_words(gazetteer: Gazetteer) -> None:
    dover = {m.text: m.country for m in geoparse("They met in Dover, Kent.")}
    assert dover == {"Dover": "GB", "Kent": "GB"}  # each name narrows the other down
    listed = geoparse("Flights to Norway, Sweden, Denmark and Finland resumed.")
    assert {m.place.kind for m in listed} == {COUNTRY}  # a list is not "Town, Region"
    text = "The Canadian dollar fell against European currencies."
    assert geoparse(text) == []
    found = [(m.text, m.place.name, m.place.kind) for m in geoparse(text, demonym_spans=True)]
    assert found == [("Canadian", "Canada", COUNTRY), ("European", "Europe", "continent")]


@pytest.mark.slow
def test_ner_finds_places_the_scan_cannot_judge(gazetteer: Gazetteer) -> None:
    text = "Flooding hit Springfield on Monday; officials in Illinois said Springfield's schools would close."
    found = {(m.text, m.country) for m in geoparse(text, ner=True)}
    assert ("Illinois", "US") in found
    assert ("Springfield", "US") in found


def _cli(args: list[str], stdin: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {"LUREWATCH_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "lurewatch", "geoparse", *args],
        input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip


@pytest.mark.slow
def test_geoparse_command_jsonl_keeps_going_past_bad_lines(
    gazetteer: Gazetteer, data_dir: Path, tmp_path: Path
) -> None:
    lines = [
        json.dumps({"id": "a", "text": "Shuttle from Mae Sot to Myawaddy"}),
        "{broken",
        json.dumps({"id": 2, "text": "西港招聘"}),
        json.dumps({"id": 3}),
    ]
    rejects = tmp_path / "rejects.jsonl"
    done = _cli(["--jsonl", "--no-ner", "--rejects", str(rejects)], "\n".join(lines) + "\n", data_dir)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a", 2]
    first = records[0]["toponyms"]
    assert [(t["start"], t["end"], t["country"]) for t in first] == [(13, 20, "TH"), (24, 32, "MM")]
    assert records[1]["toponyms"][0]["country"] == "KH"
    assert "line 2 rejected" in done.stderr and "line 4 rejected" in done.stderr
    assert rejects.read_text().splitlines() == [lines[1], lines[3]]


@pytest.mark.slow
def test_geoparse_command_prints_the_posting_result_for_plain_text(gazetteer: Gazetteer, data_dir: Path) -> None:
    done = _cli(["--no-ner", "--phone", "+85512345678"], "Work in KK Park", data_dir)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["compound"], result["country"]) == ("KK Park", "MM")
    assert {loc["source"] for loc in result["locations"]} == {"compound", "phone"}
