"""The weekly research snapshot that the exports DAG writes: one redacted, verifiable dataset per interval.

A snapshot holds the findings fetched in ``[start, end)`` as Parquet, redacted, with its ``datapackage.json``,
in ``EXPORTS_DIR/snapshots/<start>_<end>/``. It is keyed on its interval: running it again for the same
interval (a retry, a cleared task, a backfill) finds the finished export, checks it, and writes nothing.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from lurewatch.errors import ExportError
from lurewatch.exports.datapackage import FILE as PACKAGE_FILE
from lurewatch.exports.run import ExportRequest, run_export
from lurewatch.exports.verify import verify_export
from lurewatch.index.query import Query
from lurewatch.settings import Settings, get_settings

log = logging.getLogger(__name__)
SNAPSHOT_FORMAT = "parquet"


def snapshot_dir(settings: Settings, start: date, end: date) -> Path:
    return settings.exports_path / "snapshots" / f"{start:%Y-%m-%d}_{end:%Y-%m-%d}"


def write_snapshot(start: date, end: date, settings: Settings | None = None) -> dict[str, Any]:
    """Export the findings fetched from ``start`` up to (not including) ``end``; never twice for one interval."""
    settings = settings or get_settings()
    if end <= start:
        raise ExportError(f"snapshot interval {start} – {end} is empty")
    out = snapshot_dir(settings, start, end)
    if (out / PACKAGE_FILE).exists():
        problems = verify_export(out).problems
        if problems:
            raise ExportError(f"snapshot {out} exists but does not verify: {problems[0]}")
        log.info("snapshot %s already written and verified; nothing to do", out)
        return {"out_dir": str(out), "written": False}
    # On the crawl date, not the posting date: each finding falls in exactly one week, the one it was fetched in,
    # so a week written once is complete and the weeks together hold every finding.
    query = Query("*", date_from=f"{start:%Y-%m-%d}", date_to=f"{end - timedelta(days=1):%Y-%m-%d}", date_on="fetched",
                  sort="oldest")  # fmt: skip
    report = run_export(settings, ExportRequest(query, SNAPSHOT_FORMAT, out, redact=True))
    log.info("snapshot: %s", report.summary())
    return {"out_dir": str(out), "written": True, "rows": report.rows, "files": report.files}
