"""The channel spider and enrichment on real Telegram preview pages (tests/support/sites/telegram_preview, MIT).

The fixture channel of test_spider_channel.py was written for the spider; these pages were written by Telegram.
The first page is a whole preview of 12 posts; the page before it holds one post of every other kind
(forwarded, photo and video, voice, link preview, poll, sticker, an author line).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lurewatch import runner
from lurewatch.records import Finding, Posting, read_jsonl
from lurewatch.settings import Settings
from tests.support.sites.server import Reply, Site, html, not_found, serve

PAGES = Path(__file__).resolve().parents[1] / "support" / "sites" / "telegram_preview"
KINDS = ("message_text", "message_media_forwarded_from", "message_media_photo_and_video", "message_voice",
         "message_link_preview", "message_poll", "message_sticker", "message_with_from_author")  # fmt: skip
FIRST_PAGE = re.findall(r'data-post="topwar_official/(\d+)"', (PAGES / "full.html").read_text(encoding="utf-8"))

pytestmark = pytest.mark.slow


def _route(path: str, query: dict[str, str]) -> Reply:
    if path != "/s/topwar_official":
        return not_found()
    if "before" not in query:
        return html((PAGES / "full.html").read_text(encoding="utf-8"))
    if query["before"] == "70989":  # the smallest id of the first page
        return html("<html><body>" + "".join((PAGES / f"{k}.html").read_text("utf-8") for k in KINDS) + "</body></html>")
    return html("<html><body><div class='tgme_channel_history'></div></body></html>")  # the channel's beginning


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Site, Settings]]:
    with serve(_route) as site:
        folder = tmp_path_factory.mktemp("real-channel")
        source = folder / "topwar.yml"
        source.write_text(
            "name: topwar\nkind: channel\nbase_url: " + site.base_url + "\nstart_urls: [/s/topwar_official]\n"
            "allow_private_networks: true  # the fixture site is on 127.0.0.1\n"
            "channel:\n  max_pages: 5\npoliteness:\n  delay: 0\n",
            encoding="utf-8",
        )
        settings = Settings(data_dir=folder / "data")
        run = runner.crawl(str(source), run_id="topwar", settings=settings)
        yield run.path, site, settings


def test_every_post_of_a_real_preview_page_is_read(crawled: tuple[Path, Site, Settings]) -> None:
    run_dir, _, _ = crawled
    posts = {p.url.rsplit("/", 1)[-1]: p for p in read_jsonl(run_dir / "postings.jsonl", Posting)
             if "/topwar_official/" in p.url}  # fmt: skip
    assert len(FIRST_PAGE) == 12 and set(FIRST_PAGE) <= set(posts)
    first = [posts[n] for n in FIRST_PAGE]
    assert all(p.posted_at and p.posted_at.startswith("2023-") for p in first)
    assert all(p.text and p.title == p.text.splitlines()[0][:120] for p in first)
    assert all(int(p.fields["views"]) > 1000 for p in first)  # "37.2K" and the like, read as numbers


def test_every_kind_of_post_is_a_posting_or_a_reject_with_its_kind(crawled: tuple[Path, Site, Settings]) -> None:
    run_dir, site, _ = crawled
    assert any("before=70989" in r for r in site.requests)
    postings = list(read_jsonl(run_dir / "postings.jsonl", Posting))
    rejects_file = run_dir / "rejects.jsonl"
    rejects = [json.loads(line) for line in rejects_file.read_text().splitlines()] if rejects_file.exists() else []
    second_page = [p for p in postings if p.url.rsplit("/", 1)[-1] not in FIRST_PAGE]
    empty = [r for r in rejects if r["kind"] == "empty_post"]
    # Eight posts of other kinds: each is kept, or (a poll or sticker without text or photo) an empty_post reject.
    assert len(second_page) + len(empty) == len(KINDS)
    assert len(second_page) >= 5
    # Pictures sit on Telegram's CDN, not on the channel's host: refused by the URL policy, each with its URL.
    offsite = [r for r in rejects if r["kind"] == "offsite_host"]
    assert all("telegram-cdn.org" in r["url"] or "telesco.pe" in r["url"] for r in offsite)
    assert {r["kind"] for r in rejects} <= {"empty_post", "offsite_host"}
    stats = json.loads((run_dir / "stats.json").read_text())
    assert not any(key.startswith("spider_exceptions") for key in stats)


def test_bare_handles_in_real_posts_become_telegram_contacts(crawled: tuple[Path, Site, Settings]) -> None:
    run_dir, _, settings = crawled
    runner.enrich("topwar", settings=settings)
    handles = {h for f in read_jsonl(run_dir / "findings.jsonl", Finding) for h in f.contacts.telegram}
    assert {"yaremshooter", "anna_news", "kakberadio", "kakberadiobot"} <= handles
