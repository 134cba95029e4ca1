"""Tests of the demo job board: structure the crawler config relies on, and its ground truth."""

from __future__ import annotations

import difflib
import hashlib
import io
import subprocess
import sys
import urllib.error
import urllib.request
import urllib.robotparser
from collections import Counter
from importlib import resources
from typing import TYPE_CHECKING, Any

import phonenumbers
import pytest
import yaml
from parsel import Selector
from PIL import Image

from lurewatch.demo.server import serve_demo_site
from lurewatch.demo.site import PRIVATE_PATH, build_site, demo_ads, demo_broken_pages
from tests.support import ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lurewatch.demo.server import DemoSite

REQUIRED_LANGUAGES = {"en", "zh", "th", "vi", "id", "my", "km"}


class Response:
    """Status, headers and body of one fetch."""

    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def html(self) -> Selector:
        return Selector(text=self.body.decode("utf-8"))


def fetch(site: DemoSite, path: str) -> Response:
    try:
        with urllib.request.urlopen(site.url(path), timeout=10) as reply:
            return Response(reply.status, reply.headers, reply.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with serve_demo_site() as running:
        yield running


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    text = resources.files("lurewatch.demo").joinpath("source.yml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


@pytest.fixture(scope="module")
def crawl(site: DemoSite, config: dict[str, Any]) -> dict[str, Any]:
    """Crawl the board the way the source config says: list pages, next links, detail links."""
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(fetch(site, "/robots.txt").body.decode("utf-8").splitlines())
    list_selectors = config["board"]["list"]
    list_pages, detail_links = [], []
    path: str | None = config["start_urls"][0]
    while path:
        page = fetch(site, path)
        list_pages.append((path, page))
        detail_links += page.html.css(list_selectors["detail_links"]).getall()
        path = page.html.css(list_selectors["next_page"]).get()
    allowed = [link for link in detail_links if robots.can_fetch("*", site.url(link))]
    details = {link: fetch(site, link) for link in dict.fromkeys(allowed)}
    return {"list_pages": list_pages, "links": detail_links, "details": details}


def test_robots_txt_disallows_the_private_area(site: DemoSite) -> None:
    response = fetch(site, "/robots.txt")
    assert response.status == 200
    assert response.body.decode("utf-8").splitlines() == ["User-agent: *", "Disallow: /private/"]


def test_home_page_links_to_the_job_list(site: DemoSite) -> None:
    assert "/jobs/" in fetch(site, "/").html.css("a::attr(href)").getall()


def test_crawl_by_source_config_reaches_170_postings(crawl: dict[str, Any], config: dict[str, Any]) -> None:
    fields = config["board"]["detail"]["fields"]
    broken = {page["path"] for page in demo_broken_pages()}
    postings = [
        response.html for path, response in crawl["details"].items() if response.status == 200 and path not in broken
    ]
    assert len(postings) >= 170
    assert {path for path in crawl["details"] if path not in broken} == {ad["path"] for ad in demo_ads()}
    for page in postings:
        assert page.css(f"{fields['title']}::text").get()
        assert page.css(fields["native_id"]).get().isdigit()
        assert page.css(fields["posted_at"]).get().startswith("2026-11-")
        assert page.css(f"{fields['author']}::text").get()
        assert page.css(f"{fields['location']}::text").get()


def test_list_pages_hold_20_jobs_and_link_to_the_next(crawl: dict[str, Any]) -> None:
    pages = crawl["list_pages"]
    assert len(pages) >= 9
    for number, (path, page) in enumerate(pages, start=1):
        assert path == ("/jobs/" if number == 1 else f"/jobs/?page={number}")
        jobs = [
            href for href in page.html.css("article.job-card a.job-link::attr(href)").getall() if href != PRIVATE_PATH
        ]
        is_last = number == len(pages)
        assert len(jobs) == 20 or (is_last and 0 < len(jobs) <= 20)
        assert bool(page.html.css("a[rel=next].next")) is not is_last
        assert page.html.css("nav.pagination a.page::text").getall()


def test_polite_crawl_never_requests_the_private_page(site: DemoSite, crawl: dict[str, Any]) -> None:
    assert PRIVATE_PATH in crawl["links"]  # some list pages link there ...
    assert PRIVATE_PATH not in site.requests  # ... and robots.txt kept the crawl out
    assert fetch(site, PRIVATE_PATH).status == 200


def test_broken_pages_are_linked_and_fail_as_documented(site: DemoSite, crawl: dict[str, Any]) -> None:
    broken = {page["kind"]: page for page in demo_broken_pages()}
    assert set(broken) == {"misencoded", "truncated", "server-error", "missing"}
    for page in demo_broken_pages():
        assert page["path"] in crawl["links"]
        assert fetch(site, page["path"]).status == page["status"]

    for page in (p for p in demo_broken_pages() if p["kind"] == "misencoded"):
        response = fetch(site, page["path"])
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        with pytest.raises(UnicodeDecodeError):
            response.body.decode("utf-8")
        assert page["title"] in response.body.decode(page["encoding"])

    truncated = fetch(site, broken["truncated"]["path"]).body.decode("utf-8")
    assert broken["truncated"]["title"] in truncated
    assert broken["truncated"]["text"] in truncated
    assert "</html>" not in truncated and truncated.endswith("<ul")


def test_every_phone_is_valid_and_shown_in_its_posting(site: DemoSite) -> None:
    for ad in demo_ads() + [p for p in demo_broken_pages() if p["kind"] in ("misencoded", "truncated")]:
        for number in ad["phones"] + ad["whatsapp"]:
            parsed = phonenumbers.parse(number)
            assert phonenumbers.is_valid_number(parsed), (ad["slug"], number)
        for number in ad["phones"]:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(number))
            matches = phonenumbers.PhoneNumberMatcher(ad["text"], region)
            shown = {phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164) for m in matches}
            assert number in shown, (ad["slug"], number)
        for number in ad["whatsapp"]:
            assert f"wa.me/{number[1:]}" in ad["text"]


