"""A job site with every way of listing: numbered pages, 'load more', bare offsets, a search, RSS, Atom, sitemaps.

Forty postings (``/job/<n>``) reachable through each listing, so each spider kind can be checked for completeness.
"""

from __future__ import annotations

import gzip
import html as htmllib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape as xml_escape

from tests.support.sites.corpus import Post, post
from tests.support.sites.server import Reply, html, image_reply, not_found

FIRST_JOB = 100
JOB_COUNT = 40
PAGE_SIZE = 10
SEARCH_PAGE_SIZE = 3
RSS_ITEMS = 20
SITEMAP_SPLIT = 20


class JobSite:
    """Routes of the job site; ``base_url`` is set once the server listens (feeds carry absolute links)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC).replace(microsecond=0)
        self.jobs = [post(n) for n in range(FIRST_JOB, FIRST_JOB + JOB_COUNT)]
        self.by_number = {job.number: job for job in self.jobs}
        self.base_url = ""

    def posted_at(self, job: Post) -> datetime:
        return self.now - timedelta(hours=3 * (FIRST_JOB + JOB_COUNT - job.number))

    def matching(self, query: str) -> list[Post]:
        """The jobs a search for ``query`` finds (case-insensitive substring)."""
        needle = query.strip().casefold()
        return [job for job in self.jobs if needle and needle in job.text.casefold()]

    def route(self, path: str, query: dict[str, str]) -> Reply:
        if path.startswith("/media/"):
            return image_reply(path)
        if path.startswith("/job/") and path[5:].isdigit() and int(path[5:]) in self.by_number:
            return html(self.detail(self.by_number[int(path[5:])]))
        if path == "/jobs":
            return self.numbered(int(query.get("page", "1") or 1))
        if path == "/latest":
            return self.load_more(int(query.get("offset", "0") or 0))
        if path == "/archive":
            start = int(query.get("start", "0") or 0)
            return html(self.listing("Archive", self.jobs[start : start + PAGE_SIZE], ""))
        if path == "/search":
            return self.search(query.get("q", ""), int(query.get("page", "1") or 1))
        feeds = {
            "/feeds/jobs.rss": self.rss,
            "/feeds/jobs.atom": self.atom,
            "/sitemap.xml": self.sitemap_index,
        }
        if path in feeds:
            return 200, "application/xml; charset=utf-8", feeds[path]().encode("utf-8")
        if path == "/sitemaps/jobs-1.xml":
            return 200, "application/xml", self.urlset(self.jobs[:SITEMAP_SPLIT]).encode()
        if path == "/sitemaps/jobs-2.xml.gz":
            return 200, "application/x-gzip", gzip.compress(self.urlset(self.jobs[SITEMAP_SPLIT:]).encode())
        if path == "/sitemaps/pages.xml":
            pages = "".join(f"<url><loc>{self.base_url}{p}</loc></url>" for p in ("/about", "/jobs", "/latest"))
            return (
                200,
                "application/xml",
                f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}">{pages}</urlset>'.encode(),
            )
        if path == "/sitemaps/retired.xml":  # listed in the index but gone: a reject, not a failed crawl
            return not_found()
        if path == "/about":
            return html("<!doctype html><title>About</title><h1>About this board</h1><p>Jobs around the Mekong.</p>")
        return not_found()

    # -- HTML ---------------------------------------------------------------------------------------------

    def listing(self, heading: str, jobs: list[Post], navigation: str) -> str:
        items = "".join(
            f'<li><a class="job" href="/job/{job.number}">{htmllib.escape(job.title)}</a></li>' for job in jobs
        )
        empty = "" if jobs else '<p class="empty">No more postings.</p>'
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{heading}</title></head>'
            f'<body><h1>{heading}</h1><ul class="jobs">{items}</ul>{empty}{navigation}</body></html>'
        )

    def numbered(self, number: int) -> Reply:
        pages = (JOB_COUNT + PAGE_SIZE - 1) // PAGE_SIZE
        if not 1 <= number <= pages:
            return not_found()
        links = "".join(
            f"<span>{n}</span>" if n == number else f'<a href="/jobs?page={n}">{n}</a>' for n in range(1, pages + 1)
        )
        if number < pages:
            links += f'<a rel="next" href="/jobs?page={number + 1}">Next »</a>'
        start = (number - 1) * PAGE_SIZE
        return html(
            self.listing(
                f"Jobs, page {number}", self.jobs[start : start + PAGE_SIZE], f'<nav class="pager">{links}</nav>'
            )
        )

    def load_more(self, offset: int) -> Reply:
        shown = self.jobs[offset : offset + PAGE_SIZE]
        more = ""
        if offset + PAGE_SIZE < JOB_COUNT:
            more = f'<a class="load-more" href="/latest?offset={offset + PAGE_SIZE}">Load more</a>'
        return html(self.listing("Latest jobs", shown, more))

    def search(self, query: str, number: int) -> Reply:
        found = self.matching(query)
        start = (number - 1) * SEARCH_PAGE_SIZE
        shown = found[start : start + SEARCH_PAGE_SIZE]
        results = "".join(
            f'<div class="result"><a class="result-link" href="/job/{job.number}">{htmllib.escape(job.title)}</a></div>'
            for job in shown
        )
        nav = ""
        if start + SEARCH_PAGE_SIZE < len(found):
            nav = f'<a class="next" href="/search?q={_quote(query)}&amp;page={number + 1}">Next</a>'
        heading = f"{len(found)} results for “{htmllib.escape(query)}”"
        return html(f'<!doctype html><meta charset="utf-8"><title>Search</title><h1>{heading}</h1>{results}{nav}')

    def detail(self, job: Post) -> str:
        body = htmllib.escape(job.text).replace("\n", "<br>")
        when = self.posted_at(job)
        return f"""<!doctype html><html lang="{job.language}"><head><meta charset="utf-8">
