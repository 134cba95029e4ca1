"""Watching a network: alert when it gains a new phone, messenger handle, source or country.

A network watch is a watch whose query filters on the network (``network=<id>``), so it reads the network's new
findings like any watch; then only the clusters that bring something new count: a phone or handle, a source or
a country that none of the network's other findings carries. Nothing is remembered between runs: "new" is
measured against the network as it stands, so a channel that failed gets the same gains on its next run. A
network merged into another is followed there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lurewatch.alerts.model import AlertError
from lurewatch.entities import entities_of
from lurewatch.errors import NetworkNotFound
from lurewatch.index.networks import Member, open_network_store
from lurewatch.networks.links import kind_of, value_of
from lurewatch.networks.view import resolve

if TYPE_CHECKING:
    from lurewatch.index.query import Hit
    from lurewatch.records import Finding
    from lurewatch.settings import Settings

# what a network may gain -> the entity kinds counted as it
GAINS = {"phone": ("phone", "whatsapp", "signal", "viber", "zalo"),
         "handle": ("telegram", "line", "wechat", "kakaotalk", "messenger")}  # fmt: skip
FIELDS = ("source", "country")


def current_network(settings: Settings, network_id: str) -> str:
    """The id ``network_id`` goes by now (merged networks lead on); ``AlertError`` when there is none."""
    store = open_network_store(settings)
    try:
        return resolve(store, network_id)
    except NetworkNotFound as exc:
        raise AlertError(str(exc), hint="`lurewatch networks list` shows the networks") from exc
    finally:
        store.close()


def _label(kind: str) -> str:
    return next((gain for gain, kinds in GAINS.items() if kind in kinds), kind)


def values_of(finding: Finding) -> set[str]:
    """``gain:value`` of everything in a finding that a network watch counts."""
    found = {f"{_label(e.kind)}:{v}" for e, v in entities_of(finding) if _label(e.kind) in GAINS}
    found |= {f"{name}:{getattr(finding, name)}" for name in FIELDS if getattr(finding, name)}
    return found


def _member_values(member: Member) -> set[str]:
    found = {f"{_label(kind_of(k))}:{value_of(k)}" for k in member.keys if _label(kind_of(k)) in GAINS}
    return found | {f"{name}:{getattr(member, name)}" for name in FIELDS if getattr(member, name)}


def gains(settings: Settings, network_id: str, clusters: dict[str, list[Hit]],
          findings: dict[str, Finding]) -> tuple[dict[str, list[Hit]], list[str]]:  # fmt: skip
    """The clusters that bring the network something new, and what (``phone:+855…``, ``country:TH``, …)."""
    window = {hit.posting_id for members in clusters.values() for hit in members}
    store = open_network_store(settings)
    try:
        others = [m for m in store.members_of([network_id]) if m.posting_id not in window]
    finally:
        store.close()
    known = set().union(*(_member_values(m) for m in others)) if others else set()
    kept: dict[str, list[Hit]] = {}
    new: set[str] = set()
    for cluster, members in clusters.items():
        brought = set().union(*(values_of(findings[h.posting_id]) for h in members if h.posting_id in findings)) - known
        if brought:
            kept[cluster] = members
            new |= brought
    return kept, sorted(new)
