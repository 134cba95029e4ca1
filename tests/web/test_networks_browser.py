"""The network view in a real Chromium: from a finding to its network page, the graph draws (screenshot in
``test-artifacts/network.png``), and a click on a phone node in the graph opens that phone's pivot page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.networks import build_networks
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.support.network_corpus import network_corpus
from tests.web.conftest import CHROMIUM_ARGS, browser_login, chromium_or_skip
from tests.web.conftest import served as served_app
from tests.web.test_web_browser import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[str, str, str]]:
    """The app over a generated corpus with its networks built; yields (base URL, key, a network's finding)."""
    corpus = network_corpus(networks=6, decoys=30, seed=3)
    settings.network_entity_cap = 20  # the hotline and the stock photo are as common here as in a big index
    store = SqliteIndex(settings.sqlite_file)
    store.setup()
    store.upsert(corpus.findings)
    build_networks(settings)
    finding = next(pid for pid in corpus.truth if pid.startswith("net000-"))
    key = KeyStore(settings.keys_path).add("browser", "reader")
    with served_app(create_app(settings, store)) as base:
        yield base, key, finding
    store.close()


def test_finding_to_network_graph_and_a_phone_node_to_its_pivot(served: tuple[str, str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, key, finding = served
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        p = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        problems: list[str] = []
        p.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        p.on("pageerror", lambda e: problems.append(str(e)))
        browser_login(p, base, key, f"/findings/{finding}")
        link = p.locator(".finding-head a.network-link")
        expect(link).to_be_visible()
        link.click()
        p.wait_for_load_state()
        assert "/networks/nw-" in p.url
        graph = p.locator("#network-graph.drawn")
        expect(graph).to_be_visible()
        nodes = int(graph.get_attribute("data-nodes") or 0)
        assert nodes == p.evaluate("JSON.parse(document.getElementById('network-data').textContent).nodes.length") > 5
        assert graph.locator("canvas").count() >= 1  # Cytoscape drew on its canvases
        p.wait_for_timeout(300)
        p.screenshot(path=ARTIFACTS / "network.png", full_page=True)
        phone = p.evaluate("""() => {
            const cy = document.getElementById('network-graph').cy;
            const node = cy.nodes("[kind = 'phone']").filter(n => {
                const b = n.renderedBoundingBox(); return b.x1 > 0 && b.y1 > 0;
            })[0];
            const at = node.renderedPosition();
            return {value: node.data('value'), x: at.x, y: at.y};
        }""")
        box = graph.bounding_box()
        assert box is not None
        p.mouse.click(box["x"] + phone["x"], box["y"] + phone["y"])
        p.wait_for_url("**/pivot/phone?value=*")
        expect(p.locator(".entity-value")).to_have_text(phone["value"])
        p.screenshot(path=ARTIFACTS / "network-phone-pivot.png", full_page=True)
        assert problems == []  # no script error, nothing the content security policy refused
        browser.close()
