"""In a real Chromium: save the search on screen as an alert, index new findings, run the alerts, and see the
digest arrive at a local webhook receiver."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lurewatch.alerts import service
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.settings import Settings, get_settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.alerts.conftest import finding
from tests.support import ROOT
from tests.support.receivers import webhook_receiver
from tests.support.samples import sample_findings

pytestmark = pytest.mark.browser
CHROMIUM = Path(os.environ.get("LUREWATCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def alert_web(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str, Settings]]:
    """The app on a free 127.0.0.1 port over 300 synthetic findings; webhooks to 127.0.0.1 allowed."""
    import uvicorn

    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is missing; CI=true needs it for the browser tests")
        pytest.skip("no Chromium here; install Debian's chromium package")
    monkeypatch.setenv("LUREWATCH_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("LUREWATCH_ALERTS_SETTLE_SECONDS", "0")
    get_settings.cache_clear()
    settings = get_settings()
    store = SqliteIndex(settings.sqlite_file)
    store.setup()
    store.upsert(sample_findings(300))
    key = KeyStore(settings.keys_path).add("browser", "reader")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    web = uvicorn.Server(uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not web.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert web.started, "the web server did not start"
    yield f"http://127.0.0.1:{port}", key, settings
    web.should_exit = True
    thread.join(timeout=10)
    store.close()


def test_save_a_search_as_an_alert_and_receive_its_digest(alert_web: tuple[str, str, Settings]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, key, settings = alert_web
    ARTIFACTS.mkdir(exist_ok=True)
    with webhook_receiver() as receiver, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/login?next=" + "/%3Fq%3Dvisa%26compound%3DKK%2BPark")
        page.fill("#key", key)
        page.click("form.login-card button[type=submit]")
        page.wait_for_load_state()
        page.locator("details.alert-form summary").click()
        page.fill("input[name=alert_name]", "KK Park visa")
        page.fill("input[name=alert_channel]", receiver.url)
        page.screenshot(path=ARTIFACTS / "alert-form.png", full_page=True)
        page.locator("details.alert-form button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator("p.notice")).to_contain_text("KK Park visa")
        assert "compound=KK+Park" in page.url and "q=visa" in page.url  # back on the same search
        browser.close()

        index = SqliteIndex(settings.sqlite_file)
        index.upsert([finding("new-kk", "cluster-new"), finding("new-other", "cluster-x", text="Hotel clerk.")])
        index.close()
        stats = service.run_alerts(settings)

    assert stats.delivered == 1 and stats.new_clusters == 1
    (body,) = receiver.bodies
    assert "KK Park visa" in body["text"]
    assert [a["title_link"] for a in body["attachments"]] == ["http://127.0.0.1:8765/findings/p-new-kk"]
