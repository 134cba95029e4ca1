"""Evidence verification on hand-built WARC files (no crawl): each check, each count and each message."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from lurewatch.crawlers.evidence import compress_member, warc_record
from lurewatch.evidence import (
    Mismatch,
    Record,
    Response,
    VerifyReport,
    _Checked,
    check_posting,
    check_record,
    iter_members,
    member_at,
    parse_record,
    read_record_at,
    verify_files,
    verify_posting,
    verify_run,
    verify_warc,
)
from lurewatch.records import Evidence, Posting, to_json

BODY = b"<html>Casino jobs</html>"
HTTP = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + BODY


def _response(uri: str = "https://jobs.example.com/1", http: bytes = HTTP) -> bytes:
    return warc_record("response", http, uri=uri, content_type="application/http; msgtype=response")


def _request() -> bytes:
    return warc_record(
        "request", b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n", uri="https://jobs.example.com/1",
        content_type="application/http; msgtype=request",
    )  # fmt: skip


def _warc(path: Path, *records: bytes) -> list[int]:
    """Write one gzip member per record; the members' offsets."""
    offsets, data = [], b""
    for record in records:
        offsets.append(len(data))
        data += compress_member(record)
    path.write_bytes(data)
    return offsets


def _posting(offset: int, sha256: str = hashlib.sha256(BODY).hexdigest(), **evidence: str) -> Posting:
    return Posting(
        posting_id="p1", source="s", source_kind="board", url="https://jobs.example.com/1",
        canonical_url="https://jobs.example.com/1", fetched_at="2026-11-29T00:00:00+00:00", run_id="r",
        title="t", text="x", evidence=Evidence(warc_file="evidence.warc.gz", warc_offset=offset, sha256=sha256, **evidence),
    )  # fmt: skip


def _without(raw: bytes, name: bytes) -> bytes:
    head, sep, rest = raw.partition(b"\r\n\r\n")
    return b"\r\n".join(line for line in head.split(b"\r\n") if not line.startswith(name)) + sep + rest


def test_a_mismatch_reads_as_one_line() -> None:
    assert Mismatch("w.warc.gz@10", "https://x", "bad").line() == "MISMATCH w.warc.gz@10 https://x: bad"
    assert Mismatch("shot.png", "", "missing").line() == "MISMATCH shot.png -: missing"


def test_the_report_counts_and_says_ok_or_how_many() -> None:
    report = VerifyReport(records=3, files=1, postings=2)
    assert report.ok and report.summary() == "verified 3 WARC records, 1 files, 2 postings: OK"
    report.mismatches += [Mismatch("a", "", "x"), Mismatch("b", "", "y")]
    assert not report.ok and report.summary() == "verified 3 WARC records, 1 files, 2 postings: 2 mismatch(es)"


def test_a_record_is_parsed_with_its_headers_block_and_payload() -> None:
    record = parse_record(7, _response())
    assert (record.offset, record.rec_type, record.url) == (7, "response", "https://jobs.example.com/1")
    assert record.block == HTTP and record.payload() == BODY
    assert Record(0, {"content-type": "application/http"}, b"no blank line").payload() == b""
    assert Record(0, {"content-type": "text/plain"}, b"a\r\n\r\nb").payload() == b"a\r\n\r\nb"
    assert Record(0, {}, b"").rec_type == "" and Record(0, {}, b"").url == ""
    with pytest.raises(ValueError, match="^not a WARC record$"):
        parse_record(0, b"")
    with pytest.raises(ValueError, match="^record is truncated: "):
        parse_record(0, _response()[:-40])


def test_a_sound_record_passes_and_each_missing_digest_is_named() -> None:
    assert check_record(parse_record(0, _response()), "w@0") == []
    assert check_record(parse_record(0, _request()), "w@0") == []  # a request needs no payload digest
    no_payload = parse_record(0, _without(_response(), b"WARC-Payload-Digest"))
    assert [m.problem for m in check_record(no_payload, "w@0")] == [
        "no warc-payload-digest: the record cannot be verified"
    ]
    no_block = check_record(parse_record(0, _without(_request(), b"WARC-Block-Digest")), "w@0")
    assert [(m.where, m.url, m.problem) for m in no_block] == [
        ("w@0", "https://jobs.example.com/1", "no warc-block-digest: the record cannot be verified")
    ]


