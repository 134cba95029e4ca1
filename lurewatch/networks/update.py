"""Networks kept up to date: new and re-indexed findings join, merge or split the stored networks.

One pass handles a batch of findings (a run just indexed, or every finding for a build):

1. the batch's link keys replace what those findings carried before; each key's finding count follows, and a
   key over the frequency cap stops linking (``EntityRow.network_id`` emptied);
2. a network that may fall apart (one of its findings lost a key, or one of its keys went over the cap) is
   *opened*: its members are read and take part as findings; every other stored network takes part as one node;
3. the connected components of batch findings, opened members, keys and network nodes are the new networks.
   A component holding one stored network keeps its id; holding several, the largest (then the oldest) keeps its
   id and the others are merged into it (recorded); an opened network's id stays with the component holding most
   of its members, its other parts get new ids (recorded as splits); a component with none gets a new id.

Nothing outside the batch and the opened networks is read, so an update costs what the batch touches.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lurewatch.index.networks import EntityRow, Member, NetworkStore
from lurewatch.networks.components import components
from lurewatch.networks.links import is_generic
from lurewatch.networks.summary import summarise


@dataclass
class UpdateReport:
    """What one update did."""

    findings: int = 0  # findings of the batch
    networks: int = 0  # networks written (new, grown, merged into or split)
    new: int = 0
    merged: int = 0  # networks merged into another
    split: int = 0  # parts split off a network
    seconds: float = 0.0
    merges: list[dict[str, Any]] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.findings} findings: {self.networks} networks written ({self.new} new, {self.merged} merged, "
                f"{self.split} split off) in {self.seconds:.1f} s")  # fmt: skip


def new_network_id(seed: str, salt: int = 0) -> str:
    return "nw-" + hashlib.sha256(f"{seed}\x1f{salt}".encode()).hexdigest()[:12]


class NetworkUpdate:
    """One update of the stored networks by a batch of findings (``run``)."""

    def __init__(self, store: NetworkStore, cap: int, now: datetime | None = None,
                 previous: dict[str, str] | None = None, fresh: bool = False) -> None:  # fmt: skip
        self.store, self.cap = store, cap
        self.now = now or datetime.now(UTC)
        self.at = self.now.isoformat(timespec="seconds")
        # A rebuild starts from an empty store; ``previous`` (posting_id -> old network) keeps the ids stable.
        self.previous = previous
        self.fresh = fresh  # the store held no network before: new ids need no look-up
        self.report = UpdateReport()

    def run(self, batch: list[Member]) -> UpdateReport:
        clock = time.perf_counter()
        batch = list({m.posting_id: m for m in batch}.values())
        self.report.findings = len(batch)
        if not batch:
            return self.report
        ids = {m.posting_id for m in batch}
        # A store without networks (a first build, a rebuild) has nothing to look up.
        prev = self.store.members_by_id(list(ids)) if self.previous is None and not self.fresh else {}
        for m in batch:
            m.keys = [k for k in m.keys if not is_generic(k)]
        wanted = {k for m in batch for k in m.keys} | {k for p in prev.values() for k in p.keys}
        entities = self.store.entities(sorted(wanted)) if not self.fresh else {}
        changed: set[str] = set()
        opened: set[str] = set()
        for m in batch:
            old = prev.get(m.posting_id)
            old_keys = set(old.keys) if old else set()
            new_keys = set(m.keys)
            for key in new_keys - old_keys:
                entities.setdefault(key, EntityRow(key)).findings += 1
            for key in old_keys - new_keys:
                if key in entities:
                    entities[key].findings -= 1
            changed |= new_keys ^ old_keys
            if old and old_keys - new_keys:
                opened.add(old.network_id)
        for key in changed:
            row = entities[key]
            if row.findings > self.cap and row.network_id:
                opened.add(row.network_id)  # a key that went over the cap no longer holds its network together
                row.network_id = ""
        opened.discard("")
        old_of = {pid: p.network_id for pid, p in prev.items()} if self.previous is None else dict(self.previous)
        members = list(batch)
        if opened:
            extra = [m for m in self.store.members_of(sorted(opened)) if m.posting_id not in ids]
            members += extra
            old_of.update((m.posting_id, m.network_id) for m in extra)
            missing = sorted({k for m in extra for k in m.keys} - entities.keys())
            entities.update(self.store.entities(missing))
        self._assign(members, entities, opened, old_of, ids)
        self.report.seconds = time.perf_counter() - clock
        return self.report

    def _linkable(self, row: EntityRow | None) -> bool:
        return row is not None and 0 < row.findings <= self.cap

    def _assign(self, members: list[Member], entities: dict[str, EntityRow], opened: set[str],
                old_of: dict[str, str], batch_ids: set[str]) -> None:  # fmt: skip
        key_node: dict[str, int] = {}
        net_node: dict[str, int] = {}
        sources: list[int] = []
        targets: list[int] = []
        count = len(members)

        def node(table: dict[str, int], name: str) -> int:
            nonlocal count
            if name not in table:
                table[name] = count
                count += 1
            return table[name]

        rebuild = self.previous is not None
        for i, m in enumerate(members):
            for key in m.keys:
                row = entities.get(key)
                if not self._linkable(row):
                    continue
                assert row is not None
                first = key not in key_node
                k = node(key_node, key)
                sources.append(i)
                targets.append(k)
                if first and row.network_id and row.network_id not in opened and not rebuild:
                    sources.append(k)  # the key's stored network takes part as one node
                    targets.append(node(net_node, row.network_id))
            old = old_of.get(m.posting_id, "")
            if old and old not in opened and not rebuild:
                sources.append(i)  # kept every key it had: it still belongs where it was
                targets.append(node(net_node, old))
        labels = components(count, sources, targets)
        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(len(members)):
            groups[int(labels[i])].append(i)
        nets_in: dict[int, set[str]] = defaultdict(set)
        for name, n in net_node.items():
            nets_in[int(labels[n])].add(name)
        candidates = opened | ({v for v in old_of.values() if v} if rebuild else set())
        for label, names in self._claims(members, groups, candidates, old_of).items():
            nets_in[label] |= names
        sizes = self._sizes({name for names in nets_in.values() for name in names})
        taken: set[str] = {name for names in nets_in.values() for name in names} | candidates
        absorbed: dict[str, list[str]] = defaultdict(list)
        written: dict[str, list[Member]] = {}
        label_of: dict[int, str] = {}
        for label, indices in groups.items():
            names = nets_in.get(label, set())
            if names:
                survivor = min(names, key=lambda n: (-sizes.get(n, (0, ""))[0], sizes.get(n, (0, ""))[1], n))
                for other in sorted(names - {survivor}):
                    absorbed[survivor].append(other)
                    self._record("merge", other, survivor, sizes.get(other, (0, ""))[0], sizes[survivor][0])
            else:
                survivor = self._fresh_id(members, indices, taken)
                self.report.new += 1
                split_from = {old_of.get(members[i].posting_id, "") for i in indices} - {""}
                for origin in sorted(split_from & opened) if not rebuild else sorted(split_from):
                    self._record("split", origin, survivor, sizes.get(origin, (0, ""))[0], len(indices))
                    self.report.split += 1
            taken.add(survivor)
            label_of[label] = survivor
            for i in indices:
                members[i].network_id = survivor
            written[survivor] = [members[i] for i in indices]
        changed_rows = []
        for key, row in entities.items():
            if key in key_node and self._linkable(row):
                row.network_id = label_of.get(int(labels[key_node[key]]), row.network_id)
            changed_rows.append(row)
        gone = sorted({o for others in absorbed.values() for o in others} | (opened - taken))
        for survivor, others in absorbed.items():
            self.store.reassign(others, survivor)
        self.report.merged += sum(len(o) for o in absorbed.values())
        self.store.put(members, changed_rows, [], self.report.merges, gone)
        # Summaries from every member: those held here, and the stored ones of networks that took part as a node.
        partial = {nid for nid, held in written.items() if nid in net_node.keys() or nid in absorbed}
        stored = self.store.members_of(sorted(partial)) if partial else []
        full: dict[str, dict[str, Member]] = {nid: {m.posting_id: m for m in held} for nid, held in written.items()}
        for m in stored:
            full.setdefault(m.network_id, {}).setdefault(m.posting_id, m)
        summaries = [summarise(nid, list(held.values()), self.now) for nid, held in full.items()]
        self.store.put([], [], summaries, [], [])
        self.store.label_findings({m.posting_id: m.network_id for m in members})
        self.report.networks = len(summaries)

    def _claims(self, members: list[Member], groups: dict[int, list[int]], candidates: set[str],
                old_of: dict[str, str]) -> dict[int, set[str]]:  # fmt: skip
        """label -> the old network ids it keeps: each opened network's id goes to the part holding most of its
        members (then the part holding its oldest member); a part keeping two of them merges them."""
        votes: dict[str, dict[int, tuple[int, str]]] = defaultdict(dict)
        for label, indices in groups.items():
            for i in indices:
                old = old_of.get(members[i].posting_id, "")
                if old in candidates:
                    n, oldest = votes[old].get(label, (0, "\uffff"))
                    votes[old][label] = (n + 1, min(oldest, members[i].fetched_at or "\uffff"))
        claims: dict[int, set[str]] = defaultdict(set)
        for old, by_label in votes.items():
            claims[min(by_label, key=lambda lb: (-by_label[lb][0], by_label[lb][1], lb))].add(old)
        return claims

    def _sizes(self, names: set[str]) -> dict[str, tuple[int, str]]:
        """Postings and first seen of stored networks (what decides which id a merge keeps)."""
        if self.previous is not None:  # a rebuild: the store is empty, the old assignment has the sizes
            counts = Counter(self.previous.values())
            return {name: (counts[name], "") for name in names}
        sizes = {}
        for name in names:
            summary = self.store.network(name)
            sizes[name] = (summary["postings"], summary.get("first_seen") or "") if summary else (0, "")
        return sizes

    def _fresh_id(self, members: list[Member], indices: list[int], taken: set[str]) -> str:
        """A new id from the component's oldest member, unused so far."""
        oldest = min((members[i] for i in indices), key=lambda m: (m.fetched_at or "\uffff", m.posting_id))
        salt = 0
        while True:
            candidate = new_network_id(oldest.posting_id, salt)
            if candidate not in taken and (self.fresh or (self.store.network(candidate) is None
                                                          and self.store.merged_into(candidate) is None)):
                return candidate
            salt += 1

    def _record(self, kind: str, from_id: str, into_id: str, postings_from: int, postings_into: int) -> None:
        self.report.merges.append({"kind": kind, "from_id": from_id, "into_id": into_id, "at": self.at,
                                   "postings_from": postings_from, "postings_into": postings_into})  # fmt: skip
