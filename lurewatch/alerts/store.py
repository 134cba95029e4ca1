"""Where alerts live: the ``AlertStore`` protocol, implemented in the index (SQLite tables, an ES index)."""

from __future__ import annotations

# builtins.list in annotations: these classes have a method named list.
import builtins
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from lurewatch.settings import Settings


class AlertStore(Protocol):
    """Alert documents by id, and per alert and channel the clusters already delivered."""

    backend: str

    def setup(self) -> None:
        """Create the table or index; safe to call again."""

    def put(self, alert: dict[str, Any]) -> None:
        """Insert or replace an alert by its ``id``."""

    def put_many(self, alerts: list[dict[str, Any]]) -> None:
        """``put`` for several alerts at once."""

    def get(self, alert_id: str) -> dict[str, Any] | None: ...

    def get_many(self, alert_ids: list[str]) -> list[dict[str, Any]]:
        """The alerts with these ids that exist."""

    def list(self, owner: str | None = None, name: str | None = None) -> list[dict[str, Any]]:
        """Every alert (of ``owner``; named ``name``), by owner and name."""

    def delete(self, alert_id: str) -> bool:
        """Remove an alert and its alerted clusters; False when there was none."""

    def alerted(self, alert_id: str, channel: str, cluster_ids: builtins.list[str]) -> set[str]:
        """Those of ``cluster_ids`` already delivered to ``channel`` by this alert."""

    def mark_alerted(self, marks: builtins.list[tuple[str, str, str]], at: str) -> None:
        """Record ``(alert_id, channel, cluster_id)``: that channel accepted a digest with that cluster."""

    def close(self) -> None: ...


def open_alert_store(settings: Settings) -> AlertStore:
    """The alert store of the configured index backend, set up."""
    if settings.index == "elasticsearch":
        from lurewatch.index.elasticsearch.alerts import ElasticsearchAlertStore
        from lurewatch.index.elasticsearch.backend import client_from_settings

        store: AlertStore = ElasticsearchAlertStore(client_from_settings(settings), settings.es_index_prefix)
    else:
        from lurewatch.index.sqlite.alerts import SqliteAlertStore

        store = SqliteAlertStore(settings.sqlite_file)
    store.setup()
    return store
