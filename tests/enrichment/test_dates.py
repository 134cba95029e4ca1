"""Posted dates as pages write them, turned into ISO 8601 UTC with the raw text kept beside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lurewatch.enrichment.dates import parse_posted
from lurewatch.enrichment.pipeline import enrich_file, enrich_posting
from lurewatch.records import Finding, Posting, from_dict, read_jsonl, to_json

FETCHED = "2026-11-29T12:00:00+00:00"

CASES = [  # raw, language, region, expected
    ("29/11/2026", "en", "", "2026-11-29T00:00:00+00:00"),
    ("2026-11-29 10:00", "en", "", "2026-11-29T10:00:00+00:00"),
    ("2026-11-29T17:00:00+07:00", "th", "", "2026-11-29T10:00:00+00:00"),  # converted to UTC
    ("2026-11-29", "", "", "2026-11-29T00:00:00+00:00"),
    ("2 days ago", "en", "", "2026-11-27T12:00:00+00:00"),  # counted back from the fetch
    ("an hour ago", "en", "", "2026-11-29T11:00:00+00:00"),
    ("yesterday", "en", "", "2026-11-28T12:00:00+00:00"),
    ("03/04/2026", "en", "kh", "2026-04-03T00:00:00+00:00"),  # day first in most of the region
    ("03/04/2026", "en", "ph", "2026-03-04T00:00:00+00:00"),  # month first in the Philippines
    ("03/04/2026", "tl", "", "2026-03-04T00:00:00+00:00"),
    ("11/29/2026", "en", "", "2026-11-29T00:00:00+00:00"),  # no month 29: the other order
    ("29.11.2026 14:30", "vi", "", "2026-11-29T14:30:00+00:00"),
    ("10/11/26 9:05 pm", "en", "us", "2026-10-11T21:05:00+00:00"),
    ("2026年11月29日", "zh", "", "2026-11-29T00:00:00+00:00"),
    ("2026년 11월 29일", "ko", "", "2026-11-29T00:00:00+00:00"),
    ("29/11/2569", "th", "", "2026-11-29T00:00:00+00:00"),  # Buddhist era
    ("Nov 29, 2026", "en", "", "2026-11-29T00:00:00+00:00"),
    ("29 พ.ย. 2569", "th", "", "2026-11-29T00:00:00+00:00"),
    ("2 วันที่แล้ว", "th", "", "2026-11-27T12:00:00+00:00"),
    ("2天前", "zh", "", "2026-11-27T12:00:00+00:00"),
    ("2 ngày trước", "vi", "", "2026-11-27T12:00:00+00:00"),
    ("2030-01-01", "en", "", None),  # after the fetch: not a posted date
    ("1900-01-01", "en", "", None),
    ("9999-12-31T23:59:59", "en", "", None),
    ("31/02/2026", "en", "", None),
    ("call 0812345678 now", "en", "", None),
    ("", "en", "", None),
    (None, "en", "", None),
]


@pytest.mark.parametrize(("raw", "language", "region", "expected"), CASES, ids=[repr(c[0]) for c in CASES])
def test_posted_dates(raw: str | None, language: str, region: str, expected: str | None) -> None:
    assert parse_posted(raw, FETCHED, language, region) == expected


def test_a_bad_fetch_time_gives_no_date_rather_than_an_error() -> None:
    assert parse_posted("2 days ago", "not a time") is None


def _posting(posted_at: str | None) -> Posting:
    return Posting(posting_id="p1", source="s", source_kind="board", url="https://jobs.example.ph/1",
                   canonical_url="https://jobs.example.ph/1", fetched_at=FETCHED, run_id="r",
                   title="Call centre agent", text="Call centre agent in Manila.", posted_at=posted_at,
                   language_hint="en")  # fmt: skip


def test_enrichment_keeps_the_raw_text_beside_the_parsed_date() -> None:
    finding = enrich_posting(_posting(" 03/04/2026 "))
    assert finding.posted_at == "2026-03-04T00:00:00+00:00"  # a .ph page: month first
    assert finding.posted_at_raw == "03/04/2026"
    unreadable = enrich_posting(_posting("sometime soon"))
    assert unreadable.posted_at is None and unreadable.posted_at_raw == "sometime soon"
    assert enrich_posting(_posting(None)).posted_at_raw is None


def test_old_findings_without_the_raw_field_still_read() -> None:
    old = json.loads(to_json(enrich_posting(_posting("2026-11-01"))))
    del old["posted_at_raw"]
    assert from_dict(Finding, old).posted_at_raw is None


def test_enrich_file_writes_iso_dates(tmp_path: Path) -> None:
    postings = tmp_path / "postings.jsonl"
    raws = ["29/11/2026", "2 days ago", "2026-11-29 10:00", "garbage"]
    postings.write_text("".join(to_json(_posting(raw)).replace('"p1"', f'"p{i}"') + "\n" for i, raw in enumerate(raws)))
    enrich_file(postings, tmp_path / "findings.jsonl", tmp_path / "rejects.jsonl", workers=1)
    found = {f.posted_at_raw: f.posted_at for f in read_jsonl(tmp_path / "findings.jsonl", Finding)}
    assert found == {"29/11/2026": "2026-11-29T00:00:00+00:00", "2 days ago": "2026-11-27T12:00:00+00:00",
                     "2026-11-29 10:00": "2026-11-29T10:00:00+00:00", "garbage": None}  # fmt: skip
