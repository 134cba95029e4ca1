"""``alerts run`` as a scheduler calls it: settings from Airflow connections when there are any, stats in the log.

Inside an Airflow task, the connections ``smtp_default`` and ``elasticsearch_default`` (when defined) give the
SMTP server and the Elasticsearch node; everything else, and every value a connection leaves empty, comes from
``LUREWATCH_*``. A run in which a channel failed raises after logging its stats, so the scheduler shows it and
retries (delivered digests are not sent again; the failed channel gets its digest then).
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


def _connection(conn_id: str) -> Any | None:
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        return None
    try:
        return BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - Airflow raises several kinds for "not defined"; the fallback is the env
        return None


def settings_from_connections(settings: Settings) -> Settings:
    """``settings`` with SMTP and Elasticsearch taken from Airflow connections, where they are defined."""
    changes: dict[str, Any] = {}
    smtp = _connection("smtp_default")
    if smtp is not None and smtp.host:
        extra = smtp.extra_dejson or {}
        tls = "ssl" if extra.get("ssl") else ("none" if extra.get("disable_tls") else settings.smtp_tls)
        changes.update(smtp_host=smtp.host, smtp_port=smtp.port or settings.smtp_port, smtp_tls=tls)
        if smtp.login:
            changes.update(smtp_user=smtp.login, smtp_password=smtp.password or None)
        if extra.get("from_email"):
            changes["smtp_from"] = extra["from_email"]
    es = _connection("elasticsearch_default")
    if es is not None and es.host:
        scheme = es.schema or (es.extra_dejson or {}).get("scheme") or "http"
        changes["es_url"] = f"{scheme}://{es.host}:{es.port or 9200}"
        if es.login:
            changes.update(es_username=es.login, es_password=es.password or None)
        if (es.extra_dejson or {}).get("api_key"):
            changes["es_api_key"] = es.extra_dejson["api_key"]
    if changes:
        safe = sorted(k for k in changes if "password" not in k and "api_key" not in k)
        log.info("settings from Airflow connections: %s", ", ".join(safe))
    return settings.model_copy(update=changes)


def run_scheduled() -> dict[str, Any]:
    """Evaluate every due alert and watch, deliver, log the stats; raise when a channel failed."""
    from lurewatch.alerts.service import run_alerts
    from lurewatch.settings import get_settings

    stats = run_alerts(settings_from_connections(get_settings()))
    log.info("alerts run: %s", json.dumps({k: v for k, v in stats.as_dict().items() if k != "failures"}))
    for failure in stats.failures:
        log.error("alert %s: channel %s failed: %s", failure["alert"], failure["channel"], failure["error"])
    if stats.failed:
        raise AlertDeliveryFailed(f"{stats.failed} digest(s) not accepted by their channel; retried next run")
    return stats.as_dict()
