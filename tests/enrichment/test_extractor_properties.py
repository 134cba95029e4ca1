"""Properties every extractor keeps on any text: it never raises, what it quotes is in the text, a re-run agrees.

Texts are drawn from ad-like fragments (messenger words, currency signs, digit runs, wallet prefixes) mixed with
arbitrary characters, control characters and scripts of the region, so the generator reaches the extractors'
branches instead of only their early exits.
"""

from __future__ import annotations

import random
import re

from hypothesis import given
from hypothesis import strategies as st

from lurewatch.enrichment.contacts import extract_contacts, extract_emails
from lurewatch.enrichment.dedup import content_sha256, dedup_keys, is_duplicate
from lurewatch.enrichment.handles import (
    extract_line,
    extract_signal,
    extract_telegram,
    extract_wechat,
    extract_whatsapp,
)
from lurewatch.enrichment.links import extract_urls
from lurewatch.enrichment.phones import extract_phones, find_phones, region_hints
from lurewatch.enrichment.salary import extract_salary
from lurewatch.enrichment.score import indicators_for, risk_score
from lurewatch.enrichment.wallets import extract_wallets
from lurewatch.records import Finding, Indicator

FRAGMENTS = [
    "Telegram", "tg", "@", "t.me/", "WhatsApp", "wa.me/", "Line ID:", "ไลน์", "微信：", "WeChat", "Signal",
    "signal.me/#p/+", "salary", "月薪", "lương", "gaji", "$", "USD", "USDT", "฿", "baht", "元", "万", "triệu", "juta",
    "k", "/month", "per day", "-", "~", " to ", "deposit", "fee", "+855", "+66", "00", "0", "081", "012", "(", ")",
    ".", ",", ":", "：", " ", "\n", "\t", "\r", "\x00", "\x0b", "\u200b", "\u00a0", "T", "1", "3", "bc1", "0x",
    "https://", "www.", ".com", "hr@", "Cambodia", "Việt Nam", "柬埔寨", "Phnom Penh", "Free visa", "passport",
]  # fmt: skip
ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
PIECES = st.one_of(
    st.sampled_from(FRAGMENTS), st.text(ALPHABET, max_size=6), st.from_regex(r"\d{1,12}", fullmatch=True)
)
AD_TEXT = st.lists(PIECES, max_size=40).map("".join)
REGIONS = st.lists(st.sampled_from(["TH", "KH", "VN", "PH", "MM", "CN", "ID", "MY", "LA"]), max_size=3)


@given(AD_TEXT, REGIONS)
def test_phones_lie_inside_the_text_and_are_e164(text: str, regions: list[str]) -> None:
    found = list(find_phones(text, regions))
    for number, start, end in found:
        assert 0 <= start < end <= len(text)
        assert re.fullmatch(r"\+\d{7,15}", number)
        assert any(c.isdigit() for c in text[start:end])
    assert found == list(find_phones(text, regions))
    assert extract_phones(text, regions) == list(dict.fromkeys(n for n, _, _ in found))


@given(AD_TEXT, st.sampled_from(["en", "th", "zh", "vi", "xx"]), st.sampled_from(["", "kh", "com", "1x"]))
def test_region_hints_are_few_known_and_stable(text: str, language: str, tld: str) -> None:
    hints = region_hints(text, language, tld)
    assert len(hints) <= 4 and len(set(hints)) == len(hints)
    assert all(re.fullmatch(r"[A-Z]{2}", h) for h in hints)
    assert hints == region_hints(text, language, tld)


@given(AD_TEXT, REGIONS)
def test_handles_are_quoted_from_the_text(text: str, regions: list[str]) -> None:
    lowered = text.lower()
    for extract in (extract_telegram, extract_line, extract_wechat):
        found = extract(text)
        assert found == extract(text) and len(set(found)) == len(found)
        assert all(handle and handle == handle.lower() and handle in lowered for handle in found)
    for numbers in (extract_whatsapp(text, regions), extract_signal(text, regions)):
        assert len(set(numbers)) == len(numbers)
        assert all(n.startswith("+") or n.startswith("signal.group/") for n in numbers)


@given(AD_TEXT)
def test_wallets_are_quoted_from_the_text(text: str) -> None:
    wallets = extract_wallets(text)
    assert wallets == extract_wallets(text)
    for wallet in wallets:
        assert wallet.chain in {"tron", "bitcoin", "ethereum"}
        assert wallet.address in text or wallet.address in text.lower()


@given(AD_TEXT)
def test_a_salary_is_quoted_from_the_text_and_ordered(text: str) -> None:
    salary = extract_salary(text)
    assert salary == extract_salary(text)
    if salary is not None:
        assert salary.text and salary.text in text
        assert 0 < salary.min <= salary.max
        assert salary.period in {None, "month", "day", "hour", "week", "year"}


@given(AD_TEXT, st.sampled_from(["en", "th", "zh", "km"]))
def test_contacts_are_stable_and_emails_quoted(text: str, language: str) -> None:
    contacts = extract_contacts(text, language)
    assert contacts == extract_contacts(text, language)
    assert all(email in text.lower() for email in extract_emails(text))
    assert all(url in text for url in extract_urls(text))


def _finding() -> Finding:
    return Finding(
        posting_id="p", source="s", source_kind="board", url="u", canonical_url="u", fetched_at="2026", run_id="r",
        language="en",
    )  # fmt: skip


@given(AD_TEXT)
def test_indicator_evidence_and_score_bounds(text: str) -> None:
    finding = _finding()
    indicators = indicators_for(finding, text)
    assert indicators == indicators_for(finding, text)
    assert 0 <= risk_score(indicators) <= 100
    for indicator in indicators:
        assert indicator.evidence and len(indicator.evidence) <= 200


@given(st.lists(st.floats(min_value=-1000, max_value=1000, allow_nan=False), max_size=8))
def test_risk_score_is_bounded_and_order_free(weights: list[float]) -> None:
    indicators = [Indicator(f"r{i}", w) for i, w in enumerate(weights)]
    score = risk_score(indicators)
    assert 0 <= score <= 100 and score == risk_score(indicators[::-1])
    assert score == 0 or any(w > 0 for w in weights)


@given(AD_TEXT, AD_TEXT)
def test_dedup_keys_are_stable_and_a_finding_duplicates_itself(title: str, text: str) -> None:
    keys = dedup_keys(title, text, content_sha256(title, text), [])
    assert keys == dedup_keys(title, text, content_sha256(title, text), [])
    assert is_duplicate(keys, list(keys))


def test_huge_and_hostile_inputs_do_not_break_the_extractors() -> None:
    rng = random.Random(20261129)
    pieces = FRAGMENTS + ["9" * 40, "@" * 50, "\x00" * 30, "a" * 500, "0x" + "f" * 80, "T" * 60, "1" * 300]
    huge = "".join(rng.choice(pieces) for _ in range(16_000))  # about 280,000 characters
    for text in (huge, "\n" * 100_000, "+" + "0" * 100_000, "$" * 50_000 + "1", "微信：" * 20_000):
        list(find_phones(text, ["TH", "KH"]))
        extract_contacts(text, "en")
        extract_wallets(text)
        extract_salary(text)
        indicators_for(_finding(), text)
