"""The demo job board: its pages, built once from the ad catalogue, and their ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from lurewatch.demo import images, render
from lurewatch.demo.catalog import generate_ads

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from lurewatch.demo.model import Ad

PER_PAGE = 20
PROMO_PAGES = (1, 4)  # list pages that carry a job card linking into /private/
RELATED_COUNT = 4
HTML = "text/html; charset=utf-8"
ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"
PRIVATE_PATH = render.PRIVATE_PATH
IMAGE_GPS = (10.6253, 103.5234)  # decimal form of images.SIHANOUKVILLE_GPS
BROKEN_STATUS = {"misencoded": 200, "truncated": 200, "server-error": 500, "missing": 404}


class Page(NamedTuple):
    """One HTTP response of the demo board."""

    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Site:
    """Every response of the demo board, keyed by path (list pages by path and page query)."""

    pages: Mapping[str, Page]
    not_found: Page

    def lookup(self, raw_path: str) -> Page:
        """The response for a request path such as /jobs/?page=3 or /jobs/123-x.html."""
        parts = urlsplit(raw_path)
        key = parts.path
        if key == "/jobs/":
            key = render.page_url(_page_number(parts.query))
        return self.pages.get(key, self.not_found)


def _page_number(query: str) -> int:
    value = parse_qs(query).get("page", ["1"])[0]
    return int(value) if value.isdigit() and int(value) > 0 else 0


def _html(text: str, status: int = 200) -> Page:
    return Page(status, HTML, text.encode("utf-8"))


def image_path(ad: Ad) -> str | None:
    """URL path of the ad's image, or None when the ad has no image."""
    if not ad.image or ad.kind != "ok":
        return None
    return f"/images/{ad.slug}.{'jpg' if ad.image == 'jpeg-gps' else 'png'}"


def listing_order(ads: Sequence[Ad]) -> list[Ad]:
    """Newest first, as the board lists its jobs."""
    return sorted(ads, key=lambda ad: (-ad.day, -ad.job_id))


def _broken_page(ad: Ad, related: Sequence[Ad]) -> Page | None:
    if ad.kind == "missing":
        return None
    if ad.kind == "server-error":
        return _html(render.message_page("Internal Server Error", "Something went wrong."), status=500)
    html = render.detail_page(ad, image_path=None, related=related)
    if ad.kind == "misencoded":
        # The header still says utf-8: the bytes are what a misconfigured legacy board sends.
        return Page(200, HTML, html.encode(ad.encoding or "cp874", errors="xmlcharrefreplace"))
    description = html.index('<div class="job-description">')
    return Page(200, HTML, html[: html.index("<ul>", description) + 3].encode("utf-8"))


def _image_bytes(ad: Ad) -> tuple[str, bytes]:
    if ad.image == "jpeg-gps":
        return "image/jpeg", images.flyer_jpeg_with_gps(ad.key)
    return "image/png", images.flyer_png(ad.key)


def build_site() -> Site:
    """Render every page of the board from the catalogue (deterministic, about 0.2 s)."""
    ads, broken = generate_ads()
    listed = listing_order(ads + broken)
    order = listing_order(ads)
    pages: dict[str, Page] = {}
    for position, ad in enumerate(order):
        related = [order[(position + k) % len(order)] for k in range(1, RELATED_COUNT + 1)]
        path = image_path(ad)
        pages[ad.path] = _html(render.detail_page(ad, image_path=path, related=related))
        if path:
            pages[path] = Page(200, *_image_bytes(ad))
    for ad in broken:
        page = _broken_page(ad, order[:RELATED_COUNT])
        if page is not None:
            pages[ad.path] = page
    count = -(-len(listed) // PER_PAGE)
    for number in range(1, count + 1):
        first = (number - 1) * PER_PAGE
        chunk = listed[first : first + PER_PAGE]
        text = render.list_page(
            chunk, number=number, count=count, total=len(listed), first=first, promo=number in PROMO_PAGES
        )
        pages[render.page_url(number)] = _html(text)
    pages["/"] = _html(render.home_page(order[:5]))
    pages["/robots.txt"] = Page(200, "text/plain; charset=utf-8", ROBOTS_TXT.encode("utf-8"))
    pages[PRIVATE_PATH] = _html(render.message_page("Employer admin", "Sign in to manage your job ads."))
    not_found = _html(render.message_page("Page not found", "This job may have been removed."), status=404)
    return Site(pages=pages, not_found=not_found)


@lru_cache(maxsize=1)
def demo_site() -> Site:
    """The board, built once per process."""
    return build_site()


def _truth(ad: Ad) -> dict[str, Any]:
    lines = ad.description_lines()
    if ad.kind == "truncated":  # only the paragraphs before the first list survive the cut
        lines = []
        for block in ad.body:
            if not isinstance(block, str):
                break
            lines.append(block)
    path = image_path(ad)
    return {
        "slug": ad.slug,
        "path": ad.path,
        "job_id": str(ad.job_id),
        "language": ad.lang,
        "title": ad.title,
        "company": ad.company,
        "location": ad.location,
        "salary": ad.salary,
        "posted_at": ad.posted_at,
        "text": "\n".join(lines),
        "is_lure": ad.is_lure,
        "repost_of": ad.repost_of,
        "edits": list(ad.edits),
        "phones": list(dict.fromkeys(p.e164 for p in ad.phones)),
        "whatsapp": list(ad.whatsapp),
        "telegram": list(ad.telegram),
        "line": list(ad.line),
        "wechat": list(ad.wechat),
        "emails": list(ad.emails),
        "town": ad.town,
        "country": ad.country,
        "image": path,
        "image_gps": list(IMAGE_GPS) if path and path.endswith(".jpg") else None,
    }


def demo_ads() -> list[dict[str, Any]]:
    """Ground truth for every working detail page: each base ad followed by its reposts.

    ``phones`` are E.164 numbers written as phone numbers; ``whatsapp`` are E.164 numbers
    behind wa.me links; telegram/line/wechat ids carry no leading "@".
    """
    ads, _ = generate_ads()
    return [_truth(ad) for ad in ads]


def demo_broken_pages() -> list[dict[str, Any]]:
    """Ground truth for the deliberately broken pages, each with its kind and HTTP status."""
    _, broken = generate_ads()
    return [{**_truth(ad), "kind": ad.kind, "status": BROKEN_STATUS[ad.kind], "encoding": ad.encoding} for ad in broken]
