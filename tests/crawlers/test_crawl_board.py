"""A real Scrapy crawl of the demo board served on 127.0.0.1: complete, polite, with evidence and rejects."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from lurewatch.demo.site import demo_ads
from lurewatch.records import Posting, read_jsonl


def _rejects(run_dir: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in (run_dir / "rejects.jsonl").read_text().splitlines()]


def test_crawl_finds_every_detail_page(demo_run_dir: Path) -> None:
    postings = list(read_jsonl(demo_run_dir / "postings.jsonl", Posting))
    expected = {ad["path"] for ad in demo_ads()}
    crawled = {p.url.split("/", 3)[3] for p in postings}
    assert len(expected) >= 170
    assert {"/" + path.lstrip("/") for path in expected} <= {"/" + c for c in crawled}
    assert len({p.posting_id for p in postings}) == len(postings)
    meta = json.loads((demo_run_dir / "run.json").read_text())
    assert meta["steps"]["crawl"]["stats"]["postings"] == len(postings)


def test_robots_disallowed_path_is_never_requested(demo_run_dir: Path, demo_site: object) -> None:
    requests = list(demo_site.requests)  # type: ignore[attr-defined]
    assert any(path.startswith("/jobs/") for path in requests)
    assert "/robots.txt" in requests
    assert not [path for path in requests if path.startswith("/private/")]
    stats = json.loads((demo_run_dir / "stats.json").read_text())
    assert stats["robotstxt/forbidden"] >= 1


def test_broken_pages_are_counted_and_kept_aside_with_their_url(demo_run_dir: Path) -> None:
    rejects = _rejects(demo_run_dir)
    kinds = {r["kind"] for r in rejects}
    assert {"http_5xx", "http_4xx", "bad_encoding"} <= kinds
    assert all(r["url"].startswith("http://127.0.0.1:") for r in rejects)
    stats = json.loads((demo_run_dir / "stats.json").read_text())
    assert stats["lurewatch/rejected/http_5xx"] == sum(r["kind"] == "http_5xx" for r in rejects)
    assert stats["finish_reason"] == "finished"


def test_pages_with_wrong_charset_are_repaired_not_lost(demo_run_dir: Path) -> None:
    bad = [r for r in _rejects(demo_run_dir) if r["kind"] == "bad_encoding"]
    assert len(bad) == 2  # a Thai page in cp874 and a Chinese one in GBK, both sent as utf-8
    postings = {p.url: p for p in read_jsonl(demo_run_dir / "postings.jsonl", Posting)}
    for reject in bad:
        repaired = postings[reject["url"]]
        assert "\ufffd" not in repaired.title and repaired.title
        assert repaired.encoding and repaired.encoding != "utf-8"


def test_every_posting_points_at_its_warc_record(demo_run_dir: Path) -> None:
    postings = list(read_jsonl(demo_run_dir / "postings.jsonl", Posting))
    warc = demo_run_dir / "evidence.warc.gz"
    with warc.open("rb") as fh:
        for posting in postings[:40]:
            fh.seek(posting.evidence.warc_offset or 0)
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == posting.url
            body = record.content_stream().read()
            assert hashlib.sha256(body).hexdigest() == posting.evidence.sha256
    with gzip.open(warc) as raw:
        assert raw.read(5) == b"WARC/"
