"""Fit the geoparser's candidate ranker and span model (enrichment/data/geo_ranker.json) on annotated news.

For every annotated toponym that the geoparser finds (NER on, as shipped) and that has two or more candidate
places, the candidates within 161 km of the annotated point are the right ones. The weights maximise the
probability of the right ones under a conditional logit (softmax over each name's candidates) with an L2
penalty. The features of a candidate depend on the places chosen for the text's other names, so the fit
runs a few rounds: choose with the current weights, refit on the resulting features.

The span model (``enrichment/geo_accept.py``) is a logistic regression, fitted in the same rounds, of whether a
name that only the gazetteer scan found (NER on; NER's own places are kept) overlaps an annotated toponym.

    .venv/bin/python bench/fit_geo_ranker.py [--data DIR] [--corpus both|trnews|geovirus] [--out FILE]

``bench/geoparse_eval.py`` uses the same functions to fit on one corpus (or half of one) and score the other.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from lurewatch.enrichment.gazetteer import Gazetteer, load_gazetteer
from lurewatch.enrichment.geo_accept import HAND_WEIGHTS, SPAN_FEATURES, GeoWeights, SpanModel, Trace
from lurewatch.enrichment.geo_rank import FEATURES, HAND, WEIGHTS_FILE, Ranker
from lurewatch.enrichment.geolocate import geoparse
from lurewatch.geo import distance_km

# Not learnable from news, which has no phones or domains: kept at its hand-set ratio to the size weight
# (the ad path needs it: a phone's country is worth two orders of magnitude of population).
FIXED = ("country_signal",)
SCALE = "log_population"
L2 = 1.0  # penalty on the squared weights (the sum of the log-likelihood over ~1,000-2,000 names)
ROUNDS = 3
KM = 161.0


def training_data(docs, weights: GeoWeights, gazetteer: Gazetteer, ner: bool = True):
    """Ranker groups (candidate features, which are right) for each annotated toponym found with 2+ candidates,
    and span samples (features, overlaps an annotated toponym) for each mention the span model judges."""
    groups, span_x, span_y = [], [], []
    for text, golds in docs:
        trace = Trace()
        geoparse(text, ner=ner, gazetteer=gazetteer, weights=weights, trace=trace)
        spans = [(a, b, candidates) for _key, found, candidates in trace.names for a, b in found]
        for g in golds:
            if g.lat is None:
                continue
            candidates = next((c for a, b, c in spans if a < g.end and g.start < b), None)
            if not candidates or len(candidates) < 2:
                continue
            right = np.array([distance_km(g.lat, g.lon, p.lat, p.lon) <= KM for p, _ in candidates])
            if right.any() and not right.all():
                groups.append((np.array([f for _, f in candidates], dtype=float), right))
        for a, b, f in trace.spans:
            span_x.append(f)
            span_y.append(any(a < g.end and g.start < b for g in golds))
    return groups, (np.array(span_x, dtype=float), np.array(span_y, dtype=float))


def fit_span_model(x: np.ndarray, y: np.ndarray, l2: float = L2) -> SpanModel:
    """Logistic regression (L2 on every weight but the bias) of "overlaps an annotated toponym"."""
    penalty = np.full(x.shape[1], l2)
    penalty[SPAN_FEATURES.index("bias")] = 0.0

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        value = np.sum(np.logaddexp(0, z) - y * z) + 0.5 * w @ (penalty * w)
        return float(value), x.T @ (1 / (1 + np.exp(-z)) - y) + penalty * w

    result = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B")
    return SpanModel(tuple(round(float(v), 4) for v in result.x))


def fit_weights(groups: list[tuple[np.ndarray, np.ndarray]], l2: float = L2) -> Ranker:
    """Conditional-logit weights for ``groups`` (vectorised over all candidates at once)."""
    free = np.array([name not in FIXED for name in FEATURES])
    hand = np.array(HAND.weights)
    scale = FEATURES.index(SCALE)
    ratio = hand[~free] / hand[scale]
    x = np.vstack([g[0] for g in groups])
    x[:, scale] += x[:, ~free] @ ratio  # the fixed features move with the size weight
    x = x[:, free]
    right = np.concatenate([g[1] for g in groups]).astype(float)
    sizes = np.array([len(g[1]) for g in groups])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    group_of = np.repeat(np.arange(len(groups)), sizes)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = x @ w
        s = s - np.maximum.reduceat(s, starts)[group_of]
        e = np.exp(s)
        z_all = np.add.reduceat(e, starts)
        z_right = np.add.reduceat(e * right, starts)
        value = -np.sum(np.log(z_right / z_all)) + 0.5 * l2 * w @ w
        coef = e / z_all[group_of] - e * right / z_right[group_of]
        return float(value), x.T @ coef + l2 * w

    result = minimize(loss, hand[free], jac=True, method="L-BFGS-B")
    weights = hand.copy()
    weights[free] = result.x
    weights[~free] = ratio * weights[scale]
    return Ranker(tuple(round(float(v), 4) for v in weights))


def fit(docs, gazetteer: Gazetteer, rounds: int = ROUNDS, ner: bool = True) -> tuple[GeoWeights, int, int]:
    """Ranker and span model fitted on ``docs`` (starting from the hand-set weights and rule), and the numbers
    of names and of mentions fitted on."""
    weights = HAND_WEIGHTS
    groups: list = []
    y = np.zeros(0)
    for _ in range(rounds):
        groups, (x, y) = training_data(docs, weights, gazetteer, ner)
        weights = GeoWeights(fit_weights(groups), fit_span_model(x, y) if ner else None)
    return weights, len(groups), len(y)


def main() -> None:
    from geoparse_eval import DEFAULT_DATA, load_corpora

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with TR-News.xml and GeoVirus.xml")
    parser.add_argument("--corpus", choices=("both", "trnews", "geovirus"), default="both")
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    args = parser.parse_args()
    gazetteer = load_gazetteer()
    corpora = load_corpora(args.data, gazetteer)
    docs = [d for name, c in corpora.items() if args.corpus in ("both", name) for d in c]
    weights, names, mentions = fit(docs, gazetteer)
    ranker = weights.ranker
    assert weights.spans is not None
    data = {
        "fitted_on": sorted(n for n in corpora if args.corpus in ("both", n)),
        "names": names,
        "mentions": mentions,
        "l2": L2,
        "fixed": list(FIXED),
        "rounds": ROUNDS,
        "refit": "python bench/fit_geo_ranker.py",
        "weights": ranker.as_mapping(),
        "spans": weights.spans.as_mapping(),
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    for name, w in zip(FEATURES, ranker.weights, strict=True):
        print(f"  {name:24s} {w:+.3f}  (hand {HAND.as_mapping()[name]:+.3f})")
    for name, w in weights.spans.as_mapping().items():
        print(f"  span {name:20s} {w:+.3f}")
    print(f"RESULT names={names} mentions={mentions} out={args.out}")


if __name__ == "__main__":
    main()