def test_contacts_sit_inside_the_posting_container(site: DemoSite) -> None:
    for ad in demo_ads()[::7]:
        page = fetch(site, ad["path"]).html
        posting = " ".join(page.css("article.job-posting .job-description ::text").getall())
        for value in ad["telegram"] + ad["line"] + ad["wechat"] + ad["emails"]:
            assert value in posting, (ad["slug"], value)
        assert ad["title"] == page.css("h1.job-title::text").get()
        assert page.css("article.job-posting::attr(data-job-id)").get() == ad["job_id"]


def test_required_languages_are_served(site: DemoSite) -> None:
    ads = demo_ads()
    assert {ad["language"] for ad in ads} >= REQUIRED_LANGUAGES
    first_of_each = {ad["language"]: ad for ad in ads}
    for language, ad in first_of_each.items():
        assert fetch(site, ad["path"]).html.css("html::attr(lang)").get() == language


def test_reposts_are_near_duplicates_of_their_base() -> None:
    ads = demo_ads()
    by_slug = {ad["slug"]: ad for ad in ads}
    reposts = [ad for ad in ads if ad["repost_of"]]
    assert len(reposts) >= 100
    assert len({ad["repost_of"] for ad in reposts}) >= 50
    assert {"phone", "handle", "emoji", "reorder", "salary", "town", "translate"} <= {
        edit for ad in reposts for edit in ad["edits"]
    }
    for repost in reposts:
        base = by_slug[repost["repost_of"]]
        assert base["repost_of"] is None and repost["edits"]
        assert difflib.SequenceMatcher(None, base["text"], repost["text"]).ratio() > 0.6


def test_repost_with_new_phone_records_the_new_number() -> None:
    ads = demo_ads()
    by_slug = {ad["slug"]: ad for ad in ads}
    changed = [ad for ad in ads if "phone" in ad["edits"]]
    assert changed
    for repost in changed:
        base = by_slug[repost["repost_of"]]
        assert repost["phones"] + repost["whatsapp"] != base["phones"] + base["whatsapp"]


def test_about_forty_percent_of_postings_are_ordinary_jobs() -> None:
    counts = Counter(ad["is_lure"] for ad in demo_ads())
    assert 0.3 <= counts[False] / sum(counts.values()) <= 0.5


def test_slugs_and_job_ids_are_unique() -> None:
    ads = demo_ads() + demo_broken_pages()
    assert len({ad["slug"] for ad in ads}) == len(ads)
    assert len({ad["job_id"] for ad in ads}) == len(ads)


def _site_digest() -> str:
    digest = hashlib.sha256()
    for path, page in sorted(build_site().pages.items()):
        digest.update(f"{path} {page.status} {page.content_type}".encode() + page.body)
    return digest.hexdigest()


def test_generation_is_deterministic_across_processes() -> None:
    code = "import sys; from tests.core.test_demo_site import _site_digest; print(_site_digest())"
    root = ROOT
    for seed in ("1", "2"):
        env = {"PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == _site_digest()


def test_images_are_valid_and_the_jpeg_points_at_cambodia(site: DemoSite) -> None:
    with_images = [ad for ad in demo_ads() if ad["image"]]
    assert len(with_images) >= 10
    for ad in [ad for ad in with_images if ad["image"].endswith(".png")][:5]:
        response = fetch(site, ad["image"])
        assert response.headers["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(response.body)).format == "PNG"
    jpeg_ad = next(ad for ad in with_images if ad["image"].endswith(".jpg"))
    photo = Image.open(io.BytesIO(fetch(site, jpeg_ad["image"]).body))
    gps = photo.getexif().get_ifd(0x8825)
    latitude = sum(float(v) / 60**i for i, v in enumerate(gps[2]))
    longitude = sum(float(v) / 60**i for i, v in enumerate(gps[4]))
    assert gps[1] == "N" and gps[3] == "E"
    assert 10 < latitude < 14.7 and 102.3 < longitude < 107.7  # inside Cambodia's bounding box
    assert jpeg_ad["image_gps"] == pytest.approx([latitude, longitude], abs=1e-3)


def test_ad_text_is_html_escaped(site: DemoSite) -> None:
    ad = next(ad for ad in demo_ads() if ad["company"] == "Roast & Co. Coffee")
    body = fetch(site, ad["path"]).body.decode("utf-8")
    assert "Roast &amp; Co. Coffee" in body and "Roast & Co." not in body


def test_server_is_quiet_and_answers_unknown_paths_with_404(site: DemoSite, capfd: Any) -> None:
    assert fetch(site, "/no/such/page.html").status == 404
    assert fetch(site, "/jobs/?page=999").status == 404
    assert fetch(site, "/jobs/").status == 200
    assert capfd.readouterr().err == ""


def test_server_refuses_to_bind_beyond_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"), serve_demo_site(host="0.0.0.0"):
        pass
