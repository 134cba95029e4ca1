"""Real crawls of a hostile site by every spider kind: no forbidden URL is fetched, each is a reject with its kind.

The site (tests/support/sites/traps.py) links, embeds and redirects to file:, ftp:, data:, javascript: and
gopher: URLs, to an "internal service" on another port, to the site under another name, and to URLs with
credentials. The internal service's access log must stay empty, every trap must be in rejects.jsonl with its
kind and URL (credentials stripped), and every legit page must still be crawled.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lurewatch import runner
from lurewatch.crawlers.urlpolicy import resolve_addresses
from lurewatch.records import Posting, read_jsonl
from lurewatch.settings import Settings
from tests.support.sites.traps import LEGIT, SECRET, TrapSites, serve_traps, write_trap_source


def crawl_traps(kind: str, root: Path) -> dict[str, Any]:
    source = write_trap_source(root / "sources", kind)
    settings = Settings(data_dir=root / "data", sources_dir=root / "sources")
    with serve_traps() as sites:
        run = runner.crawl(str(source), run_id=f"traps-{kind}", base_url=sites.site.base_url, settings=settings)
        requests, internal = list(sites.site.requests), list(sites.internal.requests)
    rejects_file = run.path / "rejects.jsonl"
    rejects = [json.loads(line) for line in rejects_file.read_text().splitlines()] if rejects_file.exists() else []
    return {
        "run": run,
        "sites": sites,
        "requests": requests,
        "internal": internal,
        "rejects": rejects,
        "postings": list(read_jsonl(run.postings, Posting)),
        "stats": json.loads((run.path / "stats.json").read_text()),
    }


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return crawl_traps("board", tmp_path_factory.mktemp("traps-board"))


def _rejected(crawl: dict[str, Any]) -> dict[str, str]:
    return {r["url"]: r["kind"] for r in crawl["rejects"]}


def _assert_nothing_forbidden_fetched(crawl: dict[str, Any]) -> None:
    assert crawl["internal"] == [], "the internal service was reached"
    run_dir: Path = crawl["run"].path
    for path in run_dir.rglob("*"):
        if path.is_file() and path.suffix != ".gz":
            text = path.read_bytes()
            assert SECRET.encode() not in text, path
            assert b"root:x:0:0" not in text, f"/etc/passwd in {path}"
            assert b"hunter2" not in text and b":pw@" not in text, f"credentials in {path}"


def _assert_traps_rejected(crawl: dict[str, Any], traps: list[Any]) -> None:
    sites: TrapSites = crawl["sites"]
    rejected = _rejected(crawl)
    missing = {sites.refused_url(t): t.kind for t in traps if rejected.get(sites.refused_url(t)) != t.kind}
    assert not missing, f"not rejected with the right kind: {missing}\nrejects: {rejected}"


def test_board_fetches_no_forbidden_url(board: dict[str, Any]) -> None:
    _assert_nothing_forbidden_fetched(board)
    assert "/job/2" in board["requests"] and "/job/20" in board["requests"]  # the site itself was crawled


def test_board_rejects_every_link_trap_with_its_kind(board: dict[str, Any]) -> None:
    _assert_traps_rejected(board, board["sites"].link_traps())


def test_board_rejects_every_image_trap_with_the_posting(board: dict[str, Any]) -> None:
    sites: TrapSites = board["sites"]
    _assert_traps_rejected(board, sites.image_traps())
    (job1,) = [p for p in board["postings"] if p.url.endswith("/job/1")]
    images = {r["url"]: r for r in board["rejects"] if r.get("role") == "image"}
    assert images and all(r["posting_id"] == job1.posting_id for r in images.values())
    assert [i.url for i in job1.images] == [sites.site.base_url + "/img/ok.png"]


def test_board_crawls_every_legit_page(board: dict[str, Any]) -> None:
    urls = {p.url.removeprefix(board["sites"].site.base_url) for p in board["postings"]}
    assert urls == set(LEGIT)  # /job/3 through an allowed redirect; no trap became a posting


def test_json_page_and_gzip_bomb_are_rejects_with_their_url(board: dict[str, Any]) -> None:
    _assert_traps_rejected(board, board["sites"].page_traps())


def test_refused_urls_are_counted_in_stats(board: dict[str, Any]) -> None:
    counted = {k.rsplit("/", 1)[1]: v for k, v in board["stats"].items() if k.startswith("lurewatch/rejected/")}
    assert counted == dict(Counter(r["kind"] for r in board["rejects"]))
    policy_kinds = {"blocked_scheme", "offsite_host", "userinfo"}
    refused = sum(1 for r in board["rejects"] if r["kind"] in policy_kinds)
    assert board["stats"]["lurewatch/url_policy/refused"] == refused
    summary = board["run"].meta()["steps"]["crawl"]["stats"]["rejected"]
    assert summary["blocked_scheme"] >= 9 and summary["offsite_host"] >= 6 and summary["userinfo"] >= 3


def test_credentials_never_reach_rejects_or_the_log(board: dict[str, Any]) -> None:
    log = (board["run"].path / "crawl.log").read_text()
    rejects = (board["run"].path / "rejects.jsonl").read_text()
    for secret in ("hunter2", "admin:pw", "u:p@", "user:"):
        assert secret not in log and secret not in rejects


def test_redirect_reject_names_the_hop_it_came_from(board: dict[str, Any]) -> None:
    base = board["sites"].site.base_url
    (hop,) = [r for r in board["rejects"] if r["url"].endswith("/latest/meta-data/job/20")]
    assert hop["kind"] == "offsite_host" and hop["redirected_from"] == base + "/job/20"


@pytest.mark.parametrize("kind", ["search", "feed", "channel"])
def test_every_spider_kind_refuses_the_traps(kind: str, tmp_path: Path) -> None:
    crawl = crawl_traps(kind, tmp_path)
    _assert_nothing_forbidden_fetched(crawl)
    sites: TrapSites = crawl["sites"]
    if kind == "channel":
        _assert_traps_rejected(crawl, sites.image_traps())
        assert len(crawl["postings"]) == 1 + len(sites.image_traps())
        return
    _assert_traps_rejected(crawl, sites.link_traps() + sites.page_traps())
    assert {p.url.removeprefix(sites.site.base_url) for p in crawl["postings"]} == set(LEGIT)
    if kind == "feed":
        rejected = _rejected(crawl)
        assert rejected["file:///etc/passwd"] == "blocked_scheme"
        assert rejected[f"{sites.internal.base_url}/sitemap.xml"] == "offsite_host"


@pytest.mark.browser
def test_social_page_and_chromium_refuse_the_traps(tmp_path: Path) -> None:
    crawl = crawl_traps("social", tmp_path)
    _assert_nothing_forbidden_fetched(crawl)
    sites: TrapSites = crawl["sites"]
    # The posts' images go through Scrapy; the page's own requests (iframe, fetch) through Chromium's guard.
    _assert_traps_rejected(crawl, [t for t in sites.image_traps() if not t.href.startswith(("data:", "file:"))])
    browser = [r for r in crawl["rejects"] if r.get("role", "").startswith("browser")]
    assert {r["url"] for r in browser} >= {f"{sites.internal.base_url}/frame", f"{sites.internal.base_url}/api/secret"}
    assert len(crawl["postings"]) == 1 + len(sites.image_traps())


def private_names() -> list[str]:
    """A literal loopback address, ``localhost``, and this machine's name when it resolves to loopback."""
    names = ["127.0.0.1", "localhost"]
    host = socket.gethostname()
    if all(ipaddress.ip_address(a).is_loopback for a in resolve_addresses(host)):
        names.append(host)  # refused after DNS resolution, not by its text
    return names


def test_without_the_switch_a_source_on_a_private_address_fetches_nothing(tmp_path: Path) -> None:
    source = write_trap_source(tmp_path / "sources", "board")
    source.write_text(source.read_text().replace("allow_private_networks: true", "allow_private_networks: false"))
    settings = Settings(data_dir=tmp_path / "data", sources_dir=tmp_path / "sources")
    with serve_traps() as sites:
        for name in private_names():
            base = sites.site.base_url.replace("127.0.0.1", name)
            run = runner.crawl(str(source), run_id=f"private-{name}", base_url=base, settings=settings)
            rejects = [json.loads(line) for line in (run.path / "rejects.jsonl").read_text().splitlines()]
            assert [(r["kind"], r["url"]) for r in rejects] == [("private_address", f"{base}/jobs/1")]
        assert sites.site.requests == [] and sites.internal.requests == []
