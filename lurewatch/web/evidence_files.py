"""Evidence files of a finding (screenshots, rendered HTML), read from its own run folder by recorded hash.

A finding names its files relative to its run folder (``screenshots/<sha256>.png``). A file is served only
when the run's ``evidence.json`` lists it and the bytes read still have the sha256 recorded there: never a
path outside the run folder, never another run's file, never bytes that changed since the crawl.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from lurewatch.crawlers.evidence import MANIFEST_FILE
from lurewatch.records import Finding

RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class EvidenceChanged(Exception):
    """The file's bytes no longer have the sha256 that evidence.json recorded."""


def run_folder(runs_dir: Path, run_id: str) -> Path | None:
    if not RUN_ID.fullmatch(run_id) or ".." in run_id:
        return None
    folder = runs_dir / run_id
    return folder if folder.is_dir() else None


def recorded(runs_dir: Path, finding: Finding, name: str) -> tuple[Path, str] | None:
    """The file ``name`` of the finding's run and the sha256 evidence.json gives it, or None."""
    folder = run_folder(runs_dir, finding.run_id) if name else None
    if folder is None:
        return None
    try:
        files = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))["files"]
        sha256 = str(files[name]["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return None
    return path, sha256


def read_verified(path: Path, sha256: str) -> bytes:
    """The file's bytes, after checking them against the recorded sha256."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EvidenceChanged(f"{path.name}: sha256 {hashlib.sha256(data).hexdigest()} != recorded {sha256}")
    return data
