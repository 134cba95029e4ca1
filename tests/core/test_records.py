"""Records survive a JSON-lines round trip, and readers tolerate older and newer lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

from lurewatch.records import Contacts, Evidence, Finding, Location, posting_id_for, read_jsonl, to_json, write_jsonl


def test_finding_round_trip_keeps_nested_records(tmp_path: Path) -> None:
    finding = Finding(
        posting_id="p1", source="demo", source_kind="board", url="http://x/1", canonical_url="http://x/1",
        fetched_at="2026-11-29T00:00:00+00:00", run_id="r1",
        contacts=Contacts(phones=["+66812345678"], telegram=["hr_team"]),
        locations=[Location(name="Myawaddy", country="MM", lat=16.68, lon=98.51)],
        evidence=Evidence(warc_file="evidence.warc.gz", warc_offset=123, sha256="ab"),
    )  # fmt: skip
    buffer = io.StringIO()
    write_jsonl(buffer, [finding])
    path = tmp_path / "f.jsonl"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    (back,) = read_jsonl(path, Finding)
    assert back == finding
    assert isinstance(back.locations[0], Location) and back.evidence.warc_offset == 123


def test_reader_ignores_unknown_keys_and_fills_missing(tmp_path: Path) -> None:
    line = {"posting_id": "p", "source": "s", "source_kind": "board", "url": "u", "canonical_url": "u",
            "fetched_at": "t", "run_id": "r", "from_the_future": 1}  # fmt: skip
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps(line) + "\n")
    (back,) = read_jsonl(path, Finding)
    assert back.contacts == Contacts() and back.schema_version == 1
    assert "from_the_future" not in to_json(back)


def test_posting_id_is_stable_and_channel_posts_use_native_id() -> None:
    assert posting_id_for("https://a/1") == posting_id_for("https://a/1")
    assert posting_id_for("https://a/1") != posting_id_for("https://a/2")
    assert posting_id_for("", "chan", "42") != posting_id_for("", "chan", "43")
