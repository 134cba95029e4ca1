"""The learned candidate ranker and span model of the geoparser, on short texts written for these tests."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from lurewatch.enrichment.gazetteer import load_gazetteer
from lurewatch.enrichment.geo_accept import HAND_WEIGHTS, SPAN_FEATURES, GeoWeights, Trace, learned_weights
from lurewatch.enrichment.geo_rank import FEATURES, HAND, WEIGHTS_FILE, RankContext, Ranker, features
from lurewatch.enrichment.geolocate import geolocate, geoparse


def places(text: str, ner: bool = False, weights: GeoWeights | None = None) -> dict[str, tuple[str | None, str | None]]:
    """Name as written → (country, first-level region) of the place it was resolved to."""
    return {
        r.text: (r.place.country, r.place.admin1)
        for r in geoparse(text, ner=ner, weights=weights)
        if r.place is not None
    }


def test_shipped_weights_name_every_feature_and_nothing_else() -> None:
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(FEATURES)
    assert set(data["spans"]) == set(SPAN_FEATURES)
    assert data["refit"].startswith("python bench/fit_geo_ranker.py")
    weights = learned_weights()
    assert weights.ranker != HAND and weights.spans is not None


def test_unknown_feature_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown ranker features"):
        Ranker.from_mapping({"log_populaton": 1.0})


@pytest.mark.parametrize(
    ("text", "name", "country", "region"),
    [
        ("Hiring drivers in Perth.", "Perth", "AU", "Western Australia"),  # the big one, with no context
        ("Hiring drivers in Perth, Scotland.", "Perth", "GB", "Scotland"),  # "Town, Region"
        ("Floods in London closed schools.", "London", "GB", "England"),
        ("Floods in London, Ontario closed schools.", "London", "CA", "Ontario"),
        ("The storm hit Birmingham and Montgomery in Alabama.", "Birmingham", "US", "Alabama"),  # region named
        ("The storm hit Birmingham.", "Birmingham", "GB", "England"),
    ],
)
def test_learned_ranker_follows_size_and_context(text: str, name: str, country: str, region: str) -> None:
    assert places(text)[name] == (country, region)


def test_country_named_elsewhere_outweighs_a_bigger_namesake() -> None:
    gazetteer = load_gazetteer()
    candidates = {"perth": gazetteer.lookup("Perth")}
    own = {"perth": {}}
    context = RankContext(candidates, own, {"GB": 1.0}, {}, {}, Counter())
    ranker = learned_weights().ranker
    best = max(candidates["perth"], key=lambda p: ranker.score(features(p, "perth", context)))
    assert best.country == "GB"
    alone = RankContext(candidates, own, {}, {}, {}, Counter())
    best = max(candidates["perth"], key=lambda p: ranker.score(features(p, "perth", alone)))
    assert best.country == "AU"


def test_a_phone_country_still_counts_on_the_ad_path() -> None:
    # The fitted news has no phones: the signal keeps its hand-set ratio to the size weight.
    weights = learned_weights().ranker.as_mapping()
    assert weights["country_signal"] == pytest.approx(weights["log_population"] * HAND.as_mapping()["country_signal"])
    assert geolocate("Office job in Perth, good salary", "en", ["+441738123456"]).country == "GB"


def test_trace_records_the_candidates_of_each_name() -> None:
    trace = Trace()
    geoparse("Floods in London, Ontario closed schools.", weights=HAND_WEIGHTS, trace=trace)
    names = {key: candidates for key, _spans, candidates in trace.names}
    assert len(names["london"]) > 1
    assert all(len(f) == len(FEATURES) for _place, f in names["london"])


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("Georgia Stevens, 9, skated in Innisfail, Alberta, on Monday.", "Georgia", "Innisfail"),
        ("He studied at Tehran University before a year in Bangkok.", "Tehran", "Bangkok"),
    ],
)
def test_span_model_rejects_a_place_name_inside_a_person_or_an_organisation(
    text: str, absent: str, present: str
) -> None:
    assert absent in places(text, ner=True, weights=HAND_WEIGHTS)  # the hand-set rule took it for a place
    found = places(text, ner=True)
    assert present in found
    assert absent not in found


def test_span_model_is_not_used_without_ner() -> None:
    text = "Staff in Tehran and Bangkok were hired."
    assert places(text) == places(text, weights=HAND_WEIGHTS)
