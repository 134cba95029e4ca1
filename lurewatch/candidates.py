"""Near-duplicate candidates from this run and from the index: what lets clusters span runs and sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lurewatch.enrichment.dedup import CANDIDATE_LIMIT, Candidate, MemoryCandidateStore

if TYPE_CHECKING:
    from lurewatch.index.base import Index


class IndexCandidateStore:
    """Candidates from findings of earlier runs (looked up in the index) and of this run (held in memory).

    The index is the store across runs: a finding's ``minhash_bands`` are indexed with it, so a later run
    finds earlier reposts by a terms lookup, on SQLite and Elasticsearch alike.
    """

    def __init__(self, index: Index) -> None:
        self.index = index
        self.run = MemoryCandidateStore()

    def candidates(self, keys: list[str], limit: int = CANDIDATE_LIMIT) -> list[Candidate]:
        found = {c.posting_id: c for c in self.run.candidates(keys, limit)}
        for match in self.index.candidates(keys, limit):
            # A finding of this run, enriched again, is known from memory: its indexed copy may be stale.
            found.setdefault(
                match.posting_id, Candidate(match.posting_id, match.cluster_id, match.first_seen, tuple(match.keys))
            )
        return list(found.values())

    def add(self, candidate: Candidate) -> None:
        self.run.add(candidate)
