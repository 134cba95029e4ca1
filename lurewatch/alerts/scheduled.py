"""``alerts run`` as a scheduler calls it: the stats in the log, a failed channel fails the task.

The Airflow task passes settings from ``lurewatch.airflow.connections.task_settings`` (``smtp_default`` and
``elasticsearch_default`` when defined, else ``LUREWATCH_*``). A run in which a channel failed raises after logging
its stats, so the scheduler shows it and retries (delivered digests are not sent again; the failed channel gets its
digest then).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from lurewatch.errors import LureWatchError

if TYPE_CHECKING:
    from lurewatch.settings import Settings

log = logging.getLogger(__name__)


class AlertDeliveryFailed(LureWatchError):
    """Some channels did not accept their digests; they are retried on the next run."""

    hint = "see the run's failures; `lurewatch alerts list` shows each channel's last error"


def run_scheduled(settings: Settings | None = None) -> dict[str, Any]:
    """Evaluate every due alert and watch, deliver, log the stats; raise when a channel failed."""
    from lurewatch.alerts.service import run_alerts
    from lurewatch.settings import get_settings

    stats = run_alerts(settings or get_settings())
    log.info("alerts run: %s", json.dumps({k: v for k, v in stats.as_dict().items() if k != "failures"}))
    for failure in stats.failures:
        log.error("alert %s: channel %s failed: %s", failure["alert"], failure["channel"], failure["error"])
    if stats.failed:
        raise AlertDeliveryFailed(f"{stats.failed} digest(s) not accepted by their channel; retried next run")
    return stats.as_dict()
