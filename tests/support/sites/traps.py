"""A hostile site on 127.0.0.1 whose links, images, feeds and redirects try to reach what a crawl must not.

Every spider kind has a way in: list pages (board, search), an RSS feed and a sitemap index (feed), a channel
preview with photos (channel) and a page rendered in Chromium with images, an iframe and a script that calls
out (social). The traps point at ``file:``, ``ftp:``, ``data:``, ``javascript:`` and ``gopher:`` URLs, at a
second local server on another port standing in for an internal service (its access log must stay empty), at
the same site under another name (``localhost``) or another notation of its address, at URLs with credentials,
and redirect from the site to the internal service, to a loopback address, to ``file:`` and to a credentialed
URL. Nothing here ever points outside 127.0.0.0/8, so a crawler that falls for a trap still sends no traffic
off the machine. The legit pages (``LEGIT``) must all be crawled.
"""

from __future__ import annotations

import gzip
import html
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.sites.server import HTML, Reply, Site, image_reply, not_found, serve

LEGIT = ["/job/1", "/job/2", "/job/3"]  # /job/3 is reached only through a redirect from /job/24
GZIP_BOMB_BYTES = 40 * 1024 * 1024  # decompressed; the fixture sources cap pages at 2 MB
SECRET = "TRAP-SECRET-4242"  # the internal service's answer; must never appear in a run folder


@dataclass
class Trap:
    """One hostile URL and the reject kind the crawl must record for it."""

    href: str  # as written in the page
    kind: str  # blocked_scheme | offsite_host | userinfo | not_html | decompression_bomb
    refused_url: str = ""  # the URL the reject names, when it is not the href (redirect targets)


@dataclass
class TrapSites:
    site: Site  # the hostile site itself (the source's host)
    internal: Site  # the "internal service" on another port

    @property
    def port(self) -> int:
        return int(self.site.base_url.rsplit(":", 1)[1])

    @property
    def internal_port(self) -> int:
        return int(self.internal.base_url.rsplit(":", 1)[1])

    def link_traps(self) -> list[Trap]:
        """The traps among the detail links of a list page, a feed and a search result page."""
        site, i = self.site.base_url, self.internal_port
        return [
            Trap("file:///etc/passwd", "blocked_scheme"),
            Trap("file:///x?/job/1", "blocked_scheme"),
            Trap("file:///proc/self/environ", "blocked_scheme"),
            Trap(f"ftp://127.0.0.1:{i}/job/30", "blocked_scheme"),
            Trap("data:text/html,job/31", "blocked_scheme"),
            Trap("javascript:alert(1)//job/32", "blocked_scheme"),
            Trap(f"gopher://127.0.0.1:{i}/_GET%20/job/33", "blocked_scheme"),
            Trap(f"http://127.0.0.1:{i}/job/34", "offsite_host"),
            Trap(f"http://localhost:{self.port}/job/35", "offsite_host"),
            Trap(f"http://[::ffff:127.0.0.1]:{i}/job/36", "offsite_host"),
            Trap(f"http://2130706433:{i}/job/37", "offsite_host"),
            Trap(f"http://user:hunter2@127.0.0.1:{self.port}/job/38", "userinfo", f"{site}/job/38"),
            Trap("/job/20", "offsite_host", f"http://127.0.0.1:{i}/latest/meta-data/job/20"),
            Trap("/job/21", "offsite_host", f"http://127.0.0.2:{i}/latest/meta-data/job/21"),
            Trap("/job/22", "blocked_scheme", "file:///etc/passwd?/job/22"),
            Trap("/job/23", "userinfo", f"{site}/job/2"),
        ]

    def page_traps(self) -> list[Trap]:
        """Pages of the site itself that must be rejects: JSON where HTML is expected, a gzip bomb."""
        return [Trap("/job/40", "not_html"), Trap("/job/41", "decompression_bomb")]

    def image_traps(self) -> list[Trap]:
        """The traps among the images of /job/1 (and of the channel's and the social page's posts)."""
        i = self.internal_port
        return [
            Trap("file:///etc/hostname", "blocked_scheme"),
            Trap("data:image/png;base64,iVBORw0KGgo=", "blocked_scheme"),
            Trap(f"http://127.0.0.1:{i}/img/internal.png", "offsite_host"),
            Trap(f"http://localhost:{self.port}/img/ok.png", "offsite_host"),
            Trap(f"http://u:p@127.0.0.1:{self.port}/img/cred.png", "userinfo", f"{self.site.base_url}/img/cred.png"),
            Trap("/img/hop.png", "offsite_host", f"http://127.0.0.1:{i}/img/hop.png"),
        ]

    def refused_url(self, trap: Trap) -> str:
        return trap.refused_url or (trap.href if ":" in trap.href else self.site.base_url + trap.href)


