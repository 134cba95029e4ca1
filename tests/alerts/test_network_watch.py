"""Watching a network on both backends: a new finding that brings nothing new stays quiet; one with a new phone
or country alerts and says what the network gained; a watch on a network merged into another follows it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from lurewatch.alerts import service
from lurewatch.alerts.model import AlertError
from lurewatch.alerts.store import open_alert_store
from lurewatch.index.base import open_index
from lurewatch.index.networks import open_network_store
from lurewatch.networks import update_networks
from lurewatch.networks.view import network_of
from lurewatch.records import Finding
from lurewatch.settings import Settings
from tests.alerts.conftest import finding


def _index(settings: Settings, *findings: Finding) -> None:
    index = open_index(settings)
    try:
        index.upsert(list(findings))
    finally:
        index.close()
    update_networks(settings, posting_ids=[f.posting_id for f in findings])


def _network(settings: Settings, posting_id: str) -> str:
    store = open_network_store(settings)
    try:
        found = network_of(store, posting_id)
        assert found
        return found
    finally:
        store.close()


def _digests(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_network_watch_alerts_on_gains_only_and_follows_merges(alert_settings: Settings, digest_file: Path) -> None:
    settings = alert_settings
    _index(settings, finding("a", "ca", phones=["+95912000001"]), finding("b", "cb", phones=["+95912000001"]),
           finding("g", "cg", phones=["+95912000099"]))  # fmt: skip
    big, small = _network(settings, "p-a"), _network(settings, "p-g")
    store = open_alert_store(settings)
    try:
        with pytest.raises(AlertError):
            service.add_watch(store, settings, kind="network", value="nw-000000000000", owner="analyst",
                              channels=[f"file:{digest_file}"])  # fmt: skip
        time.sleep(1.1)  # findings indexed before the watch are not its news (stamps have whole seconds)
        service.add_watch(store, settings, kind="network", value=big, owner="analyst", name="big",
                          channels=[f"file:{digest_file}"])  # fmt: skip
        service.add_watch(store, settings, kind="network", value=small.upper(), owner="analyst", name="small",
                          channels=[f"file:{digest_file.with_name('small.jsonl')}"])  # fmt: skip
    finally:
        store.close()

    # Same phone, same handle, same source and country: the network grew but gained nothing.
    _index(settings, finding("c", "cc", phones=["+95912000001"]))
    stats = service.run_alerts(settings, force=True)
    assert stats.matches >= 1 and stats.delivered == 0 and _digests(digest_file) == []

    # A new phone and a new country.
    new = finding("d", "cd", phones=["+95912000001", "+95912000002"])
    new.country = "TH"
    _index(settings, new)
    stats = service.run_alerts(settings, force=True)
    (digest,) = _digests(digest_file)
    assert [m["finding_id"] for m in digest["matches"]] == ["p-d"]
    assert f"network {big} gained" in json.dumps(digest) and "phone +95912000002" in json.dumps(digest)
    assert "country TH" in json.dumps(digest)

    # The small network is bridged into the big one; its watch follows, and alerts on the bridge's new phone.
    _index(settings, finding("e", "ce", phones=["+95912000099", "+95912000001", "+95912000777"]))
    assert _network(settings, "p-g") == big
    service.run_alerts(settings, force=True)
    followed = _digests(digest_file.with_name("small.jsonl"))
    assert followed and "+95912000777" in json.dumps(followed[-1]) and f"network {big}" in json.dumps(followed[-1])
