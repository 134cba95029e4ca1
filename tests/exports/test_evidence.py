"""The evidence bundle of the crawled demo run: a WACZ that py-wacz validates, whose records are the run's own."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from lurewatch import runner
from lurewatch.evidence import iter_members, parse_record, read_record_at
from lurewatch.exports.run import ExportRequest, run_export
from lurewatch.exports.verify import validate_wacz, verify_export
from lurewatch.index.base import open_index
from lurewatch.index.query import Query
from lurewatch.records import Finding, read_jsonl
from lurewatch.settings import Settings


def test_the_wacz_validates_and_its_records_match_the_runs_warc(demo_run: str, settings: Settings,
                                                                tmp_path: Path) -> None:  # fmt: skip
    runner.enrich(demo_run, settings=settings)
    runner.index(demo_run, settings=settings)
    run_dir = settings.runs_dir / demo_run
    findings = {f.posting_id: f for f in read_jsonl(run_dir / "findings.jsonl", Finding)}
    out = tmp_path / "case"
    store = open_index(settings)
    try:
        report = run_export(settings, ExportRequest(Query("*", risk_min=40), "jsonl", out, evidence=True), store)
    finally:
        store.close()
    assert report.rows > 0 and report.evidence_missing == 0 and report.evidence_records >= report.rows
    assert validate_wacz(out / "evidence.wacz") == []
    check = verify_export(out)
    assert check.ok, check.problems

    with zipfile.ZipFile(out / "evidence.wacz") as wacz:
        names = set(wacz.namelist())
        assert {"datapackage.json", "indexes/index.cdx.gz", "archive/evidence.warc.gz"} <= names
        assert wacz.getinfo("archive/evidence.warc.gz").compress_type == zipfile.ZIP_STORED
        bundled = wacz.read("archive/evidence.warc.gz")
    records = [parse_record(offset, raw) for offset, raw, error in iter_members(bundled) if raw is not None]
    responses = {r.headers["warc-record-id"]: r for r in records if r.rec_type == "response"}
    exported = [json.loads(line)["posting_id"] for line in (out / "findings.jsonl").read_text().splitlines()]
    for posting_id in exported:
        finding = findings[posting_id]
        original = read_record_at(run_dir / finding.evidence.warc_file, finding.evidence.warc_offset or 0)
        copy = responses[original.headers["warc-record-id"]]
        assert copy.headers["warc-block-digest"] == original.headers["warc-block-digest"]
        assert copy.headers["warc-payload-digest"] == original.headers["warc-payload-digest"]
        assert copy.headers["warc-payload-digest"] == f"sha256:{finding.evidence.sha256}"
        assert copy.block == original.block
    requests = [r for r in records if r.rec_type == "request"]
    assert {r.headers["warc-concurrent-to"] for r in requests} <= set(responses)

    tampered = tmp_path / "tampered"
    shutil.copytree(out, tampered)
    data = bytearray((tampered / "evidence.wacz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tampered / "evidence.wacz").write_bytes(bytes(data))
    check = verify_export(tampered)
    assert not check.ok and any("evidence.wacz" in p for p in check.problems)
