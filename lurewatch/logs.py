"""Logging, configured once per process: ``LUREWATCH_LOG_LEVEL`` for LureWatch's loggers, WARNING for libraries.

Every entry point calls :func:`configure_logging` first: the CLI's ``main()``, the web app factory and the
Airflow DAG file. The crawl process is the exception: Scrapy installs its own handler there from ``LOG_LEVEL``,
which ``crawlers/settings.py`` sets from the same setting.
"""

from __future__ import annotations

import logging
import sys

from lurewatch.settings import get_settings

LOGGER = "lurewatch"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_MARK = "_lurewatch_handler"


def configure_logging(level: str | None = None, *, handler: logging.Handler | None = None, attach: bool = True) -> int:
    """Set the ``lurewatch`` loggers' level (default: ``LUREWATCH_LOG_LEVEL``); returns the numeric level.

    ``attach`` adds one handler (``handler``, or a plain one on standard error) to the root logger, so that
    library warnings show too; a host that handles records itself (Airflow's task log) passes ``attach=False``
    and gets only the level. Calling it again sets the level and keeps the handler in place (or swaps it for
    the ``handler`` given): there is never a second one, so the web app factory may call it under the CLI.
    """
    name = (level or get_settings().log_level).upper()
    number = logging.getLevelName(name)
    if not isinstance(number, int):
        raise ValueError(f"unknown log level {name!r}")
    logging.getLogger(LOGGER).setLevel(number)
    if not attach:
        return number
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]
    if handler is not None or not ours:
        for old in ours:
            root.removeHandler(old)
        if handler is None:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter(FORMAT))
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)
    # Libraries (elasticsearch's transport logs every request at INFO) stay at WARNING, but for DEBUG.
    root.setLevel(logging.DEBUG if number <= logging.DEBUG else max(number, logging.WARNING))
    # The transport warns with a traceback at each retry on another node; what a retry could not save is
    # raised as IndexUnavailable and said in one line. Its warnings show at DEBUG.
    logging.getLogger("elastic_transport").setLevel(logging.DEBUG if number <= logging.DEBUG else logging.ERROR)
    return number
