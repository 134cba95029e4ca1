"""Recruiter networks: findings linked by the entities they share, kept up to date as runs are indexed.

The graph has a node per finding and per entity it carries (phones, messenger handles, emails, wallets,
registered domains, image hashes, near-duplicate clusters); a network is a connected component. Generic values
(``data/generic.txt``) and values over the frequency cap (``LUREWATCH_NETWORK_ENTITY_CAP``) link nothing.
``update_networks`` runs after every index step and reads only what was indexed since it last ran;
``build_networks`` reads every finding (``rebuild`` recomputes from scratch and keeps the ids it can).
State lives in the index (``lurewatch.index.networks``), so search filters and facets on ``network``.
"""

from __future__ import annotations

import fcntl
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from lurewatch.index.networks import Member, NetworkStore, open_network_store
from lurewatch.networks.update import NetworkUpdate, UpdateReport

if TYPE_CHECKING:
    from lurewatch.settings import Settings

WATERMARK = "indexed_after"
LOCK_FILE = "networks.lock"


@contextmanager
def serialised(settings: Settings) -> Iterator[None]:
    """One network update at a time on this machine (updates read, then write, the same keys).

    The cyclic garbage collector waits meanwhile: an update makes hundreds of thousands of small objects and
    none of them refers back to another, and the collector's passes over them were most of a build's time
    (40,000 findings: 23.3 s with it, 11.8 s without).
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with (settings.data_dir / LOCK_FILE).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        collecting = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if collecting:
                gc.enable()
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(store: NetworkStore, after: str | None, progress: Callable[[int], None] | None,
          posting_ids: list[str] | None = None) -> tuple[list[Member], str]:  # fmt: skip
    batch: list[Member] = []
    latest = after or ""
    for member in store.read_findings(after, posting_ids):
        batch.append(member)
        latest = max(latest, member.indexed_at)
        if progress and len(batch) % 5000 == 0:
            progress(len(batch))
    return batch, latest


def update_networks(settings: Settings, store: NetworkStore | None = None,
                    progress: Callable[[int], None] | None = None,
                    posting_ids: list[str] | None = None) -> UpdateReport:  # fmt: skip
    """Bring the networks up to date with the findings ``posting_ids`` (what a run just indexed), or with every
    finding indexed since the last update (all, the first time)."""
    own = store is None
    store = store or open_network_store(settings)
    try:
        with serialised(settings):
            after = store.state(WATERMARK)
            batch, latest = _read(store, after, progress, posting_ids)
            fresh = store.list(size=0, min_postings=1)[0] == 0
            report = NetworkUpdate(store, settings.network_entity_cap, fresh=fresh).run(batch)
            if latest and posting_ids is None:
                store.set_state(WATERMARK, latest)
            return report
    finally:
        if own:
            store.close()


def build_networks(settings: Settings, rebuild: bool = False, store: NetworkStore | None = None,
                   progress: Callable[[int], None] | None = None) -> UpdateReport:  # fmt: skip
    """Update the networks; with ``rebuild``, recompute them from every finding, keeping ids where they still fit
    (after a change of the generic list or the cap)."""
    own = store is None
    store = store or open_network_store(settings)
    try:
        if not rebuild:
            return update_networks(settings, store, progress)
        with serialised(settings):
            batch, latest = _read(store, None, progress)
            previous = {pid: m.network_id for pid, m in store.members_by_id([m.posting_id for m in batch]).items()}
            store.clear()
            report = NetworkUpdate(store, settings.network_entity_cap, previous=previous, fresh=True).run(batch)
            if latest:
                store.set_state(WATERMARK, latest)
            return report
    finally:
        if own:
            store.close()


__all__ = ["UpdateReport", "build_networks", "update_networks"]
