"""The channel spider on a Telegram-like preview: every post once, with id, date, text, views, links and photos."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lurewatch.errors import CrawlFailed
from lurewatch.records import posting_id_for
from tests.support.sites.channel import (
    CHANNEL,
    FIRST_ID,
    PAGE_SIZE,
    POST_COUNT,
    ChannelSite,
    has_photo,
    has_video,
    message_id,
    replies_to,
)
from tests.support.sites.crawling import SOURCES, crawl_example, postings, rejects, stats
from tests.support.sites.server import Site, serve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def channel_site() -> Iterator[tuple[ChannelSite, Site]]:
    app = ChannelSite()
    with serve(app.route) as site:
        yield app, site


@pytest.fixture(scope="module")
def channel_run(channel_site: tuple[ChannelSite, Site], tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, site = channel_site
    run_dir, seconds = crawl_example("example-channel", site.base_url, tmp_path_factory.mktemp("channel"))
    print(f"channel crawl: {seconds:.1f}s")
    return run_dir


def test_every_post_of_the_channel_is_a_posting_once(channel_run: Path, channel_site: tuple[ChannelSite, Site]) -> None:
    app, _ = channel_site
    found = postings(channel_run)
    assert POST_COUNT >= 60
    assert sorted(p.native_id for p in found) == sorted(f"{CHANNEL}/{message_id(p)}" for p in app.posts)
    assert len({p.posting_id for p in found}) == len(found) == POST_COUNT
    assert stats(channel_run)["finish_reason"] == "finished"
    assert not rejects(channel_run)


def test_older_posts_are_read_through_before_until_the_first(
    channel_site: tuple[ChannelSite, Site], channel_run: Path
) -> None:
    _, site = channel_site
    pages = site.hits(f"/s/{CHANNEL}")
    befores = [int(m.group(1)) for path in pages if (m := re.search(r"before=(\d+)", path))]
    assert pages[0] == f"/s/{CHANNEL}"
    # 64 posts, 20 a page: the newest page, then three older pages, then one that comes back empty.
    assert befores == [FIRST_ID + POST_COUNT - PAGE_SIZE * k for k in range(1, 4)] + [FIRST_ID]
    assert len(pages) == len(set(pages))


def test_channel_posting_carries_text_date_views_links_and_photo(
    channel_run: Path, channel_site: tuple[ChannelSite, Site]
) -> None:
    app, site = channel_site
    by_id = {p.native_id: p for p in postings(channel_run)}
    for post in app.posts:
        posting = by_id[f"{CHANNEL}/{message_id(post)}"]
        assert posting.source_kind == "channel"
        assert posting.text == post.text  # plain text, line breaks kept
        assert posting.posting_id == posting_id_for("", "example-channel", posting.native_id)
        assert posting.posted_at == app.posted_at(post).isoformat()
        assert posting.url == f"{site.base_url}/{CHANNEL}/{message_id(post)}"
        assert int(posting.fields["views"]) > 0
        assert posting.evidence.sha256 and posting.evidence.warc_file == "evidence.warc.gz"
        assert len(posting.image_urls) == has_photo(post) + has_video(post)
        quoted = replies_to(post)
        if quoted is not None:
            assert posting.fields["reply_to"] == f"https://t.me/{CHANNEL}/{message_id(app.posts[quoted])}"
        else:
            assert "reply_to" not in posting.fields
        if post.lure:
            assert "https://t.me/" in posting.fields["links"] or "https://wa.me/" in posting.fields["links"]
    lure = next(p for p in app.posts if p.lure and p.language == "my")
    assert "\n" in by_id[f"{CHANNEL}/{message_id(lure)}"].text
    assert by_id[f"{CHANNEL}/{message_id(app.posts[0])}"].image_urls == [
        f"{site.base_url}/media/{CHANNEL}-{FIRST_ID}.png"
    ]


def test_max_age_stops_paging_at_old_posts(channel_site: tuple[ChannelSite, Site], tmp_path: Path) -> None:
    app, site = channel_site
    source = tmp_path / "recent.yml"
    text = (SOURCES / "example-channel.yml").read_text().replace("max_age: 60d", "max_age: 5d")
    source.write_text(text.replace("name: example-channel", "name: recent-channel"))
    before = len(site.requests)
    run_dir, _ = crawl_example("recent-channel", site.base_url, tmp_path / "data", source)
    recent = [p for p in app.posts if (app.now - app.posted_at(p)).total_seconds() < 5 * 86400]
    assert 0 < len(recent) < POST_COUNT - PAGE_SIZE
    assert sorted(p.native_id for p in postings(run_dir)) == sorted(f"{CHANNEL}/{message_id(p)}" for p in recent)
    pages = [path for path in site.requests[before:] if path.startswith(f"/s/{CHANNEL}")]
    assert len(pages) == 2  # the newest page, and the older page where the first too-old post shows up


def test_max_pages_bounds_the_paging(channel_site: tuple[ChannelSite, Site], tmp_path: Path) -> None:
    app, site = channel_site
    source = tmp_path / "two-pages.yml"
    text = (SOURCES / "example-channel.yml").read_text().replace("max_pages: 10", "max_pages: 2")
    source.write_text(text.replace("name: example-channel", "name: two-pages"))
    before = len(site.requests)
    run_dir, _ = crawl_example("two-pages", site.base_url, tmp_path / "data", source)
    newest = sorted(message_id(p) for p in app.posts)[-2 * PAGE_SIZE :]
    assert sorted(int(p.native_id.split("/")[1]) for p in postings(run_dir)) == newest
    assert len([path for path in site.requests[before:] if path.startswith(f"/s/{CHANNEL}")]) == 2


def test_an_empty_first_page_is_a_reject_not_a_silent_success(
    channel_site: tuple[ChannelSite, Site], tmp_path: Path
) -> None:
    _, site = channel_site
    source = tmp_path / "empty.yml"
    text = (SOURCES / "example-channel.yml").read_text().replace("name: example-channel", "name: empty-channel")
    source.write_text(text.replace("[/s/mekongjobs]", f'["/s/{CHANNEL}?before={FIRST_ID}"]'))
    with pytest.raises(
        CrawlFailed, match=r"empty-channel: 0 postings: every page read failed a selector \(no_posts: 1\)"
    ):
        crawl_example("empty-channel", site.base_url, tmp_path / "data", source)
    run_dir = tmp_path / "data" / "runs" / "empty-channel"
    assert postings(run_dir) == []
    assert [r["kind"] for r in rejects(run_dir)] == ["no_posts"]
