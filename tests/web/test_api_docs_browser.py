"""/api/docs in a real Chromium: Swagger UI from the installed package (no CDN), under the strict CSP, and its
"Authorize" + "Try it out" run a real search with an API key, as the OpenAPI document declares them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.support import ROOT
from tests.support.samples import sample_findings
from tests.web.conftest import CHROMIUM_ARGS, browser_login, chromium_or_skip, served

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def docs_server(settings: Settings) -> Iterator[tuple[str, str]]:
    store = SqliteIndex(settings.sqlite_file)
    store.setup()
    store.upsert(sample_findings(200))
    key = KeyStore(settings.keys_path).add("docs", "reader")
    with served(create_app(settings, store)) as base:
        yield base, key
    store.close()


def test_try_it_out_runs_a_search_with_the_api_key_and_loads_nothing_from_elsewhere(
    docs_server: tuple[str, str],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, key = docs_server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        p = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        requests: list[str] = []
        csp: list[str] = []
        p.on("request", lambda r: requests.append(r.url))
        p.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
        browser_login(p, base, key, "/api/docs")
        assert p.url == base + "/api/docs"
        expect(p.locator(".opblock-summary-path", has_text="/api/search").first).to_be_visible(timeout=20000)

        p.click("button.authorize")
        p.locator(".auth-container input").first.fill(key)  # APIKeyHeader: X-API-Key
        p.locator(".auth-container button.authorize").first.click()
        p.click("button.btn-done")

        search = p.locator(".opblock", has=p.locator(".opblock-summary-path", has_text="/api/search")).first
        search.locator(".opblock-summary").click()
        search.locator("button.try-out__btn").click()
        search.locator('tr[data-param-name="q"] input').fill("visa")
        search.locator('tr[data-param-name="size"] input').fill("3")
        with p.expect_response(lambda r: "/api/search?" in r.url) as answer:
            search.locator("button.execute").click()
        response = answer.value
        assert response.status == 200 and response.request.headers.get("x-api-key") == key
        body = json.loads(response.text())
        assert body["total"] > 0 and len(body["hits"]) == 3
        expect(search.locator(".live-responses-table tbody td.response-col_status").first).to_contain_text("200")
        p.screenshot(path=ARTIFACTS / "api-docs-try-it-out.png", full_page=False)
        browser.close()
    assert csp == []
    assert requests and all(url.startswith(base) or url.startswith("data:") for url in requests), requests
