"""The ``social`` spider: pages that only render with JavaScript, in Chromium, scrolled, screenshotted."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.settings import BaseSettings

from lurewatch.crawlers.browser import BrowserCapture, browser_settings, scroll_until_done
from lurewatch.crawlers.extract import select_text
from lurewatch.crawlers.spiders.base import SourceSpider
from lurewatch.crawlers.spiders.channel import TITLE_CHARS, message_text
from lurewatch.crawlers.urlpolicy import Refusal, strip_userinfo
from lurewatch.records import Posting
from lurewatch.run_folder import BROWSER_WARC, RENDERED, SCREENSHOTS, write_bytes_atomic
from lurewatch.settings import get_settings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from lurewatch.crawlers.source import Source

logger = logging.getLogger(__name__)
POSTING_ATTRS = {"title", "posted_at", "author", "native_id"}


class SocialSpider(SourceSpider):
    """Renders each start page in Chromium, scrolls until no new posts load, keeps a screenshot, reads posts."""

    name = "social"

    def __init__(self, source: Source, run_id: str, **kwargs: Any) -> None:
        super().__init__(source, run_id, **kwargs)
        assert source.social is not None
        self.social = source.social
        self.capture: BrowserCapture

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SocialSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, SocialSpider)
        spider.capture = BrowserCapture(spider.run_dir / BROWSER_WARC)
        crawler.signals.connect(spider.close_capture, signal=signals.spider_closed)
        return spider

    def close_capture(self) -> None:
        self.crawler.stats.set_value("lurewatch/social/browser_records", self.capture.kept)
        if self.capture.failed:
            self.crawler.stats.set_value("lurewatch/social/browser_records_lost", self.capture.failed)
        self.capture.close()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        for key, value in browser_settings(get_settings().chromium).items():
            settings.set(key, value, priority="spider")

    def page_methods(self) -> list[Any]:
        """What Chromium does on each page before Scrapy sees it: wait, scroll to the end, take the screenshot."""
        from scrapy_playwright.page import PageMethod

        methods = []
        if self.social.wait_for:
            methods.append(PageMethod("wait_for_selector", self.social.wait_for))
        methods.append(
            PageMethod(scroll_until_done, self.social.post, self.social.max_scrolls, self.social.scroll_wait)
        )
        if self.social.screenshot:
            methods.append(PageMethod("screenshot", full_page=True, type="png"))
        return methods

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.absolute_start_urls():
            request = self.request(
                url,
                self.parse_page,
                "list",
                playwright=True,
                # New PageMethod objects per page: each keeps its own result (the screenshot bytes).
                playwright_page_methods=self.page_methods(),
                playwright_page_event_handlers={"response": self.capture.on_response},
                playwright_page_init_callback=self.guard_page,
            )
            if request:
                yield request

    async def guard_page(self, page: Any, request: scrapy.Request) -> None:
        """Every request Chromium makes for the page (scripts, images, frames, XHR) passes the URL policy."""
        await page.route("**", partial(self.browser_route, request.url))

    async def browser_refusal(self, url: str) -> Refusal | None:
        refusal = self.url_policy.check(url)
        if refusal is None and not (self.url_policy.allow_private or self.source.politeness.proxy):
            # Chromium resolves the name again itself: this narrows, not closes, a DNS rebinding window.
            refusal = await asyncio.get_running_loop().run_in_executor(None, self.url_policy.check_resolved, url)
        return refusal

    def browser_reject(self, url: str, refusal: Refusal, browser_request: Any, **extra: Any) -> None:
        self.crawler.stats.inc_value("lurewatch/url_policy/refused")
        self.rejects.add(refusal.kind, url, refusal.detail, role=f"browser:{browser_request.resource_type}", **extra)

    async def browser_route(self, start_url: str, route: Any, browser_request: Any) -> None:
        url = browser_request.url
        if url.startswith(("data:", "blob:")):  # made by the page itself, in memory: nothing is fetched
            await route.fallback()
            return
        refusal = await self.browser_refusal(url)
        if refusal is not None:
            self.browser_reject(url, refusal, browser_request)
            await route.abort("blockedbyclient")
            return
        if url == start_url and browser_request.is_navigation_request() and browser_request.frame.parent_frame is None:
            await route.fallback()  # the page itself (checked by the downloader): scrapy-playwright loads it
            return
        # Chromium follows redirects without asking the route again: fetch here, hop by hop, and check each.
        try:
            headers = {**await browser_request.all_headers(), "user-agent": self.settings.get("USER_AGENT")}
            response = await route.fetch(max_redirects=0, headers=headers)
        except Exception as exc:  # noqa: BLE001 - a failed subresource is the page's problem, not the crawl's
            self.crawler.stats.inc_value("lurewatch/social/subresource_errors")
            logger.debug("subresource %s failed: %s", strip_userinfo(url), exc)
            await route.abort()
            return
        location = response.headers.get("location")
        if 300 <= response.status < 400 and location:
            target = urljoin(url, location)
            refusal = await self.browser_refusal(target)
            if refusal is not None:
                self.browser_reject(target, refusal, browser_request, redirected_from=strip_userinfo(url))
                await route.abort("blockedbyclient")
                return
        await route.fulfill(response=response)

    def keep_evidence(self, response: scrapy.http.Response) -> dict[str, Any]:
        """Writes the screenshot and the rendered HTML next to the WARC; returns the evidence with their paths."""
        evidence = dict(response.meta.get("evidence", {}))
        run_dir: Path = self.run_dir
        html_sha = hashlib.sha256(response.body).hexdigest()
        rendered = run_dir / RENDERED / f"{html_sha}.html"
        rendered.parent.mkdir(exist_ok=True)
        write_bytes_atomic(rendered, response.body)  # named by its hash: never a shorter file under it
        evidence["rendered_html"] = rendered.relative_to(run_dir).as_posix()
        methods = response.meta.get("playwright_page_methods") or []
        shot = methods[-1].result if self.social.screenshot and methods else None
        if isinstance(shot, bytes):
            png = run_dir / SCREENSHOTS / f"{hashlib.sha256(shot).hexdigest()}.png"
            png.parent.mkdir(exist_ok=True)
            write_bytes_atomic(png, shot)
            evidence["screenshot"] = png.relative_to(run_dir).as_posix()
        for method in methods:
            if isinstance(method.result, dict) and "scrolls" in method.result:
                self.crawler.stats.inc_value("lurewatch/social/scrolls", method.result["scrolls"])
        return evidence

    def parse_page(self, response: scrapy.http.Response) -> Iterator[Posting]:
        refusal = self.url_policy.check(response.url)
        if refusal is not None:  # Chromium followed the page's own redirect somewhere the source may not go
            self.crawler.stats.inc_value("lurewatch/url_policy/refused")
            self.rejects.add(refusal.kind, response.url, f"the page redirected there: {refusal.detail}")
            return
        page = self.page(response, "list")
        if page is None:
            return
        self.crawler.stats.inc_value("lurewatch/pages/social")
        response.meta["evidence"] = self.keep_evidence(response)
        seen: set[str] = set()
        posts = page.css(self.social.post)
        if not posts:
            # The page rendered but nothing matched: the site changed or the selector is wrong. Keep it visible.
            self.rejects.add("no_posts", response.url, f"post selector {self.social.post!r} matched nothing")
        for index, post in enumerate(posts):
            values: dict[str, Any] = {}
            extra: dict[str, str] = {}
            image_urls: list[str] = []
            url = ""
            for name, expr in self.social.fields.items():
                if name == "text":
                    values["text"] = "\n".join(message_text(html) for html in post.css(expr).getall()).strip()
                    continue
                found = select_text(post, expr)
                if name == "images":
                    image_urls = list(self.links(response, found))
                elif name == "link":
                    url = self.joined(response, found[0]) if found else ""
                elif name in POSTING_ATTRS and found:
                    values[name] = found[0]
                elif found:
                    extra[name] = " | ".join(found)
            key = values.get("native_id") or url or str(index)
            if key in seen:
                self.crawler.stats.inc_value("lurewatch/social/repeated_posts")
                continue
            seen.add(key)
            text = values.get("text", "")
            values.setdefault("title", text.splitlines()[0][:TITLE_CHARS] if text else "")
            self.crawler.stats.inc_value("lurewatch/social/posts")
            yield self.posting(
                response,
                url=url or f"{response.url}#{key}",
                html=post.get(),
                fields=extra,
                image_urls=image_urls,
                **values,
            )
