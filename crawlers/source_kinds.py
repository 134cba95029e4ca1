"""The kind-specific sections of a source YAML: ``board``, ``search``, ``feed``, ``channel``, ``social``."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

DURATION = re.compile(r"^(\d+)\s*([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def duration_seconds(value: str) -> int:
    """Seconds in a duration such as ``30m``, ``12h`` or ``7d``."""
    match = DURATION.match(value.strip())
    if not match:
        raise ValueError("expected a duration such as 30m, 12h or 7d")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def css_selector(value: str) -> str:
    """A CSS selector parsel can run (``::text`` and ``::attr(name)`` included); else a config error."""
    from cssselect import SelectorError
    from lxml.etree import XPathError
    from parsel import Selector

    try:
        Selector(text="<html></html>").css(value)
    except (SelectorError, XPathError, ValueError) as exc:
        raise ValueError(f"invalid CSS selector {value!r}: {exc}") from exc
    return value


def regex(value: str) -> str:
    """A regular expression that compiles; else a config error (``re.error`` is not a ValueError)."""
    try:
        re.compile(value)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from exc
    return value


Css = Annotated[str, AfterValidator(css_selector)]
Regex = Annotated[str, AfterValidator(regex)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OffsetPaging(Strict):
    """List pages addressed by a number in the URL (``?offset=20``, ``?page=3``), with or without a link to them."""

    param: str = Field("offset", description="query parameter that moves through the list")
    start: int = Field(0, ge=0, description="value of the first page")
    step: int = Field(ge=1, description="added to the parameter for each next page")


class ListPage(Strict):
    detail_links: Css = Field(description="CSS selector of the links to detail pages")
    next_page: Css | None = Field(
        None, description="CSS selector of the next-page, page-number or 'load more' link(s); each is followed once"
    )
    offset: OffsetPaging | None = Field(None, description="page through the list by a URL parameter")
    max_pages: int = Field(
        200, ge=1, description="follow list pages at most this many steps from each start URL or search query"
    )


class DetailPage(Strict):
    container: Css | None = Field(None, description="CSS selector of the posting's own region")
    match: Regex | None = Field(None, description="regex the path (and ?query) of a detail URL must match")
    fields: dict[str, Css] = Field(default_factory=dict, description="field name -> CSS selector")


class Board(Strict):
    list: ListPage
    detail: DetailPage


class Search(Strict):
    """A site's search: one query per keyword, then the result list → detail pages like a board."""

    url: str = Field(description="search URL template with {query}, e.g. /search?q={query}")
    keywords: list[str] = Field(min_length=1, description="keyword list names under sources/keywords/")
    languages: list[str] = Field(default_factory=list, description="only these language codes (empty: all)")
    list: ListPage
    detail: DetailPage

    @field_validator("url")
    @classmethod
    def _has_query(cls, value: str) -> str:
        if "{query}" not in value:
            raise ValueError("the search URL needs a {query} placeholder")
        return value


class Feed(Strict):
    """RSS, Atom, sitemaps and sitemap indexes; each entry's page is fetched, or the entry is the posting."""

    entries_are_postings: bool = Field(False, description="keep each feed entry as the posting, fetch no page")
    detail: DetailPage | None = Field(None, description="how to read the pages the entries link to")


class Channel(Strict):
    """A public Telegram channel preview (``t.me/s/<channel>``), paged back with ``?before=<id>``."""

    max_pages: int = Field(20, ge=1, description="stop after this many pages of posts per channel")
    max_age: str | None = Field(None, description="stop at posts older than this duration, e.g. 90d")

    @field_validator("max_age")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            duration_seconds(value)
        return value


class Social(Strict):
    """A page that only renders with JavaScript: loaded in Chromium, scrolled until no new posts appear."""

    post: Css = Field(description="CSS selector of one post on the rendered page")
    fields: dict[str, Css] = Field(
        default_factory=dict, description="field name -> CSS selector inside a post (native_id, link, text, ...)"
    )
    wait_for: Css | None = Field(None, description="CSS selector to wait for before scrolling")
    max_scrolls: int = Field(30, ge=0, le=500, description="scrolls at most")
    scroll_wait: float = Field(3.0, gt=0, le=60, description="seconds to wait for new posts after a scroll")
    screenshot: bool = Field(True, description="keep a full-page screenshot as evidence")
