"""The enrichment chain: ``postings.jsonl`` in, ``findings.jsonl`` out, streamed, on one or more cores.

normalize → extract → geolocate → score run per posting, in worker processes when ``workers`` > 1
(chunks of lines, results in input order). Dedup runs in the parent, in input order, because it
needs every earlier finding: it asks a ``CandidateStore`` (in memory by default; the index's when
given) and fills ``cluster_id`` / ``duplicate_of``.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from lurewatch.enrichment.contacts import extract_contacts
from lurewatch.enrichment.dates import MAX_RAW, parse_posted
from lurewatch.enrichment.dedup import (
    CandidateStore,
    MemoryCandidateStore,
    Originals,
    assign_cluster,
    content_sha256,
    dedup_keys,
)
from lurewatch.enrichment.geolocate import geolocate
from lurewatch.enrichment.links import registered_domain
from lurewatch.enrichment.normalize import clean_text, detect_language, html_to_text
from lurewatch.enrichment.salary import extract_salary
from lurewatch.enrichment.score import score
from lurewatch.enrichment.wallets import extract_wallets
from lurewatch.records import Finding, Posting, from_json, to_json
from lurewatch.run_folder import RejectFile
from lurewatch.segment import segment

logger = logging.getLogger(__name__)

CHUNK = 64  # postings per task sent to a worker
# Below this (about 1,000 postings), starting worker processes — each loads the language models and the
# gazetteer, seconds of work — costs more than it saves.
PARALLEL_FROM_BYTES = 4 * 1024 * 1024
# Stand-ins the parent replaces once dedup has decided (saves re-serialising every finding).
_CLUSTER_SLOT = '"cluster_id":"\\u0000","duplicate_of":"\\u0000"'
# The messenger each source kind posts on: its bare @handles are that messenger's (channel = Telegram previews).
PLATFORMS = {"channel": "telegram"}
STEPS = ("normalize", "extract", "geolocate", "score", "dedup_keys")


@dataclass
class EnrichReport:
    postings: int = 0
    findings: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    clusters: int = 0
    duplicates: int = 0
    step_seconds: dict[str, float] = field(default_factory=dict)  # CPU seconds, summed over processes


def geolocate_finding(finding: Finding, body: str) -> None:
    """Set ``locations``, ``geo``, ``country`` and ``compound`` from the text, phones, domains and photo GPS."""
    exif = [(i.exif_gps[0], i.exif_gps[1]) for i in finding.images if i.exif_gps and len(i.exif_gps) >= 2]
    result = geolocate(body, finding.language, finding.contacts.phones, finding.contacts.domains, exif)
    finding.locations = result.locations
    finding.geo = result.geo
    finding.country = result.country
    finding.compound = result.compound


def enrich_posting(posting: Posting, timings: dict[str, float] | None = None) -> Finding:
    """One Finding from one Posting (everything but dedup's cluster assignment)."""
    clock = _Clock(timings)
    text = clean_text(posting.text) if posting.text else html_to_text(posting.html)
    title = clean_text(posting.title)
    body = text if text.startswith(title) else f"{title}\n{text}" if title else text
    language = posting.language_hint or detect_language(body)
    clock.lap("normalize")
    source_tld = registered_domain(posting.url).rsplit(".", 1)[-1] if posting.url else ""
    finding = Finding(
        posting_id=posting.posting_id, source=posting.source, source_kind=posting.source_kind, url=posting.url,
        canonical_url=posting.canonical_url, fetched_at=posting.fetched_at, run_id=posting.run_id,
        posted_at=parse_posted(posting.posted_at, posting.fetched_at, language, source_tld),
        posted_at_raw=" ".join(posting.posted_at.split())[:MAX_RAW] if posting.posted_at else None, first_seen=posting.first_seen or posting.fetched_at,
        last_seen=posting.last_seen or posting.fetched_at, seen_count=posting.seen_count, title=title, text=text,
        text_segmented=segment(body), language=language, author=posting.author,
        contacts=extract_contacts(body, language, source_tld, " ".join(posting.fields.values())[:500],
                                  PLATFORMS.get(posting.source_kind, "")),
        wallets=extract_wallets(body),
        salary=extract_salary(body), content_sha256=content_sha256(title, text), images=posting.images,
        evidence=posting.evidence,
    )  # fmt: skip
    clock.lap("extract")
    geolocate_finding(finding, body)
    clock.lap("geolocate")
    score(finding, body)
    clock.lap("score")
    finding.minhash_bands = dedup_keys(title, text, finding.content_sha256, [i.phash for i in posting.images])
    finding.cluster_id = finding.posting_id
    clock.lap("dedup_keys")
    return finding


class _Clock:
    """CPU seconds per step: on a shared machine, wall time would count other processes' turns."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings, self.last = timings, time.process_time()

    def lap(self, step: str) -> None:
        if self.timings is not None:
            now = time.process_time()
            self.timings[step] = self.timings.get(step, 0.0) + now - self.last
            self.last = now


def _enrich_lines(lines: list[tuple[int, str]]) -> tuple[list[tuple[Any, ...]], dict[str, float]]:
    """Worker task: enrich a chunk of raw lines; each result is ("ok", ...) or ("bad", ...)."""
    timings: dict[str, float] = {}
    out: list[tuple[Any, ...]] = []
    for number, line in lines:
        try:
            posting = from_json(Posting, line)
        except msgspec.DecodeError as exc:
            out.append(("bad", number, "invalid_json", str(exc), line.rstrip("\n")))
            continue
        except msgspec.ValidationError as exc:
            out.append(("bad", number, "invalid_posting", str(exc), line.rstrip("\n")))
            continue
        try:
            finding = enrich_posting(posting, timings)
        except Exception as exc:  # noqa: BLE001 - one bad posting must not stop the run
            out.append(("bad", number, type(exc).__name__, str(exc), line.rstrip("\n")))
            continue
        finding.cluster_id, finding.duplicate_of = "\0", "\0"
        keys = finding.minhash_bands
        line_out = to_json(finding)
        posted = finding.posted_at or finding.first_seen or ""
        out.append(("ok", number, finding.posting_id, finding.first_seen or "", posted, keys, line_out))
    return out, timings


def _chunks(src: Any, report: EnrichReport) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for number, line in enumerate(src, 1):
        if not line.strip():
            continue
        report.postings += 1
        chunk.append((number, line))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def enrich_file(
    postings: Path,
    findings: Path,
    rejects: Path,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
    store: CandidateStore | None = None,
    min_parallel_bytes: int = PARALLEL_FROM_BYTES,
) -> EnrichReport:
    """Enrich every line of ``postings``; a line that cannot be read or enriched is kept aside in ``rejects``.

    ``workers`` > 1 runs the per-posting steps in that many processes, once the file is big enough
    (``min_parallel_bytes``) to repay starting them.
    """
    if postings.exists() and postings.stat().st_size < min_parallel_bytes:
        workers = 1
    report = EnrichReport(step_seconds=dict.fromkeys([*STEPS, "dedup"], 0.0))
    store = store if store is not None else MemoryCandidateStore()
    tmp = findings.with_suffix(".tmp")
    settle = _Settle()
    pool = multiprocessing.get_context("spawn").Pool(workers) if workers > 1 else None
    done = False
    try:
        with (
            postings.open(encoding="utf-8", errors="replace") as src,
            tmp.open("w", encoding="utf-8") as out,
            RejectFile(rejects, "enrich", truncate=True) as bad,
        ):
            chunks = _chunks(src, report)
            results = _bounded_imap(pool, chunks, 4 * workers) if pool else map(_enrich_lines, chunks)
            for rows, timings in results:
                for step, seconds in timings.items():
                    report.step_seconds[step] += seconds
                started = time.process_time()
                for row in rows:
                    if row[0] == "bad":
                        _reject(bad, report, *row[1:])
                    else:
                        _write(out, store, settle, report, *row[2:])
                report.step_seconds["dedup"] += time.process_time() - started
                if progress:
                    progress(report.findings + sum(report.rejected.values()))
            out.flush()
            os.fsync(out.fileno())  # whole on disk before it takes the name the index step reads
        done = True
    finally:
        if pool:
            pool.close()
            pool.join()
        if not done:  # a full disk or a crash part way: no half file is left, under either name
            tmp.unlink(missing_ok=True)
    started = time.process_time()
    _settle(tmp, settle, report)
    report.step_seconds["dedup"] += time.process_time() - started
    tmp.replace(findings)
    return report


def _bounded_imap(pool: Any, chunks: Iterator[list[tuple[int, str]]], in_flight: int) -> Iterator[Any]:
    """Results of ``_enrich_lines`` in input order, with at most ``in_flight`` chunks queued.

    ``Pool.imap`` reads its whole input ahead of a slower consumer; bounding the queue keeps memory flat.
    """
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(pool.apply_async(_enrich_lines, (chunk,)))
        if len(pending) >= in_flight:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _write(
    out: Any,
    store: CandidateStore,
    settle: _Settle,
    report: EnrichReport,
    posting_id: str,
    first_seen: str,
    posted: str,
    keys: list[str],
    line: str,
) -> None:
    cluster_id, duplicate_of = assign_cluster(store, posting_id, first_seen, keys)
    settle.originals.see(cluster_id, posting_id, posted, duplicate_of)
    settle.members.append((posting_id, cluster_id))
    out.write(line + "\n")  # the cluster slot is filled in once the run's originals are known
    report.findings += 1


@dataclass
class _Settle:
    """What the second pass needs: each written finding's cluster, in file order, and each cluster's original."""

    originals: Originals = field(default_factory=Originals)
    members: list[tuple[str, str]] = field(default_factory=list)


def _settle(tmp: Path, settle: _Settle, report: EnrichReport) -> None:
    """Fill every finding's cluster slot: ``duplicate_of`` names its cluster's earliest-posted member.

    A second pass over the output (sequential I/O, string replacement, no JSON parsing): a board listing
    newest first shows reposts before their original, so the original is known only at the end.
    """
    settled = tmp.with_suffix(".settled")
    members = iter(settle.members)
    try:
        with tmp.open(encoding="utf-8") as src, settled.open("w", encoding="utf-8") as out:
            for line in src:
                posting_id, cluster_id = next(members)
                duplicate_of = settle.originals.duplicate_of(cluster_id, posting_id)
                report.clusters += duplicate_of is None
                report.duplicates += duplicate_of is not None
                slot = f'"cluster_id":{json.dumps(cluster_id)},"duplicate_of":{json.dumps(duplicate_of)}'
                out.write(line.replace(_CLUSTER_SLOT, slot, 1))
            out.flush()
            os.fsync(out.fileno())  # whole on disk before it takes the name the index step reads
    except BaseException:
        settled.unlink(missing_ok=True)  # as enrich_file does: no half file under either name
        tmp.unlink(missing_ok=True)
        raise
    settled.replace(tmp)


def _reject(bad: RejectFile, report: EnrichReport, number: int, kind: str, error: str, raw: str) -> None:
    report.rejected[kind] = report.rejected.get(kind, 0) + 1
    logger.warning("enrich rejected line=%d kind=%s error=%s", number, kind, error)
    bad.add(kind, error, line=number, raw=raw)
