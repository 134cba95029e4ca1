"""Duplicate detection: exact (content hash), near-duplicate (MinHash LSH) and same image (perceptual hash).

Every finding carries its lookup keys in ``minhash_bands``: ``h:`` its content hash, ``b00:``…``b31:``
body MinHash bands, ``T00:``…``T03:`` title MinHash bands (a near-identical title makes a candidate even
when a translated line lowers a short body's similarity), ``t00:``…``t15:`` title MinHash values (for
verification only, never looked up; absent when the title is only the body's first line, as in a channel
post, where it would count the same words twice), ``n:`` the number of body shingles (verification only),
``p0:``…``p3:`` the four 16-bit quarters of
each image's 64-bit perceptual hash (two hashes within Hamming distance 3 share a quarter). Because
the keys live on the finding, the index itself is the candidate store: it answers "which findings
share one of these keys" with a terms lookup, across runs and sources. Within one run,
``MemoryCandidateStore`` does the same in memory.

A finding joins a candidate's cluster when their body similarity reaches ``SAME_AD`` — or the smaller
body lies in the larger one as much as two bodies alike at ``SAME_AD`` do (a repost with a line added or
dropped; only between bodies of comparable size, ``CONTAINED_SIZE``) —, or reaches
``SAME_TEMPLATE_BODY`` with titles alike (``SAME_TITLE``) — a template re-used for another job or
company changes the title and stays apart —, or when an image is the same (phash within
``SAME_IMAGE_BITS``) and bodies are at least loosely alike. It joins the earliest-seen matching
cluster, whose ``cluster_id`` (its first-seen member's id) never changes. ``duplicate_of`` names the cluster's
original: its earliest-*posted* member (``Originals``), which a crawl of a board listing newest first meets
last. Within a run the enrichment settles it once every posting was seen; a cluster that an earlier run
started keeps that run's original. Clusters are never merged afterwards.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from lurewatch.enrichment.minhash import (
    BANDS,
    ROWS,
    TITLE_PERM,
    band_keys,
    minhash,
    normalise,
    shingle_hashes,
    signature,
)

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

SAME_AD = 0.85
SAME_AD_CONTAINED = 2 * SAME_AD / (1 + SAME_AD)  # containment of two equal-sized bodies at Jaccard SAME_AD
CONTAINED_SIZE = 0.5  # the smaller body has at least half the larger one's shingles
SAME_TEMPLATE_BODY = 0.40
SAME_TITLE = 0.60
SAME_IMAGE_BITS = 6
SAME_IMAGE_BODY = 0.30
CANDIDATE_LIMIT = 12  # candidates verified per finding, those sharing the most keys first
MEMBERS_PER_KEY = 8  # earliest members remembered per key: a cluster's first reposts stand for all of it


@dataclass(frozen=True)
class Candidate:
    """What the store knows of an earlier finding."""

    posting_id: str
    cluster_id: str
    first_seen: str
    keys: tuple[str, ...]


class CandidateStore(Protocol):
    """Earlier findings that share a lookup key; the index implements it over ``minhash_bands``."""

    def candidates(self, keys: list[str], limit: int = CANDIDATE_LIMIT) -> list[Candidate]:
        """Up to ``limit`` earlier findings sharing a key (``t`` keys excluded), those sharing most first."""
        ...

    def add(self, candidate: Candidate) -> None: ...


class MemoryCandidateStore:
    """Candidate store for one run, in memory and compact (about 2 KB per finding).

    Each member keeps its keys as one space-joined string. The key → member index is a sorted pair of
    numpy arrays (key hash, member number) plus a small dict for the latest members, merged into the
    arrays every ``FLUSH`` members, so it costs 16 bytes per key instead of a Python dict entry.
    """

    FLUSH = 4096

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._clusters: list[str] = []
        self._first_seen: list[str] = []
        self._keys: list[str] = []
        self._hashes = np.empty(0, dtype=np.int64)
        self._numbers = np.empty(0, dtype=np.int64)
        self._recent: dict[int, list[int]] = defaultdict(list)
        self._pending: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self._ids)

    def candidates(self, keys: list[str], limit: int = CANDIDATE_LIMIT) -> list[Candidate]:
        hashes = [hash(key) for key in keys if key[0] not in "tn"]  # salted per process: fine in memory
        shared: Counter[int] = Counter()
        wanted = np.array(hashes, dtype=np.int64)
        lows = np.searchsorted(self._hashes, wanted, side="left").tolist()
        highs = np.searchsorted(self._hashes, wanted, side="right").tolist()
        for h, lo, hi in zip(hashes, lows, highs, strict=True):
            # The earliest MEMBERS_PER_KEY members with this key: merged ones first, then recent ones.
            earliest = self._numbers[lo : min(hi, lo + MEMBERS_PER_KEY)].tolist() if hi > lo else []
            earliest += self._recent.get(h, [])[: MEMBERS_PER_KEY - len(earliest)]
            shared.update(earliest)
        best = sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [self._member(number) for number, _ in best]

    def _member(self, number: int) -> Candidate:
        keys = tuple(self._keys[number].split(" "))
        return Candidate(self._ids[number], self._clusters[number], self._first_seen[number], keys)

    def add(self, candidate: Candidate) -> None:
        number = len(self._ids)
        self._ids.append(candidate.posting_id)
        self._clusters.append(sys.intern(candidate.cluster_id))
        self._first_seen.append(sys.intern(candidate.first_seen))
        self._keys.append(" ".join(candidate.keys))
        for key in candidate.keys:
            if key[0] not in "tn":  # title values and sizes are for verification, not lookup
                h = hash(key)
                self._recent[h].append(number)
                self._pending.append((h, number))
        if len(self._pending) >= self.FLUSH * 8:
            self._flush()

    def _flush(self) -> None:
        pending = np.array(self._pending, dtype=np.int64).reshape(-1, 2)
        pending = pending[np.lexsort((pending[:, 1], pending[:, 0]))]  # by hash, then earliest member
        # Pending members are newer than every stored one, so they go after equal hashes: the merge
        # keeps the order without re-sorting (and without the copies a full sort would make).
        at = np.searchsorted(self._hashes, pending[:, 0], side="right")
        self._hashes = np.insert(self._hashes, at, pending[:, 0])
        self._numbers = np.insert(self._numbers, at, pending[:, 1])
        self._recent.clear()
        self._pending.clear()


def content_sha256(title: str, text: str) -> str:
    """Hash of title + text after case folding and dropping punctuation, spacing and emoji."""
    normalised = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    return hashlib.sha256(_NON_WORD.sub(" ", normalised).strip().encode("utf-8")).hexdigest()


def dedup_keys(title: str, text: str, content_sha256: str, phashes: list[str]) -> list[str]:
    """The lookup keys of a finding (see module docstring)."""
    keys = [f"h:{content_sha256[:24]}"]
    body = normalise(text)
    hashes = shingle_hashes(body) if body else np.empty(0, dtype=np.uint64)
    keys += band_keys(minhash(hashes))
    keys.append(f"n:{len(hashes)}")
    head = normalise(title).strip()
    if head and not body.startswith(head):
        title_sig = signature(normalise(title), TITLE_PERM)
        keys += band_keys(title_sig, prefix="T", rows=ROWS)
        keys += band_keys(title_sig, prefix="t", rows=1)
    for phash in phashes:
        if len(phash) == 16:
            keys += [f"p{i}:{phash[4 * i : 4 * i + 4]}" for i in range(4)]
    return keys


def _phashes(keys: list[str] | tuple[str, ...]) -> list[int]:
    quarters = [k for k in keys if k[0] == "p"]
    return [int("".join(q[3:] for q in quarters[i : i + 4]), 16) for i in range(0, len(quarters), 4)]


def _size(keys: list[str] | tuple[str, ...]) -> int:
    return next((int(k[2:]) for k in keys if k[0] == "n"), 0)


def _containment(jaccard: float, keys: list[str] | tuple[str, ...], other: list[str] | tuple[str, ...]) -> float:
    """Share of the smaller body's shingles found in the larger one, from Jaccard and both sizes; 0 if unknown."""
    small, large = sorted((_size(keys), _size(other)))
    if not small or small < CONTAINED_SIZE * large:
        return 0.0
    return min(1.0, jaccard * (small + large) / ((1 + jaccard) * small))


