"""Source YAML for every kind: mistakes get one line with file, line and key; a source's own module reads pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.settings import Settings as ScrapySettings

from lurewatch.crawlers.crawl import SPIDERS
from lurewatch.crawlers.source import load_source
from lurewatch.errors import SourceConfigError
from tests.support.sites.crawling import SOURCES, crawl_example, postings, rejects
from tests.support.sites.fixtures import job_site
from tests.support.sites.jobsite import JOB_COUNT, JobSite
from tests.support.sites.server import Site

__all__ = ["job_site"]


def write(folder: Path, text: str, name: str = "src.yml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.yml")), ids=lambda p: p.stem)
def test_every_example_source_loads(path: Path) -> None:
    source = load_source(path)
    assert source.kind in SPIDERS and getattr(source, source.kind) is not None


def test_each_kind_has_an_example() -> None:
    assert {load_source(p).kind for p in SOURCES.glob("*.yml")} == set(SPIDERS)


def test_a_kind_without_its_section_names_the_kind_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name: c\ndescription: x\nkind: channel\nstart_urls: [/s/x]\n")
    with pytest.raises(SourceConfigError, match=r"src\.yml:3: kind: channel needs a `channel:` section"):
        load_source(path)


def test_a_section_of_another_kind_is_refused(tmp_path: Path) -> None:
    text = "name: c\nkind: channel\nstart_urls: [/s/x]\nchannel: {}\nsocial:\n  post: article\n"
    with pytest.raises(SourceConfigError, match=r"src\.yml:5: social: .*no use in a channel source"):
        load_source(write(tmp_path, text))


def test_channel_max_age_must_be_a_duration(tmp_path: Path) -> None:
    text = "name: c\nkind: channel\nstart_urls: [/s/x]\nchannel:\n  max_pages: 3\n  max_age: two months\n"
    with pytest.raises(SourceConfigError, match=r"src\.yml:6: channel\.max_age: .*duration such as 30m"):
        load_source(write(tmp_path, text))


def test_search_url_needs_a_query_placeholder(tmp_path: Path) -> None:
    text = (SOURCES / "example-search.yml").read_text().replace("/search?q={query}", "/search?q=")
    with pytest.raises(SourceConfigError, match=r"search\.url: .*\{query\} placeholder"):
        load_source(write(tmp_path, text))


def test_feed_of_pages_needs_detail_selectors(tmp_path: Path) -> None:
    text = "name: f\nkind: feed\nstart_urls: [/rss]\nfeed:\n  entries_are_postings: false\n"
    with pytest.raises(SourceConfigError, match=r"src\.yml:4: feed: needs `detail:`"):
        load_source(write(tmp_path, text))


def test_bad_keyword_list_is_named(tmp_path: Path) -> None:
    (tmp_path / "keywords").mkdir()
    write(tmp_path / "keywords", "languages:\n  thai: [งาน]\n", "lures.yml")
    text = (SOURCES / "example-search.yml").read_text().replace("[recruitment-lures]", "[lures]")
    with pytest.raises(
        SourceConfigError, match=r"search\.keywords: .*lures\.yml: languages: .*'thai' is not a language"
    ):
        load_source(write(tmp_path, text))


def test_module_must_exist_and_have_its_entry_function(tmp_path: Path) -> None:
    base = (SOURCES / "example-board.yml").read_text()
    with pytest.raises(SourceConfigError, match=r"src\.yml:\d+: module: no such module file odd\.py"):
        load_source(write(tmp_path, base + "module: odd.py\n"))
    write(tmp_path, "def parse(response, source):\n    return None\n", "odd.py")
    with pytest.raises(SourceConfigError, match=r"module: odd\.py has no function parse_detail"):
        load_source(write(tmp_path, base + "module: odd.py\n"))
    write(tmp_path, "import nothing_by_that_name\n", "odd.py")
    with pytest.raises(SourceConfigError, match=r"module: cannot import odd\.py: ModuleNotFoundError"):
        load_source(write(tmp_path, base + "module: odd.py\n"))


def test_only_the_social_kind_uses_a_browser() -> None:
    for kind, spider in SPIDERS.items():
        settings = ScrapySettings({"DOWNLOAD_HANDLERS": {}})
        spider.update_settings(settings)
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        assert any("playwright" in str(h) for h in handlers.values()) == (kind == "social"), kind


HOOK = '''
"""Reads the fixture job site's detail pages by hand, for the test of source modules."""


def parse_detail(response, source):
    number = int(response.url.rsplit("/", 1)[1])
    if number == 100:
        raise ValueError("this page is odd")
    if number == 101:
        return None
    lines = response.css("div.body::text").getall()
    return {
        "title": response.css("h1::text").get(),
        "text": "\\n".join(line.strip() for line in lines),
        "native_id": response.css(".ref::text").get(),
        "fields": {"parsed_by": source.name},
    }
'''


@pytest.mark.slow
def test_source_module_reads_detail_pages_and_its_errors_are_rejects(
    job_site: tuple[JobSite, Site], tmp_path: Path
) -> None:
    app, site = job_site
    write(tmp_path, HOOK, "odd_board.py")
    text = (SOURCES / "example-board.yml").read_text().replace("name: example-board", "name: odd-board")
    source = write(tmp_path, text + "module: odd_board.py\n", "odd-board.yml")
    run_dir, _ = crawl_example("odd-board", site.base_url, tmp_path / "data", source)
    found = {p.url.rsplit("/", 1)[1]: p for p in postings(run_dir)}
    assert sorted(found) == sorted(str(job.number) for job in app.jobs if job.number not in (100, 101))
    assert len(found) == JOB_COUNT - 2
    job = app.by_number[120]
    assert found["120"].text == job.text and found["120"].native_id == "J120"
    assert found["120"].fields == {"parsed_by": "odd-board"} and found["120"].evidence.sha256
    kinds = {r["kind"]: r["url"] for r in rejects(run_dir)}
    assert kinds == {"module_error": f"{site.base_url}/job/100", "module_skipped": f"{site.base_url}/job/101"}
    stats = json.loads((run_dir / "stats.json").read_text())
    assert stats["lurewatch/rejected/module_error"] == 1 and stats["finish_reason"] == "finished"


def test_readme_examples_of_each_kind_are_valid(tmp_path: Path) -> None:
    import re
    import shutil

    readme = (SOURCES.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Source kinds", 1)[1].split("\n## ", 1)[0]
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", section, re.S) if b.startswith("kind:")]
    shutil.copytree(SOURCES / "keywords", tmp_path / "keywords")
    kinds = set()
    for n, block in enumerate(blocks):
        text = f"name: readme-{n}\n" + block + ("" if "start_urls:" in block else "start_urls: [/]\n")
        kinds.add(load_source(write(tmp_path, text, f"readme-{n}.yml")).kind)
    assert kinds == set(SPIDERS)


def test_a_social_source_without_chromium_stops_with_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lurewatch.crawlers.crawl import main
    from lurewatch.settings import get_settings

    monkeypatch.setenv("LUREWATCH_CHROMIUM", str(tmp_path / "no-chromium"))
    get_settings.cache_clear()
    try:
        code = main([str(SOURCES / "example-social.yml"), str(tmp_path / "run"), "r1"])
    finally:
        get_settings.cache_clear()
    assert code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("example-social: Chromium not found at ") and "LUREWATCH_CHROMIUM" in line
