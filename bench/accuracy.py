"""Accuracy on text written by others: phones and handles in real messages, clusters of short reposts, countries.

Each figure is printed beside a naive baseline run in the same script:
- phones: precision and recall per number on 251 real Vietnamese SMS (shared/data/realworld/vi_sms), against
  the hand-checked spans in bench/data/vi_sms_phones.json (the SMS are read where they are, never copied);
  baseline: every run of 9–15 digits that libphonenumber calls valid for Vietnam.
- handles: Telegram handles in the same SMS and in 23 real Telegram channel posts (shared/data/realworld/
  telegram_preview, read as the channel spider reads them), against bench/data/realworld_handles.json;
  baseline: every @word of 5+ characters and every t.me/name.
- clusters: pairwise precision and recall on bench/data/dedup_short_ads.jsonl (short ads in eight languages,
  written to other rules than the tests' first labelled set); baseline: identical content only.
- country: the demo board's ads, country from what the product extracts (no ground-truth phones);
  baseline: the country of the first phone the product extracts. (The demo board was written together
  with the rules: a regression figure, not a generalisation claim.)
Geoparsing of news is measured by bench/geoparse_eval.py.

    .venv/bin/python bench/accuracy.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import re
from collections.abc import Iterable
from pathlib import Path

import phonenumbers
from parsel import Selector

from lurewatch.crawlers.spiders.channel import MESSAGE, OWN_TEXT, message_text
from lurewatch.demo.site import demo_ads
from lurewatch.enrichment.contacts import extract_contacts
from lurewatch.enrichment.dedup import MemoryCandidateStore, assign_cluster, content_sha256, dedup_keys
from lurewatch.enrichment.geolocate import geolocate
from lurewatch.enrichment.normalize import detect_language
from lurewatch.enrichment.phones import phone_region

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data"
NAIVE_PHONE = re.compile(r"\+?\d[\d .-]{7,14}\d")
NAIVE_HANDLE = re.compile(r"@([A-Za-z]\w{4,31})|t\.me/([A-Za-z]\w{3,31})")


def precision_recall(pairs: Iterable[tuple[set[str], set[str]]]) -> tuple[float, float, int]:
    """Micro-averaged precision and recall over (expected, found) sets; also the number expected."""
    tp = fp = fn = 0
    for expected, found in pairs:
        tp += len(expected & found)
        fp += len(found - expected)
        fn += len(expected - found)
    return tp / ((tp + fp) or 1), tp / ((tp + fn) or 1), tp + fn


def _e164(written: str) -> str:
    digits = re.sub(r"\D", "", written)
    if digits.startswith("84") and len(digits) >= 11:
        return "+" + digits
    return phonenumbers.format_number(phonenumbers.parse(written, "VN"), phonenumbers.PhoneNumberFormat.E164)


def _naive_phones(text: str) -> set[str]:
    found = set()
    for match in NAIVE_PHONE.finditer(text):
        try:
            number = phonenumbers.parse(match.group(0), "VN")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            found.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return found


def _naive_handles(text: str) -> set[str]:
    return {(a or b).lower() for a, b in NAIVE_HANDLE.findall(text)}


def _sms(data: Path) -> list[str]:
    path = data / "realworld" / "vi_sms" / "messages.csv"
    labels = json.loads((HERE / "data" / "vi_sms_phones.json").read_text(encoding="utf-8"))
    if hashlib.sha256(path.read_bytes()).hexdigest() != labels["file_sha256"]:
        raise SystemExit(f"{path} is not the file the labels were made for (sha256 differs)")
    with path.open(encoding="utf-8", newline="") as f:
        return [row["content"] for row in csv.DictReader(f)]


def phones(texts: list[str]) -> tuple[tuple[float, float, int], tuple[float, float, int]]:
    spans = json.loads((HERE / "data" / "vi_sms_phones.json").read_text(encoding="utf-8"))["spans"]
    expected = [{_e164(t[a:b]) for a, b in spans.get(str(i), [])} for i, t in enumerate(texts)]
    ours = precision_recall((e, set(extract_contacts(t, "vi").phones)) for e, t in zip(expected, texts, strict=True))
    naive = precision_recall((e, _naive_phones(t)) for e, t in zip(expected, texts, strict=True))
    return ours, naive


def _posts(data: Path) -> dict[str, str]:
    posts = {}
    for page in sorted((data / "realworld" / "telegram_preview").glob("*.html")):
        for message in Selector(page.read_text(encoding="utf-8")).css(MESSAGE):
            posts[message.attrib["data-post"]] = message_text(message.css(OWN_TEXT).get() or "")
    return posts


def handles(texts: list[str], posts: dict[str, str]) -> tuple[tuple[float, float, int], tuple[float, float, int]]:
    labels = json.loads((HERE / "data" / "realworld_handles.json").read_text(encoding="utf-8"))
    handle = re.compile(r"^(?:@|t\.me/)", re.I)
    cases: list[tuple[set[str], str, bool]] = []
    for i, text in enumerate(texts):
        wanted = {handle.sub("", text[a:b]).lower() for a, b in labels["sms_spans"].get(str(i), [])}
        cases.append((wanted, text, False))
    for post_id, text in posts.items():
        cases.append(({h.lower() for h in labels["telegram_posts"].get(post_id, [])}, text, True))
    ours = precision_recall(
        (wanted, set(extract_contacts(text, "vi", platform="telegram" if post else "").telegram))
        for wanted, text, post in cases
    )
    naive = precision_recall((wanted, _naive_handles(text)) for wanted, text, _ in cases)
    return ours, naive


def _pairwise(truth: dict[str, str], predicted: dict[str, str]) -> tuple[float, float]:
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(truth), 2):
        same, joined = truth[a] == truth[b], predicted[a] == predicted[b]
        tp += same and joined
        fp += joined and not same
        fn += same and not joined
    return tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)


def clusters() -> tuple[tuple[float, float], tuple[float, float], int]:
    ads = [json.loads(line) for line in (HERE / "data" / "dedup_short_ads.jsonl").read_text("utf-8").splitlines()]
    store = MemoryCandidateStore()
    predicted, exact = {}, {}
    for n, ad in enumerate(ads):
        sha = content_sha256(ad["title"], ad["text"])
        keys = dedup_keys(ad["title"], ad["text"], sha, [])
        predicted[ad["id"]] = assign_cluster(store, ad["id"], f"2026-11-29T00:00:{n:02d}", keys)[0]
        exact[ad["id"]] = sha
    truth = {ad["id"]: ad["group"] for ad in ads}
    return _pairwise(truth, predicted), _pairwise(truth, exact), len(ads)


def countries() -> tuple[float, float, int]:
    right = first_phone = total = 0
    for ad in demo_ads():
        body = f"{ad['title']}\n{ad['text']}"
        language = detect_language(body)
        contacts = extract_contacts(body, language, context=ad.get("location", ""))
        result = geolocate(f"{ad.get('location', '')}\n{body}", language, contacts.phones, contacts.domains)
        total += 1
        right += result.country == ad["country"]
        first_phone += bool(contacts.phones) and phone_region(contacts.phones[0]) == ad["country"]
    return right / total, first_phone / total, total


def _ratio(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}x" if baseline else "n/a (baseline 0)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    args = parser.parse_args()
    texts, posts = _sms(args.data), _posts(args.data)
    (pp, pr, pn), (bp, br, _) = phones(texts)
    print(f"phones, {len(texts)} real SMS, {pn} numbers: precision {pp:.3f} recall {pr:.3f}; "
          f"baseline (valid VN digit runs) {bp:.3f} / {br:.3f}; recall ratio {_ratio(pr, br)}")  # fmt: skip
    (hp, hr, hn), (bhp, bhr, _) = handles(texts, posts)
    print(f"handles, {len(texts)} SMS + {len(posts)} Telegram posts, {hn} handles: precision {hp:.3f} recall {hr:.3f}; "
          f"baseline (every @word, t.me/x) {bhp:.3f} / {bhr:.3f}; precision ratio {_ratio(hp, bhp)}")  # fmt: skip
    (dp, dr), (ep, er), dn = clusters()
    print(f"clusters, {dn} short ads: pairwise precision {dp:.3f} recall {dr:.3f}; "
          f"baseline (identical content) {ep:.3f} / {er:.3f}; recall ratio {_ratio(dr, er)}")  # fmt: skip
    country, baseline, cn = countries()
    print(f"country, {cn} demo ads: {country:.3f}; baseline (first phone's country) {baseline:.3f}; "
          f"ratio {_ratio(country, baseline)}")  # fmt: skip
    print(f"RESULT phones_r={pr:.3f} phones_p={pp:.3f} handles_r={hr:.3f} handles_p={hp:.3f} "
          f"dup_p={dp:.3f} dup_r={dr:.3f} country={country:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
