"""The crawled demo board in a real Chromium, on each backend: reposts fold into one row per lure, Thai and
Burmese words typed as people type them find their ads (highlighted), and a pivot takes a phone in its local
format and lists what else the same postings carry.

Screenshots land in ``test-artifacts/`` (search-collapsed-*, search-thai-*, search-burmese-*, pivot-local-phone-*).
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lurewatch import runner
from lurewatch.index.base import Index
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.records import Finding, read_jsonl
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.web.conftest import CHROMIUM_ARGS, browser_login, chromium_or_skip
from tests.web.conftest import served as served_app
from tests.web.test_web_browser import ARTIFACTS

pytestmark = pytest.mark.browser
BACKENDS = ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]
PHONE = "+85512987654"  # on four demo ads, written there as 012 987 654 or +855 12 987 654


@pytest.fixture(scope="module")
def demo_findings(demo_run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    """The crawled demo run, enriched once for this module."""
    data = tmp_path_factory.mktemp("lures-demo")
    shutil.copytree(demo_run_dir, data / "runs" / demo_run_dir.name)
    settings = Settings(data_dir=data)
    runner.enrich(demo_run_dir.name, settings=settings)
    return list(read_jsonl(settings.runs_dir / demo_run_dir.name / "findings.jsonl", Finding))


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, settings: Settings, demo_findings: list[Finding]) -> Iterator[tuple[str, str, str]]:
    """The app on a free 127.0.0.1 port over the demo findings, on one backend."""
    if request.param == "sqlite":
        store: Index = SqliteIndex(settings.sqlite_file)
    else:
        from elasticsearch import Elasticsearch

        from lurewatch.index.elasticsearch.backend import ElasticsearchIndex

        store = ElasticsearchIndex(Elasticsearch(request.getfixturevalue("es_url")), f"test-lures-{uuid.uuid4().hex[:8]}")
    store.setup()
    assert store.upsert(demo_findings).written == len(demo_findings) >= 170
    key = KeyStore(settings.keys_path).add("browser", "reader")
    with served_app(create_app(settings, store)) as base:
        yield base, key, request.param
    if request.param == "elasticsearch":
        store.client.indices.delete(index=store.versioned)  # type: ignore[attr-defined]
    store.close()


@pytest.fixture
def page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        tab = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        yield tab
        browser.close()


def _totals(p: object) -> tuple[int, int]:
    text = p.locator(".summary .totals").inner_text()  # type: ignore[attr-defined]
    found = re.search(r"([\d,]+) lures?, ([\d,]+) postings?", text)
    assert found, text
    return int(found.group(1).replace(",", "")), int(found.group(2).replace(",", ""))


def test_reposts_fold_into_one_row_per_lure(page: object, server: tuple[str, str, str]) -> None:
    from playwright.sync_api import expect

    base, key, backend = server
    browser_login(page, base, key, "/?q=telegram")
    p = page  # type: ignore[assignment]
    lures, postings = _totals(p)
    assert 1 < lures < postings  # the demo reposts its ads: fewer lures than postings
    rows = p.locator("article.hit")
    titles = rows.locator("a.hit-title").all_inner_texts()
    assert len(titles) == min(20, lures)
    expect(p.locator(".pager .page-range")).to_have_text(f"1–{len(titles)} of {lures} lures")
    repost = p.locator("a.reposts").first
    folded = int(re.search(r"\+(\d+)", repost.inner_text()).group(1))  # type: ignore[union-attr]
    assert folded >= 1
    p.screenshot(path=ARTIFACTS / f"search-collapsed-{backend}.png", full_page=True)

    repost.click()  # the cluster, every posting of it that matches
    p.wait_for_load_state()
    assert "cluster=" in p.url and "collapse=0" in p.url
    assert p.locator("article.hit").count() == folded + 1
    expect(p.locator(".summary .totals")).to_contain_text(f"{folded + 1} postings")

    p.goto(base + "/?q=telegram&collapse=0")
    expect(p.locator(".summary .totals")).to_contain_text(f"{postings} postings")
    expect(p.locator(".pager .page-range")).to_have_text(f"1–20 of {postings} postings")
    p.locator(".pager a[rel=next]").click()
    p.wait_for_load_state()
    expect(p.locator(".pager .page-range")).to_have_text(f"21–{min(40, postings)} of {postings} postings")
    expect(p.locator(".pager a[rel=prev]")).to_be_visible()


@pytest.mark.parametrize(("typed", "name"), [("คีย์ข้อมูล", "thai"), ("စာရိုက်", "burmese")])
def test_words_typed_as_written_find_the_demo_ads(page: object, server: tuple[str, str, str], typed: str,
                                                 name: str) -> None:  # fmt: skip
    from playwright.sync_api import expect

    base, key, backend = server
    browser_login(page, base, key, "/")
    p = page  # type: ignore[assignment]
    p.fill(".searchbar input[name=q]", typed)  # typed into the box, as a person does
    p.press(".searchbar input[name=q]", "Enter")
    p.wait_for_load_state()
    assert _totals(p) == (1, 4)  # four demo ads carry the word: one ad and its three reposts
    expect(p.locator("article.hit mark").first).to_have_text(typed)
    p.screenshot(path=ARTIFACTS / f"search-{name}-{backend}.png", full_page=True)
    p.locator("a.collapse-toggle").click()
    p.wait_for_load_state()
    assert p.locator("article.hit").count() == 4
    assert all(typed in m for m in p.locator("article.hit mark").all_inner_texts())


def test_a_local_phone_pivots_to_its_number_and_lists_what_else_the_postings_carry(
    page: object, server: tuple[str, str, str]
) -> None:
    from playwright.sync_api import expect

    base, key, backend = server
    browser_login(page, base, key, "/pivot/phone?value=012-987%20654")
    p = page  # type: ignore[assignment]
    expect(p.locator(".entity-value")).to_have_text(PHONE)
    postings = int(p.locator(".stats div", has_text="Postings").locator("dd").inner_text())
    assert postings == p.locator("article.hit").count() == 4
    links = p.locator(".cooccurring a.pivot-link")
    assert links.count() >= 1
    assert "wa.me" not in p.locator(".cooccurring").inner_text()
    p.screenshot(path=ARTIFACTS / f"pivot-local-phone-{backend}.png", full_page=True)
    kind, value = links.first.get_attribute("data-kind"), links.first.inner_text().rsplit(" · ", 1)[0]
    links.first.click()
    p.wait_for_load_state()
    assert f"/pivot/{kind}" in p.url
    expect(p.locator(".entity-value")).to_have_text(value)

    p.goto(base + "/?q=*&phone=%2B855%2012%20987%20654&collapse=0")  # the same number in a filter
    assert p.locator("article.hit").count() == 4


def test_dragging_across_histogram_bars_narrows_the_dates_to_their_range(page: object,
                                                                         server: tuple[str, str, str]) -> None:  # fmt: skip
    from playwright.sync_api import expect

    base, key, backend = server
    browser_login(page, base, key, "/?q=*&histogram=day&collapse=0")
    p = page  # type: ignore[assignment]
    bars = p.locator("figure.histogram a.bar")
    assert bars.count() >= 3
    labels = [bars.nth(i).get_attribute("aria-label") for i in range(3)]
    counts = [int(re.search(r": (\d+) postings", label).group(1)) for label in labels]  # type: ignore[union-attr]
    first = re.search(r"date_from=([\d-]+)", bars.nth(0).get_attribute("href")).group(1)  # type: ignore[union-attr]
    last = re.search(r"date_to=([\d-]+)", bars.nth(2).get_attribute("href")).group(1)  # type: ignore[union-attr]
    boxes = [bars.nth(i).locator("rect.bar-hit").bounding_box() for i in (0, 2)]
    p.mouse.move(boxes[0]["x"] + boxes[0]["width"] / 2, boxes[0]["y"] + 40)
    p.mouse.down()
    p.mouse.move(boxes[1]["x"] + boxes[1]["width"] / 2, boxes[1]["y"] + 40, steps=8)
    expect(p.locator("figure.histogram a.bar.selected")).to_have_count(3)  # the range shows while dragging
    p.mouse.up()
    p.wait_for_url(re.compile(rf"date_from={first}.*date_to={last}|date_to={last}.*date_from={first}"))
    expect(p.locator(".summary .totals")).to_contain_text(f"{sum(counts)} posting")
    p.screenshot(path=ARTIFACTS / f"histogram-drag-{backend}.png", full_page=True)
