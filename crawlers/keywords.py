"""Keyword lists for ``search`` sources: ``sources/keywords/<name>.yml``, one list of queries per language.

A keyword file looks like::

    description: what these words find
    languages:
      en: [customer service, data entry]
      th: [งานแอดมิน]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import Field, ValidationError, field_validator

from lurewatch.crawlers.source_kinds import Strict
from lurewatch.errors import SourceConfigError

if TYPE_CHECKING:
    from lurewatch.crawlers.source import Source

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class KeywordList(Strict):
    """One keyword file: queries grouped by ISO 639 language code."""

    description: str = ""
    languages: dict[str, list[str]] = Field(min_length=1)

    @field_validator("languages")
    @classmethod
    def _codes_and_words(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for code, words in value.items():
            if not LANGUAGE_CODE.match(code):
                raise ValueError(f"{code!r} is not a language code such as en, th or my")
            if not words or any(not str(w).strip() for w in words):
                raise ValueError(f"{code}: needs at least one non-empty keyword")
        return value


def keyword_file(source: Source, name: str) -> Path:
    """Where the keyword list ``name`` of ``source`` lives: ``keywords/<name>.yml`` next to the source file."""
    folder = source.path.parent if source.path else Path("sources")
    candidate = Path(name)
    if candidate.suffix in {".yml", ".yaml"}:
        return candidate if candidate.is_absolute() else folder / candidate
    return folder / "keywords" / f"{name}.yml"


def load_keyword_list(path: Path) -> KeywordList:
    from lurewatch.crawlers.source import MAX_SOURCE_BYTES, bounded_yaml

    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise SourceConfigError(f"{path}: over the {MAX_SOURCE_BYTES} bytes a keyword list may have")
        data, _ = bounded_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceConfigError(f"no keyword list {path}") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise SourceConfigError(f"{path}: cannot read keyword list: {exc}") from exc
    try:
        return KeywordList.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise SourceConfigError(f"{path}: {key}: {first['msg']}") from exc


def load_queries(source: Source) -> list[tuple[str, str]]:
    """Every (language, keyword) the source searches for, in file order; a keyword is searched once."""
    assert source.search is not None
    wanted = set(source.search.languages)
    queries: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in source.search.keywords:
        for language, words in load_keyword_list(keyword_file(source, name)).languages.items():
            if wanted and language not in wanted:
                continue
            for word in words:
                keyword = str(word).strip()
                if keyword.casefold() not in seen:
                    seen.add(keyword.casefold())
                    queries.append((language, keyword))
    if not queries:
        raise SourceConfigError(f"no keywords left for languages {sorted(wanted)}")
    return queries
