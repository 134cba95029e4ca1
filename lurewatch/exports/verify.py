"""``export verify``: re-check an export folder against its datapackage.json, and its WACZ if it has one."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lurewatch.errors import ExportError
from lurewatch.exports.datapackage import FILE, validate_package, verify_hashes


@dataclass
class ExportCheck:
    folder: Path
    files: int = 0
    rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        state = "OK" if self.ok else f"{len(self.problems)} problem(s)"
        return f"verified {self.files} files ({self.rows} table rows read) in {self.folder}: {state}"


def verify_export(folder: Path) -> ExportCheck:
    """Sizes and sha256 of every file, the Frictionless package (tables against their schemas), the WACZ."""
    if not (folder / FILE).is_file():
        raise ExportError(f"{folder} has no {FILE}", hint="give the OUT_DIR of `lurewatch export run`")
    check = ExportCheck(folder)
    check.problems.extend(verify_hashes(folder))
    package = validate_package(folder)
    check.files, check.rows = package.files, package.rows
    check.problems.extend(p for p in package.errors if p not in check.problems)
    descriptor = json.loads((folder / FILE).read_text(encoding="utf-8"))
    for resource in descriptor.get("resources", []):
        path = folder / resource["path"]
        if resource.get("format") == "wacz" and path.is_file():
            check.problems.extend(validate_wacz(path))
    return check


def validate_wacz(path: Path) -> list[str]:
    """py-wacz's validator (its datapackage, file hashes, required parts); its messages when it fails."""
    from wacz.main import main as wacz_main

    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output):
            code = wacz_main(["validate", "-f", str(path)])
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:  # the validator stops on a broken archive
        return [f"{path.name}: not a readable WACZ: {exc}"]
    if code == 0:
        return []
    lines = [line.strip() for line in output.getvalue().splitlines() if line.strip()]
    return [f"{path.name}: " + "; ".join(lines[-3:])]
