"""The source YAML schema (one file per source) and its loader with line-precise errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lurewatch.errors import SourceConfigError

DURATION = re.compile(r"^(\d+)\s*([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListPage(_Strict):
    detail_links: str = Field(description="CSS selector of the links to detail pages")
    next_page: str | None = Field(None, description="CSS selector of the next-page link(s)")


class DetailPage(_Strict):
    container: str | None = Field(None, description="CSS selector of the posting's own region")
    match: str | None = Field(None, description="regex a detail URL must match")
    fields: dict[str, str] = Field(default_factory=dict, description="field name -> CSS selector")

    @field_validator("match")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


class Board(_Strict):
    list: ListPage
    detail: DetailPage


class Politeness(_Strict):
    obey_robots: bool = True
    robots_reason: str | None = Field(None, description="why robots.txt may be ignored (required to opt out)")
    concurrency: int = Field(8, ge=1, le=64)
    delay: float = Field(0.5, ge=0, description="seconds between requests to the site")
    autothrottle: bool = True
    user_agent: str | None = None
    proxy: str | None = None
    max_page_bytes: int = Field(10_000_000, ge=1024)
    timeout: float = Field(30.0, gt=0, description="seconds per request")
    retries: int = Field(2, ge=0, le=10)
    retry_backoff: float = Field(1.0, ge=0, description="seconds before the first retry; doubles for each next one")
    retry_backoff_max: float = Field(60.0, ge=0, description="seconds, longest wait before a retry")
    images: bool = Field(True, description="download the postings' images (hash, size, EXIF GPS)")
    max_image_bytes: int = Field(5_000_000, ge=1024, description="larger images are skipped")
    revisit_after: str = Field("7d", description="how long a known detail page is not fetched again")

    @field_validator("revisit_after")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not DURATION.match(value.strip()):
            raise ValueError("expected a duration such as 30m, 12h or 7d")
        return value

    @field_validator("robots_reason")
    @classmethod
    def _reason_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must say why robots.txt is not obeyed")
        return value

    def revisit_seconds(self) -> int:
        match = DURATION.match(self.revisit_after.strip())
        assert match
        return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


class Source(_Strict):
    """One source: where to crawl, how to read it, when and how politely."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: Literal["board"]
    description: str = ""
    base_url: str | None = None
    start_urls: list[str] = Field(min_length=1)
    schedule: str | None = "@daily"
    language_hint: str = ""
    board: Board | None = None
    politeness: Politeness = Field(default_factory=Politeness)
    path: Path | None = Field(None, exclude=True)

    def absolute_start_urls(self) -> list[str]:
        return [urljoin(self.base_url or "", url) for url in self.start_urls]

    def with_base_url(self, base_url: str) -> Source:
        return self.model_copy(update={"base_url": base_url})

    @property
    def source_kind(self) -> str:
        return {"board": "board"}[self.kind]


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping key."""


def _load_with_lines(text: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    lines: dict[tuple[Any, ...], int] = {}
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is None:
        return None, lines

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> Any:
        if isinstance(node, yaml.MappingNode):
            out = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                lines[path + (key,)] = key_node.start_mark.line + 1
                out[key] = walk(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            result = []
            for i, item in enumerate(node.value):
                lines[path + (i,)] = item.start_mark.line + 1
                result.append(walk(item, path + (i,)))
            return result
        return loader.construct_object(node, deep=True)

    return walk(node, ()), lines


def _line_of(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def load_source(path: Path) -> Source:
    """Read and validate one source YAML; errors name the file, the line and the key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourceConfigError(f"{path}: no such source file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{path}: cannot read: {exc}") from exc
    try:
        data, lines = _load_with_lines(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark else ""
        raise SourceConfigError(f"{path}{line}: invalid YAML: {exc.problem}") from exc
    if not isinstance(data, dict):
        raise SourceConfigError(f"{path}:1: a source file must be a mapping of keys to values")
    data.setdefault("name", path.stem)
    try:
        source = Source.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        line = _line_of(lines, loc)
        key = ".".join(str(p) for p in loc) or "(top level)"
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown key (a typo?)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SourceConfigError(f"{path}:{line or 1}: {key}: {message}{more}") from exc
    if source.kind == "board" and source.board is None:
        raise SourceConfigError(f"{path}:{_line_of(lines, ('kind',)) or 1}: kind: board needs a `board:` section")
    if not source.politeness.obey_robots and not source.politeness.robots_reason:
        line = _line_of(lines, ("politeness", "obey_robots")) or 1
        raise SourceConfigError(f"{path}:{line}: politeness.obey_robots: false needs politeness.robots_reason")
    source.path = path
    return source
