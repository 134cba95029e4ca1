"""Settings inside an Airflow task: Airflow connections first, then ``LUREWATCH_*``; relative paths made absolute.

The connections ``smtp_default`` and ``elasticsearch_default`` (when defined) give the SMTP server and the
Elasticsearch node(s); every value a connection leaves empty comes from ``LUREWATCH_*``. A task runs in a working
folder of Airflow's choosing, so a relative ``LUREWATCH_DATA_DIR`` (or any other relative path setting) is taken
from the checkout that holds the DAG folder (``<checkout>/dags/...`` → ``<checkout>/data``), the same folder the
command line uses when run from the checkout; the task logs the absolute data folder it uses.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lurewatch.settings import Settings

log = logging.getLogger(__name__)
PATH_SETTINGS = (
    "data_dir", "sources_dir", "cache_dir", "sqlite_path", "keys_file", "audit_log", "export_key_file",
    "exports_dir", "es_ca_certs",
)  # fmt: skip


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
        extra = es.extra_dejson or {}
        scheme = es.schema or extra.get("scheme") or "http"
        # A cluster: the host field may list several nodes ("es1,es2:9201"); each without a port gets the port.
        nodes = [h.strip() for h in str(es.host).split(",") if h.strip()]
        changes["es_url"] = ",".join(
            f"{scheme}://{node}" if ":" in node else f"{scheme}://{node}:{es.port or 9200}" for node in nodes
        )
        if es.login:
            changes.update(es_username=es.login, es_password=es.password or None)
        if extra.get("api_key"):
            changes["es_api_key"] = extra["api_key"]
        if extra.get("index_prefix"):
            changes["es_index_prefix"] = extra["index_prefix"]
    if changes:
        safe = sorted(k for k in changes if "password" not in k and "api_key" not in k)
        log.info("settings from Airflow connections: %s", ", ".join(safe))
    return settings.model_copy(update=changes)


def checkout_of(dag_file: str | Path) -> Path:
    """The folder that holds the DAG folder ``dags/`` a DAG file lives in (else the DAG file's own folder)."""
    here = Path(dag_file).resolve()
    return next((folder.parent for folder in here.parents if folder.name == "dags"), here.parent)


def absolute_paths(settings: Settings, base: Path) -> Settings:
    """``settings`` with every relative path setting taken from ``base``."""
    changes = {}
    for name in PATH_SETTINGS:
        value = getattr(settings, name)
        if isinstance(value, Path) and not value.is_absolute():
            changes[name] = base / value
    return settings.model_copy(update=changes)


def task_settings(dag_file: str | Path) -> Settings:
    """The settings an Airflow task of ``dag_file`` uses: connections, then ``LUREWATCH_*``, paths absolute."""
    from lurewatch.settings import get_settings

    settings = absolute_paths(settings_from_connections(get_settings()), checkout_of(dag_file))
    log.info("data folder %s, index %s", settings.data_dir, settings.index)
    return settings
