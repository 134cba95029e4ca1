"""Where networks live: the ``NetworkStore`` protocol and its rows, implemented in the index (SQLite tables,
an Elasticsearch index). ``lurewatch.networks`` computes the networks; this layer only keeps them.

A ``Member`` is one finding as the network graph sees it: its link keys (``kind:value`` of every entity it
carries, and ``cluster:<id>``) and the few fields a network summary counts. An ``EntityRow`` is one key: the
network it belongs to and how many findings carry it (the frequency cap reads it). Both backends store the
same rows; each also copies ``network_id`` onto the findings themselves, so search filters and facets on it.
"""

from __future__ import annotations

# builtins.list in annotations: the protocol has a method named list.
import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from lurewatch.entities import ENTITY_KINDS

if TYPE_CHECKING:
    from lurewatch.settings import Settings

NETWORK_SORTS = ("size", "growth", "risk", "recent")


@dataclass
class Member:
    """A finding in the network graph."""

    posting_id: str
    keys: list[str] = field(default_factory=list)  # "phone:+855...", "telegram:hr_agent", "cluster:c123"
    network_id: str = ""
    source: str = ""
    language: str = ""
    country: str = ""
    compound: str = ""
    cluster_id: str = ""
    fetched_at: str = ""
    risk_score: int = 0
    indexed_at: str = ""  # read from the index, not stored with the member


@dataclass
class EntityRow:
    """A link key: the network it belongs to ("" once it is too common to link) and the findings carrying it."""

    key: str
    network_id: str = ""
    findings: int = 0


def entity_key(kind: str, value: str) -> str:
    return f"{kind}:{value}"


def keys_of_values(values: dict[str, list[str]], cluster_id: str) -> list[str]:
    """Link keys from ``{entity kind: values}`` and a cluster id, in entity-table order, without repeats."""
    keys = [entity_key(e.kind, v) for e in ENTITY_KINDS for v in values.get(e.kind, []) if v]
    if cluster_id:
        keys.append(entity_key("cluster", cluster_id))
    return list(dict.fromkeys(keys))


class NetworkStore(Protocol):
    """Network state beside the findings: members, entity keys, network summaries, merges, a watermark."""

    backend: str

    def setup(self) -> None:
        """Create the tables or the index; safe to call again."""

    def read_findings(self, indexed_after: str | None = None,
                      posting_ids: builtins.list[str] | None = None) -> Iterator[Member]:  # fmt: skip
        """The findings with these ids, or those indexed after ``indexed_after`` (all when both are None), as
        members without a network."""

    def members_by_id(self, posting_ids: builtins.list[str]) -> dict[str, Member]:
        """The stored members with these posting ids."""

    def members_of(self, network_ids: builtins.list[str]) -> builtins.list[Member]:
        """Every stored member of these networks."""

    def entities(self, keys: builtins.list[str]) -> dict[str, EntityRow]:
        """The stored rows of these keys."""

    def entities_of(self, network_id: str, limit: int) -> builtins.list[EntityRow]:
        """Up to ``limit`` keys of a network, most carried first."""

    def put(self, members: builtins.list[Member], entities: builtins.list[EntityRow],
            networks: builtins.list[dict[str, Any]], merges: builtins.list[dict[str, Any]],
            gone: builtins.list[str]) -> None:  # fmt: skip
        """Write members, keys, summaries and merge records; remove the summaries of ``gone`` networks."""

    def reassign(self, from_ids: builtins.list[str], to_id: str) -> None:
        """Move every member and key of the networks ``from_ids`` into ``to_id`` (a merge)."""

    def label_findings(self, assignments: dict[str, str]) -> None:
        """Write ``network_id`` onto the indexed findings (posting_id -> network id)."""

    def network(self, network_id: str) -> dict[str, Any] | None:
        """A network's summary, or None."""

    def list(self, sort: str = "size", size: int = 50, offset: int = 0,
             min_postings: int = 2) -> tuple[int, builtins.list[dict[str, Any]]]:  # fmt: skip
        """Networks of at least ``min_postings`` postings in ``sort`` order (of NETWORK_SORTS), and how many."""

    def merges(self, network_id: str) -> builtins.list[dict[str, Any]]:
        """Merge and split records of (or into) a network, oldest first."""

    def merged_into(self, network_id: str) -> str | None:
        """The network a merged one went into, if it was merged."""

    def state(self, name: str) -> str | None: ...

    def set_state(self, name: str, value: str) -> None: ...

    def clear(self) -> None:
        """Forget every network (before a full rebuild); merge records are kept."""

    def close(self) -> None: ...


def open_network_store(settings: Settings) -> NetworkStore:
    """The network store of the configured index backend, set up."""
    if settings.index == "elasticsearch":
        from lurewatch.index.elasticsearch.backend import client_from_settings
        from lurewatch.index.elasticsearch.networks import ElasticsearchNetworkStore

        store: NetworkStore = ElasticsearchNetworkStore(client_from_settings(settings), settings.es_index_prefix)
    else:
        from lurewatch.index.sqlite.networks import SqliteNetworkStore

        store = SqliteNetworkStore(settings.sqlite_file)
    store.setup()
    return store
