"""The search spider: every keyword of the lists in nine languages, UTF-8 percent-encoded, results → details."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from lurewatch.crawlers.keywords import load_queries
from lurewatch.crawlers.source import load_source
from lurewatch.errors import SourceConfigError
from tests.support.sites.crawling import SOURCES, crawl_example, postings, rejects, stats
from tests.support.sites.fixtures import job_site
from tests.support.sites.jobsite import JobSite
from tests.support.sites.server import Site

__all__ = ["job_site"]

KEYWORDS = yaml.safe_load((SOURCES / "keywords" / "recruitment-lures.yml").read_text(encoding="utf-8"))["languages"]


@pytest.fixture(scope="module")
def search_run(job_site: tuple[JobSite, Site], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    _, site = job_site
    before = len(site.requests)
    run_dir, seconds = crawl_example("example-search", site.base_url, tmp_path_factory.mktemp("search"))
    print(f"search crawl: {seconds:.1f}s")
    return run_dir, before


@pytest.mark.slow
def test_every_job_a_keyword_finds_is_crawled_once(
    job_site: tuple[JobSite, Site], search_run: tuple[Path, int]
) -> None:
    app, site = job_site
    run_dir, _ = search_run
    expected = {job.number for words in KEYWORDS.values() for word in words for job in app.matching(word)}
    languages = {app.by_number[n].language for n in expected}
    assert len(expected) >= 20 and languages == set(KEYWORDS)  # the keywords find lures in all nine languages
    found = postings(run_dir)
    assert sorted(p.url for p in found) == sorted(f"{site.base_url}/job/{n}" for n in expected)
    assert len({p.posting_id for p in found}) == len(found)
    assert all(p.source_kind == "board" and p.fields["search_query"] for p in found)
    assert stats(run_dir)["finish_reason"] == "finished" and not rejects(run_dir)


@pytest.mark.slow
def test_queries_in_thai_chinese_and_burmese_are_percent_encoded_utf8(
    job_site: tuple[JobSite, Site], search_run: tuple[Path, int]
) -> None:
    app, site = job_site
    _, before = search_run
    searched = [p for p in site.requests[before:] if p.startswith("/search?q=")]
    for language in ("th", "zh", "my", "km", "ko", "vi"):
        for word in KEYWORDS[language]:
            assert f"/search?q={quote(word, safe='')}" in searched, (language, word)
            assert app.matching(word), f"{word!r} should find something on the fixture site"
    assert all(p.isascii() for p in searched)
    # Result lists longer than a page are followed to their end.
    assert any("&page=2" in p for p in searched)


def test_language_filter_and_missing_keyword_list(tmp_path: Path) -> None:
    (tmp_path / "keywords").mkdir()
    (tmp_path / "keywords" / "lures.yml").write_text(
        (SOURCES / "keywords" / "recruitment-lures.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    text = (SOURCES / "example-search.yml").read_text().replace("[recruitment-lures]", "[lures]")
    source_file = tmp_path / "s.yml"
    source_file.write_text(text.replace("languages: []", "languages: [th, my]"))
    queries = load_queries(load_source(source_file))
    assert queries == [("th", w) for w in KEYWORDS["th"]] + [("my", w) for w in KEYWORDS["my"]]
    source_file.write_text(text.replace("[lures]", "[lures, nowhere]"))
    with pytest.raises(SourceConfigError, match=r"s\.yml:\d+: search\.keywords: no keyword list .*nowhere\.yml"):
        load_source(source_file)
