"""Saved searches and watches in Elasticsearch: the index ``<prefix>-alerts``, with an explicit mapping.

Two kinds of documents share it (``doc_type``): an ``alert`` (its JSON kept whole in ``body``, which is not
indexed; ``lurewatch.alerts`` owns its shape) and a ``cluster`` mark per alert, channel and cluster already
alerted. Mark ids are derived from the three, so looking marks up is a real-time ``mget`` (no refresh wait).
"""

from __future__ import annotations

# builtins.list in annotations: these classes have a method named list.
import builtins
import hashlib
from collections.abc import Iterator
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError, helpers

from lurewatch.errors import IndexUnavailable, IndexWriteError
from lurewatch.index.elasticsearch.backend import es_call

ALERTS_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "doc_type": {"type": "keyword"},  # alert | cluster
        "alert_id": {"type": "keyword"},
        "owner": {"type": "keyword"},
        "name": {"type": "keyword"},
        "channel": {"type": "keyword"},
        "cluster_id": {"type": "keyword"},
        "alerted_at": {"type": "date"},
        "updated_at": {"type": "date"},
        "body": {"type": "object", "enabled": False},
    },
}
ALERTS_SETTINGS: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0}
LOOKUP = 1000
LIST_LIMIT = 10_000


def mark_id(alert_id: str, channel: str, cluster_id: str) -> str:
    digest = hashlib.sha256(f"{alert_id}\x1f{channel}\x1f{cluster_id}".encode()).hexdigest()[:32]
    return f"m_{digest}"


class ElasticsearchAlertStore:
    """Alerts and their alerted clusters in ``<prefix>-alerts``."""

    backend = "elasticsearch"

    def __init__(self, client: Elasticsearch, prefix: str = "lurewatch") -> None:
        self.client = client
        self.name = f"{prefix}-alerts"

    _call = staticmethod(es_call)

    def setup(self) -> None:
        if self._call("check alerts index", self.client.indices.exists, index=self.name):
            return
        try:
            self.client.indices.create(index=self.name, mappings=ALERTS_MAPPING, settings=ALERTS_SETTINGS)
        except ApiError as exc:
            if exc.error != "resource_already_exists_exception":
                raise
        except TransportError as exc:
            raise IndexUnavailable(f"Elasticsearch did not answer (create alerts index): {exc}") from exc

    def _document(self, alert: dict[str, Any]) -> dict[str, Any]:
        return {"doc_type": "alert", "alert_id": alert["id"], "owner": alert["owner"], "name": alert["name"],
                "updated_at": alert.get("updated_at"), "body": alert}  # fmt: skip

    def put(self, alert: dict[str, Any]) -> None:
        # No refresh wait: gets are real-time, and ``list`` refreshes first.
        self._call("save alert", self.client.index, index=self.name, id=alert["id"], document=self._document(alert))

    def put_many(self, alerts: list[dict[str, Any]]) -> None:
        self._bulk(({"_index": self.name, "_id": a["id"], "_source": self._document(a)} for a in alerts), "save alerts")

    def _bulk(self, actions: Iterator[dict[str, Any]], what: str) -> None:
        failed: list[Any] = []
        try:
            for ok, item in helpers.streaming_bulk(self.client, actions, chunk_size=LOOKUP, max_retries=3,
                                                   raise_on_error=False):  # fmt: skip
                if not ok:
                    failed.append(item)
        except TransportError as exc:
            raise IndexUnavailable(f"Elasticsearch did not answer ({what}): {exc}") from exc
        if failed:
            raise IndexWriteError(f"{what}: {len(failed)} documents were rejected: {failed[:1]}")

    def get(self, alert_id: str) -> dict[str, Any] | None:
        try:
            found = self.client.get(index=self.name, id=alert_id)
        except ApiError as exc:
            if exc.meta.status == 404:
                return None
            raise
        except TransportError as exc:
            raise IndexUnavailable(f"Elasticsearch did not answer (get alert): {exc}") from exc
        source = found["_source"]
        return source["body"] if source.get("doc_type") == "alert" else None

    def get_many(self, alert_ids: list[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(alert_ids), LOOKUP):
            response = self._call(
                "get alerts", self.client.mget, index=self.name, ids=alert_ids[start : start + LOOKUP]
            )
            found.extend(
                d["_source"]["body"]
                for d in response["docs"]
                if d.get("found") and d["_source"].get("doc_type") == "alert"
            )
        return found

    def list(self, owner: str | None = None, name: str | None = None) -> list[dict[str, Any]]:
        filters: list[dict[str, Any]] = [{"term": {"doc_type": "alert"}}]
        if owner is not None:
            filters.append({"term": {"owner": owner}})
        if name is not None:
            filters.append({"term": {"name": name}})
        # A run's bookkeeping is written without waiting for a refresh: refresh here, so a listing is current.
        self._call("refresh alerts", self.client.indices.refresh, index=self.name)
        response = self._call("list alerts", self.client.search, index=self.name, size=LIST_LIMIT,
                              query={"bool": {"filter": filters}}, sort=[{"owner": "asc"}, {"name": "asc"}])  # fmt: skip
        return [hit["_source"]["body"] for hit in response["hits"]["hits"]]

    def delete(self, alert_id: str) -> bool:
        try:
            self.client.delete(index=self.name, id=alert_id)
        except ApiError as exc:
            if exc.meta.status == 404:
                return False
            raise
        except TransportError as exc:
            raise IndexUnavailable(f"Elasticsearch did not answer (delete alert): {exc}") from exc
        self._forget_marks(alert_id)
        return True

    def _forget_marks(self, alert_id: str) -> None:
        """Delete the alert's cluster marks page by page (the server may lack delete-by-query, a module)."""
        marks = {"bool": {"filter": [{"term": {"doc_type": "cluster"}}, {"term": {"alert_id": alert_id}}]}}
        while True:
            self._call("refresh alerts", self.client.indices.refresh, index=self.name)
            page = self._call("find alerted clusters", self.client.search, index=self.name, query=marks,
                              size=LOOKUP, source=False)  # fmt: skip
            ids = [hit["_id"] for hit in page["hits"]["hits"]]
            if not ids:
                return
            actions = ({"_op_type": "delete", "_index": self.name, "_id": i} for i in ids)
            helpers.bulk(self.client, actions, raise_on_error=False)

    def alerted(self, alert_id: str, channel: str, cluster_ids: builtins.list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(cluster_ids), LOOKUP):
            chunk = cluster_ids[start : start + LOOKUP]
            ids = {mark_id(alert_id, channel, cluster): cluster for cluster in chunk}
            response = self._call("look up alerted clusters", self.client.mget, index=self.name, ids=list(ids),
                                  source=False)  # fmt: skip
            found.update(ids[doc["_id"]] for doc in response["docs"] if doc.get("found"))
        return found

    def mark_alerted(self, marks: builtins.list[tuple[str, str, str]], at: str) -> None:
        actions = (
            {"_index": self.name, "_id": mark_id(alert_id, channel, cluster), "_source": {
                "doc_type": "cluster", "alert_id": alert_id, "channel": channel, "cluster_id": cluster,
                "alerted_at": at}}
            for alert_id, channel, cluster in marks
        )  # fmt: skip
        self._bulk(actions, "mark alerted clusters")

    def close(self) -> None:
        self.client.close()