def _links(hrefs: list[str], cls: str) -> str:
    return "".join(f'<li><a class="{cls}" href="{html.escape(h)}">{html.escape(h)}</a></li>' for h in hrefs)


def _images(hrefs: list[str]) -> str:
    return "".join(f'<img class="photo" src="{html.escape(h)}">' for h in hrefs)


def _redirect(location: str) -> Reply:
    return 302, HTML, b"", {"Location": location}


class TrapRoutes:
    """The hostile site's pages; ``sites`` is set once both servers listen."""

    sites: TrapSites

    def hrefs(self) -> list[str]:
        traps = self.sites.link_traps() + self.sites.page_traps()
        return ["/job/1", "/job/2", "/job/24"] + [t.href for t in traps]

    def route(self, path: str, query: dict[str, str]) -> Reply:
        s, i = self.sites, self.sites.internal_port
        if path in {"/jobs/1", "/search"}:
            return 200, HTML, f"<html><body><ul>{_links(self.hrefs(), 'job')}</ul></body></html>".encode()
        if path == "/feeds/jobs.rss":
            items = "".join(f"<item><title>t</title><link>{html.escape(h)}</link></item>" for h in self.hrefs())
            return 200, "application/rss+xml", f'<rss version="2.0"><channel>{items}</channel></rss>'.encode()
        if path == "/sitemap.xml":
            locs = ["file:///etc/passwd", f"http://127.0.0.1:{i}/sitemap.xml", "/sitemap-jobs.xml"]
            body = "".join(f"<sitemap><loc>{html.escape(loc)}</loc></sitemap>" for loc in locs)
            return 200, "application/xml", f"<sitemapindex>{body}</sitemapindex>".encode()
        if path == "/sitemap-jobs.xml":
            body = "".join(f"<url><loc>{html.escape(h)}</loc></url>" for h in ["/job/1", "/job/2"])
            return 200, "application/xml", f"<urlset>{body}</urlset>".encode()
        redirects = {
            "/job/20": f"http://127.0.0.1:{i}/latest/meta-data/job/20",
            "/job/21": f"http://127.0.0.2:{i}/latest/meta-data/job/21",
            "/job/22": "file:///etc/passwd?/job/22",
            "/job/23": f"http://admin:pw@127.0.0.1:{s.port}/job/2",
            "/job/24": "/job/3",
            "/img/hop.png": f"http://127.0.0.1:{i}/img/hop.png",
        }
        if path in redirects:
            return _redirect(redirects[path])
        if path == "/job/40":
            return 200, "application/json", b'{"title": "a page served as JSON", "text": "not HTML"}'
        if path == "/job/41":
            body = gzip.compress(b"<html><body>" + b" " * GZIP_BOMB_BYTES, compresslevel=9)
            return 200, HTML, body, {"Content-Encoding": "gzip"}
        if path in LEGIT:
            images = _images(["/img/ok.png"] + [t.href for t in s.image_traps()]) if path == "/job/1" else ""
            body = f'<html><body><article class="job"><h1>Job {path[5:]}</h1>{images}</article></body></html>'
            return 200, HTML, body.encode()
        if path == "/s/traps":
            return 200, HTML, self.channel_page().encode()
        if path == "/p/traps":
            return 200, HTML, self.social_page().encode()
        if path.startswith(("/img/", "/media/")):
            return image_reply(path)
        return not_found()

    def channel_page(self) -> str:
        photos = ["/media/ok.jpg"] + [t.href for t in self.sites.image_traps()]
        messages = []
        for n, photo in enumerate(photos, start=1):
            messages.append(
                '<div class="tgme_widget_message_wrap"><div class="tgme_widget_message" '
                f'data-post="traps/{n}"><a class="tgme_widget_message_photo_wrap" '
                f"style=\"background-image:url('{html.escape(photo)}')\"></a>"
                f'<div class="tgme_widget_message_text">post {n}</div></div></div>'
            )
        return f"<html><body>{''.join(messages)}</body></html>"

    def social_page(self) -> str:
        i = self.sites.internal_port
        posts = "".join(
            f'<article class="post" data-id="{n}"><p class="body">post {n}</p>{_images([src])}</article>'
            for n, src in enumerate(["/img/ok.png"] + [t.href for t in self.sites.image_traps()], start=1)
        )
        # What the page itself makes Chromium fetch: an iframe and a script calling the internal service.
        calls = (
            f'<iframe src="http://127.0.0.1:{i}/frame"></iframe>'
            f"<script>fetch('http://127.0.0.1:{i}/api/secret').catch(() => {{}});</script>"
        )
        return f"<html><body>{posts}{calls}</body></html>"


