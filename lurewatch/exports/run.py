"""One export: stream a query's findings into a format, add the evidence bundle, describe it all in
``datapackage.json``, validate, and move the finished folder into place.

The files are written into a hidden staging folder next to ``OUT_DIR`` and renamed into place at the end, so
``OUT_DIR`` holds a whole, valid export or nothing new; an existing export is replaced only when asked.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lurewatch import __version__
from lurewatch.errors import ExportError
from lurewatch.exports.datapackage import FILE as PACKAGE_FILE
from lurewatch.exports.datapackage import package_descriptor, validate_package
from lurewatch.exports.redact import Redactor, load_key
from lurewatch.exports.stream import count, stream_findings
from lurewatch.exports.writers import FORMATS, Resource, open_writer
from lurewatch.index.query import CONTACT_FIELDS, Query
from lurewatch.records import SCHEMA_VERSION

if TYPE_CHECKING:
    from lurewatch.index.base import Index
    from lurewatch.settings import Settings

EXPORT_VERSION = 1
POINTERS_FILE = ".evidence-pointers.jsonl"
REDACTED_FILTERS = (*CONTACT_FIELDS, "wallet")
Progress = Callable[[int, int], None]  # (findings written, findings expected)


@dataclass
class ExportRequest:
    """What to export, and how."""

    query: Query
    format: str
    out_dir: Path
    redact: bool = False
    evidence: bool = False
    overwrite: bool = False


@dataclass
class ExportReport:
    out_dir: Path
    format: str
    expected: int  # what the query matched when the export started
    rows: int  # findings written
    files: list[str] = field(default_factory=list)
    evidence_records: int = 0
    evidence_missing: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        extra = f", {self.evidence_records} evidence records" if self.evidence_records else ""
        missing = f" ({self.evidence_missing} findings without a readable capture)" if self.evidence_missing else ""
        return (f"exported {self.rows} of {self.expected} findings as {self.format} to {self.out_dir} "
                f"({', '.join(self.files)}){extra}{missing} in {self.seconds:.1f} s")  # fmt: skip


def check_request(request: ExportRequest) -> None:
    """Refuse what cannot be done, before anything is written."""
    if request.format not in FORMATS:
        raise ExportError(f"unknown format {request.format!r}; formats: {', '.join(FORMATS)}")
    if request.redact and request.evidence:
        raise ExportError(
            "an evidence bundle holds the captures as they were fetched and is never redacted",
            hint="export the evidence without --redact (it needs the exporter role), or drop --evidence",
        )
    out = request.out_dir
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a folder", hint="choose another OUT_DIR")
    if out.is_dir() and any(out.iterdir()) and not request.overwrite:
        raise ExportError(f"{out} is not empty; an export never overwrites files unless asked",
                          hint="choose another OUT_DIR, or pass --overwrite to replace it")  # fmt: skip


def run_export(settings: Settings, request: ExportRequest, store: Index | None = None,
               progress: Progress | None = None) -> ExportReport:  # fmt: skip
    """Write the export of ``request`` and return what it holds."""
    check_request(request)
    started = time.monotonic()
    out = request.out_dir.absolute()
    staging = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    own_store = store is None
    closers: list[Callable[[], None]] = []
    if store is None:
        from lurewatch.index.base import open_index

        store = open_index(settings)
    try:
        redactor = Redactor(load_key(settings)) if request.redact else None
        expected = count(store, request.query)
        report = ExportReport(out, request.format, expected, 0)
        writer = open_writer(request.format, staging)
        if request.format == "graph":  # the graph names each finding's network
            from lurewatch.exports.graph import GraphWriter, network_lookup

            assert isinstance(writer, GraphWriter)
            writer.networks, close_networks = network_lookup(settings)
            closers.append(close_networks)
        pointers = (staging / POINTERS_FILE).open("w", encoding="utf-8") if request.evidence else None
        if progress:
            progress(0, expected)
        for finding in stream_findings(store, request.query):
            if pointers is not None:
                pointers.write(json.dumps({"posting_id": finding.posting_id, "url": finding.url,
                                           "run_id": finding.run_id, "title": finding.title,
                                           "fetched_at": finding.fetched_at,
                                           "evidence": asdict(finding.evidence)}) + "\n")  # fmt: skip
            writer.write(redactor.finding(finding) if redactor else finding)
            report.rows += 1
            if progress and report.rows % 500 == 0:
                progress(report.rows, expected)
        if progress:
            progress(report.rows, expected)
        resources = writer.close()
        if pointers is not None:
            pointers.close()
            resources.append(_evidence_bundle(settings, staging, report))
            (staging / POINTERS_FILE).unlink()
        descriptor = package_descriptor(staging, resources, _meta(settings, request, report, redactor, store))
        (staging / PACKAGE_FILE).write_text(json.dumps(descriptor, indent=1, ensure_ascii=False) + "\n",
                                            encoding="utf-8")  # fmt: skip
        # The descriptor is validated here; every row against its schema in `lurewatch export verify`
        # (the rows were written from that schema; reading 200,000 back would double the export's time).
        validation = validate_package(staging, data=False)
        if not validation.ok:
            raise ExportError("the export does not validate: " + "; ".join(validation.errors[:5]),
                              hint="this is a bug; please report it with the command that made it")  # fmt: skip
        report.files = [r.path for r in resources] + [PACKAGE_FILE]
        _move_into_place(staging, out)
        report.seconds = time.monotonic() - started
        return report
    finally:
        for close in closers:
            close()
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        if own_store:
            store.close()


def _evidence_bundle(settings: Settings, staging: Path, report: ExportReport) -> Resource:
    from lurewatch.exports.wacz import write_wacz

    bundle = write_wacz(settings.data_dir, staging / POINTERS_FILE, staging)
    report.evidence_records = bundle.records
    report.evidence_missing = len(bundle.missing)
    return bundle.resource


def _move_into_place(staging: Path, out: Path) -> None:
    """Rename the finished folder to ``out``; an existing ``out`` (asked to be replaced) goes only after."""
    previous = None
    if out.exists():
        previous = out.parent / f".{out.name}.previous-{uuid.uuid4().hex[:8]}"
        out.rename(previous)
    staging.rename(out)
    if previous is not None:
        shutil.rmtree(previous)


def _meta(settings: Settings, request: ExportRequest, report: ExportReport, redactor: Redactor | None,
          store: Index) -> dict[str, Any]:  # fmt: skip
    created = datetime.now(UTC).isoformat(timespec="seconds")
    query = _query_record(request.query, redactor)
    return {
        "name": f"lurewatch-export-{created[:19].replace(':', '').replace('-', '').lower()}",
        "title": f"LureWatch findings: {query['text']}",
        "description": "Findings of deceptive recruitment for scam compounds, as LureWatch indexed them "
        + ("(contacts replaced by keyed pseudonyms)." if redactor else "(contacts in clear)."),
        "created": created,
        "version": f"{EXPORT_VERSION}.0.0",
        "licenses": [
            {
                "name": settings.export_license,
                "path": f"https://spdx.org/licenses/{settings.export_license}",
                "title": settings.export_license,
            }
        ],  # fmt: skip
        "citation": f"{settings.export_citation}. Created {created}. Query: {query['text']}.",
        "contributors": [{"title": "LureWatch", "roles": ["creator"]}],
        "keywords": ["human trafficking", "scam compounds", "deceptive recruitment", "OSINT"],
        "lurewatch": {
            "query": query,
            "format": request.format,
            "redacted": request.redact,
            "pseudonym_key_id": redactor.pseudonym("key", "id") if redactor else None,
            "evidence": request.evidence,
            "created": created,
            "code_version": __version__,
            "export_version": EXPORT_VERSION,
            "schema_version": SCHEMA_VERSION,
            "index_backend": store.backend,
            "counts": {
                "query_total": report.expected,
                "findings": report.rows,
                "evidence_records": report.evidence_records,
                "evidence_missing": report.evidence_missing,
            },  # fmt: skip
        },
    }


def _query_record(query: Query, redactor: Redactor | None) -> dict[str, Any]:
    """The query as the package records it; in a redacted export, contact values in it are pseudonyms too."""
    filters = dict(query.filters)
    text = query.text
    if redactor is not None:
        kinds = {"phone": "phone", "whatsapp": "phone", "signal": "phone", "email": "email", "wallet": "wallet"}
        filters = {name: [redactor.pseudonym(kinds.get(name, "handle"), v) for v in values]
                   if name in REDACTED_FILTERS else values for name, values in filters.items()}  # fmt: skip
        text = redactor.scrub(text, {})
    record = {"text": text, "filters": filters, "sort": query.sort}
    for name in ("risk_min", "risk_max", "date_from", "date_to", "has_contact", "bbox", "near"):
        value = getattr(query, name)
        if value is not None:
            record[name] = list(value) if isinstance(value, tuple) else value
    return record
