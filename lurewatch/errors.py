"""The one exception family of LureWatch: every message tells the user what to do next."""

from __future__ import annotations


class LureWatchError(Exception):
    """Base class. ``hint`` is a short suggestion printed under the message."""

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint


class SourceConfigError(LureWatchError):
    """A source YAML file is missing, unreadable or does not validate."""

    hint = "fix the file and run again; `lurewatch sources` checks every source file"


class RunNotFound(LureWatchError):
    """A run id or run directory does not exist."""

    hint = "`lurewatch runs` lists the runs under the data directory"


class CrawlFailed(LureWatchError):
    """The crawler process ended abnormally."""

    hint = "see crawl.log in the run directory for the traceback"


class IndexUnavailable(LureWatchError):
    """The configured index backend cannot be reached."""

    hint = "check LUREWATCH_ES_URL, or set LUREWATCH_INDEX=sqlite to use the embedded index"

    def __init__(self, message: str, hint: str = "", done: int = 0) -> None:
        super().__init__(message, hint)
        self.done = done  # how many of the first findings were written before it went away (a rerun goes on there)


class IndexWriteError(LureWatchError):
    """Some documents were rejected by the index."""


class RunIdInvalid(LureWatchError):
    """A run id that is not a safe folder name."""

    hint = "a run id is a folder name under DATA_DIR/runs: no '/', no '..'"


class RunExists(LureWatchError):
    """A crawl was asked to write into a run that already exists."""

    hint = "pass --resume to continue that run (its evidence is kept and appended to), or choose another --run-id"


class CrawlFetchedNothing(CrawlFailed):
    """No start URL of the source could be fetched."""

    hint = "check that the site is up and reachable; the run's rejects.jsonl lists each refused URL"


class SettingsError(LureWatchError):
    """A ``LUREWATCH_*`` environment variable has a value LureWatch cannot use."""

    hint = "fix or unset the variable; README's Settings section lists every one"


class ExportError(LureWatchError):
    """An export cannot be made or verified as asked."""

    hint = "`lurewatch export run --help` lists the formats and options"


class FrontierUnavailable(CrawlFailed):
    """The Redis shared by a run's crawler processes does not answer."""

    hint = "start Redis again (or check LUREWATCH_REDIS_URL), then resume: `lurewatch crawl SOURCE --run-id RUN --resume`"


class WriteFailed(LureWatchError):
    """A step could not write its output (a full disk, a lost mount); what it replaces is left as it was."""

    hint = "free some space (or fix the mount) and run the step again: no half-written file was kept"