def test_members_are_read_one_by_one_and_a_corrupt_one_is_skipped(tmp_path: Path) -> None:
    warc = tmp_path / "evidence.warc.gz"
    offsets = _warc(warc, _request(), _response(), _request())
    data = bytearray(warc.read_bytes())
    data[offsets[1] + 30] ^= 0xFF  # inside the second member's compressed data
    members = list(iter_members(bytes(data)))
    assert [(at, raw is not None) for at, raw, _ in members] == [
        (offsets[0], True),
        (offsets[1], False),
        (offsets[2], True),
    ]
    assert members[1][2].startswith("corrupt gzip member: ")
    assert members[1][2].endswith(f"(bytes {offsets[1]}-{offsets[2]} skipped)")
    assert list(iter_members(bytes(data), offsets[2]))[0][0] == offsets[2]


def test_a_truncated_last_member_is_reported_to_the_end(tmp_path: Path) -> None:
    warc = tmp_path / "evidence.warc.gz"
    offsets = _warc(warc, _request(), _response())
    data = warc.read_bytes()[:-20]
    members = list(iter_members(data))
    assert members[1] == (offsets[1], None, f"gzip member is truncated (bytes {offsets[1]}-{len(data)} skipped)")


def test_verify_warc_counts_records_reports_progress_and_maps_responses(tmp_path: Path) -> None:
    warc = tmp_path / "evidence.warc.gz"
    offsets = _warc(warc, _request(), _response())
    seen: list[tuple[int, int]] = []
    report = VerifyReport()
    responses = verify_warc(warc, report, lambda done, total: seen.append((done, total)))
    size = warc.stat().st_size
    assert report.records == 2 and report.ok
    assert seen == [(offsets[0], size), (offsets[1], size), (size, size)]
    assert list(responses) == [offsets[1]]
    assert responses[offsets[1]].url == "https://jobs.example.com/1"
    assert responses[offsets[1]].payload_sha256 == hashlib.sha256(BODY).hexdigest()
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    assert verify_warc(empty, report) == {} and report.records == 2


def test_a_member_that_is_no_warc_record_is_a_mismatch(tmp_path: Path) -> None:
    warc = tmp_path / "evidence.warc.gz"
    warc.write_bytes(compress_member(b"hello") + compress_member(_request()))
    report = VerifyReport()
    verify_warc(warc, report)
    assert report.records == 2
    assert [(m.where, m.url) for m in report.mismatches] == [("evidence.warc.gz@0", "")]
    assert report.mismatches[0].problem == "not a readable WARC record: Unknown archive format, first line: ['hello']"


def test_a_record_is_read_at_its_offset_and_nowhere_else(tmp_path: Path) -> None:
    warc = tmp_path / "evidence.warc.gz"
    offsets = _warc(warc, _request(), _response())
    assert read_record_at(warc, offsets[1]).rec_type == "response"
    assert read_record_at(warc, 0).rec_type == "request"
    size = warc.stat().st_size
    with pytest.raises(ValueError, match=f"^offset {size} is past the end of evidence.warc.gz$"):
        read_record_at(warc, size)
    with pytest.raises(ValueError):
        read_record_at(warc, offsets[1] + 1)


def test_a_posting_is_checked_against_the_record_it_points_at(tmp_path: Path) -> None:
    warc = tmp_path / "evidence.warc.gz"
    offsets = _warc(warc, _request(), _response())
    report = VerifyReport()
    responses = verify_warc(warc, report)
    check_posting(_posting(offsets[1]), tmp_path, responses[offsets[1]], report)
    assert report.postings == 1 and report.ok
    check_posting(_posting(offsets[1], sha256="0" * 64), tmp_path, responses[offsets[1]], report)
    check_posting(_posting(offsets[0]), tmp_path, None, report)
    check_posting(_posting(offsets[1], screenshot="shot.png"), tmp_path, responses[offsets[1]], report)
    assert report.postings == 4
    assert [(m.where, m.problem) for m in report.mismatches] == [
        (f"evidence.warc.gz@{offsets[1]}", f"posting p1: sha256 {'0' * 64} != {hashlib.sha256(BODY).hexdigest()}"),
        (f"evidence.warc.gz@{offsets[0]}", "posting p1: no response record here"),
        ("shot.png", "evidence file is missing"),
    ]


