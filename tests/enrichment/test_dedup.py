"""Dedup: exact, near-duplicate and same-image clustering, within a run and across runs."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from lurewatch.enrichment.dedup import Candidate, MemoryCandidateStore, assign_cluster, content_sha256, dedup_keys
from lurewatch.enrichment.pipeline import enrich_file
from lurewatch.records import Finding, Image, Posting, read_jsonl, to_json
from tests.support import ROOT
from tests.support.fixtures.dedup_ads import labelled_ads

SHORT_ADS = ROOT / "bench" / "data" / "dedup_short_ads.jsonl"


def _posting(ad_id: str, title: str, text: str, images: list[Image] | None = None) -> Posting:
    return Posting(
        posting_id=ad_id, source="fixture", source_kind="board", url=f"https://jobs.example.com/{ad_id}",
        canonical_url=f"https://jobs.example.com/{ad_id}", fetched_at="2026-11-29T00:00:00+00:00", run_id="r1",
        title=title, text=text, images=images or [],
    )  # fmt: skip


def pairwise_precision_recall(truth: dict[str, str], predicted: dict[str, str]) -> tuple[float, float]:
    """Precision and recall of "these two ads are in the same cluster" over every pair of ads."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(truth), 2):
        same_true, same_pred = truth[a] == truth[b], predicted[a] == predicted[b]
        tp += same_true and same_pred
        fp += same_pred and not same_true
        fn += same_true and not same_pred
    return tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)


def _enrich(tmp_path: Path, postings: list[Posting], workers: int = 1, store=None) -> list[Finding]:  # type: ignore[no-untyped-def]
    src = tmp_path / "postings.jsonl"
    src.write_text("".join(to_json(p) + "\n" for p in postings), encoding="utf-8")
    out = tmp_path / "findings.jsonl"
    enrich_file(src, out, tmp_path / "rejects.jsonl", workers=workers, store=store, min_parallel_bytes=0)
    return list(read_jsonl(out, Finding))


def test_labelled_reposts_cluster_and_template_siblings_stay_apart(tmp_path: Path) -> None:
    ads = labelled_ads()
    findings = _enrich(tmp_path, [_posting(ad_id, title, text) for ad_id, _, title, text in ads])
    truth = {ad_id: group for ad_id, group, _, _ in ads}
    predicted = {f.posting_id: f.cluster_id for f in findings}
    precision, recall = pairwise_precision_recall(truth, predicted)
    print(f"labelled set: {len(ads)} ads, {len(set(truth.values()))} true clusters, "
          f"{len(set(predicted.values()))} predicted; pairwise precision={precision:.3f} recall={recall:.3f}")  # fmt: skip
    assert precision >= 0.95 and recall >= 0.95
    originals = {f.posting_id: f for f in findings if f.posting_id.endswith("-orig")}
    for finding in findings:
        if (
            not finding.posting_id.endswith("-orig")
            and finding.cluster_id == finding.posting_id.rsplit("-", 1)[0] + "-orig"
        ):
            assert finding.duplicate_of == finding.cluster_id  # the first-seen member is named
    assert all(f.duplicate_of is None for f in originals.values())


def test_short_reposts_that_rotate_contacts_cluster_and_siblings_stay_apart(tmp_path: Path) -> None:
    """The second labelled set: short ads in eight languages, written to other rules than the first."""
    ads = [json.loads(line) for line in SHORT_ADS.read_text(encoding="utf-8").splitlines()]
    findings = _enrich(tmp_path, [_posting(ad["id"], ad["title"], ad["text"]) for ad in ads])
    truth = {ad["id"]: ad["group"] for ad in ads}
    precision, recall = pairwise_precision_recall(truth, {f.posting_id: f.cluster_id for f in findings})
    print(f"short ads: {len(ads)} ads; pairwise precision={precision:.3f} recall={recall:.3f}")
    assert precision >= 0.95 and recall >= 0.95
    rotated = {f.posting_id: f.cluster_id for f in findings if f.posting_id.endswith(("-orig", "-rotated"))}
    assert all(rotated[f"{ad['group']}-rotated"] == rotated[f"{ad['group']}-orig"] for ad in ads)


def test_repost_with_new_phone_joins_cluster(tmp_path: Path) -> None:
    text = "Hiring typists in Poipet\nSalary 1,200 USD a month\nFree visa and room\nCall +855 96 234 5678"
    a, b = (
        _posting("a", "Typist wanted", text),
        _posting("b", "Typist wanted", text.replace("96 234 5678", "17 876 5432")),
    )
    fa, fb = _enrich(tmp_path, [a, b])
    assert fb.cluster_id == fa.cluster_id == "a" and fb.duplicate_of == "a" and fa.duplicate_of is None


def test_exact_copy_on_another_site_is_a_duplicate_even_when_short(tmp_path: Path) -> None:
    fa, fb = _enrich(tmp_path, [_posting("a", "Job", "Call now!"), _posting("b", "JOB", "call now")])
    assert fb.duplicate_of == "a"


def test_same_image_with_loosely_similar_text_joins(tmp_path: Path) -> None:
    text = "Office staff needed, good pay, apply now\nContact our agent on Telegram @agent_one_kh"
    other = "Office staff needed in Bavet, very good pay, apply today\nAsk our agent @agent_two_kh"
    flyer, near = Image(url="u1", phash="f0e1d2c3b4a59687"), Image(url="u2", phash="f0e1d2c3b4a59686")
    fa, fb = _enrich(tmp_path, [_posting("a", "Staff", text, [flyer]), _posting("b", "Hiring", other, [near])])
    assert fb.cluster_id == "a"


