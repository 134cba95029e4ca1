"""Evidence one click away, in a real Chromium on both backends: the captured page from its WARC record (sandboxed,
or as source), the record as a download, the digest check, the screenshot, the original URL without a referrer.

Screenshots land in ``test-artifacts/`` (gitignored) for a person to look at.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import Any

import pytest

from lurewatch.crawlers.evidence import compress_member, warc_record, write_manifest
from lurewatch.evidence import member_at
from lurewatch.index.base import open_index
from lurewatch.records import Evidence, Finding
from tests.support import ROOT
from tests.web.conftest import CHROMIUM_ARGS, DemoWeb, browser_login, chromium_or_skip

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"
HOSTILE = (b"<!doctype html><html><head><title>hostile</title><script>parent.document.title='pwned';"
           b"document.title='ran'</script><link rel=stylesheet href='http://127.0.0.1:9/x.css'></head><body>"
           b"<h1 id=ad>Typing job in Myawaddy</h1><img src='http://127.0.0.1:9/beacon.png'>"
           b"<a id=out href='http://127.0.0.1:9/out'>apply</a></body></html>")  # fmt: skip


def _hostile_finding(web: DemoWeb) -> Finding:
    """A captured page that tries to run script, load a beacon and lead the analyst away, with a PNG screenshot."""
    run = web.settings.runs_dir / "hostile-run"
    (run / "screenshots").mkdir(parents=True)
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + HOSTILE
    record = warc_record("response", http, "http://lures.example/ad/1", "application/http; msgtype=response",
                         WARC_Payload_Digest="sha256:" + hashlib.sha256(HOSTILE).hexdigest())  # fmt: skip
    (run / "evidence.warc.gz").write_bytes(compress_member(record))
    png = (ROOT / "lurewatch" / "web" / "ui" / "static" / "favicon.svg").read_bytes()  # any bytes will do, hashed
    shot = f"screenshots/{hashlib.sha256(png).hexdigest()}.png"
    (run / shot).write_bytes(png)
    write_manifest(run)
    finding = Finding(posting_id="hostile0000000000000001", source="social", source_kind="social",
                      url="http://lures.example/ad/1", canonical_url="http://lures.example/ad/1",
                      fetched_at="2026-11-20T10:00:00+00:00", run_id="hostile-run", title="Typing job in Myawaddy",
                      text="Typing job", language="en",
                      evidence=Evidence("evidence.warc.gz", 0, hashlib.sha256(HOSTILE).hexdigest(), screenshot=shot))  # fmt: skip
    index = open_index(web.settings)
    index.upsert([finding])
    index.close()
    return finding


def _open(web: DemoWeb, then: str) -> tuple[Any, Any, list[str], dict[str, str]]:
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
    page = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True).new_page()
    requests: list[str] = []
    failed: dict[str, str] = {}
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.__setitem__(r.url, r.failure or ""))
    browser_login(page, web.base, web.key, then)
    return playwright, page, requests, failed


def test_captured_page_from_its_warc_record_sandboxed_downloaded_and_verified(demo_web: DemoWeb, request: Any) -> None:
    from playwright.sync_api import expect

    backend = request.node.callspec.params["backend_settings"]
    ARTIFACTS.mkdir(exist_ok=True)
    repost = next(f for f in demo_web.findings if f.duplicate_of and f.language == "my")
    hostile = _hostile_finding(demo_web)
    playwright, p, requests, failed = _open(demo_web, f"/findings/{repost.posting_id}")
    try:
        original = p.locator("a.original-url")
        expect(original).to_have_attribute("href", repost.url)
        assert {"noreferrer", "noopener"} <= set((original.get_attribute("rel") or "").split())
        p.screenshot(path=ARTIFACTS / f"finding-{backend}.png", full_page=True)

        # The cluster: the original first (the earliest posted), then what each repost changed.
        p.click("#cluster-diff")
        p.wait_for_load_state()
        members = p.locator("li.member")
        assert members.count() >= 2
        expect(members.first.locator(".original")).to_have_text("original")
        expect(p.locator(".diff .diff-added").first).to_be_visible()
        p.screenshot(path=ARTIFACTS / f"cluster-diff-{backend}.png", full_page=True)
        p.go_back()

        p.click("#open-capture")  # one click from the finding
        p.wait_for_load_state()
        frame = p.locator("iframe.capture-frame")
        expect(frame).to_have_attribute("sandbox", "")
        expect(p.frame_locator("iframe.capture-frame").locator("body")).to_contain_text(repost.title.strip()[:12])
        p.click("#check-digest")
        p.wait_for_load_state()
        expect(p.locator("#digest-result")).to_contain_text("verified: sha256 matches")
        expect(p.locator("#digest-result")).to_contain_text(repost.evidence.sha256)
        p.screenshot(path=ARTIFACTS / f"evidence-viewer-{backend}.png", full_page=True)

        with p.expect_download() as download:
            p.click("#download-warc")
        saved = Path(download.value.path())
        record = gzip.decompress(saved.read_bytes())
        assert record.startswith(b"WARC/1.1\r\n") and b"WARC-Type: response" in record
        assert repost.url.encode() in record

        p.click("nav.tabs a:has-text('Source')")
        p.wait_for_load_state()
        expect(p.locator("pre.capture-source")).to_contain_text("<html", ignore_case=True)

        # A hostile capture: its script does not run, its beacon and stylesheet are not fetched, its link goes nowhere.
        p.goto(f"{demo_web.base}/findings/{hostile.posting_id}/capture")
        inner = p.frame_locator("iframe.capture-frame")
        expect(inner.locator("#ad")).to_have_text("Typing job in Myawaddy")
        assert p.title().startswith("Captured page") and "pwned" not in p.title()
        inner.locator("#out").click()
        p.wait_for_timeout(500)
        # Chromium reports what the page asked for, then refuses it before it reaches the network.
        leaving = {url for url in requests if not url.startswith(demo_web.base) and not url.startswith("data:")}
        assert leaving and all(failed.get(url) == "csp" for url in leaving), (leaving, failed)
        expect(p.locator("img")).to_have_count(0)
        p.goto(f"{demo_web.base}/findings/{hostile.posting_id}")
        expect(p.locator("img#screenshot")).to_be_visible()
        p.screenshot(path=ARTIFACTS / f"evidence-hostile-{backend}.png", full_page=True)

        # The same record with one byte changed: the check says so, on the page.
        warc = demo_web.settings.runs_dir / repost.run_id / "evidence.warc.gz"
        whole, start = warc.read_bytes(), repost.evidence.warc_offset or 0
        size = len(member_at(warc, start))
        member = gzip.decompress(whole[start : start + size])
        tampered = member.replace(b"</html>", b"</html><!-- edited -->", 1)
        assert tampered != member
        warc.write_bytes(whole[:start] + compress_member(tampered) + whole[start + size :])
        p.goto(f"{demo_web.base}/findings/{repost.posting_id}/capture?check=true")
        expect(p.locator("#digest-result")).to_contain_text("mismatch")
        p.screenshot(path=ARTIFACTS / f"evidence-mismatch-{backend}.png", full_page=True)
    finally:
        playwright.stop()


def test_capture_routes_need_a_login_and_take_no_path_from_the_request(demo_web: DemoWeb) -> None:
    import httpx

    finding = demo_web.findings[0]
    base = demo_web.base
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        assert client.get(f"/findings/{finding.posting_id}/capture").status_code == 303  # to the login page
        assert client.get(f"/api/findings/{finding.posting_id}/warc").status_code == 401
        key = {"X-API-Key": demo_web.key}
        assert client.get(f"/api/findings/{finding.posting_id}/warc", headers=key).status_code == 200
        for bad in ("..%2F..%2Fsecret", "a/../../b", "x" * 101):
            assert client.get(f"/api/findings/{bad}/warc", headers=key).status_code in (400, 404)
        checked = client.get(f"/api/findings/{finding.posting_id}/verify", headers=key).json()
        assert checked["ok"] is True and checked["payload_sha256"] == finding.evidence.sha256
        page = client.get(f"/api/findings/{finding.posting_id}/capture", headers=key).json()
        assert page["warc_file"] == "evidence.warc.gz" and page["payload_sha256"] == finding.evidence.sha256
