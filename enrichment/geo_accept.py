"""Decide whether a name in English text, read with NER, is a place: a logistic model over general signals.

A name that NER calls a place is one. A name that only the gazetteer scan found gets, once its best place is
chosen, the features in ``SPAN_FEATURES``: the kind and size of its best place, how much the rest of the text
supports it, whether NER put it inside an organisation's, a person's or another entity's name ("Kenya
Airways", "Georgia Stevens") or calls the same name a person elsewhere, the tagger's proper-noun tag, where it
stands (sentence start, after a title, after "in", before "said", inside a longer capitalised
run), and its form (all capitals, short, several words, a common English word, a month or weekday name).
The weights are learned (``data/geo_ranker.json``, fitted by ``bench/fit_geo_ranker.py`` on the mentions of
annotated news: a mention is right when it overlaps an annotated toponym). A name is a place when one of its
mentions has a probability above one half (the threshold is not tuned).

Only the NER path uses it: ads in Thai, Khmer, Burmese or Chinese are read without NER and keep the hand-set
rule (``geo_doubts`` and the bar in ``geo_resolve``), since no annotated ads exist to learn from.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from lurewatch.enrichment.gazetteer import CITY, CONTINENT, COUNTRY, REGION, SUBREGION, Place, name_key
from lurewatch.enrichment.geo_doubts import calendar_words, common_words
from lurewatch.enrichment.geo_rank import HAND, WEIGHTS_FILE, Ranker, learned_ranker
from lurewatch.enrichment.geo_spans import Mention

SPAN_FEATURES = (
    "bias",
    "kind_country",
    "kind_region",
    "kind_continent",
    "kind_town",
    "log_population",  # log10(population + 1) / 7
    "context",  # hand-set context score of the best place (countries, regions, signals named), at most 4, / 4
    "log_candidates",  # log10(1 + number of places so named) / 2
    "in_organisation",  # inside a longer span NER calls ORG ("Kenya Airways")
    "is_organisation",  # NER calls exactly this span ORG ("Kenya said", a metonymy)
    "in_person",  # inside a longer span NER calls PERSON ("Georgia Stevens")
    "is_person",  # NER calls exactly this span PERSON
    "in_other_entity",  # inside an EVENT, WORK_OF_ART, PRODUCT or LAW span
    "ner_silent",  # found by the scan, and NER saw no entity there
    "person_elsewhere",  # NER calls the same name a person elsewhere in the text
    "not_proper_noun",  # the tagger does not tag its first word NNP
    "in_run",  # touches another capitalised word
    "sentence_start",
    "shouting",
    "after_title",
    "after_preposition",
    "before_speech",
    "common_word",
    "calendar_word",
    "short",  # three characters or fewer
    "all_capitals",
    "several_words",
    "own_name",  # the best place's own name, not an alternate one
)
OTHER_ENTITIES = ("EVENT", "WORK_OF_ART", "PRODUCT", "LAW")


@dataclass(frozen=True)
class SpanModel:
    """Logistic weights, one per name in ``SPAN_FEATURES``; a mention is a place when its score is above 0."""

    weights: tuple[float, ...]

    @classmethod
    def from_mapping(cls, weights: Mapping[str, float]) -> SpanModel:
        unknown = set(weights) - set(SPAN_FEATURES)
        if unknown:
            raise ValueError(f"unknown span features: {sorted(unknown)}")
        return cls(tuple(float(weights.get(name, 0.0)) for name in SPAN_FEATURES))

    def as_mapping(self) -> dict[str, float]:
        return dict(zip(SPAN_FEATURES, self.weights, strict=True))

    def score(self, features: Sequence[float]) -> float:
        return float(sum(map(operator.mul, self.weights, features)))

    def probability(self, features: Sequence[float]) -> float:
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, self.score(features)))))


@dataclass(frozen=True)
class GeoWeights:
    """The candidate ranker's weights, and the span model's (None: the hand-set rule decides every span)."""

    ranker: Ranker
    spans: SpanModel | None


HAND_WEIGHTS = GeoWeights(HAND, None)  # as before anything was learned


@lru_cache(maxsize=1)
def learned_weights() -> GeoWeights:
    """The shipped weights (``data/geo_ranker.json``: ``weights`` for the ranker, ``spans`` for the span model)."""
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    return GeoWeights(learned_ranker(), SpanModel.from_mapping(data["spans"]) if "spans" in data else None)


@dataclass
class Trace:
    """What ``resolve`` saw, for fitting: each chosen name's spans and all its candidates' features, and the
    span features of each mention the span model judged."""

    names: list[tuple[str, list[tuple[int, int]], list[tuple[Place, list[float]]]]] = field(default_factory=list)
    spans: list[tuple[int, int, list[float]]] = field(default_factory=list)


def span_features(
    m: Mention,
    place: Place,
    n_candidates: int,
    context: float,
    around: Sequence[tuple[str, bool]],
    person_elsewhere: bool,
    proper: set[int] | None,
) -> list[float]:
    """The features of one mention whose best place is ``place``; ``around``: the NER label of each span around
    it, and whether that span is longer than the mention."""
    labels = [label for label, _ in around]
    single = " " not in m.text
    return [
        1.0,
        place.kind == COUNTRY,
        place.kind == REGION,
        place.kind == CONTINENT,
        place.kind in (CITY, SUBREGION),
        math.log10(place.population + 1) / 7,
        min(context, 4.0) / 4,
        math.log10(1 + n_candidates) / 2,
        ("ORG", True) in around,
        ("ORG", False) in around,
        ("PERSON", True) in around,
        ("PERSON", False) in around,
        any(label in OTHER_ENTITIES for label in labels),
        m.finder == "scan" and not labels,
        person_elsewhere,
        proper is not None and m.start not in proper and not m.text.isupper(),
        m.in_run,
        m.sentence_start,
        m.shouting,
        m.after_title,
        m.after_preposition,
        m.before_speech,
        m.key in common_words(),
        single and m.key in calendar_words(),
        len(m.text) <= 3,
        m.text.isupper() and len(m.text) > 1,
        not single,
        name_key(place.name) == m.key,
    ]
