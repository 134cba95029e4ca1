"""Incremental recrawl, with real crawls: known detail pages are not fetched again; edits are noticed."""

from __future__ import annotations

import sqlite3

from lurewatch import runner
from lurewatch.records import Posting, read_jsonl
from lurewatch.settings import Settings
from tests.support.sites.hostile import serve_board, write_source

ADS = {f"ad{i}": f"Call centre job in Bangkok, ad {i}" for i in range(8)}


def _postings(run: runner.Run) -> dict[str, Posting]:
    return {p.url.rsplit("/", 1)[1]: p for p in read_jsonl(run.postings, Posting)}


def test_second_crawl_of_unchanged_site_fetches_no_detail_page(settings: Settings) -> None:
    write_source(settings.sources_dir, revisit_after="7d")
    with serve_board(dict(ADS)) as site:
        first = runner.crawl("fixture", run_id="first", base_url=site.base_url, settings=settings)
        assert site.count("/ad/") == len(ADS)
        lists_before = site.count("/jobs/")
        site.requests.clear()
        second = runner.crawl("fixture", run_id="second", base_url=site.base_url, settings=settings)
        assert site.count("/ad/") == 0
        assert site.count("/jobs/") == lists_before  # list pages are always fetched
    assert len(_postings(first)) == len(ADS) and not _postings(second)
    stats = second.meta()["steps"]["crawl"]["stats"]
    assert stats["skipped_known"] == len(ADS) and stats["postings"] == 0
    assert (settings.data_dir / "state" / "fixture.sqlite").is_file()


def test_edited_ad_updates_last_seen_and_hash(settings: Settings) -> None:
    ads = dict(ADS)
    write_source(settings.sources_dir, revisit_after="7d")
    with serve_board(ads) as site:
        first = _postings(runner.crawl("fixture", run_id="first", base_url=site.base_url, settings=settings))
        ads["ad3"] = "Call centre job in Bangkok, ad 3. NEW: free visa, contact on Telegram"
        write_source(settings.sources_dir, revisit_after="0s")  # due again: fetch everything
        site.requests.clear()
        again = runner.crawl("fixture", run_id="again", base_url=site.base_url, settings=settings)
        assert site.count("/ad/") == len(ADS)
    second = _postings(again)
    edited, before = second["ad3"], first["ad3"]
    assert before.seen_count == 1 and before.first_seen == before.last_seen and not before.content_changed
    assert edited.content_changed and edited.content_sha256 != before.content_sha256
    assert edited.first_seen == before.first_seen and edited.last_seen > before.last_seen
    assert edited.seen_count == 2
    unchanged = second["ad1"]
    assert not unchanged.content_changed and unchanged.content_sha256 == first["ad1"].content_sha256
    assert again.meta()["steps"]["crawl"]["stats"]["content_changed"] == 1
    with sqlite3.connect(settings.data_dir / "state" / "fixture.sqlite") as db:
        row = db.execute(
            "SELECT content_sha256, changed_count, seen_count FROM postings WHERE canonical_url = ?",
            (edited.canonical_url,),
        ).fetchone()
    assert row == (edited.content_sha256, 1, 2)


def test_failed_detail_page_is_fetched_again_next_time(settings: Settings) -> None:
    write_source(settings.sources_dir, retries=0, timeout=4)  # h-hang (20 s) still times out; good pages under load do not
    with serve_board(dict(ADS), hostile=True) as site:
        runner.crawl("fixture", run_id="one", base_url=site.base_url, settings=settings)
        site.requests.clear()
        runner.crawl("fixture", run_id="two", base_url=site.base_url, settings=settings)
        assert site.count("/ad/h-5xx") == 1 and site.count("/ad/ad") == 0
