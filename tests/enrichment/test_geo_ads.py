"""Geolocating job ads: local-script names, known compounds, phones, domains, photo GPS, border towns, traps."""

from __future__ import annotations

import pytest

from lurewatch.enrichment.gazetteer import Gazetteer, load_gazetteer
from lurewatch.enrichment.geo_signals import domain_country, phone_country
from lurewatch.enrichment.geolocate import geolocate, geoparse


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    """Built from the packaged GeoNames data once per test session (a few seconds), then cached."""
    path = tmp_path_factory.getbasetemp() / "geo-data"
    path.mkdir(exist_ok=True)
    return load_gazetteer(path / "cache")


@pytest.mark.parametrize(
    "text",
    [
        "Customer service jobs in Sihanoukville, free visa and flight",
        "รับสมัครพนักงานที่สีหนุวิลล์ เงินเดือนดี",
        "高薪招聘客服 工作地点西港 包吃包住",
        "ការងារនៅក្រុងព្រះសីហនុ ប្រាក់ខែល្អ",
    ],
)
def test_sihanoukville_in_any_script_is_cambodia(gazetteer: Gazetteer, text: str) -> None:
    result = geolocate(text, "", [], [], [])
    assert result.country == "KH"
    assert result.compound == "Sihanoukville"
    assert abs(result.geo["lat"] - 10.61) < 0.1 and abs(result.geo["lon"] - 103.53) < 0.1


@pytest.mark.parametrize(
    "text", ["Typing job in Myawaddy, transport provided", "妙瓦底高薪招聘 包吃住", "မြဝတီမြို့တွင် အလုပ်ခေါ်"]
)
def test_myawaddy_in_any_script_is_the_myanmar_hub(gazetteer: Gazetteer, text: str) -> None:
    result = geolocate(text, "", [], [], [])
    assert (result.country, result.compound) == ("MM", "Myawaddy")


def test_named_compound_wins_over_its_town(gazetteer: Gazetteer) -> None:
    result = geolocate("Office in KK Park near Myawaddy. Good salary.", "en", [], [], [])
    assert (result.compound, result.country) == ("KK Park", "MM")
    assert {loc.source for loc in result.locations} == {"compound"}


def test_thai_border_town_stays_in_thailand(gazetteer: Gazetteer) -> None:
    for text in ("Meet our driver in Mae Sot", "นัดรับที่แม่สอด"):
        result = geolocate(text, "", [], [], [])
        assert result.country == "TH", text
        assert result.compound is None  # a transit town, not a compound


def test_crossing_from_mae_sot_points_to_myawaddy(gazetteer: Gazetteer) -> None:
    result = geolocate("We pick you up in Mae Sot and cross the river to Myawaddy.", "en", [], [], [])
    assert (result.country, result.compound) == ("MM", "Myawaddy")
    assert {(loc.name, loc.country) for loc in result.locations} >= {("Mae Sot", "TH"), ("Myawaddy", "MM")}


def test_phone_country_code_gives_the_country(gazetteer: Gazetteer) -> None:
    assert phone_country("+85512345678") == "KH"
    assert phone_country("+959123456789") == "MM"
    assert phone_country("not a number") is None
    result = geolocate("Apply now, good salary", "en", ["+85512345678"], [], [])
    assert result.country == "KH"
    assert [(loc.source, loc.country) for loc in result.locations] == [("phone", "KH")]


def test_country_code_domain_gives_the_country(gazetteer: Gazetteer) -> None:
    assert domain_country("jobs.example.com.kh") == "KH"
    assert domain_country("example.co.uk") == "GB"
    assert domain_country("startup.io") is None  # sold worldwide, says nothing
    result = geolocate("Apply now", "en", [], ["hr.example.com.kh"], [])
    assert (result.country, result.locations[0].source) == ("KH", "tld")


def test_photo_gps_point_is_primary_and_takes_the_country_of_a_named_place_nearby(gazetteer: Gazetteer) -> None:
    result = geolocate("Work in Sihanoukville", "en", [], [], [(10.62, 103.52), (0.0, 0.0)])
    exif = [loc for loc in result.locations if loc.source == "exif"]
    assert len(exif) == 1 and exif[0].country == "KH"  # the (0, 0) of a broken camera is dropped
    assert result.compound == "Sihanoukville"


def test_text_place_beats_phone_country_for_the_point(gazetteer: Gazetteer) -> None:
    result = geolocate("Office in Bangkok, apply by phone", "en", ["+85512345678"], [], [])
    assert result.geo is not None and abs(result.geo["lat"] - 13.75) < 0.2
    assert result.country == "TH"


@pytest.mark.parametrize(
    "text",
    [
        "Nice job for young people! Reading and typing only.",
        "Mobile: 0812345678. Bath and kitchen in the dormitory.",
        "Contact Mr Paris or Ms Victoria for details. Monday to Friday.",
        "CONTACT US NOW FOR A GOOD JOB",
        "Golden opportunity, Royal treatment, Lucky draw every month",
    ],
)
def test_common_words_and_person_names_are_not_places(gazetteer: Gazetteer, text: str) -> None:
    assert geoparse(text) == []
    assert geolocate(text, "en", [], [], []).country is None


def test_place_names_next_to_the_traps_are_still_found(gazetteer: Gazetteer) -> None:
    found = {(m.text, m.country) for m in geoparse("Reading group in Phnom Penh; office in Nice, France.")}
    assert ("Phnom Penh", "KH") in found
    assert ("Nice", "FR") in found  # supported by "France" in the same text
    assert not any(text == "Reading" for text, _ in found)


def test_offsets_are_characters_of_the_given_text(gazetteer: Gazetteer) -> None:
    text = "งานดี 🇹🇭 ที่แม่สอด and later Poipet"
    for mention in geoparse(text):
        assert text[mention.start : mention.end] == mention.text
    assert {m.text for m in geoparse(text)} == {"แม่สอด", "Poipet"}


def test_job_town_outvotes_the_hub_it_is_reached_from(gazetteer: Gazetteer) -> None:
    # Burmese: "Job in Thailand. A company in Mae Sot, Thailand; a car picks you up from Myawaddy"
    text = "ထိုင်းနိုင်ငံ အလုပ်။ ထိုင်းနိုင်ငံ မဲဆောက်မြို့ရှိ ကုမ္ပဏီ။ မြဝတီမှ ကားဖြင့် ကြိုပါမည်။"
    result = geolocate(text, "my", ["+66957001234"], [], [])
    assert result.country == "TH"
    assert result.compound == "Myawaddy"  # still flagged: the ad names the hub
    assert result.geo is not None and abs(result.geo["lat"] - 16.72) < 0.05  # Mae Sot, not Myawaddy


def test_lure_route_through_thailand_ends_in_the_compound(gazetteer: Gazetteer) -> None:
    text = "Fly to Bangkok, Thailand; our driver takes you to Mae Sot, then across to our office in KK Park."
    result = geolocate(text, "en", ["+66957001234"], [], [])
    assert (result.country, result.compound) == ("MM", "KK Park")
