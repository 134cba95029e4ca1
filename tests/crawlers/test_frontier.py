"""Several crawler processes share one run through a real Redis: each page once, one merged run, one delay per site."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from lurewatch import errors, runner
from lurewatch.evidence import verify_run
from lurewatch.records import Posting
from lurewatch.run_folder import read_jsonl_numbered
from lurewatch.settings import Settings
from lurewatch.workers import merge_stats
from tests.support.redis_server import redis_server
from tests.support.sites.hostile import serve_board, write_source


def _ads(n: int) -> dict[str, str]:
    return {f"ad{i:03d}": f"Casino customer service in Myawaddy, salary 1500 USD, ad {i}" for i in range(n)}


def _posting_ids(run: runner.Run) -> list[str]:
    return [p.url.rsplit("/", 1)[1] for _, p, _ in read_jsonl_numbered(run.postings, Posting) if p is not None]


def test_two_processes_fetch_each_page_once_and_their_run_merges_into_one(settings: Settings) -> None:
    ads = _ads(150)
    write_source(settings.sources_dir, concurrency=4, delay=0.02, revisit_after="7d")
    with redis_server() as server, serve_board(ads) as site:
        run = runner.crawl("fixture", run_id="shared", base_url=site.base_url, settings=settings,
                           workers=2, frontier=server.url)  # fmt: skip
        fetched = Counter(site.requests)
        site.requests.clear()
        again = runner.crawl("fixture", run_id="shared-again", base_url=site.base_url, settings=settings,
                             workers=2, frontier=server.url)  # fmt: skip
        refetched = [path for path in site.requests if path.startswith("/ad/")]
    # Each page once between the two processes (robots.txt is read by each process for itself).
    assert {path: n for path, n in fetched.items() if n > 1 and path != "/robots.txt"} == {}
    assert sorted(_posting_ids(run)) == sorted(ads)
    per_worker = {w.name: json.loads((w / "stats.json").read_text()) for w in (run.path / "workers").iterdir()}
    assert sorted(per_worker) == ["a1-w1", "a1-w2"]
    assert all(s.get("response_received_count", 0) > 0 for s in per_worker.values()), "both processes crawled"
    meta = run.meta()
    assert meta["status"] == "finished" and meta["steps"]["crawl"]["stats"]["postings"] == len(ads)
    assert meta["steps"]["crawl"]["stats"]["pages"] == sum(s["response_received_count"] for s in per_worker.values())
    assert verify_run(run.path).ok  # every posting points into its own process's WARC
    # The incremental state of both processes was merged into the source's: nothing is fetched again.
    assert refetched == [] and again.meta()["steps"]["crawl"]["stats"]["skipped_known"] == len(ads)


def test_the_delay_holds_per_site_across_processes(settings: Settings) -> None:
    delay = 0.25
    write_source(settings.sources_dir, concurrency=4, delay=delay, autothrottle="false")
    with redis_server() as server, serve_board(_ads(16)) as site:
        run = runner.crawl("fixture", run_id="polite", base_url=site.base_url, settings=settings,
                           workers=2, frontier=server.url)  # fmt: skip
        times = sorted(at for at, _ in site.times)
    per_worker = [json.loads((w / "stats.json").read_text()) for w in (run.path / "workers").iterdir()]
    assert all(s.get("response_received_count", 0) > 0 for s in per_worker)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # Two processes with the delay each on their own would send pairs of requests at once, twice the rate.
    # Slots are kept on Redis's clock; a busy machine may wake one request a little late (and the next on
    # time), so single gaps are held to half the delay and the rate over the whole crawl to the delay.
    assert len(times) >= 19 and min(gaps) > delay / 2, sorted(gaps)[:5]
    assert (times[-1] - times[0]) / len(gaps) >= delay * 0.95, sorted(gaps)[:5]


def test_more_processes_without_a_frontier_is_a_clear_error(settings: Settings) -> None:
    write_source(settings.sources_dir)
    with pytest.raises(errors.SettingsError, match="LUREWATCH_REDIS_URL"):
        runner.crawl("fixture", run_id="nofrontier", settings=settings, workers=2)
    assert not (settings.runs_dir / "nofrontier").exists()


def test_an_unreachable_frontier_fails_before_the_run_folder_is_made(settings: Settings) -> None:
    write_source(settings.sources_dir)
    with redis_server() as server:
        url = server.url
    with pytest.raises(errors.FrontierUnavailable, match="does not answer") as raised:
        runner.crawl("fixture", run_id="noredis", settings=settings, workers=2, frontier=url)
    assert "resume" in raised.value.hint
    assert not (settings.runs_dir / "noredis").exists()


def test_worker_stats_merge_counts_and_keeps_the_worst_finish_reason() -> None:
    merged = merge_stats([
        {"item_scraped_count": 3, "start_time": "2026-01-01T00:00:02", "elapsed_time_seconds": 4.0, "finish_reason": "finished"},
        {"item_scraped_count": 5, "start_time": "2026-01-01T00:00:01", "elapsed_time_seconds": 6.0, "finish_reason": "shutdown"},
    ])  # fmt: skip
    assert merged == {"item_scraped_count": 8, "start_time": "2026-01-01T00:00:01", "elapsed_time_seconds": 6.0,
                      "finish_reason": "shutdown"}  # fmt: skip
