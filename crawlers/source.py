"""The source YAML schema (one file per source) and its loader with line-precise errors."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from lurewatch.crawlers.source_kinds import (
    DURATION,
    Board,
    Channel,
    DetailPage,
    Feed,
    ListPage,
    Search,
    Social,
    Strict,
    duration_seconds,
)
from lurewatch.errors import SourceConfigError

__all__ = ["DetailPage", "ListPage", "Orchestration", "Source", "load_source"]

MAX_SOURCE_BYTES = 256 * 1024  # a source YAML is a page of settings; anything larger is a mistake or an attack
MAX_YAML_ALIASES = 100  # `*name` references; a "billion laughs" needs many of them
MAX_YAML_NODES = 10_000  # values after aliases are expanded; bounds the work an alias chain can cause
SECTIONS = ("board", "search", "feed", "channel", "social")
SOURCE_KINDS = {"board": "board", "search": "board", "feed": "feed", "channel": "channel", "social": "social"}


class _Strict(Strict):
    pass


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
        return duration_seconds(self.revisit_after)


class Orchestration(_Strict):
    """How Airflow runs the source's DAGs (the ``airflow:`` section); the crawl itself ignores it."""

    owner: str = Field("lurewatch", min_length=1, description="owner shown in Airflow and its alerts")
    retries: int = Field(2, ge=0, le=20, description="retries of a failed task")
    retry_delay: str = Field("5m", description="wait before a retry (30s, 5m, 1h)")
    execution_timeout: str = Field("2h", description="a task running longer fails (and is retried)")
    pool: str = Field("default_pool", min_length=1, description="Airflow pool the tasks take a slot of")
    tags: list[str] = Field(default_factory=list, description="more tags for the source's DAGs")

    @field_validator("retry_delay", "execution_timeout")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not DURATION.match(value.strip()):
            raise ValueError("expected a duration such as 30s, 5m or 2h")
        return value


class Source(_Strict):
    """One source: where to crawl, how to read it, when and how politely."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: Literal["board", "search", "feed", "channel", "social"]
    description: str = ""
    base_url: str | None = None
    start_urls: list[str] = Field(default_factory=list, description="where to start (search sources use keywords)")
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="more hosts the crawl may fetch from (host, host:port or *.domain) besides base_url/start_urls",
    )
    allow_private_networks: bool = Field(
        False, description="allow private, loopback and link-local addresses (local fixture and demo sites only)"
    )
    schedule: str | None = "@daily"
    language_hint: str = ""
    board: Board | None = None
    search: Search | None = None
    feed: Feed | None = None
    channel: Channel | None = None
    social: Social | None = None
    module: str | None = Field(
        None, description="a small Python module (path or dotted name) whose parse_detail(response, source) reads pages"
    )
    politeness: Politeness = Field(default_factory=Politeness)
    airflow: Orchestration = Field(default_factory=Orchestration)
    path: Path | None = Field(None, exclude=True)

    @field_validator("base_url")
    @classmethod
    def _base_url_is_http(cls, value: str | None) -> str | None:
        if value is not None:
            _http_url(value, absolute=True)
        return value

    @field_validator("start_urls")
    @classmethod
    def _start_urls_are_http(cls, value: list[str]) -> list[str]:
        for url in value:
            _http_url(url, absolute=False)
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts_parse(cls, value: list[str]) -> list[str]:
        from lurewatch.crawlers.urlpolicy import parse_host_entry

        for entry in value:
            parse_host_entry(entry)
        return value

    def absolute_start_urls(self) -> list[str]:
        return [urljoin(self.base_url or "", url) for url in self.start_urls]

    def with_base_url(self, base_url: str) -> Source:
        return self.model_copy(update={"base_url": base_url})

    @property
    def source_kind(self) -> str:
        return SOURCE_KINDS[self.kind]


def _http_url(url: str, absolute: bool) -> None:
    """An http(s) URL without credentials (a relative one when ``absolute`` is False); else ValueError."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ValueError(f"{url!r} is not a valid URL: {exc}") from exc
    if parts.scheme and parts.scheme.lower() not in {"http", "https"}:
        raise ValueError(f"{url!r}: only http and https URLs are crawled, not {parts.scheme}:")
    if absolute and not (parts.scheme and parts.hostname):
        raise ValueError(f"{url!r} is not an absolute http(s) URL")
    if "@" in parts.netloc:
        raise ValueError(f"{url!r}: no user name or password in a source URL")


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping key, and refuses alias bombs."""

    aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.MarkedYAMLError(
                    problem=f"more than {MAX_YAML_ALIASES} aliases (*name); refused", problem_mark=mark
                )
        return super().compose_node(parent, index)


def bounded_yaml(text: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Safe-load YAML with aliases and expanded values capped; returns the data and the line of every key."""
    lines: dict[tuple[Any, ...], int] = {}
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is None:
        return None, lines

    budget = [MAX_YAML_NODES]

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise yaml.MarkedYAMLError(
                problem=f"more than {MAX_YAML_NODES} values once aliases are expanded; refused",
                problem_mark=node.start_mark,
            )
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


