"""Evidence of a real crawl: well-formed WARC records, random access by offset, and `evidence verify`."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from lurewatch import runner
from lurewatch.crawlers.evidence import write_manifest
from lurewatch.evidence import iter_members, read_record_at
from lurewatch.records import Posting, read_jsonl
from lurewatch.settings import Settings
from tests.support.sites.hostile import serve_board, write_source

ADS = {f"ad{i}": f"Casino customer service, high salary, ad {i}" for i in range(6)}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evidence")
    settings = Settings(data_dir=root / "data", sources_dir=root / "sources")
    settings.sources_dir.mkdir()
    write_source(settings.sources_dir)
    with serve_board(dict(ADS)) as site:
        return runner.crawl("fixture", run_id="evidence", base_url=site.base_url, settings=settings).path


@pytest.fixture
def run_dir(crawled: Path, settings: Settings) -> Path:
    """A private copy of the crawled run under this test's data folder."""
    target = settings.runs_dir / crawled.name
    shutil.copytree(crawled, target)
    return target


def lurewatch(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LUREWATCH_DATA_DIR": str(settings.data_dir), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "lurewatch", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _members(warc: Path) -> list[tuple[int, bytes]]:
    return [(offset, raw) for offset, raw, _ in iter_members(warc.read_bytes()) if raw is not None]


def _rewrite_member(warc: Path, offset: int, new_member: bytes) -> None:
    data = warc.read_bytes()
    members = [o for o, _ in _members(warc)] + [len(data)]
    end = members[members.index(offset) + 1]
    warc.write_bytes(data[:offset] + new_member + data[end:])


def test_records_are_standard_and_linked(crawled: Path) -> None:
    with (crawled / "evidence.warc.gz").open("rb") as fh:
        records = list(ArchiveIterator(fh, check_digests=True))  # warcio raises on a bad digest
    ids = {}
    for record in records:
        ids[record.rec_headers.get_header("WARC-Record-ID")] = record.rec_type
        assert record.digest_checker.passed is not False
    requests = [r for r in records if r.rec_type == "request"]
    responses = [r for r in records if r.rec_type == "response"]
    assert len(requests) == len(responses) >= len(ADS) + 2
    for request in requests:
        assert ids[request.rec_headers.get_header("WARC-Concurrent-To")] == "response"
    assert all(r.rec_headers.get_header("WARC-Payload-Digest").startswith("sha256:") for r in responses)


def test_posting_offset_reads_its_record_directly(crawled: Path) -> None:
    postings = list(read_jsonl(crawled / "postings.jsonl", Posting))
    assert len(postings) == len(ADS)
    for posting in postings:
        assert posting.evidence.warc_file == "evidence.warc.gz"
        record = read_record_at(crawled / "evidence.warc.gz", posting.evidence.warc_offset or 0)
        assert record.rec_type == "response" and record.url == posting.url
        assert hashlib.sha256(record.payload()).hexdigest() == posting.evidence.sha256
        with (crawled / "evidence.warc.gz").open("rb") as fh:  # and so can any WARC reader
            fh.seek(posting.evidence.warc_offset or 0)
            assert next(iter(ArchiveIterator(fh))).rec_headers.get_header("WARC-Target-URI") == posting.url


def test_verify_passes_on_a_fresh_run(run_dir: Path, settings: Settings) -> None:
    report = runner.verify_evidence(run_dir.name, settings=settings)
    assert report.ok and report.records == len(_members(run_dir / "evidence.warc.gz")) and report.postings == len(ADS)
    result = lurewatch(settings, "evidence", "verify", run_dir.name)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stderr and "MISMATCH" not in result.stdout


def test_one_flipped_payload_byte_is_reported(run_dir: Path, settings: Settings) -> None:
    warc = run_dir / "evidence.warc.gz"
    # The last posting in the file: re-compressing a member changes its length, and so every later offset.
    posting = max(read_jsonl(run_dir / "postings.jsonl", Posting), key=lambda p: p.evidence.warc_offset or 0)
    offset = posting.evidence.warc_offset or 0
    raw = dict(_members(warc))[offset]
    at = raw.index(b"Casino")  # inside the payload
    tampered = raw[:at] + b"K" + raw[at + 1 :]
    _rewrite_member(warc, offset, gzip.compress(tampered))
    result = lurewatch(settings, "evidence", "verify", run_dir.name)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert all(line.startswith(f"MISMATCH evidence.warc.gz@{offset} {posting.url}") for line in lines), lines
    assert len(lines) == 3  # block digest, payload digest, the posting's own sha256
    assert "3 mismatch(es)" in result.stderr
    by_posting = lurewatch(settings, "evidence", "verify", posting.posting_id)
    assert by_posting.returncode == 1 and f"@{offset}" in by_posting.stdout


def test_corrupt_gzip_member_is_reported_and_the_rest_still_checked(run_dir: Path, settings: Settings) -> None:
    warc = run_dir / "evidence.warc.gz"
    members = _members(warc)
    offset = members[4][0]
    data = bytearray(warc.read_bytes())
    data[offset + 20] ^= 0xFF  # inside the deflate stream of one member
    warc.write_bytes(bytes(data))
    report = runner.verify_evidence(run_dir.name, settings=settings)
    assert not report.ok
    assert any(m.where == f"evidence.warc.gz@{offset}" for m in report.mismatches)
    assert report.records >= len(members) - 2  # the scan went on after the bad member
    result = lurewatch(settings, "evidence", "verify", run_dir.name)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_changed_screenshot_is_reported(run_dir: Path, settings: Settings) -> None:
    shots = run_dir / "screenshots"
    shots.mkdir()
    (shots / "ad1.png").write_bytes(b"\x89PNG fake screenshot bytes")
    (run_dir / "rendered").mkdir()
    (run_dir / "rendered" / "ad1.html").write_text("<html>rendered</html>")
    write_manifest(run_dir)
    assert runner.verify_evidence(run_dir.name, settings=settings).files == 2
    (shots / "ad1.png").write_bytes(b"\x89PNG fake screenshot bytez")
    (run_dir / "rendered" / "ad1.html").unlink()
    report = runner.verify_evidence(run_dir.name, settings=settings)
    assert sorted(m.where for m in report.mismatches) == ["rendered/ad1.html", "screenshots/ad1.png"]


def test_unknown_run_or_posting_is_one_line(settings: Settings) -> None:
    result = lurewatch(settings, "evidence", "verify", "nothing-like-this")
    assert result.returncode == 2 and "no run and no posting" in result.stderr


def _posting_member(run_dir: Path) -> tuple[Posting, int, bytes]:
    """The last posting in the WARC (rewriting its member shifts no other posting's offset) and its record."""
    posting = max(read_jsonl(run_dir / "postings.jsonl", Posting), key=lambda p: p.evidence.warc_offset or 0)
    offset = posting.evidence.warc_offset or 0
    return posting, offset, dict(_members(run_dir / "evidence.warc.gz"))[offset]


def _without_headers(raw: bytes, *names: bytes) -> bytes:
    head, _, rest = raw.partition(b"\r\n\r\n")
    kept = [line for line in head.split(b"\r\n") if not line.lower().startswith(tuple(n.lower() for n in names))]
    return b"\r\n".join(kept) + b"\r\n\r\n" + rest


def test_tampered_record_with_its_digest_headers_deleted_is_a_mismatch(run_dir: Path, settings: Settings) -> None:
    posting, offset, raw = _posting_member(run_dir)
    at = raw.index(b"Casino")
    tampered = _without_headers(raw[:at] + b"K" + raw[at + 1 :], b"WARC-Block-Digest:", b"WARC-Payload-Digest:")
    _rewrite_member(run_dir / "evidence.warc.gz", offset, gzip.compress(tampered))
    report = runner.verify_evidence(run_dir.name, settings=settings)
    problems = [m.problem for m in report.mismatches if m.where == f"evidence.warc.gz@{offset}"]
    assert any("no warc-block-digest" in p for p in problems) and any("no warc-payload-digest" in p for p in problems)
    by_posting = runner.verify_evidence(posting.posting_id, settings=settings)
    assert not by_posting.ok


def test_untouched_record_without_digest_headers_is_still_a_mismatch(run_dir: Path, settings: Settings) -> None:
    posting, offset, raw = _posting_member(run_dir)
    stripped = _without_headers(raw, b"WARC-Block-Digest:")
    _rewrite_member(run_dir / "evidence.warc.gz", offset, gzip.compress(stripped))
    report = runner.verify_evidence(run_dir.name, settings=settings)
    assert [m.problem for m in report.mismatches] == ["no warc-block-digest: the record cannot be verified"]
    result = lurewatch(settings, "evidence", "verify", posting.posting_id)
    assert result.returncode == 1 and "no warc-block-digest" in result.stdout


@pytest.mark.parametrize("algorithm", [b"foo256", b"sha257", b"md5x"])
def test_unknown_digest_algorithm_is_a_mismatch(run_dir: Path, settings: Settings, algorithm: bytes) -> None:
    posting, offset, raw = _posting_member(run_dir)
    head, sep, rest = raw.partition(b"\r\n\r\n")
    relabelled = head.replace(b"Digest: sha256:", b"Digest: " + algorithm + b":") + sep + rest
    _rewrite_member(run_dir / "evidence.warc.gz", offset, gzip.compress(relabelled))
    report = runner.verify_evidence(posting.posting_id, settings=settings)
    assert not report.ok
    assert sum("unknown hash algorithm" in m.problem for m in report.mismatches) == 2  # block and payload


def test_posting_without_a_payload_digest_on_its_response_is_a_mismatch(run_dir: Path, settings: Settings) -> None:
    posting, offset, raw = _posting_member(run_dir)
    _rewrite_member(run_dir / "evidence.warc.gz", offset, gzip.compress(_without_headers(raw, b"WARC-Payload-Digest:")))
    report = runner.verify_evidence(posting.posting_id, settings=settings)
    assert [m.problem for m in report.mismatches] == ["no warc-payload-digest: the record cannot be verified"]


def test_record_with_a_malformed_digest_value_is_a_mismatch_not_a_crash(run_dir: Path, settings: Settings) -> None:
    posting, offset, raw = _posting_member(run_dir)
    head, sep, rest = raw.partition(b"\r\n\r\n")
    broken = b"\r\n".join(
        line.split(b":", 1)[0] + b": sha256:!!!not-base32!!!" if line.startswith(b"WARC-Block-Digest") else line
        for line in head.split(b"\r\n")
    )
    _rewrite_member(run_dir / "evidence.warc.gz", offset, gzip.compress(broken + sep + rest))
    report = runner.verify_evidence(run_dir.name, settings=settings)
    assert any(m.where == f"evidence.warc.gz@{offset}" for m in report.mismatches)
