"""In a real Chromium: save the search on screen as an alert, index new findings, run the alerts, and see the
digest arrive at a local webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

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
from tests.web.conftest import CHROMIUM_ARGS, browser_login, chromium_or_skip, served

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def alert_web(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str, Settings]]:
    """The app on a free 127.0.0.1 port over 300 synthetic findings; webhooks to 127.0.0.1 allowed."""
    chromium_or_skip()
    monkeypatch.setenv("LUREWATCH_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("LUREWATCH_ALERTS_SETTLE_SECONDS", "0")
    get_settings.cache_clear()
    settings = get_settings()
    store = SqliteIndex(settings.sqlite_file)
    store.setup()
    store.upsert(sample_findings(300))
    key = KeyStore(settings.keys_path).add("browser", "reader")
    with served(create_app(settings, store)) as base:
        yield base, key, settings
    store.close()


def test_save_a_search_as_an_alert_and_receive_its_digest(alert_web: tuple[str, str, Settings]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, key, settings = alert_web
    ARTIFACTS.mkdir(exist_ok=True)
    with webhook_receiver() as receiver, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        browser_login(page, base, key, "/?q=visa&compound=KK+Park")
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
