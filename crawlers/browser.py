"""Chromium for JavaScript-only sources: scrapy-playwright settings and the scroll-until-done page coroutine.

Only the ``social`` spider applies these settings, so no other kind of source ever starts a browser.
"""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from lurewatch.crawlers.urlguard import NO_OTHER_SCHEMES

if TYPE_CHECKING:
    from playwright.async_api import Page
    from playwright.async_api import Response as PlaywrightResponse

# Headless, no sandbox (containers), and no traffic of the browser's own (updates, sync, QUIC probes).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
NEW_POSTS = "([selector, seen]) => document.querySelectorAll(selector).length > seen"


def browser_settings(chromium: Path) -> dict[str, Any]:
    """Scrapy settings that send ``meta["playwright"]`` requests through Chromium at ``chromium``."""
    return {
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER, **NO_OTHER_SCHEMES},
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": str(chromium), "headless": True, "args": CHROMIUM_FLAGS},
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,  # milliseconds
    }


def browser_problem(chromium: Path) -> str | None:
    """Why a ``social`` source cannot run here, or None when Chromium and scrapy-playwright are both present."""
    import importlib.util

    if importlib.util.find_spec("scrapy_playwright") is None:
        return "scrapy-playwright is not installed (pip install 'lurewatch[browser]')"
    if not chromium.is_file():
        return f"Chromium not found at {chromium} (install Debian's chromium package or set LUREWATCH_CHROMIUM)"
    return None


async def scroll_until_done(page: Page, post_selector: str, max_scrolls: int, wait_seconds: float) -> dict[str, int]:
    """Scroll to the bottom until no new post appears within ``wait_seconds``, at most ``max_scrolls`` times."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    seen = await page.locator(post_selector).count()
    scrolls = 0
    while scrolls < max_scrolls:
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        scrolls += 1
        try:
            await page.wait_for_function(NEW_POSTS, arg=[post_selector, seen], timeout=wait_seconds * 1000)
        except PlaywrightTimeout:
            break
        seen = await page.locator(post_selector).count()
    return {"scrolls": scrolls, "posts": seen}


class BrowserCapture:
    """Keeps what the page's scripts fetched (JSON, XHR) in ``browser.warc.gz``: the data behind rendered posts."""

    KEPT_TYPES = {"fetch", "xhr"}

    def __init__(self, warc_path: Path) -> None:
        self.warc_path = warc_path
        self.kept = 0
        self.failed = 0
        self._fh: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    async def on_response(self, response: PlaywrightResponse) -> None:
        if response.request.resource_type not in self.KEPT_TYPES:
            return
        try:
            body = await response.body()
            headers = list((await response.all_headers()).items())
        except Exception:  # the page may already be closed; the rendered HTML and screenshot still hold the posts
            self.failed += 1
            return
        self.write(response.url, response.status, response.status_text, headers, body)

    def write(self, url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> None:
        if self._writer is None:
            self._fh = self.warc_path.open("ab")
            self._writer = WARCWriter(self._fh, gzip=True)
        kept_headers = [(k, v) for k, v in headers if k.lower() not in {"content-encoding", "content-length"}]
        kept_headers.append(("Content-Length", str(len(body))))
        record = self._writer.create_warc_record(
            url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(f"{status} {reason or 'OK'}", kept_headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Payload-Digest": f"sha256:{hashlib.sha256(body).hexdigest()}"},
        )
        self._writer.write_record(record)
        self.kept += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            self._writer = None
