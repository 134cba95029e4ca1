"""Logging is configured once, at each entry point, at the level LUREWATCH_LOG_LEVEL names."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from lurewatch.logs import configure_logging
from lurewatch.settings import Settings, get_settings


@pytest.fixture
def clean_logging() -> Iterator[logging.Logger]:
    """Restores the root and ``lurewatch`` loggers as pytest set them up."""
    root, ours = logging.getLogger(), logging.getLogger("lurewatch")
    handlers, root_level, level = list(root.handlers), root.level, ours.level
    # An app built by an earlier test in this process may have attached the handler already.
    root.handlers[:] = [h for h in handlers if not getattr(h, "_lurewatch_handler", False)]
    yield root
    root.handlers[:] = handlers
    root.setLevel(root_level)
    ours.setLevel(level)


def _ours(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if getattr(h, "_lurewatch_handler", False)]


def test_level_comes_from_the_environment(
    clean_logging: logging.Logger, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setenv("LUREWATCH_LOG_LEVEL", "debug")
    get_settings.cache_clear()
    assert configure_logging() == logging.DEBUG
    assert logging.getLogger("lurewatch.runner").getEffectiveLevel() == logging.DEBUG


def test_second_call_keeps_one_handler(clean_logging: logging.Logger) -> None:
    configure_logging("INFO")
    configure_logging("WARNING")
    assert len(_ours(clean_logging)) == 1
    assert logging.getLogger("lurewatch").level == logging.WARNING
    # Libraries stay at WARNING while LureWatch logs INFO.
    configure_logging("INFO")
    assert clean_logging.level == logging.WARNING


def test_airflow_keeps_its_own_handlers(clean_logging: logging.Logger) -> None:
    before = list(clean_logging.handlers)
    configure_logging("ERROR", attach=False)
    assert clean_logging.handlers == before and not _ours(clean_logging)
    assert logging.getLogger("lurewatch").level == logging.ERROR


def lurewatch(settings: Settings, *args: str, level: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LUREWATCH_DATA_DIR": str(settings.data_dir), "LUREWATCH_LOG_LEVEL": level, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "lurewatch", *args], capture_output=True, text=True, env=env,
                          timeout=300)  # fmt: skip


def test_unknown_level_is_a_settings_error_with_a_hint(settings: Settings) -> None:
    done = lurewatch(settings, "runs", level="loud")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: LUREWATCH_LOG_LEVEL='loud'") and "hint:" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_logs_a_rejected_line_once_and_only_at_its_level(settings: Settings) -> None:
    run = settings.runs_dir / "bad-lines"
    run.mkdir(parents=True)
    (run / "run.json").write_text('{"run_id": "bad-lines", "source": "hand-made"}', encoding="utf-8")
    (run / "postings.jsonl").write_text("{not json\n", encoding="utf-8")
    shown = lurewatch(settings, "enrich", "bad-lines", level="warning")
    assert shown.returncode == 0, shown.stderr
    assert shown.stderr.count("enrich rejected line=1") == 1
    hidden = lurewatch(settings, "enrich", "bad-lines", level="ERROR")
    assert hidden.returncode == 0, hidden.stderr
    assert "enrich rejected" not in hidden.stderr