<title>{htmllib.escape(job.title)} | Mekong Jobs</title></head><body>
<nav><a href="/jobs">All jobs</a></nav>
<article class="job" data-id="{job.number}">
  <h1>{htmllib.escape(job.title)}</h1>
  <p class="meta">Posted <time datetime="{when.isoformat()}">{when:%d %b %Y}</time> · ref <span class="ref">J{job.number}</span></p>
  <div class="body">{body}</div>
  <img class="photo" src="/media/job-{job.number}.png" alt="">
</article>
<footer>Report a suspicious ad: abuse@jobs.example</footer></body></html>"""

    # -- XML ----------------------------------------------------------------------------------------------

    def rss(self) -> str:
        items = "".join(
            f"<item><title>{xml_escape(job.title)}</title><link>{self.base_url}/job/{job.number}</link>"
            f'<guid isPermaLink="false">job-{job.number}</guid>'
            f"<pubDate>{format_datetime(self.posted_at(job))}</pubDate>"
            f"<description>{xml_escape(job.text)}</description></item>"
            for job in self.jobs[-RSS_ITEMS:]
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Mekong Jobs</title>'
            f"<link>{self.base_url}/jobs</link><description>Newest postings</description>{items}</channel></rss>"
        )

    def atom(self) -> str:
        entries = "".join(
            f"<entry><title>{xml_escape(job.title)}</title>"
            f'<link rel="alternate" href="{self.base_url}/job/{job.number}"/>'
            f"<id>urn:mekongjobs:{job.number}</id><updated>{self.posted_at(job).isoformat()}</updated>"
            f"<author><name>Mekong Jobs</name></author>"
            f'<content type="html">{xml_escape(htmllib.escape(job.text).replace(chr(10), "<br>"))}</content></entry>'
            for job in self.jobs
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Mekong Jobs</title><id>urn:mekongjobs</id><updated>{self.now.isoformat()}</updated>{entries}</feed>"
        )

    def sitemap_index(self) -> str:
        maps = "".join(
            f"<sitemap><loc>{self.base_url}/sitemaps/{name}</loc></sitemap>"
            for name in ("jobs-1.xml", "jobs-2.xml.gz", "pages.xml", "retired.xml")
        )
        return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{SITEMAP_NS}">{maps}</sitemapindex>'

    def urlset(self, jobs: list[Post]) -> str:
        urls = "".join(
            f"<url><loc>{self.base_url}/job/{job.number}</loc><lastmod>{self.posted_at(job):%Y-%m-%d}</lastmod></url>"
            for job in jobs
        )
        return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{SITEMAP_NS}">{urls}</urlset>'


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _quote(query: str) -> str:
    from urllib.parse import quote

    return quote(query, safe="")
