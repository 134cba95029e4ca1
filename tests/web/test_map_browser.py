"""The map in a real Chromium over the demo board: circles at the places, clustered at low zoom, labelled,
zoom in and out, and the country of every mapped finding listed; bad map parameters answer as their reader
expects (an HTML page in the UI, JSON from the API)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import ROOT
from tests.web.conftest import CHROMIUM_ARGS, DemoWeb, browser_login, chromium_or_skip

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"


def _legend(page: Any, figure: str) -> dict[str, int]:
    items = page.locator(f"{figure} .map-countries li").all_inner_texts()
    return {name: int(count) for name, _, count in (item.rpartition(" · ") for item in items)}


def test_map_clusters_labels_zooms_and_names_countries(demo_web: DemoWeb, request: Any) -> None:
    from playwright.sync_api import expect, sync_playwright

    backend = request.node.callspec.params["backend_settings"]
    ARTIFACTS.mkdir(exist_ok=True)
    located = [f for f in demo_web.findings if f.geo]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        p = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        browser_login(p, demo_web.base, demo_web.key, "/?q=*")
        expect(p.locator("#map.drawn")).to_be_visible()
        assert p.locator("#map a.cluster circle").count() >= 3
        assert p.locator("#map text.label").count() >= 3  # each circle says where it is
        countries = _legend(p, "#map")
        assert {"Cambodia", "Myanmar", "Thailand"} <= set(countries)
        assert sum(countries.values()) == len(located)  # every mapped finding has its country listed
        p.locator("#map").screenshot(path=ARTIFACTS / f"map-{backend}.png")
        p.screenshot(path=ARTIFACTS / f"search-map-{backend}.png", full_page=False)

        p.click("#map button[data-zoom=in]")
        p.wait_for_load_state()
        assert "bbox=" in p.url
        narrow = [float(x) for x in p.url.split("bbox=")[1].split("&")[0].replace("%2C", ",").split(",")]
        p.click("#map button[data-zoom=out]")
        p.wait_for_load_state()
        wide = [float(x) for x in p.url.split("bbox=")[1].split("&")[0].replace("%2C", ",").split(",")]
        assert wide[2] - wide[0] > narrow[2] - narrow[0]
        p.click("#map button[data-zoom=reset]")
        p.wait_for_load_state()
        assert "bbox=" not in p.url

        # A pivot's map clusters its places client-side; a click on a cluster zooms in on it.
        phone = max((f for f in demo_web.findings if f.contacts.phones and f.geo), key=lambda f: f.posting_id)
        p.goto(f"{demo_web.base}/pivot/phone?value={phone.contacts.phones[0]}")
        expect(p.locator("#pivot-map.drawn")).to_be_visible()
        assert _legend(p, "#pivot-map")
        before = p.locator("#pivot-map svg .land path").first.get_attribute("d")
        p.click("#pivot-map button[data-zoom=in]")
        assert p.locator("#pivot-map svg .land path").first.get_attribute("d") != before  # redrawn closer

        # A finding's map labels each of its places.
        burmese = next(f for f in demo_web.findings if f.language == "my" and len(f.locations) > 1)
        p.goto(f"{demo_web.base}/findings/{burmese.posting_id}")
        expect(p.locator("#finding-map.drawn")).to_be_visible()
        labels = " ".join(p.locator("#finding-map text.label").all_text_contents())
        assert any(loc.name in labels for loc in burmese.locations)
        p.locator("#finding-map").screenshot(path=ARTIFACTS / f"finding-map-{backend}.png")
        browser.close()


def test_bad_map_parameters_are_a_page_in_the_ui_and_json_in_the_api(demo_web: DemoWeb) -> None:
    with httpx.Client(base_url=demo_web.base) as client:
        api = client.get("/api/search", params={"bbox": "100,10,90"}, headers={"X-API-Key": demo_web.key})
        assert api.status_code == 400 and api.headers["content-type"].startswith("application/json")
        assert "bbox" in api.json()["detail"]
        api = client.get("/api/search", params={"geotile": "40"}, headers={"X-API-Key": demo_web.key})
        assert api.status_code == 400 and "geotile" in api.json()["detail"]
        missing = client.get("/api/clusters/nosuchcluster", headers={"X-API-Key": demo_web.key})
        assert missing.status_code == 404 and missing.json()["detail"]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        p = browser.new_context().new_page()
        browser_login(p, demo_web.base, demo_web.key, "/?bbox=100,10,90")
        assert p.locator(".error").first.inner_text() and "bbox" in p.locator(".error").first.inner_text()
        p.goto(demo_web.base + "/clusters/nosuchcluster")
        assert p.locator("h1").inner_text() == "Not found"
        browser.close()
