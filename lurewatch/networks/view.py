"""A network as people read it: found by id (a merged id leads to the network it went into), and its graph of
findings and entities for the web UI's view and the exports."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from lurewatch.errors import NetworkNotFound
from lurewatch.index.networks import Member, NetworkStore
from lurewatch.networks.links import kind_of, value_of

if TYPE_CHECKING:
    from lurewatch.index.base import Index

MAX_FINDINGS = 400  # finding nodes drawn (the most recent), so that a big network still draws in a browser
MAX_HOPS = 20  # merges followed from an old id


def resolve(store: NetworkStore, network_id: str) -> str:
    """The id a network goes by now: itself, or the network it was merged into (followed through merges)."""
    current = network_id.strip()
    for _ in range(MAX_HOPS):
        if store.network(current) is not None:
            return current
        into = store.merged_into(current)
        if into is None:
            break
        current = into
    raise NetworkNotFound(f"no network {network_id!r}")


def find_network(store: NetworkStore, network_id: str) -> dict[str, Any]:
    """The summary of a network (by its id or an id merged into it), with ``asked`` the id given."""
    current = resolve(store, network_id)
    summary = store.network(current)
    assert summary is not None
    return {**summary, "asked": network_id, "merges": store.merges(current)}


def network_of(store: NetworkStore, posting_id: str) -> str | None:
    """The network of one finding, if it has been placed."""
    member = store.members_by_id([posting_id]).get(posting_id)
    return member.network_id if member else None


def graph(store: NetworkStore, index: Index | None, network_id: str,
          max_findings: int = MAX_FINDINGS) -> dict[str, Any]:  # fmt: skip
    """Nodes and edges of a network: its findings (the most recent ``max_findings``) and the entities that two of
    them or more share (every entity, in a network of one posting)."""
    members: list[Member] = sorted(store.members_of([network_id]), key=lambda m: (m.fetched_at, m.posting_id),
                                   reverse=True)[:max_findings]  # fmt: skip
    carried = Counter(key for m in members for key in m.keys)
    linking = {key for key, n in carried.items() if n >= 2 or len(members) == 1}
    stored = store.entities(sorted(linking))
    shown = {key for key in linking if key in stored and stored[key].network_id == network_id}
    titles = {f.posting_id: f.title for f in index.get_many([m.posting_id for m in members])} if index else {}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for m in members:
        nodes.append({"id": f"finding:{m.posting_id}", "kind": "finding", "label": (titles.get(m.posting_id) or
                      m.posting_id)[:80], "posting_id": m.posting_id, "source": m.source, "country": m.country,
                      "language": m.language, "risk_score": m.risk_score, "fetched_at": m.fetched_at})  # fmt: skip
        for key in m.keys:
            if key in shown:
                edges.append({"id": f"e{len(edges)}", "source": f"finding:{m.posting_id}", "target": key,
                              "kind": kind_of(key)})  # fmt: skip
    for key in sorted(shown):
        nodes.append({"id": key, "kind": kind_of(key), "label": value_of(key), "value": value_of(key),
                      "findings": stored[key].findings})  # fmt: skip
    total = len(store.members_of([network_id])) if len(members) == max_findings else len(members)
    return {"network_id": network_id, "nodes": nodes, "edges": edges, "findings_shown": len(members),
            "findings_total": total}  # fmt: skip
