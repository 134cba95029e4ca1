"""The two-node Elasticsearch cluster of the fault tests and the scale bench (``scripts/elasticsearch.sh cluster-*``).

Two nodes of the integ-test artifact that CI's single node runs, on 127.0.0.1:9250 (master + data) and :9251
(data only), with data dirs of their own; the shared node on 9200 is never touched.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path

from tests.support import ROOT

SCRIPT = ROOT / "scripts" / "elasticsearch.sh"
NODE_URLS = ("http://127.0.0.1:9250", "http://127.0.0.1:9251")


def script(*args: str) -> None:
    """Run the script; its output is shown when it fails."""
    done = subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, cwd=Path(ROOT))
    if done.returncode:
        raise RuntimeError(f"scripts/elasticsearch.sh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def nodes(url: str = NODE_URLS[0]) -> int:
    with urllib.request.urlopen(f"{url}/_cluster/health", timeout=10) as response:
        return int(json.load(response)["number_of_nodes"])
