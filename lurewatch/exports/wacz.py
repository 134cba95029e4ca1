"""The evidence bundle: the exported findings' WARC records and screenshots as one WACZ file.

Each finding's response record (and the request record written with it) is copied from its run's WARC
byte for byte, gzip member and all, so its ``WARC-Block-Digest`` and ``WARC-Payload-Digest`` are the run's;
it is checked first against the finding's recorded sha256. A screenshot becomes a ``resource`` record
(``urn:view:<url>``, as Browsertrix names them). py-wacz packs the WARC with its CDXJ index, page list and
its own datapackage; ReplayWeb.page opens the result. Bundles are never redacted.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import mmap
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lurewatch.crawlers.evidence import WARC_FILE, gzip_member, record_id, warc_record
from lurewatch.errors import ExportError
from lurewatch.evidence import parse_record
from lurewatch.exports.writers import Resource

FILE = "evidence.wacz"
BUNDLE_WARC = "evidence.warc.gz"


@dataclass
class Bundle:
    resource: Resource
    records: int = 0
    missing: list[str] = field(default_factory=list)  # "posting_id: why"


def gzip_member_at(mm: mmap.mmap, offset: int) -> tuple[bytes, bytes]:
    """(the gzip member's bytes as stored, its content) of the member starting at ``offset``."""
    inflater = zlib.decompressobj(31)
    parts, pos = [], offset
    while not inflater.eof and pos < len(mm):
        chunk = mm[pos : pos + (1 << 16)]
        pos += len(chunk)
        parts.append(inflater.decompress(chunk))
    if not inflater.eof:
        raise ValueError(f"the gzip member at {offset} is truncated")
    end = pos - len(inflater.unused_data)
    return mm[offset:end], b"".join(parts)


def _resolve(data_dir: Path, run_id: str, relative: str) -> Path | None:
    """An evidence path as findings record it: relative to the run folder, or to the data folder."""
    if not relative:
        return None
    root = data_dir.resolve()
    for base in (data_dir / "runs" / run_id, data_dir):
        path = (base / relative).resolve()
        if path.is_relative_to(root) and path.is_file():
            return path
    return None


class _Copier:
    """Copies records out of run WARCs, keeping each WARC open while it is needed."""

    def __init__(self, out: io.BufferedWriter) -> None:
        self.out = out
        self.copied: set[tuple[Path, int]] = set()
        self.records = 0
        self._open: dict[Path, tuple[io.BufferedReader, mmap.mmap]] = {}

    def _map(self, warc: Path) -> mmap.mmap:
        if warc not in self._open:
            fh = warc.open("rb")
            self._open[warc] = (fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
        return self._open[warc][1]

    def copy(self, warc: Path, offset: int, sha256: str) -> str:
        """Copy the response at ``offset`` and its request; returns the response's URL. Raises ValueError."""
        mm = self._map(warc)
        stored, raw = gzip_member_at(mm, offset)
        record = parse_record(offset, raw)
        if record.rec_type != "response":
            raise ValueError(f"the record at {offset} is a {record.rec_type or 'non-WARC'} record, not a response")
        if sha256 and hashlib.sha256(record.payload()).hexdigest() != sha256:
            raise ValueError(f"the payload at {offset} no longer has the recorded sha256 {sha256}")
        if (warc, offset) in self.copied:
            return record.url
        self.copied.add((warc, offset))
        self.out.write(stored)
        self.records += 1
        after = offset + len(stored)
        if after < len(mm):
            with contextlib.suppress(ValueError):
                next_stored, next_raw = gzip_member_at(mm, after)
                request = parse_record(after, next_raw)
                if request.rec_type == "request" and request.headers.get("warc-concurrent-to") == \
                        record.headers.get("warc-record-id"):  # fmt: skip
                    self.out.write(next_stored)
                    self.records += 1
        return record.url

    def close(self) -> None:
        for fh, mm in self._open.values():
            mm.close()
            fh.close()


def write_wacz(data_dir: Path, pointers: Path, folder: Path) -> Bundle:
    """Bundle the captures of the findings listed in ``pointers`` (JSON lines) as ``folder/evidence.wacz``."""
    work = folder / ".wacz-work"
    work.mkdir()
    warc_path = work / BUNDLE_WARC
    bundle = Bundle(Resource(FILE, "evidence", "wacz", "application/wacz",
                             "WACZ web archive of the findings' captures (WARC records as the crawler stored "
                             "them, screenshots); opens in ReplayWeb.page"))  # fmt: skip
    findings = 0
    with warc_path.open("wb") as out:
        out.write(gzip_member(_warcinfo()))
        copier = _Copier(out)
        try:
            with pointers.open(encoding="utf-8") as lines:
                for line in lines:
                    pointer = json.loads(line)
                    findings += 1
                    evidence = pointer["evidence"]
                    warc = _resolve(data_dir, pointer["run_id"], evidence.get("warc_file") or WARC_FILE)
                    if warc is None or evidence.get("warc_offset") is None:
                        bundle.missing.append(f"{pointer['posting_id']}: no WARC record is recorded or found")
                        continue
                    try:
                        copier.copy(warc, int(evidence["warc_offset"]), evidence.get("sha256", ""))
                    except (OSError, ValueError) as exc:
                        bundle.missing.append(f"{pointer['posting_id']}: {exc}")
                        continue
                    shot = _resolve(data_dir, pointer["run_id"], evidence.get("screenshot", ""))
                    if shot is not None and (shot, -1) not in copier.copied:
                        copier.copied.add((shot, -1))
                        out.write(gzip_member(_screenshot_record(pointer["url"], shot)))
                        copier.records += 1
        finally:
            copier.close()
    bundle.records = copier.records
    if not copier.records:
        raise ExportError(f"none of the {findings} findings has a readable capture to bundle",
                          hint="the runs' WARC files must be under LUREWATCH_DATA_DIR/runs; "
                          "`lurewatch evidence verify RUN` checks them")  # fmt: skip
    _pack(warc_path, folder / FILE)
    for path in work.iterdir():
        path.unlink()
    work.rmdir()
    bundle.resource.rows = findings
    bundle.resource.extra = {"warc_records": bundle.records, "findings_without_capture": bundle.missing[:100]}
    return bundle


def _pack(warc: Path, target: Path) -> None:
    """py-wacz's ``create``: index the WARC, detect pages, write the WACZ and its own datapackage."""
    from wacz.main import main as wacz_main

    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = wacz_main(["create", "-o", str(target), "--detect-pages", "--title", "LureWatch evidence",
                          str(warc)])  # fmt: skip
    if code != 0 or not target.is_file():
        raise ExportError(f"the WACZ could not be written: {output.getvalue().strip()[-300:]}")


def _warcinfo() -> bytes:
    fields = "software: LureWatch export (evidence bundle)\r\nformat: WARC File Format 1.1\r\n"
    headers = {"WARC-Record-ID": record_id(), "WARC-Date": _now(), "WARC-Filename": BUNDLE_WARC,
               "Content-Type": "application/warc-fields"}  # fmt: skip
    return bytes(warc_record("warcinfo", headers, fields.encode("utf-8")))


def _screenshot_record(url: str, png: Path) -> bytes:
    headers = {"WARC-Record-ID": record_id(), "WARC-Date": _now(), "WARC-Target-URI": f"urn:view:{url}",
               "Content-Type": "image/png"}  # fmt: skip
    return bytes(warc_record("resource", headers, png.read_bytes()))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
