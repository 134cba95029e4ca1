"""Run one export in this process and print what it wrote and the peak memory it took, as one JSON line.

``python -m tests.exports.measure_export FORMAT OUT_DIR`` with ``LUREWATCH_*`` settings in the environment;
the scale test runs it in a subprocess so that the peak resident size is the export's alone.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _peak_mb() -> float:
    """Peak resident memory of this process. VmHWM belongs to this program's own memory map, while ``ru_maxrss``
    also carries the peak of the process it was started from (the kernel keeps it across fork and exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    fmt, out = sys.argv[1], Path(sys.argv[2])
    from lurewatch.exports.run import ExportRequest, run_export
    from lurewatch.index.base import open_index
    from lurewatch.index.query import Query
    from lurewatch.settings import Settings

    settings = Settings()
    store = open_index(settings)
    baseline = _peak_mb()  # after imports and opening the index
    started = time.monotonic()
    report = run_export(settings, ExportRequest(Query("*"), fmt, out), store)
    store.close()
    print(json.dumps({"format": fmt, "rows": report.rows, "expected": report.expected,
                      "seconds": round(time.monotonic() - started, 1), "baseline_mb": round(baseline, 1),
                      "peak_mb": round(_peak_mb(), 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