def internal_route(path: str, query: dict[str, str]) -> Reply:
    return 200, "text/html", f"<html><body><article class='job'><h1>{SECRET}</h1></article></body></html>".encode()


@contextmanager
def serve_traps() -> Iterator[TrapSites]:
    """The hostile site and the internal service, both on 127.0.0.1, for the duration of the block."""
    routes = TrapRoutes()
    with ExitStack() as stack:
        internal = stack.enter_context(serve(internal_route))
        site = stack.enter_context(serve(routes.route))
        routes.sites = TrapSites(site, internal)
        yield routes.sites


SOURCE_HEAD = """\
name: {name}
kind: {kind}
start_urls: {start_urls}
allow_private_networks: true  # the fixture sites are on 127.0.0.1
politeness: {{delay: 0, autothrottle: false, timeout: 5, retries: 0, max_page_bytes: 2000000}}
"""
DETAIL = '{container: article.job, match: "/job/\\\\d+$", fields: {title: h1, images: "img.photo::attr(src)"}}'
SECTIONS = {
    "board": f'board:\n  list: {{detail_links: "a.job::attr(href)"}}\n  detail: {DETAIL}\n',
    "search": (
        'search:\n  url: "/search?q={query}"\n  keywords: [traps]\n'
        f'  list: {{detail_links: "a.job::attr(href)"}}\n  detail: {DETAIL}\n'
    ),
    "feed": f"feed:\n  detail: {DETAIL}\n",
    "channel": "channel: {max_pages: 1}\n",
    "social": (
        "social:\n  post: article.post\n  wait_for: article.post\n  max_scrolls: 0\n  scroll_wait: 0.5\n"
        '  screenshot: false\n  fields: {native_id: "::attr(data-id)", text: .body, images: "img::attr(src)"}\n'
    ),
}
START_URLS = {
    "board": '["/jobs/1"]',
    "search": "[]",
    "feed": '["/feeds/jobs.rss", "/sitemap.xml"]',
    "channel": '["/s/traps"]',
    "social": '["/p/traps"]',
}


def write_trap_source(folder: Path, kind: str) -> Path:
    """A source YAML of ``kind`` for the trap site (base_url comes from the crawl's --base-url)."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "search":
        (folder / "keywords").mkdir(exist_ok=True)
        (folder / "keywords" / "traps.yml").write_text("languages:\n  en: [jobs]\n")
    path = folder / f"traps-{kind}.yml"
    head = SOURCE_HEAD.format(name=f"traps-{kind}", kind=kind, start_urls=START_URLS[kind])
    path.write_text(head + SECTIONS[kind])
    return path