def test_evidence_files_are_rehashed_from_the_manifest(tmp_path: Path) -> None:
    report = VerifyReport()
    verify_files(tmp_path, report)  # no manifest: nothing to check
    assert report.files == 0
    (tmp_path / "a.png").write_bytes(b"a")
    (tmp_path / "b.html").write_bytes(b"changed")
    recorded = {name: {"sha256": hashlib.sha256(content).hexdigest()} for name, content in
                [("a.png", b"a"), ("b.html", b"b"), ("gone.png", b"c")]}  # fmt: skip
    (tmp_path / "evidence.json").write_text(json.dumps({"files": recorded}))
    verify_files(tmp_path, report)
    assert report.files == 3
    assert [(m.where, m.problem) for m in report.mismatches] == [
        ("b.html", f"sha256 {hashlib.sha256(b'changed').hexdigest()} != recorded {recorded['b.html']['sha256']}"),
        ("gone.png", "evidence file is missing"),
    ]
    only = VerifyReport()
    verify_files(tmp_path, only, only={"a.png"})
    assert only.files == 1 and only.ok


def test_a_run_is_verified_whole_and_a_posting_alone(tmp_path: Path) -> None:
    offsets = _warc(tmp_path / "evidence.warc.gz", _request(), _response())
    (tmp_path / "postings.jsonl").write_text(to_json(_posting(offsets[1])) + "\n{not json\n")
    report = verify_run(tmp_path)
    assert (report.records, report.postings) == (2, 1)
    assert [m.where for m in report.mismatches] == ["postings.jsonl:2"]
    assert report.mismatches[0].problem.startswith("not a posting: ")
    alone = VerifyReport()
    verify_posting(tmp_path, _posting(offsets[1]), alone)
    assert (alone.records, alone.postings, alone.ok) == (1, 1, True)
    lost = VerifyReport()
    verify_posting(tmp_path, _posting(10**6), lost)
    assert (lost.records, lost.postings) == (0, 1)
    assert [(m.where, m.problem) for m in lost.mismatches] == [
        ("evidence.warc.gz@1000000", "offset 1000000 is past the end of evidence.warc.gz")
    ]


def test_a_tampered_record_names_each_failed_digest_where_it_is() -> None:
    tampered = parse_record(0, _response().replace(b"Casino", b"Kasino"))  # same length: only the digests tell
    problems = [(m.where, m.url, m.problem) for m in check_record(tampered, "w@0")]
    assert [(where, url) for where, url, _ in problems] == [("w@0", "https://jobs.example.com/1")] * 2
    assert problems[0][2].startswith("block digest failed: sha256:")
    assert problems[1][2].startswith("payload digest failed sha256:")


def test_an_unknown_digest_algorithm_is_a_mismatch_never_a_pass() -> None:
    unknown = parse_record(0, _response().replace(b"sha256:", b"md17:"))
    assert [m.problem for m in check_record(unknown, "w@0")] == [
        "unknown hash algorithm name in block digest",
        "unknown hash algorithm name in payload digest",
    ]


def test_only_a_response_must_carry_a_payload_digest() -> None:
    assert check_record(parse_record(0, _without(_request(), b"WARC-Payload-Digest")), "w@0") == []


def test_a_record_whose_digests_were_not_confirmed_is_a_mismatch() -> None:
    # both digest headers present, no problem reported, yet no digest confirmed: still a mismatch
    record = parse_record(0, _response())
    for passed in (None, False):
        assert [(m.where, m.url, m.problem) for m in check_record(record, "w@9", _Checked([], passed))] == [
            ("w@9", "https://jobs.example.com/1", "no digest of this record could be verified")
        ]
    assert check_record(record, "w@9", _Checked([], True)) == []


