"""The ``Index`` interface that both backends implement, and the factory that picks one from settings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from lurewatch.index.query import Hit, Query, SearchResult
    from lurewatch.records import Finding
    from lurewatch.settings import Settings


@dataclass
class WriteReport:
    """What an upsert did: documents written, and those the backend rejected, with reasons."""

    written: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)


@dataclass
class BandMatch:
    """An indexed finding that shares near-duplicate lookup keys (``minhash_bands``) with a new one."""

    posting_id: str
    cluster_id: str
    first_seen: str
    keys: list[str]
    shared: int


# Keys that start with "t" (title values) or "n" (body size) are for verification only; they are never looked up.
def lookup_keys(keys: Iterable[str]) -> list[str]:
    return [key for key in keys if key and key[0] not in "tn"]  # t…, n…: verification only


class Index(Protocol):
    """Findings storage with search. Every write is an upsert by ``posting_id``."""

    backend: str

    def setup(self) -> None:
        """Create what the backend needs; safe to call again at every start."""

    def upsert(self, findings: Iterable[Finding]) -> WriteReport:
        """Insert or replace findings by ``posting_id``."""

    def get(self, posting_id: str) -> Finding | None:
        """One finding by id."""

    def get_many(self, posting_ids: list[str]) -> list[Finding]:
        """The findings with these ids that exist, in the order asked."""

    def search(self, query: Query) -> SearchResult:
        """Findings matching ``query``, with facet counts."""

    def iterate(self, query: Query) -> Iterator[Hit]:
        """Every hit of ``query`` in sort order, streamed page by page (point in time / keyset)."""

    def count(self) -> int:
        """Number of findings stored."""

    def candidates(self, keys: list[str], limit: int) -> list[BandMatch]:
        """Up to ``limit`` findings sharing lookup keys with ``keys``, those sharing most (then earliest) first."""

    def warm(self) -> None:
        """Load now what the first search would otherwise load (a server calls it at start, in a thread)."""

    def close(self) -> None:
        """Release connections."""


def open_index(settings: Settings, read_only: bool = False) -> Index:
    """The backend named by ``LUREWATCH_INDEX``, set up and ready.

    ``read_only``: for searching only; SQLite opens the file read-only and writes nothing, not even at setup
    (so a read-only copy of an index can be searched), and refuses a missing file instead of creating one;
    Elasticsearch leaves an existing index's mapping as it is (a read-only API key may search).
    Every method may be called from several threads at once, on both backends.
    """
    if settings.index == "elasticsearch":
        from lurewatch.index.elasticsearch.backend import ElasticsearchIndex

        index: Index = ElasticsearchIndex.from_settings(settings, read_only=read_only)
    else:
        from lurewatch.index.sqlite.backend import SqliteIndex

        index = SqliteIndex(settings.sqlite_file, read_only=read_only)
    index.setup()
    return index
