"""A real crawl of a hostile board: every kind of bad page is counted, kept aside with its URL, and survived."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from lurewatch import runner
from lurewatch.records import Posting, read_jsonl
from lurewatch.settings import Settings
from tests.support.sites.hostile import GOOD_IMAGE_GPS, serve_board, write_source

ADS = {f"ok{i}": f"Warehouse packer wanted, ad number {i}" for i in range(6)}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("hostile")
    settings = Settings(data_dir=root / "data", sources_dir=root / "sources")
    settings.sources_dir.mkdir()
    # The hanging page must time out fast; big.jpg is over the image cap.
    write_source(settings.sources_dir, timeout=1.5, max_image_bytes=200_000)
    with serve_board(dict(ADS), hostile=True) as site:
        run = runner.crawl("fixture", run_id="hostile", base_url=site.base_url, settings=settings)
        requests = list(site.requests)
    rejects = [json.loads(line) for line in (run.path / "rejects.jsonl").read_text().splitlines()]
    return {"run": run, "requests": requests, "rejects": rejects, "base": site.base_url}


def test_crawl_finishes_and_keeps_the_good_ads(hostile_run: dict[str, Any]) -> None:
    run = hostile_run["run"]
    crawl = run.meta()["steps"]["crawl"]
    assert crawl["exit_code"] == 0 and crawl["stats"]["finish_reason"] == "finished"
    urls = {p.url.rsplit("/", 1)[1] for p in read_jsonl(run.postings, Posting)}
    assert set(ADS) | {"h-badutf8", "h-images"} <= urls
    assert not urls & {"h-5xx", "h-hang", "h-loop", "h-huge"}


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("http_5xx", "/ad/h-5xx"),
        ("timeout", "/ad/h-hang"),
        ("redirect_loop", "/ad/h-loop"),
        ("too_large", "/ad/h-huge"),
        ("bad_encoding", "/ad/h-badutf8"),
        ("image_bomb", "/img/bomb.png"),
        ("image_corrupt", "/img/broken.jpg"),
        ("image_too_large", "/img/big.jpg"),
    ],
)
def test_each_hostile_page_is_counted_by_kind_with_its_url(hostile_run: dict[str, Any], kind: str, path: str) -> None:
    rejects = [r for r in hostile_run["rejects"] if r["kind"] == kind]
    assert len(rejects) == 1, hostile_run["rejects"]
    assert rejects[0]["url"].startswith(hostile_run["base"] + path)
    stats = hostile_run["run"].meta()["steps"]["crawl"]["stats"]
    assert stats["rejected"][kind] == 1


def test_reject_counts_in_stats_match_rejects_file(hostile_run: dict[str, Any]) -> None:
    stats = json.loads((hostile_run["run"].path / "stats.json").read_text())
    counted = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("lurewatch/rejected/")}
    assert counted == dict(Counter(r["kind"] for r in hostile_run["rejects"]))


def test_5xx_is_retried_and_the_hanging_page_times_out(hostile_run: dict[str, Any]) -> None:
    requests = hostile_run["requests"]
    assert requests.count("/ad/h-5xx") == 2  # first try + retries: 1 in the source
    stats = hostile_run["run"].meta()["steps"]["crawl"]["stats"]
    assert stats["retries_given_up"] >= 2
    assert any("Timeout" in name for name in stats["errors"])


def test_images_of_a_posting_are_measured_and_bad_ones_skipped(hostile_run: dict[str, Any]) -> None:
    (posting,) = [p for p in read_jsonl(hostile_run["run"].postings, Posting) if p.url.endswith("/h-images")]
    assert len(posting.image_urls) == 4
    (good,) = posting.images
    assert good.url.endswith("/img/good.jpg")
    assert good.width == 64 and good.height == 48 and len(good.sha256) == 64 and len(good.phash) == 16
    assert good.exif_gps == pytest.approx(GOOD_IMAGE_GPS, abs=1e-5)
    bomb = [r for r in hostile_run["rejects"] if r["kind"] == "image_bomb"][0]
    assert bomb["posting_id"] == posting.posting_id


def test_page_declared_utf8_but_not_is_read_in_its_real_charset(hostile_run: dict[str, Any]) -> None:
    (posting,) = [p for p in read_jsonl(hostile_run["run"].postings, Posting) if p.url.endswith("/h-badutf8")]
    assert "ยินดีต้อนรับ" in posting.title
    assert posting.encoding and posting.encoding.lower() != "utf-8"


def test_redirect_hops_and_failed_attempts_are_in_the_warc(hostile_run: dict[str, Any]) -> None:
    from lurewatch.evidence import iter_members, parse_record

    data = (hostile_run["run"].path / "evidence.warc.gz").read_bytes()
    statuses: Counter[tuple[str, str]] = Counter()
    for offset, raw, _ in iter_members(data):
        assert raw is not None
        record = parse_record(offset, raw)
        if record.rec_type == "response":
            statuses[(record.url.rsplit("/", 1)[1].split("?")[0], record.block.split(b" ", 2)[1].decode())] += 1
    assert statuses[("h-5xx", "503")] == 2
    assert statuses[("h-loop", "302")] >= 3


def test_stats_are_complete(hostile_run: dict[str, Any]) -> None:
    stats = hostile_run["run"].meta()["steps"]["crawl"]["stats"]
    assert stats["pages"] > len(ADS) and stats["postings"] == len(ADS) + 2
    assert stats["bytes"] > 0 and stats["duration_s"] > 0
    assert stats["images"] == 1 and stats["warc_records"] == 2 * sum(stats["status"].values())
