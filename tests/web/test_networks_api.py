"""Networks over HTTP: list, one network (a merged id leads on), its graph, a finding's network, the pages, and
the network filter and facet of the search API; readers may read them, nobody without a key."""

from __future__ import annotations

from fastapi.testclient import TestClient

from lurewatch.index.networks import open_network_store
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.networks import update_networks
from lurewatch.records import Contacts, Finding
from lurewatch.settings import Settings
from tests.web.conftest import log_in


def _ad(pid: str, day: int, phones: list[str], telegram: list[str]) -> Finding:
    return Finding(posting_id=pid, source="board", source_kind="board", url=f"https://b.example/{pid}",
                   canonical_url=f"https://b.example/{pid}", fetched_at=f"2026-04-{day:02d}T09:00:00+00:00",
                   run_id="r", title=f"Typist wanted {pid}", country="KH", risk_score=60 + day,
                   contacts=Contacts(phones=phones, telegram=telegram))  # fmt: skip


def _networks(settings: Settings, store: SqliteIndex) -> tuple[str, str]:
    store.upsert([_ad("na1", 1, ["+85577000001"], ["boss_x"]), _ad("na2", 2, ["+85577000001"], []),
                  _ad("nb1", 3, ["+85577000002"], [])])  # fmt: skip
    update_networks(settings, posting_ids=["na1", "na2", "nb1"])
    store.upsert([_ad("nc1", 4, ["+85577000002"], ["boss_x"])])  # bridges nb1 into na1's network
    update_networks(settings, posting_ids=["nc1"])
    networks = open_network_store(settings)
    try:
        merged = networks.merges(networks.members_by_id(["na1"])["na1"].network_id)[0]
    finally:
        networks.close()
    return merged["into_id"], merged["from_id"]


def test_networks_api(client: TestClient, reader: dict[str, str], settings: Settings, store: SqliteIndex) -> None:
    network, merged = _networks(settings, store)
    assert client.get("/api/networks").status_code == 401
    listing = client.get("/api/networks", params={"sort": "risk", "size": 500}, headers=reader).json()
    assert network in [n["network_id"] for n in listing["networks"]]
    one = client.get(f"/api/networks/{merged}", headers=reader).json()
    assert one["network_id"] == network and one["asked"] == merged and one["postings"] == 4
    assert {e["key"] for e in one["top_entities"]} >= {"phone:+85577000001", "phone:+85577000002", "telegram:boss_x"}
    drawn = client.get(f"/api/networks/{network}/graph", headers=reader).json()
    assert sorted(n["id"] for n in drawn["nodes"] if n["kind"] == "finding") == [
        "finding:na1", "finding:na2", "finding:nb1", "finding:nc1"]
    assert client.get("/api/findings/nc1/network", headers=reader).json()["network_id"] == network
    assert client.get("/api/networks/nw-nothing", headers=reader).status_code == 404
    assert client.get("/api/networks", params={"sort": "loudest"}, headers=reader).status_code == 400
    found = client.get("/api/search", params={"network": network, "facets": "network"}, headers=reader).json()
    assert found["total"] == 4 and found["facets"]["network"] == [{"value": network, "count": 4}]


def test_network_pages(client: TestClient, reader: dict[str, str], settings: Settings, store: SqliteIndex) -> None:
    network, merged = _networks(settings, store)
    log_in(client, reader["X-API-Key"])
    page = client.get("/networks")
    assert page.status_code == 200 and f"/networks/{network}" in page.text
    redirect = client.get(f"/networks/{merged}", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"].startswith(f"/networks/{network}")
    shown = client.get(f"/networks/{network}")
    assert 'id="network-data"' in shown.text and "/static/vendor/cytoscape.min.js" in shown.text
    assert "<script>" not in shown.text  # the graph is a data block, never an inline script
    assert f'href="/networks/{network}"' in client.get("/findings/na2").text
    assert f'href="/networks/{network}"' in client.get("/pivot/telegram", params={"value": "@boss_x"}).text
    assert f'href="/?network={network}"' in shown.text
    search = client.get("/", params={"network": network})
    assert 'data-facet="network"' in search.text and "4</strong> postings" in search.text
