"""One DAG file per source: a broken YAML is an import error of its own, the others run on, from any folder."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lurewatch.airflow.dag_files import MARKER, sync_dag_files
from lurewatch.crawlers.source import load_source
from lurewatch.errors import SourceConfigError
from lurewatch.runner import demo_source_path
from lurewatch.settings import Settings
from tests.support.airflow import airflow, airflow_env, dag_folder

AIRFLOW_SECTION = """
airflow:
  owner: osint-team
  retries: 4
  retry_delay: 3m
  execution_timeout: 45m
  pool: crawls
  tags: [telegram]
"""

DESCRIBE = textwrap.dedent(
    """
    import json, sys
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=sys.argv[1])
    out = {}
    for dag_id in sorted(bag.dag_ids):
        dag = bag.get_dag(dag_id)
        task = dag.tasks[0]
        out[dag_id] = {"owner": task.owner, "retries": task.retries, "retry_delay": task.retry_delay.total_seconds(),
                       "timeout": task.execution_timeout.total_seconds() if task.execution_timeout else None,
                       "pool": task.pool, "tags": sorted(dag.tags), "schedule": str(dag.schedule),
                       "outlets": [a.name for a in task.outlets]}
    print("DAGS " + json.dumps(out))
    """
)


def _sources(settings: Settings) -> None:
    demo = demo_source_path().read_text(encoding="utf-8")
    (settings.sources_dir / "demo.yml").write_text(demo, encoding="utf-8")
    (settings.sources_dir / "tuned.yml").write_text(demo.replace("name: demo", "name: tuned") + AIRFLOW_SECTION)
    (settings.sources_dir / "broken.yml").write_text("name: broken\nkind: board\nstart_urlz: [/jobs/]\n")


def _json_rows(stdout: str) -> list[dict[str, str]]:
    """The rows an ``airflow ... -o json`` command printed (its log lines share standard output)."""
    rows: list[dict[str, str]] = json.loads(next(line for line in stdout.splitlines() if line.startswith("[{")))
    return rows


@pytest.mark.airflow
def test_a_broken_source_is_an_import_error_of_its_own_and_the_others_take_their_settings_from_yaml(tmp_path: Path, settings: Settings) -> None:
    _sources(settings)
    folder = dag_folder(tmp_path, settings.sources_dir)
    env = airflow_env(tmp_path, folder)
    for name in ("LUREWATCH_SOURCES_DIR", "LUREWATCH_DATA_DIR"):  # the DAG files need neither to be found
        env.pop(name)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    reserialize = airflow(env, "dags", "reserialize", cwd=elsewhere)  # parses the folder as the dag-processor does
    assert reserialize.returncode == 0, reserialize.stderr[-3000:]
    errors = airflow(env, "dags", "list-import-errors", "-o", "json", cwd=elsewhere)
    (error,) = _json_rows(errors.stdout)
    assert error["filepath"].endswith("source_broken.py")
    assert "broken.yml:3: start_urlz: unknown key (did you mean 'start_urls'?)" in error["error"]
    listed = airflow(env, "dags", "list", "-o", "json", cwd=elsewhere)
    assert listed.returncode == 0, listed.stderr[-2000:]
    dag_ids = sorted(d["dag_id"] for d in _json_rows(listed.stdout))
    assert dag_ids == ["lurewatch_alerts", "lurewatch_demo", "lurewatch_demo_process", "lurewatch_exports",
                       "lurewatch_tuned", "lurewatch_tuned_process"]  # fmt: skip

    # Owner, retries, retry delay, execution timeout, pool and tags of each source's tasks come from its YAML.
    result = subprocess.run([sys.executable, "-c", DESCRIBE, str(folder)], env=env, capture_output=True, text=True,
                            timeout=300, cwd=elsewhere)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    dags = json.loads(result.stdout.split("DAGS ", 1)[1])
    tuned, demo = dags["lurewatch_tuned"], dags["lurewatch_demo"]
    assert tuned == {"owner": "osint-team", "retries": 4, "retry_delay": 180.0, "timeout": 2700.0, "pool": "crawls",
                     "tags": ["crawl", "lurewatch", "telegram", "tuned"], "schedule": "@hourly",
                     "outlets": ["lurewatch_crawl_tuned"]}  # fmt: skip
    assert "lurewatch_crawl_tuned" in dags["lurewatch_tuned_process"]["schedule"]  # runs on the crawl's asset event
    assert dags["lurewatch_tuned_process"]["pool"] == "crawls" and dags["lurewatch_tuned_process"]["timeout"] == 2700.0
    assert demo["owner"] == "lurewatch" and demo["retries"] == 2 and demo["timeout"] == 7200.0  # the defaults
    assert dags["lurewatch_alerts"]["schedule"] == "0:15:00" and dags["lurewatch_alerts"]["owner"] == "lurewatch"


def test_a_typo_in_the_airflow_section_names_its_line(tmp_path: Path) -> None:
    source = tmp_path / "s.yml"
    source.write_text(demo_source_path().read_text(encoding="utf-8") + "airflow:\n  owner: me\n  retires: 3\n")
    with pytest.raises(SourceConfigError, match=r"s\.yml:\d+: airflow\.retires: unknown key \(did you mean 'retries'\?\)"):
        load_source(source)
    source.write_text(demo_source_path().read_text(encoding="utf-8") + "airflow:\n  execution_timeout: 2 hours\n")
    with pytest.raises(SourceConfigError, match=r"airflow\.execution_timeout: Value error, expected a duration"):
        load_source(source)


def test_sync_writes_one_file_per_source_and_removes_those_of_deleted_sources(tmp_path: Path) -> None:
    sources, dags = tmp_path / "sources", tmp_path / "dags"
    sources.mkdir()
    for name in ("a", "b-c"):
        (sources / f"{name}.yml").write_text("name: x\n")
    (dags).mkdir()
    (dags / "source_mine.py").write_text("# an operator's own DAG file: never removed\n")
    first = sync_dag_files(sources, dags)
    assert sorted(p.name for p in first.written) == ["source_a.py", "source_b_c.py"]
    text = (dags / "source_b_c.py").read_text()
    assert MARKER in text and repr(str((sources / "b-c.yml").resolve())) in text  # an absolute path
    again = sync_dag_files(sources, dags)
    assert not again.written and len(again.unchanged) == 2
    (sources / "a.yml").unlink()
    third = sync_dag_files(sources, dags)
    assert [p.name for p in third.removed] == ["source_a.py"]
    assert sorted(p.name for p in dags.iterdir()) == ["source_b_c.py", "source_mine.py"]


BROKEN_RUN = textwrap.dedent(
    """
    import sys
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=sys.argv[1])
    run = bag.get_dag("lurewatch_broken").test()
    print("STATE", run.state, [(ti.task_id, str(ti.state)) for ti in run.get_task_instances()])
    """
)


@pytest.mark.airflow
def test_a_task_of_a_source_whose_yaml_broke_fails_at_once_with_the_error(tmp_path: Path, settings: Settings) -> None:
    # A worker parses the DAG file of the task it runs with the parsing context set (Airflow's task runner does).
    (settings.sources_dir / "broken.yml").write_text("name: broken\nkind: board\nstart_urlz: [/jobs/]\n")
    folder = dag_folder(tmp_path, settings.sources_dir)
    env = airflow_env(tmp_path, folder, _AIRFLOW_PARSING_CONTEXT_DAG_ID="lurewatch_broken",
                      _AIRFLOW_PARSING_CONTEXT_TASK_ID="crawl")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", BROKEN_RUN, str(folder)], env=env, capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert "STATE failed [('crawl', 'failed')]" in result.stdout, (result.stdout[-3000:], result.stderr[-3000:])
    assert "broken.yml:3: start_urlz: unknown key (did you mean 'start_urls'?)" in result.stdout + result.stderr
