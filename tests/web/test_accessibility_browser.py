"""Scripts and accessibility in a real Chromium, on both backends, over the crawled demo board.

axe-core (npm, vendored in tests/support/axe/ with its licence) finds no serious or critical violation on the
search, finding, pivot, cluster, captured-page and risk pages; each page has one h1, a skip link and a visible
focus; text carries its language; Thai, Khmer, Lao, Burmese and Chinese are drawn with a font that has their
letters (Chromium says which font drew a node); nothing is wider than a 390 px phone screen.
"""

from __future__ import annotations

from typing import Any

import pytest

from lurewatch.index.base import open_index
from lurewatch.records import Finding
from tests.support import ROOT
from tests.web.conftest import CHROMIUM_ARGS, DemoWeb, browser_login, chromium_or_skip

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "tests" / "support" / "axe" / "axe.min.js"
FONTS = {"th": "Noto Sans Thai", "km": "Noto Sans Khmer", "lo": "Noto Sans Lao", "my": "Noto Sans Myanmar",
         "zh": "Noto Sans CJK"}  # fmt: skip
LAO = Finding(posting_id="lao00000000000000000001", source="demo", source_kind="board", url="https://jobs.example/lo",
              canonical_url="https://jobs.example/lo", fetched_at="2026-11-21T00:00:00+00:00", run_id="r",
              title="ຮັບສະໝັກພະນັກງານພິມເອກະສານ ບໍ່ແກ້ວ ເງິນເດືອນສູງ", text="ຮັບສະໝັກດ່ວນ ບໍ່ຕ້ອງມີປະສົບການ",
              language="lo", cluster_id="lao00000000000000000001")  # fmt: skip


def _axe(page: Any) -> list[str]:
    """Serious and critical violations, each as ``rule: the first elements it names``."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]  # fmt: skip


def _fonts_of(page: Any, selector: str) -> set[str]:
    """The fonts Chromium drew ``selector``'s text with (DevTools' CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"nothing matches {selector}"
    return {f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}


def _one_h1_and_fits(page: Any, width: int) -> None:
    assert page.locator("h1").count() == 1, page.url
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= width, f"{page.url} is {wide}px wide on a {width}px screen"


def test_pages_pass_axe_carry_their_language_and_draw_every_script(demo_web: DemoWeb, request: Any) -> None:
    from playwright.sync_api import expect, sync_playwright

    backend = request.node.callspec.params["backend_settings"]
    ARTIFACTS.mkdir(exist_ok=True)
    index = open_index(demo_web.settings)
    index.upsert([LAO])
    index.close()
    by_language = {f.language: f for f in demo_web.findings if f.duplicate_of}
    burmese = by_language["my"]
    phone = next(f.contacts.phones[0] for f in demo_web.findings if f.contacts.phones)
    pages = {"search": "/?q=telegram", "finding": f"/findings/{burmese.posting_id}",
             "pivot": f"/pivot/phone?value={phone}", "cluster": f"/clusters/{burmese.cluster_id}",
             "capture": f"/findings/{burmese.posting_id}/capture", "risk": "/risk"}  # fmt: skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        # bypass_csp: only so that axe's script can be injected; the pages' own CSP is tested elsewhere.
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        p = context.new_page()
        browser_login(p, demo_web.base, demo_web.key)
        for name, path in pages.items():
            p.goto(demo_web.base + path)
            p.wait_for_load_state("networkidle")
            assert (name, _axe(p)) == (name, [])
            _one_h1_and_fits(p, 1280)

        # Every script drawn by a font that has it: no tofu.
        for language, font in FONTS.items():
            found = LAO if language == "lo" else by_language[language]
            p.goto(f"{demo_web.base}/findings/{found.posting_id}")
            expect(p.locator("h1")).to_have_attribute("lang", language)
            expect(p.locator(".ad-text")).to_have_attribute("lang", language)
            drawn = _fonts_of(p, "h1")
            assert any(name.startswith(font) for name in drawn), (language, drawn)
            if language in ("lo", "km"):
                p.screenshot(path=ARTIFACTS / f"finding-{language}-{backend}.png")
        p.goto(f"{demo_web.base}/?q=telegram")
        hits = p.locator("article.hit h3")
        assert hits.count() > 3
        for i in range(hits.count()):
            assert hits.nth(i).get_attribute("lang")  # each title says its language

        # Keyboard: the first Tab reaches the skip link, visibly; following it lands on the content.
        p.goto(f"{demo_web.base}/findings/{burmese.posting_id}")
        p.keyboard.press("Tab")
        skip = p.locator("a.skip-link")
        expect(skip).to_be_focused()
        assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
        assert skip.evaluate("e => e.getBoundingClientRect().top") >= 0  # on screen once focused
        p.keyboard.press("Enter")
        assert p.evaluate("() => document.activeElement.id") == "main"
        p.keyboard.press("Tab")
        assert p.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"

        # A phone held upright.
        phone_context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
        small = phone_context.new_page()
        browser_login(small, demo_web.base, demo_web.key)
        for name, path in pages.items():
            small.goto(demo_web.base + path)
            small.wait_for_load_state("networkidle")
            _one_h1_and_fits(small, 390)
            assert (name, _axe(small)) == (name, [])
            if name in ("search", "finding"):
                small.screenshot(path=ARTIFACTS / f"{name}-390px-{backend}.png", full_page=True)
        browser.close()
