"""Task settings: Airflow connections first (several Elasticsearch nodes, SMTP over TLS), then ``LUREWATCH_*``;
relative paths taken from the checkout that holds the DAG folder, never from the task's working folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.airflow

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from lurewatch.airflow.connections import task_settings

    s = task_settings(sys.argv[1])
    print("SETTINGS " + json.dumps({"es_url": s.es_url, "es_username": s.es_username, "prefix": s.es_index_prefix,
          "smtp": [s.smtp_host, s.smtp_port, s.smtp_tls], "data_dir": str(s.data_dir), "cache": str(s.cache_path)}))
    """
)


def _task_settings(tmp_path: Path, **env: str) -> dict[str, object]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LUREWATCH_", "AIRFLOW_CONN_"))}
    base.update({"AIRFLOW_HOME": str(tmp_path / "airflow"), "LUREWATCH_DATA_DIR": "data", **env})
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "dags" / "lurewatch_alerts.py")], env=base,
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    settings: dict[str, object] = json.loads(result.stdout.split("SETTINGS ", 1)[1])
    return settings


def test_connections_give_elasticsearch_and_smtp(tmp_path: Path) -> None:
    es = {"conn_type": "generic", "host": "es1,es2:9201", "port": 9200, "schema": "https", "login": "ops",
          "password": "secret", "extra": {"index_prefix": "unit7"}}  # fmt: skip
    smtp = {"conn_type": "smtp", "host": "mail.example.org", "port": 465, "extra": {"ssl": True}}
    settings = _task_settings(tmp_path, AIRFLOW_CONN_ELASTICSEARCH_DEFAULT=json.dumps(es),
                              AIRFLOW_CONN_SMTP_DEFAULT=json.dumps(smtp), LUREWATCH_ES_URL="http://ignored:9200")  # fmt: skip
    assert settings["es_url"] == "https://es1:9200,https://es2:9201"
    assert settings["es_username"] == "ops" and settings["prefix"] == "unit7"
    assert settings["smtp"] == ["mail.example.org", 465, "ssl"]
    assert settings["data_dir"] == str(ROOT / "data")  # relative: from the checkout, not the working folder


def test_without_connections_lurewatch_settings_apply(tmp_path: Path) -> None:
    settings = _task_settings(tmp_path, LUREWATCH_ES_URL="http://127.0.0.1:9201", LUREWATCH_SMTP_HOST="relay",
                              LUREWATCH_DATA_DIR=str(tmp_path / "d"))  # fmt: skip
    assert settings["es_url"] == "http://127.0.0.1:9201" and settings["smtp"] == ["relay", 587, "starttls"]
    assert settings["data_dir"] == str(tmp_path / "d") and settings["cache"] == str(tmp_path / "d" / "cache")
