"""Shared fixtures: isolated settings, the demo site, a crawled demo run, and a real Elasticsearch node."""

from __future__ import annotations

import os
import shutil
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from lurewatch.settings import Settings, get_settings
from tests.support import IN_CI

ES_URL = os.environ.get("LUREWATCH_TEST_ES_URL", "http://127.0.0.1:9200")
ES_FIXTURES = {"es_url", "es_settings"}

# Property tests: no deadline (the machines are shared, timings are not ours to assert) and no example database
# in the work tree; scripts/mutation.sh runs them with fewer, fixed examples per mutant.
hypothesis_settings.register_profile("default", deadline=None, database=None)
hypothesis_settings.register_profile("mutation", deadline=None, database=None, max_examples=25, derandomize=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fail-on-skip",
        action="store_true",
        help="exit non-zero when any test was skipped (always so with CI=true, which .ci/run sets)",
    )


def _talks_to_elasticsearch(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    # A backend-parametrised fixture (``backend_settings``, or a module's own) names its Elasticsearch case so.
    on_es_backend = callspec is not None and any(value == "elasticsearch" for value in callspec.params.values())
    return on_es_backend or bool(ES_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test that reaches Elasticsearch through the fixtures must say so with the marker (``-m`` selects on it)."""
    if _talks_to_elasticsearch(item) and item.get_closest_marker("elasticsearch") is None:
        pytest.fail(f"{item.nodeid} uses the Elasticsearch fixtures: mark it @pytest.mark.elasticsearch", pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (scripts/test.sh: ``-n 3 --dist loadfile --no-loadscope-reorder``): the long test files
    first, so that none of them is left to finish the run alone while the other workers idle.

    Each file runs whole on one worker (its module-scoped servers, cluster and indexes are set up once; the fault
    tests build on the test before). A file with a test that asks for a longer timeout than the suite's starts
    first; then the files with tests marked ``slow`` or ``airflow``; the many short files then fill whichever
    worker is free. Within a file the order is the collected one. Without xdist nothing changes.
    """
    if not hasattr(config, "workerinput"):
        return
    default_timeout = float(config.getini("timeout") or 0)

    def rank(item: pytest.Item) -> int:
        timeout = item.get_closest_marker("timeout")
        if timeout is not None and timeout.args and float(timeout.args[0]) > default_timeout:
            return 0
        return 1 if item.get_closest_marker("slow") or item.get_closest_marker("airflow") else 2

    file_rank: dict[str, int] = {}
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        file_rank[path] = min(file_rank.get(path, 2), rank(item))
    items.sort(key=lambda item: file_rank[item.nodeid.split("::", 1)[0]])  # stable: files stay in collected order


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With ``--fail-on-skip``, or in CI (CI=true: .ci/run sets it), a skipped test fails the run."""
    if not (session.config.getoption("--fail-on-skip") or IN_CI):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if skipped and session.exitstatus == pytest.ExitCode.OK:
        reporter.write_line(f"error: {skipped} test(s) skipped; --fail-on-skip needs every test to run (see -rs)")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole session: the gazetteer index is built once, not per test."""
    path = tmp_path_factory.getbasetemp() / "geo-data" / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session", autouse=True)
def default_settings(shared_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests without the ``settings`` fixture still write nothing into the working folder (DATA_DIR=data)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LUREWATCH_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))
        patch.setenv("LUREWATCH_CACHE_DIR", str(shared_cache))
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_cache: Path) -> Iterator[Settings]:
    """Settings pointing at a fresh data folder, on the SQLite backend."""
    monkeypatch.setenv("LUREWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LUREWATCH_SOURCES_DIR", str(tmp_path / "sources"))
    monkeypatch.setenv("LUREWATCH_INDEX", "sqlite")
    monkeypatch.setenv("LUREWATCH_CACHE_DIR", str(shared_cache))
    monkeypatch.setenv("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    (tmp_path / "sources").mkdir()
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def demo_site() -> Iterator[object]:
    from lurewatch.demo.server import serve_demo_site

    with serve_demo_site() as site:
        yield site


@pytest.fixture(scope="session")
def demo_run_dir(tmp_path_factory: pytest.TempPathFactory, demo_site: object) -> Path:
    """One crawl of the demo site per test session; tests copy the run folder they change."""
    from lurewatch import runner

    data = tmp_path_factory.mktemp("demo-data")
    run = runner.crawl(
        str(runner.demo_source_path()),
        run_id="demo-session",
        base_url=demo_site.base_url,  # type: ignore[attr-defined]
        settings=Settings(data_dir=data),
    )
    return run.path


@pytest.fixture
def demo_run(demo_run_dir: Path, settings: Settings) -> str:
    """A private copy of the crawled demo run under this test's data folder; returns its run id."""
    target = settings.runs_dir / demo_run_dir.name
    shutil.copytree(demo_run_dir, target)
    return target.name


def _es_alive() -> bool:
    try:
        with urllib.request.urlopen(f"{ES_URL}/_cluster/health", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def es_url() -> str:
    """The test node's URL. Skips on a laptop without one; fails loudly in CI, where it must run."""
    if not _es_alive():
        message = f"no Elasticsearch at {ES_URL}; start one with scripts/elasticsearch.sh start"
        if IN_CI:
            pytest.fail(message + " (CI=true: Elasticsearch tests must run)")
        pytest.skip(message)
    return ES_URL


@pytest.fixture
def es_settings(es_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings on the Elasticsearch backend with an index prefix of this test's own; cleaned up after."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("LUREWATCH_INDEX", "elasticsearch")
    monkeypatch.setenv("LUREWATCH_ES_URL", es_url)
    monkeypatch.setenv("LUREWATCH_ES_INDEX_PREFIX", prefix)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url)
    # Deleting by wildcard is refused by default (action.destructive_requires_name): name each index.
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True, expand_wildcards="all"):
        client.indices.delete(index=name)
    client.close()


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def backend_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """Runs a test once per index backend."""
    if request.param == "elasticsearch":
        return request.getfixturevalue("es_settings")
    return settings
