"""The export's ``datapackage.json`` (Frictionless Data Package): what each file is, how to cite and licence
the dataset, the query that made it, when, with which code and schema versions, counts, sha256 of every file.

Frictionless validates the descriptor as the export is written, and the whole package in
``lurewatch export verify``: the CSV is read against its table schema, every file's size and sha256 re-computed. Files Frictionless cannot read
as tables (Parquet, JSON lines, GeoJSON, GEXF, WACZ) are checked by size and hash only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lurewatch.exports.writers import Resource

FILE = "datapackage.json"
CHUNK = 1 << 20
TABLE_FORMATS = {"csv"}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def resource_descriptor(folder: Path, resource: Resource) -> dict[str, Any]:
    path = folder / resource.path
    descriptor: dict[str, Any] = {
        "name": resource.name,
        "path": resource.path,
        "type": "table" if resource.format in TABLE_FORMATS else "file",
        "format": resource.format,
        "mediatype": resource.mediatype,
        "description": resource.description,
        "bytes": path.stat().st_size,
        "hash": f"sha256:{file_sha256(path)}",
        "lurewatch:rows": resource.rows,
    }
    if resource.format in TABLE_FORMATS:
        descriptor["encoding"] = "utf-8"
    elif resource.mediatype.startswith(("text/", "application/json", "application/geo+json", "application/gexf",
                                        "application/graphml")):
        descriptor["encoding"] = "utf-8"
    if resource.schema is not None:
        descriptor["schema"] = resource.schema
    descriptor.update({k if ":" in k else f"lurewatch:{k}": v for k, v in resource.extra.items() if k != "dialect"})
    if "dialect" in resource.extra:
        descriptor["dialect"] = resource.extra["dialect"]
    return descriptor


def package_descriptor(folder: Path, resources: list[Resource], meta: dict[str, Any]) -> dict[str, Any]:
    """The descriptor; ``meta`` carries name, title, licence, citation and the ``lurewatch`` provenance block."""
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        **meta,
        "resources": [resource_descriptor(folder, r) for r in resources],
    }


@dataclass
class PackageReport:
    ok: bool
    files: int = 0
    rows: int = 0
    errors: list[str] = field(default_factory=list)


def validate_package(folder: Path, data: bool = True) -> PackageReport:
    """Frictionless validation of ``folder/datapackage.json``: with ``data``, every table row against its schema
    and every file's size and hash; without, the descriptor (its profile, schemas, licences) and our own hashes."""
    from frictionless import Package, system

    report = PackageReport(ok=True)
    descriptor_path = folder / FILE
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return PackageReport(ok=False, errors=[f"{FILE}: cannot be read: {exc}"])
    for resource in descriptor.get("resources", []):
        path = folder / str(resource.get("path", ""))
        if not path.resolve().is_relative_to(folder.resolve()):
            report.errors.append(f"{resource.get('path')}: points outside the export folder")
        elif not path.is_file():
            report.errors.append(f"{resource.get('path')}: file is missing")
    if report.errors:
        report.ok = False
        return report
    if not data:
        descriptor_report = Package.validate_descriptor(str(descriptor_path))
        report.files = len(descriptor.get("resources", []))
        report.errors.extend(_messages(descriptor_report))
        report.errors.extend(verify_hashes(folder))
        report.ok = not report.errors
        return report
    with system.use_context(trusted=False):
        package = Package(str(descriptor_path))
        result = package.validate()
    for task in result.tasks:
        report.files += 1
        report.rows += task.stats.get("rows") or 0
        for error in task.errors:
            report.errors.append(f"{task.name}: {error.message}")
    for error in result.errors:
        report.errors.append(error.message)
    report.ok = result.valid and not report.errors
    return report


def _messages(report: Any) -> list[str]:
    messages = [error.message for error in report.errors]
    for task in report.tasks:
        messages.extend(f"{task.name}: {error.message}" for error in task.errors)
    return messages


def verify_hashes(folder: Path) -> list[str]:
    """Re-hash every file the package lists; one line per file whose size or sha256 differs."""
    descriptor = json.loads((folder / FILE).read_text(encoding="utf-8"))
    problems = []
    for resource in descriptor.get("resources", []):
        path = folder / resource["path"]
        if not path.is_file():
            problems.append(f"{resource['path']}: file is missing")
            continue
        expected = str(resource.get("hash", "")).removeprefix("sha256:")
        actual = file_sha256(path)
        if actual != expected:
            problems.append(f"{resource['path']}: sha256 {actual} != recorded {expected}")
        if resource.get("bytes") is not None and path.stat().st_size != resource["bytes"]:
            problems.append(f"{resource['path']}: {path.stat().st_size} bytes != recorded {resource['bytes']}")
    return problems
