"""Incremental updates on both backends: a finding joins a network, a bridge merges two (the larger keeps its id
and the merge is recorded), a finding that loses its link splits off; search filters and facets on the network."""

from __future__ import annotations

import pytest

from lurewatch.errors import NetworkNotFound
from lurewatch.index.base import open_index
from lurewatch.index.networks import open_network_store
from lurewatch.index.query import Query
from lurewatch.networks import build_networks, update_networks
from lurewatch.networks.view import find_network, graph, network_of, resolve
from lurewatch.records import Contacts, Finding
from lurewatch.settings import Settings


def ad(pid: str, day: int, phones: list[str], telegram: list[str] | None = None, domains: list[str] | None = None,
       cluster: str = "") -> Finding:  # fmt: skip
    return Finding(posting_id=pid, source="board", source_kind="board", url=f"https://board.example/{pid}",
                   canonical_url=f"https://board.example/{pid}", fetched_at=f"2026-03-{day:02d}T10:00:00+00:00",
                   run_id="r", title=f"ad {pid}", country="KH", risk_score=10 * day, cluster_id=cluster,
                   contacts=Contacts(phones=phones, telegram=telegram or [], domains=domains or []))  # fmt: skip


def index_and_update(settings: Settings, findings: list[Finding]) -> None:
    index = open_index(settings)
    try:
        index.upsert(findings)
    finally:
        index.close()
    update_networks(settings, posting_ids=[f.posting_id for f in findings])


def test_networks_join_merge_and_split_with_stable_ids(backend_settings: Settings) -> None:
    settings = backend_settings
    index_and_update(settings, [ad("a1", 1, ["+85512000001"]), ad("a2", 2, ["+85512000001"], ["boss_a"]),
                                ad("b1", 3, ["+85512000002"]), ad("c1", 4, ["+85512000003"], domains=["wa.me"]),
                                ad("c2", 5, ["+85512000004"], domains=["wa.me"])])  # fmt: skip
    store = open_network_store(settings)
    index = open_index(settings)
    try:
        first = {pid: network_of(store, pid) for pid in ("a1", "a2", "b1", "c1", "c2")}
        assert first["a1"] == first["a2"] and len(set(first.values())) == 4  # wa.me links nothing
        net_a, net_b = first["a1"], first["b1"]
        assert net_a and net_b

        # A handle and a phone of b1's in one new ad: the bridge merges b into a (the larger keeps its id).
        index_and_update(settings, [ad("d1", 6, ["+85512000002"], ["boss_a"])])
        assert {network_of(store, pid) for pid in ("a1", "a2", "b1", "d1")} == {net_a}
        assert resolve(store, net_b) == net_a
        merged = find_network(store, net_b)
        assert merged["network_id"] == net_a and merged["postings"] == 4
        assert [(m["kind"], m["from_id"], m["into_id"]) for m in merged["merges"]] == [("merge", net_b, net_a)]
        assert merged["entities"] == {"phone": 2, "telegram": 1}
        assert index.search(Query("*", filters={"network": [net_a]}, size=0)).total == 4
        facet = dict(index.search(Query("*", facets=("network",), size=0)).facets["network"])
        assert facet[net_a] == 4

        # a2 is crawled again without its handle: d1 and b1 no longer reach a1 and a2.
        index_and_update(settings, [ad("a2", 2, ["+85512000001"])])
        after = {pid: network_of(store, pid) for pid in ("a1", "a2", "b1", "d1")}
        assert after["a1"] == after["a2"] and after["b1"] == after["d1"] and after["a1"] != after["b1"]
        assert net_a in after.values()  # the id stays with one part, the other part is recorded as split off
        kinds = [m["kind"] for m in store.merges(net_a)]
        assert kinds == ["merge", "split"]

        drawn = graph(store, index, after["b1"])  # type: ignore[arg-type]
        kinds_drawn = sorted(n["kind"] for n in drawn["nodes"])
        assert kinds_drawn == ["finding", "finding", "phone"] and len(drawn["edges"]) == 2
        with pytest.raises(NetworkNotFound):
            find_network(store, "nw-000000000000")
    finally:
        index.close()
        store.close()


def test_a_rebuild_keeps_ids_and_an_update_without_news_changes_nothing(settings: Settings) -> None:
    index_and_update(settings, [ad("a1", 1, ["+85512000001"]), ad("a2", 2, ["+85512000001"]),
                                ad("b1", 3, ["+85512000002"])])  # fmt: skip
    store = open_network_store(settings)
    try:
        before = {pid: network_of(store, pid) for pid in ("a1", "a2", "b1")}
        assert update_networks(settings).findings == 3  # the watermark starts empty: all are read once
        assert update_networks(settings).findings == 0
        build_networks(settings, rebuild=True)
        assert {pid: network_of(store, pid) for pid in ("a1", "a2", "b1")} == before
        total, listed = store.list()
        assert total == 1 and listed[0]["network_id"] == before["a1"] and listed[0]["postings"] == 2
    finally:
        store.close()
