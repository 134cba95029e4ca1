"""How the index is opened and shared: a long-lived reader sees new findings, threads search at once,
a read-only file is searchable, and a bad path gets a hint about the path."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lurewatch.errors import IndexUnavailable
from lurewatch.index.base import Index, open_index
from lurewatch.index.query import Query
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.records import Finding
from lurewatch.settings import Settings
from tests.index.handbuilt import handbuilt_findings


def _copies(prefix: str, n: int, source: str = "later") -> list[Finding]:
    base = handbuilt_findings()
    return [dataclasses.replace(base[i % len(base)], posting_id=f"{prefix}{i}", source=source) for i in range(n)]


def _unrelated(prefix: str, n: int) -> list[Finding]:
    """Findings that none of the threads' queries match."""
    return [Finding(posting_id=f"{prefix}{i}", source="elsewhere", source_kind="feed", url=f"https://x.example/{i}",
                    canonical_url=f"https://x.example/{i}", fetched_at="2026-01-01T00:00:00+00:00", run_id="w",
                    title="Unrelated", text="Nothing to see here") for i in range(n)]  # fmt: skip


@pytest.mark.parametrize("read_only", [False, True])
def test_a_reader_left_open_sees_findings_indexed_later(tmp_path: Path, read_only: bool) -> None:
    """``lurewatch serve`` keeps its index open for days; what another process indexes must show up."""
    path = tmp_path / "index.sqlite"
    writer = SqliteIndex(path)
    writer.setup()
    writer.upsert(handbuilt_findings())
    server = SqliteIndex(path, read_only=True) if read_only else SqliteIndex(path)
    server.setup()
    # a filtered search (it fills a temporary table) and a text search, as the web UI does
    assert server.search(Query("*", filters={"country": ["MM"]})).total == 2
    assert server.search(Query("night")).total == 5
    writer.upsert(_copies("new", 3, source="board-a"))
    assert server.search(Query("*", filters={"country": ["MM"]})).total == 2 + 2  # new0, new1: copies of f1, f2
    assert server.search(Query("*", filters={"source": ["board-a"]})).total == 5 + 3
    assert server.count() == 12 and server.get("new2") is not None
    writer.close()
    server.close()


def test_a_reader_in_another_process_sees_new_findings(settings: Settings) -> None:
    server = open_index(settings)
    server.upsert(handbuilt_findings()[:4])
    assert server.search(Query("*", filters={"source_kind": ["board"]})).total == 3
    code = ("from lurewatch.index.base import open_index; from lurewatch.settings import get_settings;"
            "from tests.index.handbuilt import handbuilt_findings;"
            "open_index(get_settings()).upsert(handbuilt_findings()[4:])")  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ), timeout=120)
    assert server.search(Query("*", filters={"source_kind": ["board"]})).total == 7
    server.close()


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def shared(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Index]:
    chosen = settings if request.param == "sqlite" else request.getfixturevalue("es_settings")
    store = open_index(chosen)
    store.upsert(handbuilt_findings())
    yield store
    store.close()


QUERIES = [
    Query("night", sort="risk"),
    Query("*", filters={"country": ["MM", "TH"]}, sort="newest", facets=("country", "indicator")),
    Query("visa -passport"),
    Query("*", risk_min=60, sort="risk", histogram="day"),
    Query("*", near=(16.7167, 98.5667, 11.0), sort="oldest"),
]


def _answer(store: Index, query: Query) -> tuple[object, ...]:
    result = store.search(query)
    return result.total, [h.posting_id for h in result.hits], result.facets, result.histogram