def is_duplicate(
    keys: list[str] | tuple[str, ...], other: tuple[str, ...] | list[str], mine: set[str] | None = None
) -> bool:
    """True when ``other``'s keys show the same ad (see module docstring for the thresholds)."""
    if keys[0] == other[0]:
        return True  # same content hash
    mine = mine if mine is not None else set(keys)
    shared = Counter(k[0] for k in other if k in mine)
    body = (shared["b"] / BANDS) ** (1.0 / ROWS)
    if body >= SAME_AD or _containment(body, keys, other) >= SAME_AD_CONTAINED:
        return True
    if body >= SAME_TEMPLATE_BODY and shared["t"] / TITLE_PERM >= SAME_TITLE:
        return True
    if body >= SAME_IMAGE_BODY:
        return any(bin(a ^ b).count("1") <= SAME_IMAGE_BITS for a in _phashes(keys) for b in _phashes(other))
    return False


def assign_cluster(store: CandidateStore, posting_id: str, first_seen: str, keys: list[str]) -> tuple[str, str | None]:
    """(cluster_id, duplicate_of) for a finding; records it in ``store``."""
    mine = set(keys)
    matches = [c for c in store.candidates(keys) if c.posting_id != posting_id and is_duplicate(keys, c.keys, mine)]
    if matches:
        founder = min(matches, key=lambda c: (c.first_seen, c.posting_id))
        cluster_id = founder.cluster_id
        # Enriched again, a cluster's first member meets its own reposts: it stays their founder.
        duplicate_of = cluster_id if cluster_id != posting_id else None
    else:
        cluster_id, duplicate_of = posting_id, None
    store.add(Candidate(posting_id, cluster_id, first_seen, tuple(keys)))
    return cluster_id, duplicate_of


class Originals:
    """The earliest-posted member of each cluster (``posted_at``, else ``first_seen``; a tie goes to the one seen first)."""

    def __init__(self) -> None:
        self._first: dict[str, tuple[str, int, str]] = {}
        self._seen = 0

    def see(self, cluster_id: str, posting_id: str, posted: str, duplicate_of: str | None) -> None:
        """Note a member; ``duplicate_of`` (what ``assign_cluster`` said) speaks for a founder of an earlier run."""
        self._seen += 1
        if cluster_id not in self._first and duplicate_of is not None:
            self._first[cluster_id] = ("", 0, duplicate_of)  # founded in an earlier run: its original stays
        mine = (posted, self._seen, posting_id)
        if cluster_id not in self._first or mine < self._first[cluster_id]:
            self._first[cluster_id] = mine

    def duplicate_of(self, cluster_id: str, posting_id: str) -> str | None:
        """The original this member repeats, or None when it is the original."""
        original = self._first.get(cluster_id, ("", 0, cluster_id))[2]
        return None if original == posting_id else original
