"""The ``feed`` spider: RSS, Atom, sitemaps and sitemap indexes → detail pages, or each entry as the posting."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import scrapy
from lxml import etree
from scrapy.utils.gz import gunzip

from lurewatch.crawlers.spiders.board import DetailReader
from lurewatch.records import Posting

if TYPE_CHECKING:
    from lurewatch.crawlers.source import Source

# No entities, no network, no huge trees: a feed is untrusted input.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, remove_comments=True)
ATOM_LINK = "{http://www.w3.org/2005/Atom}link"


def _name(node: etree._Element) -> str:
    """The local name of an element ("item", "entry", ...); "" when a broken document makes it unreadable."""
    try:
        tag = node.tag
    except UnicodeDecodeError:
        return ""
    if not isinstance(tag, str):
        return ""
    try:
        return str(etree.QName(tag).localname)
    except ValueError:  # a recovered, broken document may hold names QName refuses
        return tag.rpartition("}")[2]


def _text(node: etree._Element) -> str:
    """All text of ``node``; bytes that are not UTF-8 (a recovered, broken feed) become U+FFFD, never an error."""
    try:
        return "".join(node.itertext()).strip()
    except UnicodeDecodeError:
        raw = etree.tostring(node, method="text", encoding="utf-8", with_tail=False)
        return str(raw.decode("utf-8", "replace")).strip()


def _attr(node: etree._Element, name: str, default: str = "") -> str:
    try:
        return str(node.get(name, default))
    except UnicodeDecodeError:
        return default


def _child_text(node: etree._Element, *names: str) -> str:
    for child in node:
        if _name(child) in names:
            text = _text(child)
            if text:
                return text
    return ""


def _atom_link(entry: etree._Element) -> str:
    links = [c for c in entry if _name(c) == "link"]
    for link in links:
        if _attr(link, "rel", "alternate") == "alternate" and _attr(link, "href"):
            return _attr(link, "href")
    return _attr(links[0], "href") if links else ""


def iso_date(value: str) -> str | None:
    """RSS dates (RFC 822) as ISO 8601; ISO dates (Atom, sitemaps) as given; None when absent."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, OverflowError, IndexError):  # a year 99999999 in a hostile feed
        return value


def read_entries(root: etree._Element) -> tuple[str, list[dict[str, str]]]:
    """The document's kind (rss, atom, sitemapindex, urlset) and its entries as plain dicts."""
    kind = _name(root).lower()
    entries: list[dict[str, str]] = []
    if kind in {"rss", "rdf"}:
        for item in root.iter():
            if _name(item) == "item":
                entries.append(
                    {
                        "url": _child_text(item, "link"),
                        "title": _child_text(item, "title"),
                        "html": _child_text(item, "encoded") or _child_text(item, "description"),
                        "posted_at": _child_text(item, "pubDate", "date"),
                        "native_id": _child_text(item, "guid"),
                        "author": _child_text(item, "author", "creator"),
                    }
                )
        return "rss", entries
    if kind == "feed":
        for entry in root:
            if _name(entry) == "entry":
                author = next((c for c in entry if _name(c) == "author"), None)
                entries.append(
                    {
                        "url": _atom_link(entry),
                        "title": _child_text(entry, "title"),
                        "html": _child_text(entry, "content") or _child_text(entry, "summary"),
                        "posted_at": _child_text(entry, "published", "updated"),
                        "native_id": _child_text(entry, "id"),
                        "author": _child_text(author, "name") if author is not None else "",
                    }
                )
        return "atom", entries
    if kind in {"sitemapindex", "urlset"}:
        for node in root:
            if _name(node) in {"sitemap", "url"}:
                entries.append({"url": _child_text(node, "loc"), "posted_at": _child_text(node, "lastmod")})
        return kind, entries
    return kind, entries


class FeedSpider(DetailReader):
    """Reads feeds and sitemaps from the start URLs; sitemap indexes are followed down to their pages."""

    name = "feed"

    def __init__(self, source: Source, run_id: str, **kwargs: Any) -> None:
        assert source.feed is not None
        self.feed = source.feed
        self.detail = source.feed.detail
        super().__init__(source, run_id, **kwargs)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.absolute_start_urls():
            if request := self.request(url, self.parse_feed, "list"):
                yield request

    def parse_feed(self, response: scrapy.http.Response) -> Iterator[scrapy.Request | Posting]:
        if response.status >= 400:
            self.page(response, "feed")
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.source.politeness.max_page_bytes)
            except OSError as exc:
                self.rejects.add("not_a_feed", response.url, f"bad gzip: {exc}")
                return
        try:
            root = etree.fromstring(body, parser=PARSER)
        except etree.XMLSyntaxError as exc:
            self.rejects.add("not_a_feed", response.url, f"not XML: {exc}")
            return
        if root is None:
            self.rejects.add("not_a_feed", response.url, "empty document")
            return
        try:
            kind, entries = read_entries(root)
        except (ValueError, UnicodeDecodeError) as exc:  # a recovered tree can still hold what lxml cannot read
            self.rejects.add("not_a_feed", response.url, f"unreadable feed: {type(exc).__name__}: {exc}")
            return
        if kind not in {"rss", "atom", "sitemapindex", "urlset"}:
            self.rejects.add("not_a_feed", response.url, f"root element <{kind}> is not RSS, Atom or a sitemap")
            return
        self.crawler.stats.inc_value(f"lurewatch/pages/feed/{kind}")
        for entry in entries:
            url = next(self.links(response, [entry["url"]]), "") if entry["url"] else ""
            if not url and entry["url"]:
                continue  # kept aside as a bad_url reject
            if not url:
                self.rejects.add("no_link", response.url, f"a {kind} entry without a link", entry=entry)
            elif kind == "sitemapindex":
                if request := self.request(url, self.parse_feed, "list"):
                    yield request
            elif self.feed.entries_are_postings and kind in {"rss", "atom"}:
                yield self.entry_posting(response, url, entry)
            elif self.wants_detail(url) and (request := self.request(url, self.parse_detail, "detail")):
                yield request

    def entry_posting(self, response: scrapy.http.Response, url: str, entry: dict[str, str]) -> Posting:
        self.crawler.stats.inc_value("lurewatch/feed_entries")
        return self.posting(
            response,
            url=url,
            title=entry["title"],
            html=entry["html"],
            posted_at=iso_date(entry["posted_at"]),
            author=entry["author"],
            native_id=entry["native_id"],
        )
