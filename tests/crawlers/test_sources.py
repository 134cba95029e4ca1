"""Source YAML files: valid ones load, mistakes get one line naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from lurewatch.crawlers.source import load_source
from lurewatch.errors import SourceConfigError
from lurewatch.runner import demo_source_path

GOOD = """\
name: board-one
kind: board
base_url: http://127.0.0.1:8765
start_urls: [/jobs/]
board:
  list:
    detail_links: "a.job::attr(href)"
    next_page: "a[rel=next]::attr(href)"
  detail:
    container: article
    fields:
      title: h1
politeness:
  delay: 1.5
  revisit_after: 12h
"""


def write(tmp_path: Path, text: str, name: str = "src.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_source_loads_with_defaults(tmp_path: Path) -> None:
    source = load_source(write(tmp_path, GOOD))
    assert source.name == "board-one"
    assert source.absolute_start_urls() == ["http://127.0.0.1:8765/jobs/"]
    assert source.politeness.obey_robots is True
    assert source.politeness.revisit_seconds() == 12 * 3600


def test_demo_source_is_valid() -> None:
    assert load_source(demo_source_path()).kind == "board"


def test_typo_in_nested_key_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    next_page:", "    nxt_page:"))
    with pytest.raises(SourceConfigError) as err:
        load_source(path)
    message = str(err.value)
    assert message == f"{path}:8: board.list.nxt_page: unknown key (did you mean 'next_page'?)"
    assert "\n" not in message


def test_wrong_type_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("delay: 1.5", "delay: soon"))
    with pytest.raises(SourceConfigError, match=r":14: politeness\.delay: "):
        load_source(path)


def test_bad_duration_is_explained(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("revisit_after: 12h", "revisit_after: 12 hours"))
    with pytest.raises(SourceConfigError, match=r":15: politeness\.revisit_after: .*duration such as 30m"):
        load_source(path)


def test_missing_required_key(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("start_urls: [/jobs/]\n", ""))
    with pytest.raises(SourceConfigError, match=r"start_urls: Field required"):
        load_source(path)


def test_broken_yaml_syntax_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  list:\n", "  list: [\n"))
    with pytest.raises(SourceConfigError, match=r"src\.yml:\d+: invalid YAML"):
        load_source(path)


def test_ignoring_robots_needs_a_written_reason(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "  obey_robots: false\n")
    with pytest.raises(SourceConfigError, match="robots_reason"):
        load_source(path)
    ok = write(tmp_path, GOOD + "  obey_robots: false\n  robots_reason: our own test site\n", "ok.yml")
    assert load_source(ok).politeness.obey_robots is False


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(SourceConfigError, match="no such source file"):
        load_source(tmp_path / "nope.yml")
