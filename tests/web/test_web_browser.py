"""The web UI in a real Chromium: log in, search, click a facet, open a finding, follow a phone pivot, see the map.

Screenshots of every page land in ``test-artifacts/`` (gitignored) for a person to look at.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.records import Contacts, Evidence, Finding, Indicator, Location
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.support import ROOT
from tests.support.samples import sample_findings
from tests.web.conftest import CHROMIUM_ARGS, browser_login, chromium_or_skip, served

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"
XSS_TITLE = '<script>alert("title")</script> Hiring <img src=x onerror=alert(1)> now'
XSS_TEXT = 'Apply today <img src=x onerror=alert(2)> <script>alert("text")</script> <b>bold</b> ok'
XSS_PHONE = "+85599000111"


def _xss_finding() -> Finding:
    return Finding(
        posting_id="xss000000000000000000001", source="social-groups", source_kind="social",
        url="https://social-groups.example/ads/xss", canonical_url="https://social-groups.example/ads/xss",
        fetched_at="2026-05-01T10:00:00+00:00", run_id="browser-test", title=XSS_TITLE, text=XSS_TEXT,
        language="en", contacts=Contacts(phones=[XSS_PHONE], telegram=['@"><svg onload=alert(3)>']),
        locations=[Location("Poipet", "KH", None, 13.66, 102.56, None, "text", 0.9)],
        geo={"lat": 13.66, "lon": 102.56}, country="KH", risk_score=77,
        indicators=[Indicator("messenger_only_contact", 15.0, "<img src=x onerror=alert(4)>")], cluster_id="cxss",
        evidence=Evidence("runs/browser-test/evidence.warc.gz", 0, "ab" * 32),
    )  # fmt: skip


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[str, str]]:
    """The app on a free 127.0.0.1 port over 800 synthetic findings plus one carrying an XSS payload."""
    store = SqliteIndex(settings.sqlite_file)
    store.setup()
    store.upsert(sample_findings(800))
    store.upsert([_xss_finding()])
    key = KeyStore(settings.keys_path).add("browser", "reader")
    with served(create_app(settings, store)) as base:
        yield base, key
    store.close()


@pytest.fixture
def page(server: tuple[str, str]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.dialogs = []  # type: ignore[attr-defined]
        tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))  # type: ignore[attr-defined]
        yield tab
        browser.close()


def test_search_facet_finding_pivot_and_map(page: object, server: tuple[str, str]) -> None:
    from playwright.sync_api import expect

    base, key = server
    browser_login(page, base, key, "/?q=visa", screenshot=ARTIFACTS / "login.png")
    p = page  # type: ignore[assignment]
    expect(p.locator(".summary")).to_contain_text("postings for visa")
    expect(p.locator("article.hit").first).to_be_visible()
    expect(p.locator("article.hit mark").first).to_have_text("visa", ignore_case=True)
    expect(p.locator("#map.drawn")).to_be_visible()  # the map script ran and drew
    assert p.locator("#map .land path").count() > 100  # country outlines from the vendored atlas
    assert p.locator("#map a.cluster circle").count() >= 3  # geotile clusters
    p.screenshot(path=ARTIFACTS / "search.png", full_page=True)

    cambodia = p.locator("section[data-facet=country] a", has_text="Cambodia")
    expected = int(cambodia.locator(".count").inner_text().replace(",", ""))
    cambodia.click()
    p.wait_for_load_state()
    assert "country=KH" in p.url
    expect(p.locator(".summary strong").nth(1)).to_have_text(f"{expected:,}")  # lures, then postings
    metas = p.locator("article.hit .meta").all_inner_texts()
    assert metas and all("KH" in m for m in metas)
    expect(p.locator("section[data-facet=country] a.active")).to_contain_text("Cambodia")
    p.screenshot(path=ARTIFACTS / "search-facet.png", full_page=True)

    p.locator("#map a.cluster").first.click()  # zoom into a cluster: a bounding-box filter
    p.wait_for_load_state()
    assert "bbox=" in p.url and "country=KH" in p.url
    p.screenshot(path=ARTIFACTS / "search-map-zoom.png", full_page=True)

    p.goto(base + "/?q=*&has_contact=1&sort=risk")
    p.locator("article.hit a.hit-title").first.click()
    p.wait_for_load_state()
    assert "/findings/" in p.url
    expect(p.locator(".finding h1")).to_be_visible()
    expect(p.locator("#finding-map.drawn")).to_be_visible()
    p.screenshot(path=ARTIFACTS / "finding.png", full_page=True)

    phone_link = p.locator("a.pivot[data-field=phone]").first
    if phone_link.count() == 0:
        phone_link = p.locator("a.pivot").first
    value = phone_link.inner_text()
    phone_link.click()
    p.wait_for_load_state()
    assert "/pivot/" in p.url
    expect(p.locator(".entity-value")).to_have_text(value)
    postings = int(p.locator(".stats div", has_text="Postings").locator("dd").inner_text().replace(",", ""))
    assert postings == p.locator("article.hit").count() >= 1
    p.screenshot(path=ARTIFACTS / "pivot.png", full_page=True)
    assert p.dialogs == []  # type: ignore[attr-defined]


def test_xss_payload_in_a_crawled_ad_renders_as_text(page: object, server: tuple[str, str]) -> None:
    from playwright.sync_api import expect

    base, key = server
    browser_login(page, base, key, "/?q=onerror")
    p = page  # type: ignore[assignment]
    expect(p.locator("article.hit a.hit-title")).to_have_count(1)
    expect(p.locator("article.hit a.hit-title")).to_contain_text('<script>alert("title")</script> Hiring')
    p.screenshot(path=ARTIFACTS / "xss-search.png", full_page=True)
    p.locator("article.hit a.hit-title").click()
    p.wait_for_load_state()
    expect(p.locator(".finding h1")).to_have_text(XSS_TITLE)
    expect(p.locator(".ad-text")).to_have_text(XSS_TEXT)
    expect(p.get_by_text("<img src=x onerror=alert(4)>")).to_be_visible()
    expect(p.get_by_text('@"><svg onload=alert(3)>')).to_be_visible()
    injected = p.locator("img[src=x], .finding script:not(.map-data), .finding b, .finding svg[onload]")
    assert injected.count() == 0, injected.evaluate_all("els => els.map(e => e.outerHTML)")
    p.screenshot(path=ARTIFACTS / "xss-finding.png", full_page=True)
    p.get_by_text(XSS_PHONE).click()
    p.wait_for_load_state()
    expect(p.locator("article.hit a.hit-title")).to_contain_text("onerror=alert(1)")
    p.wait_for_timeout(300)
    assert p.dialogs == []  # type: ignore[attr-defined]


@pytest.fixture
def attacker_site() -> Iterator[tuple[str, dict[str, str]]]:
    """Another server on another port of the same host, serving the pages in the returned dict."""
    import http.server

    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body = pages.get(self.path, "not here").encode()
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", pages
    httpd.shutdown()
    httpd.server_close()


def _audit(settings: Settings) -> list[dict[str, object]]:
    import json

    return [json.loads(line) for line in settings.audit_path.read_text().splitlines()]


def test_a_page_on_another_port_can_neither_log_in_nor_search_as_the_victim(
    page: object, server: tuple[str, str], attacker_site: tuple[str, dict[str, str]], settings: Settings
) -> None:
    """Two real servers on two ports of 127.0.0.1 and a real Chromium: login CSRF and forged searches fail."""
    from playwright.sync_api import expect

    base, key = server
    evil, pages = attacker_site
    attacker_key = KeyStore(settings.keys_path).add("attacker", "reader")
    pages["/login.html"] = f"""<!doctype html><form id=f method=post action="{base}/login">
        <input name=key value="{attacker_key}"><input name=csrf value="guessed"><input name=next value="/?q=planted">
        </form><script>document.getElementById('f').submit()</script>"""
    pages["/search.html"] = f"""<!doctype html><img src="{base}/?q=forged-by-image">
        <a id=go href="{base}/?q=forged-by-link">win a prize</a><script>document.getElementById('go').click()</script>"""
    p = page  # type: ignore[assignment]
    p.goto(evil + "/login.html")
    p.wait_for_load_state()
    expect(p.locator("h1")).to_have_text("Refused")
    p.goto(base + "/")
    assert "/login" in p.url  # nobody is logged in, least of all the attacker
    assert not [e for e in _audit(settings) if e.get("action") == "login"]

    browser_login(p, base, key)
    p.goto(evil + "/search.html")
    p.wait_for_url(base + "/?q=forged-by-link")
    expect(p.locator(".error-page")).to_contain_text("Nothing was searched")
    p.screenshot(path=ARTIFACTS / "forged-search-refused.png", full_page=True)
    reads = [e for e in _audit(settings) if e.get("action") == "search"]
    assert all("forged" not in str(e.get("params")) for e in reads)
    p.locator("a.button", has_text="Open it").click()  # the user decides, from our own page
    p.wait_for_load_state()
    expect(p.locator(".summary")).to_contain_text("forged-by-link")
    refused = [e for e in _audit(settings) if e.get("action") == "refused"]
    assert {e["status"] for e in refused} == {403} and len(refused) >= 3


def test_api_docs_render_offline_under_the_strict_csp(page: object, server: tuple[str, str]) -> None:
    from playwright.sync_api import expect

    base, key = server
    p = page  # type: ignore[assignment]
    requests: list[str] = []
    violations: list[str] = []
    p.on("request", lambda r: requests.append(r.url))
    p.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    browser_login(p, base, key, "/api/docs")
    assert p.url == base + "/api/docs"
    expect(p.locator(".opblock-summary-path", has_text="/api/search").first).to_be_visible(timeout=15000)
    p.screenshot(path=ARTIFACTS / "api-docs.png", full_page=True)
    assert violations == []
    assert requests and all(url.startswith(base) or url.startswith("data:") for url in requests), requests