def test_the_payload_is_everything_after_the_first_blank_line_and_a_record_may_lack_a_content_type() -> None:
    record = Record(0, {"content-type": "application/http; msgtype=response"}, b"HTTP/1.1 200\r\n\r\nA\r\n\r\nB")
    assert record.payload() == b"A\r\n\r\nB"
    assert Record(0, {}, b"H\r\n\r\nB").payload() == b"H\r\n\r\nB"


def test_a_posting_alone_reports_its_tampered_record_and_rehashes_only_its_own_files(tmp_path: Path) -> None:
    tampered = _response().replace(b"Casino", b"Kasino")
    offsets = _warc(tmp_path / "evidence.warc.gz", _request(), tampered)
    (tmp_path / "shot.png").write_bytes(b"png")
    (tmp_path / "other.png").write_bytes(b"other")
    recorded = {"shot.png": {"sha256": hashlib.sha256(b"png").hexdigest()}, "other.png": {"sha256": "0" * 64}}
    (tmp_path / "evidence.json").write_text(json.dumps({"files": recorded}))
    report = VerifyReport()
    verify_posting(tmp_path, _posting(offsets[1], screenshot="shot.png"), report)
    assert (report.records, report.postings, report.files) == (1, 1, 1)  # other.png is not this posting's
    where = f"evidence.warc.gz@{offsets[1]}"
    assert [(m.where, m.url) for m in report.mismatches] == [(where, "https://jobs.example.com/1")] * 3
    assert report.mismatches[0].problem.startswith("block digest failed: ")
    assert report.mismatches[1].problem.startswith("payload digest failed ")
    kasino = hashlib.sha256(BODY.replace(b"Casino", b"Kasino")).hexdigest()
    assert report.mismatches[2].problem == f"posting p1: sha256 {hashlib.sha256(BODY).hexdigest()} != {kasino}"
    plain = VerifyReport()
    verify_posting(tmp_path, _posting(offsets[1]), plain)
    assert plain.files == 0  # no evidence file named: the manifest is not read


def test_a_run_with_worker_warcs_checks_each_posting_against_its_own_file(tmp_path: Path) -> None:
    worker = tmp_path / "workers" / "w1"
    worker.mkdir(parents=True)
    offsets = _warc(worker / "evidence.warc.gz", _request(), _response())
    _warc(tmp_path / "evidence.warc.gz", _request())
    good = _posting(offsets[1])
    good.evidence.warc_file = "workers/w1/evidence.warc.gz"
    lost = _posting(offsets[1])  # the same offset in the crawl's own WARC: no response there
    (tmp_path / "postings.jsonl").write_text(to_json(good) + "\n" + to_json(lost) + "\n")
    report = verify_run(tmp_path)
    assert (report.records, report.postings) == (3, 2)
    assert [(m.where, m.problem) for m in report.mismatches] == [
        (f"evidence.warc.gz@{offsets[1]}", "posting p1: no response record here")
    ]


def test_an_empty_block_is_a_whole_record_and_a_missing_length_is_not() -> None:
    empty = parse_record(0, warc_record("metadata", b"", uri="https://jobs.example.com/1", content_type="text/plain"))
    assert empty.block == b"" and check_record(empty, "w@0") == []
    with pytest.raises(ValueError, match="^record is truncated: 72 of -1 bytes$"):
        parse_record(0, _without(_response(), b"Content-Length"))
    with pytest.raises(ValueError, match="^record is truncated: 32 of 68 bytes$"):
        parse_record(0, _response()[:-40])


FAKE_MEMBER = b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"\xff" * 40  # gzip magic bytes that do not inflate


def _damaged_warc(path: Path) -> tuple[list[int], list[bytes]]:
    """A corrupt member, gzip magic bytes that are no member, then two sound members: their offsets and records."""
    first = bytearray(compress_member(_request()))
    first[30] ^= 0xFF
    records = [_request(), _response()]
    members = [compress_member(record) for record in records]
    good = [len(first) + len(FAKE_MEMBER), len(first) + len(FAKE_MEMBER) + len(members[0])]
    path.write_bytes(bytes(first) + FAKE_MEMBER + b"".join(members))
    return good, records