def test_threads_search_at_once_while_another_indexes(shared: Index) -> None:
    """One ``Index`` shared by a web server's worker threads, with no lock around it."""
    expected = [_answer(shared, q) for q in QUERIES]
    errors: list[BaseException] = []
    answers: list[tuple[int, tuple[object, ...]]] = []
    start = threading.Barrier(9)

    def reader() -> None:
        try:
            start.wait()
            for _ in range(15):
                for i, query in enumerate(QUERIES):
                    answers.append((i, _answer(shared, query)))
                pages = list(shared.iterate(Query("*", sort="risk", size=2, filters={"source": ["board-b"]})))
                assert [h.posting_id for h in pages] == ["f2", "f7"]
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    def writer() -> None:
        try:
            start.wait()
            for batch in range(5):  # findings of another source: the readers' answers must not move
                shared.upsert(_unrelated(f"w{batch}-", 20))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(8)] + [threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors[:3]
    assert len(answers) == 8 * 15 * len(QUERIES)
    assert all(answer == expected[i] for i, answer in answers)
    assert shared.search(Query("*", filters={"source": ["elsewhere"]})).total == 100


def _read_only_command(data: Path, command: list[str]) -> list[str]:
    """``command`` run where ``data`` cannot be written: modes suffice for a user; root ignores them, so for
    root the folder is bind-mounted read-only in a private mount namespace."""
    if os.geteuid() != 0:
        (data / "index.sqlite").chmod(0o444)
        data.chmod(0o555)
        return command
    if shutil.which("unshare") is None:
        pytest.fail("root needs util-linux's unshare to make a read-only folder")
    quoted = " ".join(f"'{part}'" for part in command)
    script = f"mount --bind '{data}' '{data}' && mount -o remount,bind,ro '{data}' && exec {quoted}"
    return ["unshare", "-m", "sh", "-c", script]


def test_a_read_only_index_can_be_searched(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = SqliteIndex(data / "index.sqlite")
    store.setup()
    store.upsert(handbuilt_findings())
    store.close()  # the last connection folds the WAL into the file and removes it
    before = (data / "index.sqlite").read_bytes()
    env = {**os.environ, "LUREWATCH_DATA_DIR": str(data), "LUREWATCH_INDEX": "sqlite", "COLUMNS": "200"}
    try:
        for args in (["night", "-f", "country=MM"], ["*", "--size", "3"]):
            command = _read_only_command(data, [sys.executable, "-m", "lurewatch", "search", *args, "--json"])
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, result.stderr
            assert f'"total": {2 if args[0] == "night" else 9}' in result.stdout
    finally:
        data.chmod(0o755)
    assert (data / "index.sqlite").read_bytes() == before
    assert sorted(p.name for p in data.iterdir()) == ["index.sqlite"]


def test_read_only_opening_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    writer = SqliteIndex(path)
    writer.setup()
    writer.upsert(handbuilt_findings())
    reader = SqliteIndex(path, read_only=True)
    reader.setup()
    assert reader.search(Query("night", filters={"cluster": ["c-night"]})).total == 3
    with pytest.raises(Exception, match="readonly"):
        reader.upsert(handbuilt_findings()[:1])
    reader.close()
    writer.close()


def test_a_missing_index_is_not_created_by_a_search(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable, match="no SQLite index") as caught:
        SqliteIndex(tmp_path / "none.sqlite", read_only=True)
    assert "lurewatch index" in caught.value.hint and "Elasticsearch" not in caught.value.hint
    assert not (tmp_path / "none.sqlite").exists()


@pytest.mark.parametrize("read_only", [False, True])
def test_an_index_path_under_a_regular_file_names_that_file(tmp_path: Path, read_only: bool) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(IndexUnavailable) as caught:
        SqliteIndex(blocker / "sub" / "index.sqlite", read_only=read_only)
    assert str(blocker) in caught.value.hint and "is a file" in caught.value.hint
    assert "Elasticsearch" not in caught.value.hint and "LUREWATCH_ES" not in caught.value.hint


def test_an_index_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable) as caught:
        SqliteIndex(tmp_path, read_only=False).setup()
    assert "folder" in caught.value.hint and "Elasticsearch" not in caught.value.hint
