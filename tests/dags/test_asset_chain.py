"""The asset chain under ``dag.test()``: a crawl of a fixture site emits its asset event, the process DAG that the
event triggers enriches and indexes the run into a real Elasticsearch node, the alerts DAG delivers to a webhook;
twice, with the same index (ids and counts) and no alert sent twice. See tests/dags/asset_chain.py for how the
asset-triggered run is made (Airflow's scheduler code, executed by ``dag.test()``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lurewatch.alerts import service
from lurewatch.alerts.store import open_alert_store
from lurewatch.index.base import open_index
from lurewatch.index.query import Query
from lurewatch.runner import demo_source_path
from lurewatch.settings import Settings
from tests.support.airflow import airflow_env, dag_folder
from tests.support.receivers import webhook_receiver

pytestmark = [pytest.mark.airflow, pytest.mark.elasticsearch, pytest.mark.slow]


def _lines(log: str, tag: str) -> list[object]:
    return [json.loads(line[len(tag) + 1 :]) for line in log.splitlines() if line.startswith(tag + " ")]


def test_crawl_asset_triggers_processing_and_alerts_twice_with_the_same_index(
    tmp_path: Path, es_settings: Settings, demo_site: object
) -> None:
    base_url = demo_site.base_url  # type: ignore[attr-defined]
    source = demo_source_path().read_text(encoding="utf-8").replace("http://127.0.0.1:8765", base_url)
    (es_settings.sources_dir / "demo.yml").write_text(source, encoding="utf-8")
    folder = dag_folder(tmp_path, es_settings.sources_dir)
    env = airflow_env(tmp_path, folder, LUREWATCH_WEBHOOK_ALLOW_PRIVATE="true", LUREWATCH_ALERTS_SETTLE_SECONDS="0")
    with webhook_receiver() as receiver:
        allowed = es_settings.model_copy(update={"webhook_allow_private": True})
        store = open_alert_store(es_settings)
        service.add_search(store, allowed, name="all lures", owner="analyst", query={"text": "*"},
                           channels=[f"webhook:{receiver.url}"])  # fmt: skip
        store.close()

        result = subprocess.run([sys.executable, "-m", "tests.dags.asset_chain", str(folder), "demo", "2"], env=env,
                                capture_output=True, text=True, timeout=600)  # fmt: skip
    log = result.stdout + result.stderr
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    assert log.count("CRAWL success") == 2 and log.count("ALERTS success") == 3 and "RERUN success" in log
    assert log.count('PROCESS success asset_triggered {"enrich": "success", "index": "success"}') == 2
    rounds = _lines(log, "EVENTS")
    assert len(rounds) == 2
    for events in rounds:
        (event,) = events  # type: ignore[misc]  # each process run consumed the one event of its crawl
        assert event["run_id"].startswith("demo-manual__") and event["postings"] > 150
        # Each task logs its step's figures; known pages skipped are not errors.
        assert f"crawl {event['run_id']}: pages=" in log and " skipped_known=" in log
        assert f"enrich {event['run_id']}: postings=" in log and f"index {event['run_id']}: " in log
    assert '"written": ' in log and log.count('"delivered": 1') == 1 and log.count('"delivered": 0') == 2
    runs = sorted(p.name for p in es_settings.runs_dir.iterdir())
    assert len(runs) == 2 and runs == sorted(e["run_id"] for (e,) in rounds)  # type: ignore[misc]

    first, second, rerun = _lines(log, "INDEX")
    assert first["count"] > 150 and first["count"] == first["ids"]  # type: ignore[index]
    assert second == first  # the same ids and counts after the chain ran twice
    assert rerun == first  # and after the first crawl's enrich and index ran again
    index = open_index(es_settings)
    try:
        assert index.count() == first["count"]  # type: ignore[index]
        assert len({hit.posting_id for hit in index.iterate(Query("*"))}) == first["count"]  # type: ignore[index]
    finally:
        index.close()
    (digest,) = receiver.bodies  # one digest: the later rounds' findings were all alerted already
    assert "new lure" in digest["text"]