def test_unrelated_ads_with_same_logo_stay_apart(tmp_path: Path) -> None:
    logo = Image(url="logo", phash="00ff00ff00ff00ff")
    fa, fb = _enrich(
        tmp_path,
        [
            _posting(
                "a", "Accountant", "Accountant for our Bangkok branch, CPA required, five years of audit work", [logo]
            ),
            _posting("b", "Driver", "Truck driver with class 2 licence, night shifts on the Chonburi route", [logo]),
        ],
    )
    assert fb.cluster_id == "b" and fb.duplicate_of is None


def test_dedup_works_across_runs_through_the_candidate_store(tmp_path: Path) -> None:
    ads = [a for a in labelled_ads() if a[1] == "t3f0"]
    first, later = ads[:1], ads[1:]
    run1 = _enrich(tmp_path, [_posting(a, t, x) for a, _, t, x in first])

    class FindingsStore(MemoryCandidateStore):
        """What the index does: look findings up by their stored ``minhash_bands``."""

    store = FindingsStore()
    for f in run1:
        store.add(Candidate(f.posting_id, f.cluster_id, f.first_seen or "", tuple(f.minhash_bands)))
    run2 = _enrich(tmp_path, [_posting(a, t, x) for a, _, t, x in later], store=store)
    assert {f.cluster_id for f in run2} == {first[0][0]}


def test_two_workers_give_the_same_findings_as_one(tmp_path: Path) -> None:
    postings = [_posting(a, t, x) for a, _, t, x in labelled_ads()[:40]]
    (tmp_path / "one").mkdir(), (tmp_path / "two").mkdir()
    one = _enrich(tmp_path / "one", postings, workers=1)
    two = _enrich(tmp_path / "two", postings, workers=2)
    assert [to_json(f) for f in one] == [to_json(f) for f in two]


def test_earliest_first_seen_member_is_named_when_two_clusters_match() -> None:
    store = MemoryCandidateStore()
    keys = dedup_keys("T", "same words here for all", content_sha256("T", "same words here for all"), [])
    store.add(Candidate("late", "late", "2026-02-01", tuple(keys)))
    store.add(Candidate("early", "early", "2026-01-01", tuple(keys)))
    assert assign_cluster(store, "new", "2026-03-01", keys) == ("early", "early")
    assert json.dumps(keys[0]).startswith('"h:')


def _field(ad: object, *names: str) -> object:
    for name in names:
        value = ad.get(name) if isinstance(ad, dict) else getattr(ad, name, None)
        if value is not None:
            return value
    return None


def test_demo_site_reposts_cluster(tmp_path: Path) -> None:
    """Ground truth from the demo board: ``repost_of`` names the ad an ad reposts."""
    from lurewatch.demo import site

    ads = list(site.demo_ads())
    ids = [str(_field(ad, "ad_id", "id", "slug")) for ad in ads]
    parent = {i: str(_field(ad, "repost_of") or i) for i, ad in zip(ids, ads, strict=True)}

    def root(ad_id: str) -> str:
        while parent.get(ad_id, ad_id) != ad_id:
            ad_id = parent[ad_id]
        return ad_id

    postings = []
    for ad_id, ad in zip(ids, ads, strict=True):
        posting = _posting(ad_id, str(_field(ad, "title") or ""), str(_field(ad, "text", "body") or ""))
        posting.html = "" if posting.text else str(_field(ad, "html") or "")
        postings.append(posting)
    findings = _enrich(tmp_path, postings, workers=2)
    precision, recall = pairwise_precision_recall(
        {i: root(i) for i in ids}, {f.posting_id: f.cluster_id for f in findings}
    )
    print(f"demo site: {len(ids)} ads; pairwise precision={precision:.3f} recall={recall:.3f}")
    assert precision >= 0.95 and recall >= 0.95


def test_compact_store_finds_the_same_clusters_after_merging_its_index(tmp_path: Path) -> None:
    ads = labelled_ads()
    postings = [_posting(ad_id, title, text) for ad_id, _, title, text in ads]
    merged = MemoryCandidateStore()
    merged.FLUSH = 1  # merge the recent keys into the sorted arrays after every few findings
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    with_merges = _enrich(tmp_path / "a", postings, store=merged)
    in_dict_only = _enrich(tmp_path / "b", postings, store=MemoryCandidateStore())
    assert len(merged) == len(ads)
    assert [(f.cluster_id, f.duplicate_of) for f in with_merges] == [
        (f.cluster_id, f.duplicate_of) for f in in_dict_only
    ]


def test_the_original_is_the_earliest_posted_member_even_when_crawled_last(tmp_path: Path) -> None:
    """A board lists newest first: the crawl meets the reposts before the ad they repeat."""
    body = ("Customer service staff wanted in Sihanoukville. Salary 1500 USD per month, free visa and flight.\n"
            "No experience needed, age 18-35. Contact Telegram @kh_hr_{} today, interview online.")  # fmt: skip
    newest_first = [("r3", "2026-11-20", "03"), ("r2", "2026-11-15", "02"), ("orig", "2026-11-02", "01")]
    postings = []
    for ad_id, posted, phone in newest_first:
        posting = _posting(ad_id, "Customer service – Sihanoukville", body.format(phone))
        posting.posted_at = posted
        postings.append(posting)
    findings = {f.posting_id: f for f in _enrich(tmp_path, postings)}
    assert len({f.cluster_id for f in findings.values()}) == 1
    assert findings["orig"].duplicate_of is None  # used to be "r3", the first one crawled
    assert findings["r3"].duplicate_of == findings["r2"].duplicate_of == "orig"
