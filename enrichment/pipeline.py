"""The enrichment chain: ``postings.jsonl`` in, ``findings.jsonl`` out, one posting at a time."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from enrichment.contacts import extract_contacts
from enrichment.dedup import content_sha256
from enrichment.normalize import detect_language, html_to_text
from lurewatch.records import Finding, Posting, from_dict, to_json

logger = logging.getLogger(__name__)


@dataclass
class EnrichReport:
    postings: int = 0
    findings: int = 0
    rejected: dict[str, int] = field(default_factory=dict)


def enrich_posting(posting: Posting) -> Finding:
    """One Finding from one Posting."""
    text = posting.text or html_to_text(posting.html)
    title = posting.title.strip()
    body = text if text.startswith(title) else f"{title}\n{text}" if title else text
    language = posting.language_hint or detect_language(body)
    digest = content_sha256(title, text)
    return Finding(
        posting_id=posting.posting_id,
        source=posting.source,
        source_kind=posting.source_kind,
        url=posting.url,
        canonical_url=posting.canonical_url,
        fetched_at=posting.fetched_at,
        run_id=posting.run_id,
        posted_at=posting.posted_at,
        first_seen=posting.first_seen or posting.fetched_at,
        last_seen=posting.last_seen or posting.fetched_at,
        seen_count=posting.seen_count,
        title=title,
        text=text,
        language=language,
        author=posting.author,
        contacts=extract_contacts(body, language),
        content_sha256=digest,
        cluster_id=digest[:16],
        images=posting.images,
        evidence=posting.evidence,
    )


def enrich_file(
    postings: Path, findings: Path, rejects: Path, progress: Callable[[int], None] | None = None
) -> EnrichReport:
    """Enrich every line of ``postings``; a line that cannot be read or enriched is kept aside in ``rejects``."""
    report = EnrichReport()
    tmp = findings.with_suffix(".tmp")
    with (
        postings.open(encoding="utf-8", errors="replace") as src,
        tmp.open("w", encoding="utf-8") as out,
        rejects.open("w", encoding="utf-8") as bad,
    ):
        for number, line in enumerate(src, 1):
            if not line.strip():
                continue
            report.postings += 1
            try:
                posting = from_dict(Posting, json.loads(line))
                finding = enrich_posting(posting)
            except Exception as exc:  # noqa: BLE001 - one bad posting must not stop the run
                kind = type(exc).__name__
                report.rejected[kind] = report.rejected.get(kind, 0) + 1
                logger.warning("enrich rejected line=%d kind=%s error=%s", number, kind, exc)
                bad.write(
                    json.dumps({"line": number, "kind": kind, "error": str(exc), "raw": line.rstrip("\n")}) + "\n"
                )
                continue
            out.write(to_json(finding) + "\n")
            report.findings += 1
            if progress:
                progress(report.postings)
    tmp.replace(findings)
    return report