def test_after_a_corrupt_member_the_scan_resumes_at_the_next_sound_one_and_keeps_every_one(tmp_path: Path) -> None:
    warc = tmp_path / "evidence.warc.gz"
    good, records = _damaged_warc(warc)
    members = list(iter_members(warc.read_bytes()))
    assert [(at, raw is not None, error == "") for at, raw, error in members] == [
        (0, False, False), (good[0], True, True), (good[1], True, True),
    ]  # fmt: skip
    assert members[0][2].endswith(f"(bytes 0-{good[0]} skipped)")
    assert [members[1][1], members[2][1]] == records
    report = VerifyReport()
    responses = verify_warc(warc, report)
    assert report.records == 2 and list(responses) == [good[1]]
    assert [(m.where, m.url, m.problem) for m in report.mismatches] == [("evidence.warc.gz@0", "", members[0][2])]


def test_a_member_larger_than_one_read_is_inflated_whole(tmp_path: Path) -> None:
    body = random.Random(7).randbytes(3 << 20)  # incompressible: the member spans several 1 MiB reads
    http = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n" + body
    warc = tmp_path / "evidence.warc.gz"
    offsets = _warc(warc, _request(), _response(http=http))
    assert warc.stat().st_size > 2 * (1 << 20)
    report = VerifyReport()
    responses = verify_warc(warc, report)
    assert report.ok and responses[offsets[1]].payload_sha256 == hashlib.sha256(body).hexdigest()


def test_a_tampered_record_in_a_warc_is_named_by_its_offset(tmp_path: Path) -> None:
    warc = tmp_path / "evidence.warc.gz"
    offsets = _warc(warc, _request(), _response().replace(b"Casino", b"Kasino"))
    report = VerifyReport()
    verify_warc(warc, report)
    assert [(m.where, m.url) for m in report.mismatches] == [
        (f"evidence.warc.gz@{offsets[1]}", "https://jobs.example.com/1")
    ] * 2


def test_a_record_read_at_an_offset_keeps_it_and_a_pointer_into_a_member_says_why_it_fails(tmp_path: Path) -> None:
    warc = tmp_path / "evidence.warc.gz"
    offsets = _warc(warc, _request(), _response())
    assert read_record_at(warc, offsets[1]).offset == offsets[1]
    with pytest.raises(ValueError, match="^(corrupt gzip member|gzip member is truncated)"):
        read_record_at(warc, offsets[1] + 1)


def test_posting_mismatches_carry_the_posting_url_and_its_own_warc_file(tmp_path: Path) -> None:
    report = VerifyReport()
    worker = _posting(5, screenshot="shot.png")
    worker.evidence.warc_file = "workers/w1/evidence.warc.gz"
    check_posting(worker, tmp_path, None, report)
    check_posting(worker, tmp_path, Response("https://jobs.example.com/1", "f" * 64), report)
    url = "https://jobs.example.com/1"
    assert [(m.where, m.url, m.problem) for m in report.mismatches] == [
        ("workers/w1/evidence.warc.gz@5", url, "posting p1: no response record here"),
        ("workers/w1/evidence.warc.gz@5", url, f"posting p1: sha256 {hashlib.sha256(BODY).hexdigest()} != {'f' * 64}"),
        ("shot.png", url, "evidence file is missing"),
    ]


def test_file_mismatches_have_no_url_and_a_selection_skips_what_it_does_not_name(tmp_path: Path) -> None:
    (tmp_path / "b.html").write_bytes(b"changed")
    recorded = {"a.png": {"sha256": "0" * 64}, "b.html": {"sha256": "1" * 64}, "c.png": {"sha256": "2" * 64}}
    (tmp_path / "evidence.json").write_text(json.dumps({"files": recorded}))
    report = VerifyReport()
    verify_files(tmp_path, report, only={"b.html", "c.png"})
    assert report.files == 2
    assert [(m.where, m.url, m.problem) for m in report.mismatches] == [
        ("b.html", "", f"sha256 {hashlib.sha256(b'changed').hexdigest()} != recorded {'1' * 64}"),
        ("c.png", "", "evidence file is missing"),
    ]


