"""The social spider in real Chromium: a JavaScript-only page scrolled to its end, with screenshot evidence."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from parsel import Selector
from PIL import Image
from warcio.archiveiterator import ArchiveIterator

from lurewatch.errors import CrawlFailed
from lurewatch.settings import Settings
from tests.support import IN_CI
from tests.support.sites.crawling import SOURCES, crawl_example, postings, rejects, stats
from tests.support.sites.server import Site, serve
from tests.support.sites.social import BATCH, PAGE, POST_COUNT, SocialSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Chromium for the test; fails in CI when it is missing, skips elsewhere."""
    path = Settings().chromium
    if not path.is_file() and not shutil.which(str(path)):
        message = f"no Chromium at {path}; install Debian's chromium package or set LUREWATCH_CHROMIUM"
        if IN_CI:
            pytest.fail(message + " (CI=true: browser tests must run)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def social_site() -> Iterator[tuple[SocialSite, Site]]:
    app = SocialSite()
    with serve(app.route) as site:
        yield app, site


@pytest.fixture(scope="module")
def social_run(chromium: Path, social_site: tuple[SocialSite, Site], tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, site = social_site
    run_dir, seconds = crawl_example("example-social", site.base_url, tmp_path_factory.mktemp("social"))
    print(f"social crawl: {seconds:.1f}s")
    return run_dir


def test_the_served_page_has_no_posts_without_javascript(social_site: tuple[SocialSite, Site]) -> None:
    app, _ = social_site
    _, _, body = app.route(f"/p/{PAGE}", {})
    assert Selector(text=body.decode("utf-8")).css("article.post").getall() == []


def test_scrolling_loads_every_post_once(social_run: Path, social_site: tuple[SocialSite, Site]) -> None:
    app, site = social_site
    found = postings(social_run)
    assert POST_COUNT >= 40
    assert sorted(p.native_id for p in found) == sorted(f"p{p.number}" for p in app.posts)
    assert len({p.posting_id for p in found}) == len(found) == POST_COUNT
    api_calls = site.hits("/api/posts")
    assert len(api_calls) == -(-POST_COUNT // BATCH)  # every batch, each once: the page was scrolled to its end
    data = stats(social_run)
    assert data["finish_reason"] == "finished" and not rejects(social_run)
    assert data["lurewatch/social/scrolls"] >= len(api_calls) - 1


def test_social_posting_fields(social_run: Path, social_site: tuple[SocialSite, Site]) -> None:
    app, site = social_site
    by_id = {p.native_id: p for p in postings(social_run)}
    for post in app.posts:
        expected = app.as_json(post)
        posting = by_id[f"p{post.number}"]
        assert posting.source_kind == "social"
        assert posting.text == post.text  # line breaks kept
        assert posting.author == expected["author"]
        assert posting.posted_at == expected["time"]
        assert posting.url == f"{site.base_url}/p/{PAGE}/posts/p{post.number}"
        assert posting.image_urls == ([f"{site.base_url}{expected['image']}"] if expected["image"] else [])


def test_screenshot_and_rendered_html_are_kept_as_evidence(social_run: Path) -> None:
    found = postings(social_run)
    shots = {p.evidence.screenshot for p in found}
    rendered = {p.evidence.rendered_html for p in found}
    assert len(shots) == 1 and len(rendered) == 1  # one page, one capture
    (shot,) = shots
    (html,) = rendered
    assert shot.startswith("screenshots/") and html.startswith("rendered/")
    png = social_run / shot
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stem == hashlib.sha256(png.read_bytes()).hexdigest()
    with Image.open(png) as image:
        image.verify()
    with Image.open(png) as image:
        width, height = image.size
    assert width >= 600 and height > 3000  # the full page, not the first screen
    page = (social_run / html).read_text(encoding="utf-8")
    assert page.count('class="post"') == POST_COUNT
    assert hashlib.sha256((social_run / html).read_bytes()).hexdigest() == found[0].evidence.sha256
    assert (social_run / "evidence.warc.gz").stat().st_size > 0


def test_what_the_page_fetched_is_kept_in_the_browser_warc(
    social_run: Path, social_site: tuple[SocialSite, Site]
) -> None:
    _, site = social_site
    with (social_run / "browser.warc.gz").open("rb") as fh:
        records = [
            (r.rec_headers.get_header("WARC-Target-URI"), json.loads(r.content_stream().read()))
            for r in ArchiveIterator(fh)
            if r.rec_type == "response"
        ]
    assert sorted(url for url, _ in records) == sorted(f"{site.base_url}{path}" for path in site.hits("/api/posts"))
    assert sum(len(body["posts"]) for _, body in records) == POST_COUNT
    assert stats(social_run)["lurewatch/social/browser_records"] == len(records)


def test_a_post_selector_that_matches_nothing_is_a_reject_with_the_screenshot_kept(
    chromium: Path, social_site: tuple[SocialSite, Site], tmp_path: Path
) -> None:
    _, site = social_site
    text = (SOURCES / "example-social.yml").read_text().replace("name: example-social", "name: changed-layout")
    text = text.replace("  post: article.post\n  wait_for: article.post\n", "  post: div.story\n")
    text = text.replace("max_scrolls: 40", "max_scrolls: 1").replace("scroll_wait: 3 ", "scroll_wait: 0.5 ")
    source = tmp_path / "changed-layout.yml"
    source.write_text(text)
    with pytest.raises(CrawlFailed, match=r"changed-layout: 0 postings: every page read failed a selector"):
        crawl_example("changed-layout", site.base_url, tmp_path / "data", source)
    run_dir = tmp_path / "data" / "runs" / "changed-layout"
    assert postings(run_dir) == []
    (reject,) = rejects(run_dir)
    assert reject["kind"] == "no_posts" and reject["url"] == f"{site.base_url}/p/{PAGE}"
    assert len(list((run_dir / "screenshots").glob("*.png"))) == 1
