"""Chromium for JavaScript-only sources: scrapy-playwright settings and the scroll-until-done page coroutine.

Only the ``social`` spider applies these settings, so no other kind of source ever starts a browser.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import Page

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
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": str(chromium), "headless": True, "args": CHROMIUM_FLAGS},
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,  # milliseconds
    }


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