def test_a_run_reports_progress_rehashes_its_files_and_names_bad_posting_lines(tmp_path: Path) -> None:
    _warc(tmp_path / "evidence.warc.gz", _request())
    (tmp_path / "evidence.json").write_text(json.dumps({"files": {"gone.png": {"sha256": "0" * 64}}}))
    (tmp_path / "postings.jsonl").write_text("{not json\n")
    seen: list[tuple[int, int]] = []
    report = verify_run(tmp_path, lambda done, total: seen.append((done, total)))
    size = (tmp_path / "evidence.warc.gz").stat().st_size
    assert seen == [(0, size), (size, size)]
    assert report.files == 1
    assert [(m.where, m.url) for m in report.mismatches] == [("gone.png", ""), ("postings.jsonl:1", "")]


def test_a_member_is_handed_over_compressed_exactly_as_it_lies(tmp_path: Path) -> None:
    warc = tmp_path / "evidence.warc.gz"
    body = random.Random(3).randbytes(3 << 20)  # the member spans several reads
    members = [compress_member(_request()), compress_member(_response(http=b"HTTP/1.1 200 OK\r\n\r\n" + body))]
    members.append(compress_member(_request()))
    warc.write_bytes(b"".join(members))
    starts = [0, len(members[0]), len(members[0]) + len(members[1])]
    assert [member_at(warc, at) for at in starts] == members
    size = warc.stat().st_size
    with pytest.raises(ValueError, match=f"^offset {size} is past the end of evidence.warc.gz$"):
        member_at(warc, size)
    with pytest.raises(ValueError, match=f"^no gzip member starts at offset {starts[1] + 1} of evidence.warc.gz: "):
        member_at(warc, starts[1] + 1)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(members[0] + members[1][:-30])
    with pytest.raises(ValueError, match=f"^the gzip member at {starts[1]} of cut.warc.gz is truncated$"):
        member_at(cut, starts[1])


def test_a_response_at_the_very_start_of_a_warc_is_found_by_its_posting(tmp_path: Path) -> None:
    # the crawler writes a warcinfo record first, but a WARC from elsewhere may start with the response
    offsets = _warc(tmp_path / "evidence.warc.gz", _response(), _request())
    (tmp_path / "postings.jsonl").write_text(to_json(_posting(offsets[0])) + "\n")
    report = verify_run(tmp_path)
    assert offsets[0] == 0 and (report.records, report.postings) == (2, 1) and report.ok


def test_a_run_goes_on_past_a_bad_line_a_missing_warc_and_checks_evidence_files_in_the_run(tmp_path: Path) -> None:
    offsets = _warc(tmp_path / "evidence.warc.gz", _request(), _response())
    (tmp_path / "shot.png").write_bytes(b"png")
    shot = _posting(offsets[1], screenshot="shot.png")
    elsewhere = _posting(offsets[1])
    elsewhere.evidence.warc_file = "workers/gone/evidence.warc.gz"
    (tmp_path / "postings.jsonl").write_text("{not json\n" + to_json(shot) + "\n" + to_json(elsewhere) + "\n")
    report = verify_run(tmp_path)
    assert report.postings == 2
    assert [(m.where, m.url, m.problem) for m in report.mismatches[1:]] == [
        (
            f"workers/gone/evidence.warc.gz@{offsets[1]}",
            "https://jobs.example.com/1",
            "posting p1: no response record here",
        )
    ]


def test_a_posting_alone_reads_its_own_warc_file_and_the_report_adds_up(tmp_path: Path) -> None:
    worker = tmp_path / "workers" / "w1"
    worker.mkdir(parents=True)
    offsets = _warc(worker / "evidence.warc.gz", _request(), _response())
    _warc(tmp_path / "evidence.warc.gz", _request())
    posting = _posting(offsets[1])
    posting.evidence.warc_file = "workers/w1/evidence.warc.gz"
    report = VerifyReport()
    verify_posting(tmp_path, posting, report)
    verify_posting(tmp_path, posting, report)
    assert (report.records, report.postings, report.ok) == (2, 2, True)
    lost = VerifyReport()
    posting.evidence.warc_offset = 10**6
    verify_posting(tmp_path, posting, lost)
    verify_posting(tmp_path, posting, lost)
    assert (lost.records, lost.postings) == (0, 2)
    assert [(m.where, m.url) for m in lost.mismatches] == [
        ("evidence.warc.gz@1000000", "https://jobs.example.com/1")
    ] * 2