def _suggestion(loc: tuple[Any, ...]) -> str:
    """ " (did you mean 'x'?)" for an unknown key close to a known one of the same model."""
    model: Any = Source
    for part in loc[:-1]:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        candidates = [a for a in (annotation, *getattr(annotation, "__args__", ())) if isinstance(a, type)]
        models = [a for a in candidates if issubclass(a, BaseModel)]
        if not models:
            return " (a typo?)"
        model = models[0]
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else " (a typo?)"


def load_source(path: Path) -> Source:
    """Read and validate one source YAML; errors name the file, the line and the key."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceConfigError(
                f"{path}:1: {size} bytes is over the {MAX_SOURCE_BYTES} bytes a source file may have"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourceConfigError(f"{path}: no such source file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{path}: cannot read: {exc}") from exc
    try:
        data, lines = bounded_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f":{mark.line + 1}" if mark else ""
        raise SourceConfigError(f"{path}{where}: invalid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:  # e.g. a control character: the reader's message spans lines
        raise SourceConfigError(f"{path}:1: invalid YAML: {' '.join(str(exc).split())}") from exc
    except RecursionError as exc:
        raise SourceConfigError(f"{path}:1: invalid YAML: nested too deeply") from exc
    if not isinstance(data, dict):
        raise SourceConfigError(f"{path}:1: a source file must be a mapping of keys to values")
    data.setdefault("name", path.stem)
    try:
        source = Source.model_validate(data)
    except ValidationError as exc:
        # A typo shows as an unknown key and a missing one: the unknown key is the useful report.
        first = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        loc = tuple(first["loc"])
        line = _line_of(lines, loc)
        key = ".".join(str(p) for p in loc) or "(top level)"
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown key" + _suggestion(loc)
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SourceConfigError(f"{path}:{line or 1}: {key}: {message}{more}") from exc
    kind_line = _line_of(lines, ("kind",)) or 1
    if not source.start_urls and source.kind != "search":
        line = _line_of(lines, ("start_urls",)) or kind_line
        raise SourceConfigError(f"{path}:{line}: start_urls: Field required (a {source.kind} source starts somewhere)")
    if getattr(source, source.kind) is None:
        raise SourceConfigError(f"{path}:{kind_line}: kind: {source.kind} needs a `{source.kind}:` section")
    for other in SECTIONS:
        if other != source.kind and getattr(source, other) is not None:
            line = _line_of(lines, (other,)) or 1
            raise SourceConfigError(
                f"{path}:{line}: {other}: a `{other}:` section has no use in a {source.kind} source"
            )
    if source.kind == "feed" and source.feed and not source.feed.entries_are_postings and source.feed.detail is None:
        line = _line_of(lines, ("feed",)) or kind_line
        raise SourceConfigError(f"{path}:{line}: feed: needs `detail:` unless `entries_are_postings: true`")
    if not source.politeness.obey_robots and not source.politeness.robots_reason:
        line = _line_of(lines, ("politeness", "obey_robots")) or 1
        raise SourceConfigError(f"{path}:{line}: politeness.obey_robots: false needs politeness.robots_reason")
    source.path = path
    _check_extras(source, path, lines)
    return source


def _check_extras(source: Source, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
    """Keyword lists and the source's Python module must exist and load, else the file's line is named."""
    from lurewatch.crawlers.hooks import load_hook
    from lurewatch.crawlers.keywords import load_queries

    if source.search is not None:
        try:
            load_queries(source)
        except SourceConfigError as exc:
            line = _line_of(lines, ("search", "keywords")) or 1
            raise SourceConfigError(f"{path}:{line}: search.keywords: {exc}") from exc
    if source.module is not None:
        try:
            load_hook(source)
        except SourceConfigError as exc:
            raise SourceConfigError(f"{path}:{_line_of(lines, ('module',)) or 1}: module: {exc}") from exc
