"""The example board's detail pages read with BeautifulSoup, as many analysts write their parsing code.

``parse_detail`` names a ``soup`` parameter, so the crawler hands it the page as a BeautifulSoup document
(lxml parser) next to Scrapy's response. It returns a dict of Posting fields, or None to skip the page.
"""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup


def parse_detail(response: Any, source: Any, soup: BeautifulSoup) -> dict[str, Any] | None:
    article = soup.select_one("article.job")
    if article is None:  # not a job page after all
        return None
    title = article.select_one("h1")
    when = article.select_one("time[datetime]")
    ref = article.select_one(".ref")
    body = article.select_one("div.body")
    return {
        "title": title.get_text(" ", strip=True) if title else "",
        # <br> separates the lines of the ad.
        "text": body.get_text("\n", strip=True) if body else "",
        "html": str(article),
        "posted_at": when["datetime"] if when else None,
        "native_id": ref.get_text(strip=True) if ref else "",
        "image_urls": [response.urljoin(img["src"]) for img in article.select("img.photo[src]")],
    }
