"""Hostile or broken source YAML: bad patterns, selectors and URLs are config errors with file and line;
alias bombs and oversized files are refused at once; a crawl whose selectors all miss does not end green."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lurewatch import runner
from lurewatch.crawlers.source import MAX_SOURCE_BYTES, load_source
from lurewatch.errors import CrawlFailed, SourceConfigError
from lurewatch.settings import Settings
from tests.support.sites.crawling import SOURCES, local_source
from tests.support.sites.traps import serve_traps, write_trap_source

BOARD = (SOURCES / "example-board.yml").read_text()
SOCIAL = (SOURCES / "example-social.yml").read_text()


def write(folder: Path, text: str, name: str = "src.yml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ('match: "/job/\\\\d+$"', 'match: "/job/(\\\\d+$"', "board.detail.match", "invalid regular expression"),
        ('match: "/job/\\\\d+$"', 'match: "(?P<x>a)(?P<x>b)"', "board.detail.match", "invalid regular expression"),
        ("container: article.job", 'container: "article..job["', "board.detail.container", "invalid CSS selector"),
        ("title: h1", 'title: "h1::wat"', "board.detail.fields.title", "invalid CSS selector"),
        ('detail_links: "a.job::attr(href)"', 'detail_links: "a[href"', "board.list.detail_links", "invalid CSS"),
        ('next_page: "nav.pager a::attr(href)"', 'next_page: ":nth-child(x)"', "board.list.next_page", "invalid CSS"),
    ],
)
def test_a_bad_pattern_or_selector_is_a_config_error_with_its_line(
    tmp_path: Path, old: str, new: str, key: str, message: str
) -> None:
    assert old in BOARD
    text = BOARD.replace(old, new)
    with pytest.raises(SourceConfigError) as caught:
        load_source(write(tmp_path, text))
    assert str(caught.value).startswith(f"{tmp_path / 'src.yml'}:{line_of(text, new)}: {key}: Value error, {message}")


def test_a_bad_social_selector_is_a_config_error(tmp_path: Path) -> None:
    text = SOCIAL.replace("post: article.post", "post: 'article.post >'")
    with pytest.raises(SourceConfigError, match=r"src\.yml:\d+: social\.post: Value error, invalid CSS selector"):
        load_source(write(tmp_path, text))


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('start_urls: ["/jobs?page=1"]', 'start_urls: ["file:///etc/passwd"]', "start_urls"),
        ('start_urls: ["/jobs?page=1"]', 'start_urls: ["/jobs", "gopher://127.0.0.1:70/"]', "start_urls"),
        ("base_url: http://127.0.0.1:8801", "base_url: ftp://127.0.0.1:8801", "base_url"),
        ("base_url: http://127.0.0.1:8801", "base_url: /relative", "base_url"),
        ("base_url: http://127.0.0.1:8801", "base_url: http://user:pw@127.0.0.1:8801", "base_url"),
        ("\nkind: board\n", '\nkind: board\nallowed_hosts: ["http://[::1"]\n', "allowed_hosts"),
    ],
)
def test_a_start_url_of_another_scheme_fails_validation(tmp_path: Path, old: str, new: str, key: str) -> None:
    text = BOARD.replace(old, new)
    with pytest.raises(SourceConfigError) as caught:
        load_source(write(tmp_path, text))
    message = str(caught.value)
    where = f"{tmp_path / 'src.yml'}:{line_of(text, new.splitlines()[-1])}: {key}: Value error, "
    assert message.startswith(where), message
    assert "pw" not in message or "user name or password" in message


def test_lurewatch_sources_lists_the_bad_file_and_exits_1(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    write(sources, BOARD, "good.yml")
    bad = write(sources, BOARD.replace('match: "/job/\\\\d+$"', 'match: "/job/(\\\\d+$"'), "bad.yml")
    env = {**os.environ, "LUREWATCH_SOURCES_DIR": str(sources), "LUREWATCH_DATA_DIR": str(tmp_path / "data")}
    env["COLUMNS"] = "300"
    result = subprocess.run(
        [sys.executable, "-m", "lurewatch", "sources"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    printed = (result.stdout + result.stderr).replace("\n", "")  # rich wraps long lines
    assert f"invalid: {bad}:" in printed and "board.detail.match: Value error, invalid regular expression" in printed


def billion_laughs() -> str:
    """The classic alias bomb, shaped as a source file: 9 levels of 9 aliases each, under 500 bytes."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def doubling_chain(levels: int = 60) -> str:
    """Few aliases, exponential expansion: each level refers to the previous one twice."""
    lines = ["l0: &l0 [x, x]"] + [f"l{n}: &l{n} [*l{n - 1}, *l{n - 1}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("bomb", [billion_laughs, doubling_chain])
def test_a_yaml_alias_bomb_is_refused_with_a_clear_error(tmp_path: Path, bomb) -> None:  # noqa: ANN001
    text = bomb()
    path = write(tmp_path, text, "bomb.yml")
    with pytest.raises(SourceConfigError, match=r"bomb\.yml:\d+: invalid YAML: more than [\d_]+ (aliases|values)"):
        load_source(path)


def test_many_aliases_are_refused_before_any_expansion(tmp_path: Path) -> None:
    text = "a: &a x\nb: [" + ", ".join(["*a"] * 150) + "]\n"
    with pytest.raises(SourceConfigError, match=r"invalid YAML: more than 100 aliases"):
        load_source(write(tmp_path, text))


def test_an_oversized_or_deeply_nested_source_file_is_refused(tmp_path: Path) -> None:
    big = write(tmp_path, BOARD + "#" * MAX_SOURCE_BYTES, "big.yml")
    with pytest.raises(SourceConfigError, match=r"big\.yml:1: \d+ bytes is over the \d+ bytes a source file may have"):
        load_source(big)
    deep = write(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n", "deep.yml")
    with pytest.raises(SourceConfigError, match=r"deep\.yml:\d+: invalid YAML"):
        load_source(deep)


def test_a_keyword_list_alias_bomb_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keywords").mkdir()
    write(tmp_path / "keywords", "languages:\n  en: [x]\n" + doubling_chain(), "lures.yml")
    text = (SOURCES / "example-search.yml").read_text().replace("[recruitment-lures]", "[lures]")
    with pytest.raises(SourceConfigError, match=r"search\.keywords: .*lures\.yml: cannot read keyword list"):
        load_source(write(tmp_path, text))


def test_a_board_whose_link_selector_misses_fails_with_one_clear_line(tmp_path: Path) -> None:
    source = write_trap_source(tmp_path / "sources", "board")
    source.write_text(source.read_text().replace("a.job::attr(href)", "a.posting::attr(href)"))
    settings = Settings(data_dir=tmp_path / "data", sources_dir=tmp_path / "sources")
    with serve_traps() as sites:
        with pytest.raises(
            CrawlFailed, match=r"traps-board: 0 postings: every page read failed a selector \(no_links: 1\)"
        ):
            runner.crawl(str(source), run_id="missed", base_url=sites.site.base_url, settings=settings)
    run = runner.open_run("missed", settings)
    (reject,) = [json.loads(line) for line in (run.path / "rejects.jsonl").read_text().splitlines()]
    assert reject["kind"] == "no_links" and reject["url"] == f"{sites.site.base_url}/jobs/1"
    assert run.meta()["steps"]["crawl"]["exit_code"] == 1


def test_only_the_demo_and_the_tests_copies_allow_private_networks(tmp_path: Path) -> None:
    for path in SOURCES.glob("*.yml"):
        assert not load_source(path).allow_private_networks, path
    assert load_source(runner.demo_source_path()).allow_private_networks
    assert load_source(local_source(SOURCES / "example-search.yml", tmp_path)).allow_private_networks
