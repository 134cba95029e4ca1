"""In a real Chromium: an analyst opens the candidate sources, sees them ranked with their evidence, approves
the top one and rejects another; the page says what was written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lurewatch.crawlers.source import load_source
from lurewatch.discovery import service
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.support import ROOT
from tests.support.discovery import naming
from tests.web.conftest import CHROMIUM_ARGS, browser_login, chromium_or_skip
from tests.web.conftest import served as served_app

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"
FINDINGS = [
    *[naming(n, "Typists for KK Park, free visa. Join our channel t.me/s/kk_jobs_daily", risk=88, cluster=f"k{n % 3}")
      for n in range(6)],
    naming(10, "Customer service in Sihanoukville: https://chat.whatsapp.com/KpX1abcdEFGHijklMNOP12", risk=72),
    naming(11, "Apply t.me/anna_smartlink, LINE: @goldbay88", risk=64, cluster="k1"),
    naming(12, "Barista wanted, see https://jobs.bangkok-careers.com/apply/7 and facebook.com/RoastAndCoBKK", risk=8),
]  # fmt: skip


@pytest.fixture
def candidates_web(settings: Settings) -> Iterator[tuple[str, str, Settings]]:
    chromium_or_skip()
    store = SqliteIndex(settings.sqlite_file)
    store.setup()
    store.upsert(FINDINGS)
    service.update_from_index(store, settings)
    key = KeyStore(settings.keys_path).add("ana", "analyst")
    with served_app(create_app(settings, store)) as base:
        yield base, key, settings
    store.close()


def test_an_analyst_reviews_candidate_sources_in_the_browser(candidates_web: tuple[str, str, Settings]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, key, settings = candidates_web
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        browser_login(page, base, key, "/candidates")
        rows = page.locator("tr.candidate")
        expect(rows).to_have_count(6)
        expect(rows.first).to_have_attribute("data-key", "telegram:kk_jobs_daily")
        expect(rows.first).to_contain_text("6 findings · 3 clusters")
        page.screenshot(path=ARTIFACTS / "candidates.png", full_page=True)

        rows.first.locator("input[name=reason]").fill("lures for KK Park")
        rows.first.locator("button[value=approve]").click()
        page.wait_for_load_state()
        expect(page.locator("p.notice")).to_contain_text("telegram:kk_jobs_daily: wrote")
        person = page.locator('tr.candidate[data-key="telegram:anna_smartlink"]')
        expect(person).to_contain_text("channel or account")
        person.locator("input[name=reason]").fill("a recruiter's account, not a channel")
        person.locator("button[value=reject]").click()
        page.wait_for_load_state()
        expect(page.locator("tr.candidate")).to_have_count(4)
        page.select_option("select[name=status]", "all")
        page.click("form.candidate-filter button[type=submit]")
        page.wait_for_load_state()
        expect(page.locator('tr.candidate[data-key="telegram:anna_smartlink"] td.status')).to_contain_text(
            "a recruiter's account"
        )
        page.screenshot(path=ARTIFACTS / "candidates-reviewed.png", full_page=True)
        browser.close()

    source = load_source(settings.sources_dir / "candidates" / "telegram-kk_jobs_daily.yml")
    assert source.kind == "channel" and source.start_urls == ["/s/kk_jobs_daily"]
