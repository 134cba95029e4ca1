"""Faults of Elasticsearch under the index step, on a real two-node cluster (scripts/elasticsearch.sh cluster-start).

One node stopped mid-indexing: the step completes on the other, nothing lost or duplicated. Both gone
mid-indexing: the step fails with one clear line, and a rerun once the node is back goes on where it stopped.
Each prints what was lost and how long recovery took (``-s`` shows it). The tests run in this order, on one
cluster: the first leaves node 2 stopped, the second stops node 1 and starts it again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from lurewatch import runner
from lurewatch.records import to_json_bytes
from lurewatch.run_folder import RunFolder, read_json
from lurewatch.settings import Settings
from tests.support.es_cluster import NODE_URLS, nodes, script
from tests.support.samples import sample_findings

pytestmark = pytest.mark.elasticsearch
FINDINGS = 6_000
WAIT = 120.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, str]]:
    script("cluster-start")
    try:
        yield NODE_URLS
    finally:
        script("cluster-stop")


def _run_with_findings(settings: Settings, run_id: str, n: int) -> RunFolder:
    run = RunFolder(run_id, settings.runs_dir / run_id)
    run.path.mkdir(parents=True)
    run.write_meta({"run_id": run_id, "source": "synthetic", "status": "finished", "steps": {}})
    with run.findings.open("wb") as fh:
        for finding in sample_findings(n, run_id=run_id):
            fh.write(to_json_bytes(finding) + b"\n")
    return run


def _count(url: str, prefix: str) -> int:
    client = Elasticsearch(url, request_timeout=10)
    try:
        client.indices.refresh(index=f"{prefix}-findings")
        return int(client.count(index=f"{prefix}-findings")["count"])
    finally:
        client.close()


def test_a_node_stopped_mid_indexing_loses_and_duplicates_nothing(cluster: tuple[str, str], tmp_path: Path) -> None:
    prefix = f"test-nodeloss-{uuid.uuid4().hex[:8]}"
    settings = Settings(data_dir=tmp_path / "data", index="elasticsearch", es_url=",".join(cluster),
                        es_index_prefix=prefix, es_shards=2, es_replicas=1)  # fmt: skip
    run = _run_with_findings(settings, "nodeloss", FINDINGS)
    stopped: dict[str, float] = {}

    def stop_node_2() -> None:
        stopped["at"] = time.monotonic()
        script("node-stop", "2")
        stopped["done"] = time.monotonic()

    stopper = threading.Thread(target=stop_node_2)

    def progress(n: int) -> None:
        if n == FINDINGS // 4 and not stopper.is_alive() and "at" not in stopped:
            stopper.start()

    started = time.monotonic()
    runner.index("nodeloss", progress=progress, settings=settings)
    ended = time.monotonic()
    stopper.join(WAIT)
    step = read_json(run.path / "run.json")["steps"]["index"]
    assert "done" in stopped and nodes(cluster[0]) == 1  # the node really went away during the step
    assert step["written"] == FINDINGS and step["rejected"] == 0
    assert _count(cluster[0], prefix) == FINDINGS  # ids are posting ids: as many documents as findings, none twice
    print(f"\none node of two stopped at {stopped['at'] - started:.1f}s into indexing {FINDINGS} findings: "
          f"lost 0, duplicated 0; the step completed on the other node {ended - stopped['at']:.1f}s after the stop "
          f"(the node took {stopped['done'] - stopped['at']:.1f}s to stop)")  # fmt: skip


def test_elasticsearch_gone_mid_indexing_fails_in_one_line_and_the_rerun_goes_on(
    cluster: tuple[str, str], tmp_path: Path
) -> None:
    url = cluster[0]  # node 2 was stopped by the test before; this is the whole cluster now
    prefix = f"test-down-{uuid.uuid4().hex[:8]}"
    settings = Settings(data_dir=tmp_path / "data", index="elasticsearch", es_url=url, es_index_prefix=prefix)
    _run_with_findings(settings, "down", FINDINGS)
    env = {**os.environ, "LUREWATCH_DATA_DIR": str(settings.data_dir), "LUREWATCH_INDEX": "elasticsearch",
           "LUREWATCH_ES_URL": url, "LUREWATCH_ES_INDEX_PREFIX": prefix, "LUREWATCH_ES_TIMEOUT": "10",
           "COLUMNS": "200"}  # fmt: skip
    step = subprocess.Popen([sys.executable, "-m", "lurewatch", "index", "down"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + WAIT
    while not _index_exists(url, prefix) or _count(url, prefix) < 1000:
        assert step.poll() is None, step.communicate()
        assert time.monotonic() < deadline, "indexing never started"
        time.sleep(0.2)
    script("node-stop", "1")
    stopped = time.monotonic()
    _, stderr = step.communicate(timeout=WAIT)
    failed_after = time.monotonic() - stopped
    said = [line for line in stderr.splitlines() if line.strip() and "━" not in line]
    assert step.returncode == 2 and "Traceback" not in stderr, stderr
    assert len(said) == 2 and said[0].startswith("error: Elasticsearch went away after"), stderr
    assert "findings up to line" in said[0] and said[1].startswith("hint: start Elasticsearch again"), stderr
    checkpoint = read_json(settings.runs_dir / "down" / "run.json")["index_checkpoint"]
    assert 0 < checkpoint["line"] < FINDINGS

    restarted = time.monotonic()
    script("node-start", "1")  # with its data: what was written before the stop is still there
    back = time.monotonic()
    runner.index("down", settings=settings)
    done = time.monotonic()
    meta = read_json(settings.runs_dir / "down" / "run.json")
    assert "index_checkpoint" not in meta
    assert meta["steps"]["index"]["written"] == FINDINGS
    assert meta["steps"]["index"]["resumed_after_line"] == checkpoint["line"]
    assert _count(url, prefix) == FINDINGS
    print(f"\nElasticsearch stopped mid-indexing: the step failed {failed_after:.1f}s later in one line with "
          f"{checkpoint['line']} findings written; lost 0; node restart {back - restarted:.1f}s, rerun from line "
          f"{checkpoint['line'] + 1} completed in {done - back:.1f}s")  # fmt: skip


def _index_exists(url: str, prefix: str) -> bool:
    client = Elasticsearch(url, request_timeout=10)
    try:
        return bool(client.indices.exists_alias(name=f"{prefix}-findings"))
    finally:
        client.close()
