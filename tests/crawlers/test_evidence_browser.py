"""`evidence verify` on a real Chromium crawl: screenshots and rendered pages are re-hashed too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lurewatch.evidence import verify_run
from lurewatch.records import Posting, read_jsonl
from lurewatch.settings import Settings
from tests.support import IN_CI
from tests.support.sites.crawling import crawl_example
from tests.support.sites.server import serve
from tests.support.sites.social import SocialSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def social_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chromium = Settings().chromium
    if not chromium.is_file() and not shutil.which(str(chromium)):
        message = f"no Chromium at {chromium}"
        if IN_CI:
            pytest.fail(message + " (CI=true: browser tests must run)")
        pytest.skip(message)
    with serve(SocialSite().route) as site:
        run_dir, _ = crawl_example("example-social", site.base_url, tmp_path_factory.mktemp("social-evidence"))
    return run_dir


def test_screenshot_and_rendered_page_are_in_the_manifest_and_verify(social_run: Path) -> None:
    postings = list(read_jsonl(social_run / "postings.jsonl", Posting))
    assert postings and all(p.evidence.screenshot and p.evidence.rendered_html for p in postings)
    report = verify_run(social_run)
    assert report.ok, [m.line() for m in report.mismatches]
    assert report.files >= 2 and report.postings == len(postings)


def test_edited_screenshot_is_reported(social_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / social_run.name
    shutil.copytree(social_run, copy)
    shot = copy / next(read_jsonl(copy / "postings.jsonl", Posting)).evidence.screenshot
    data = bytearray(shot.read_bytes())
    data[len(data) // 2] ^= 0x01
    shot.write_bytes(bytes(data))
    report = verify_run(copy)
    assert [m.where for m in report.mismatches] == [shot.relative_to(copy).as_posix()]
