"""Networks in Elasticsearch: the index ``<prefix>-networks`` beside the findings, and ``network_id`` on each finding.

Five kinds of documents share the index (``doc_type``): a ``member`` per finding (its link keys and the fields a
summary counts), an ``entity`` per link key (its network and how many findings carry it), a ``network`` summary
(kept whole in ``body``, not indexed, with the columns listing sorts on), a ``merge`` record, and ``state``.
Ids derive from what they describe, so lookups are real-time ``mget`` calls. The server may lack the
update-by-query module: moving a merged network's documents is a search followed by bulk updates.
"""

from __future__ import annotations

# builtins.list in annotations: this class has a method named list.
import builtins
import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError, helpers

from lurewatch.entities import ENTITY_KINDS
from lurewatch.errors import IndexUnavailable, IndexWriteError
from lurewatch.index.elasticsearch.backend import es_call
from lurewatch.index.networks import NETWORK_SORTS, EntityRow, Member, keys_of_values

KEYWORD = {"type": "keyword"}
NETWORKS_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        **{name: KEYWORD for name in ("doc_type", "posting_id", "network_id", "keys", "source", "language", "country",
                                      "compound", "cluster_id", "fetched_at", "key", "last_seen", "from_id", "into_id",
                                      "kind", "at", "name", "value")},  # fmt: skip
        **{name: {"type": "integer"} for name in ("risk_score", "findings", "postings", "growth", "max_risk")},
        "body": {"type": "object", "enabled": False},
    },
}
SETTINGS: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0}
PAGE = 5000
LOOKUP = 1000
SORTS = {"size": [{"postings": "desc"}], "growth": [{"growth": "desc"}, {"postings": "desc"}],
         "risk": [{"max_risk": "desc"}, {"postings": "desc"}], "recent": [{"last_seen": "desc"}]}  # fmt: skip
SOURCE_FIELDS = ["posting_id", "source", "language", "country", "compound", "cluster_id", "fetched_at", "risk_score",
                 "indexed_at", *{e.path for e in ENTITY_KINDS}]  # fmt: skip


def entity_id(key: str) -> str:
    return "e:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _values(source: dict[str, Any], path: str) -> list[str]:
    head, _, attribute = path.partition(".")
    found = source.get(head)
    if isinstance(found, list):
        return [str(item[attribute]) for item in found if isinstance(item, dict) and item.get(attribute)]
    if isinstance(found, dict):
        return [str(v) for v in found.get(attribute) or []]
    return []


class ElasticsearchNetworkStore:
    """Networks in ``<prefix>-networks``; ``network_id`` written onto ``<prefix>-findings``."""

    backend = "elasticsearch"

    def __init__(self, client: Elasticsearch, prefix: str = "lurewatch") -> None:
        self.client = client
        self.name = f"{prefix}-networks"
        self.findings = f"{prefix}-findings"

    _call = staticmethod(es_call)

    def setup(self) -> None:
        if self._call("check networks index", self.client.indices.exists, index=self.name):
            return
        try:
            self.client.indices.create(index=self.name, mappings=NETWORKS_MAPPING, settings=SETTINGS)
        except ApiError as exc:
            if exc.error != "resource_already_exists_exception":
                raise
        except TransportError as exc:
            raise IndexUnavailable(f"Elasticsearch did not answer (create networks index): {exc}") from exc

    # --- reading ------------------------------------------------------------------------------------------

    def _scan(self, index: str, query: dict[str, Any], sort: str, source: Any = True) -> Iterator[dict[str, Any]]:
        """Every hit of ``query``, page by page on ``sort`` (a unique keyword), without a point in time."""
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"query": query, "size": PAGE, "sort": [{sort: "asc"}], "_source": source}
            if after is not None:
                body["search_after"] = after
            hits = self._call("read networks", self.client.search, index=index, **body)["hits"]["hits"]
            yield from hits
            if len(hits) < PAGE:
                return
            after = hits[-1]["sort"]

    def read_findings(self, indexed_after: str | None = None,
                      posting_ids: builtins.list[str] | None = None) -> Iterator[Member]:  # fmt: skip
        queries: builtins.list[dict[str, Any]]
        if posting_ids is not None:
            queries = [{"terms": {"posting_id": posting_ids[i : i + LOOKUP]}} for i in range(0, len(posting_ids), LOOKUP)]
        else:
            queries = [{"range": {"indexed_at": {"gt": indexed_after}}} if indexed_after else {"match_all": {}}]
        for query in queries:
            for hit in self._scan(self.findings, query, "posting_id", SOURCE_FIELDS):
                s = hit["_source"]
                values = {e.kind: _values(s, e.path) for e in ENTITY_KINDS}
                yield Member(s["posting_id"], keys_of_values(values, s.get("cluster_id") or ""), "",
                             s.get("source") or "", s.get("language") or "", s.get("country") or "",
                             s.get("compound") or "", s.get("cluster_id") or "", s.get("fetched_at") or "",
                             s.get("risk_score") or 0, s.get("indexed_at") or "")  # fmt: skip

    def _mget(self, ids: builtins.list[str]) -> Iterator[dict[str, Any]]:
        for start in range(0, len(ids), LOOKUP):
            response = self._call("look up networks", self.client.mget, index=self.name, ids=ids[start : start + LOOKUP])
            yield from (doc["_source"] for doc in response["docs"] if doc.get("found"))

    @staticmethod
    def _member(s: dict[str, Any]) -> Member:
        return Member(s["posting_id"], list(s.get("keys") or []), s["network_id"], s.get("source") or "",
                      s.get("language") or "", s.get("country") or "", s.get("compound") or "",
                      s.get("cluster_id") or "", s.get("fetched_at") or "", s.get("risk_score") or 0)  # fmt: skip

    def members_by_id(self, posting_ids: builtins.list[str]) -> dict[str, Member]:
        return {s["posting_id"]: self._member(s) for s in self._mget([f"m:{pid}" for pid in posting_ids])}

    def members_of(self, network_ids: builtins.list[str]) -> builtins.list[Member]:
        found: builtins.list[Member] = []
        for start in range(0, len(network_ids), LOOKUP):
            query = {"bool": {"filter": [{"term": {"doc_type": "member"}},
                                         {"terms": {"network_id": network_ids[start : start + LOOKUP]}}]}}  # fmt: skip
            found.extend(self._member(hit["_source"]) for hit in self._scan(self.name, query, "posting_id"))
        return found

    def entities(self, keys: builtins.list[str]) -> dict[str, EntityRow]:
        return {s["key"]: EntityRow(s["key"], s["network_id"], s["findings"]) for s in self._mget([entity_id(k) for k in keys])}

    def entities_of(self, network_id: str, limit: int) -> builtins.list[EntityRow]:
        query = {"bool": {"filter": [{"term": {"doc_type": "entity"}}, {"term": {"network_id": network_id}}]}}
        hits = self._call("network entities", self.client.search, index=self.name, query=query, size=limit,
                          sort=[{"findings": "desc"}, {"key": "asc"}])["hits"]["hits"]  # fmt: skip
        return [EntityRow(h["_source"]["key"], network_id, h["_source"]["findings"]) for h in hits]

    def network(self, network_id: str) -> dict[str, Any] | None:
        found = list(self._mget([f"n:{network_id}"]))
        return found[0]["body"] if found else None

    def list(self, sort: str = "size", size: int = 50, offset: int = 0,
             min_postings: int = 2) -> tuple[int, builtins.list[dict[str, Any]]]:  # fmt: skip
        if sort not in NETWORK_SORTS:
            raise ValueError(f"unknown sort {sort!r}; known: {', '.join(NETWORK_SORTS)}")
        query = {"bool": {"filter": [{"term": {"doc_type": "network"}}, {"range": {"postings": {"gte": min_postings}}}]}}
        response = self._call("list networks", self.client.search, index=self.name, query=query, size=size,
                              from_=offset, sort=[*SORTS[sort], {"network_id": "asc"}], track_total_hits=True)  # fmt: skip
        return int(response["hits"]["total"]["value"]), [h["_source"]["body"] for h in response["hits"]["hits"]]

    def merges(self, network_id: str) -> builtins.list[dict[str, Any]]:
        query = {"bool": {"filter": [{"term": {"doc_type": "merge"}}], "minimum_should_match": 1,
                          "should": [{"term": {"from_id": network_id}}, {"term": {"into_id": network_id}}]}}  # fmt: skip
        hits = self._call("network merges", self.client.search, index=self.name, query=query, size=1000,
                          sort=[{"at": "asc"}])["hits"]["hits"]  # fmt: skip
        return [h["_source"]["body"] for h in hits]

    def merged_into(self, network_id: str) -> str | None:
        query = {"bool": {"filter": [{"term": {"doc_type": "merge"}}, {"term": {"kind": "merge"}},
                                     {"term": {"from_id": network_id}}]}}  # fmt: skip
        hits = self._call("network merges", self.client.search, index=self.name, query=query, size=1,
                          sort=[{"at": "desc"}])["hits"]["hits"]  # fmt: skip
        return hits[0]["_source"]["into_id"] if hits else None

    def state(self, name: str) -> str | None:
        found = list(self._mget([f"s:{name}"]))
        return found[0]["value"] if found else None

    # --- writing ------------------------------------------------------------------------------------------

    def _bulk(self, actions: Iterator[dict[str, Any]], what: str, refresh: str | None = None) -> None:
        failed: builtins.list[Any] = []
        try:
            for ok, item in helpers.streaming_bulk(self.client, actions, chunk_size=LOOKUP, max_retries=3,
                                                   raise_on_error=False):  # fmt: skip
                if not ok and item.get("delete", {}).get("status") != 404:  # a summary never written: nothing to remove
                    failed.append(item)
        except TransportError as exc:
            raise IndexUnavailable(f"Elasticsearch did not answer ({what}): {exc}") from exc
        if failed:
            raise IndexWriteError(f"{what}: {len(failed)} documents were rejected: {failed[:1]}")
        for index in filter(None, (self.name, refresh)):
            self._call("refresh", self.client.indices.refresh, index=index)

    def put(self, members: builtins.list[Member], entities: builtins.list[EntityRow],
            networks: builtins.list[dict[str, Any]], merges: builtins.list[dict[str, Any]],
            gone: builtins.list[str]) -> None:  # fmt: skip
        def actions() -> Iterator[dict[str, Any]]:
            for m in members:
                yield {"_index": self.name, "_id": f"m:{m.posting_id}", "_source": {
                    "doc_type": "member", "posting_id": m.posting_id, "network_id": m.network_id, "keys": m.keys,
                    "source": m.source, "language": m.language, "country": m.country, "compound": m.compound,
                    "cluster_id": m.cluster_id, "fetched_at": m.fetched_at, "risk_score": m.risk_score}}  # fmt: skip
            for e in entities:
                yield {"_index": self.name, "_id": entity_id(e.key), "_source": {
                    "doc_type": "entity", "key": e.key, "network_id": e.network_id, "findings": e.findings}}  # fmt: skip
            for g in gone:
                yield {"_op_type": "delete", "_index": self.name, "_id": f"n:{g}"}
            for n in networks:
                yield {"_index": self.name, "_id": f"n:{n['network_id']}", "_source": {
                    "doc_type": "network", "network_id": n["network_id"], "postings": n["postings"],
                    "growth": n["growth"], "max_risk": n["max_risk"], "last_seen": n["last_seen"], "body": n}}  # fmt: skip
            for record in merges:
                yield {"_index": self.name, "_id": f"x:{uuid.uuid4().hex}", "_source": {
                    "doc_type": "merge", "from_id": record["from_id"], "into_id": record["into_id"],
                    "kind": record["kind"], "at": record["at"], "body": record}}  # fmt: skip

        self._bulk(actions(), "write networks")

    def _move(self, index: str, doc_type: str | None, from_ids: builtins.list[str], to_id: str) -> None:
        filters: builtins.list[dict[str, Any]] = [{"terms": {"network_id": from_ids}}]
        if doc_type:
            filters.append({"term": {"doc_type": doc_type}})
        unique = "key" if doc_type == "entity" else "posting_id"
        ids = [hit["_id"] for hit in self._scan(index, {"bool": {"filter": filters}}, unique, False)]
        self._bulk(({"_op_type": "update", "_index": index, "_id": i, "doc": {"network_id": to_id}} for i in ids),
                   "move merged network", refresh=index)  # fmt: skip

    def reassign(self, from_ids: builtins.list[str], to_id: str) -> None:
        self._move(self.name, "member", from_ids, to_id)
        self._move(self.name, "entity", from_ids, to_id)
        self._move(self.findings, None, from_ids, to_id)

    def label_findings(self, assignments: dict[str, str]) -> None:
        self._bulk(({"_op_type": "update", "_index": self.findings, "_id": pid, "doc": {"network_id": nid}}
                    for pid, nid in assignments.items()), "label findings with their network", refresh=self.findings)  # fmt: skip

    def set_state(self, name: str, value: str) -> None:
        self._call("save network state", self.client.index, index=self.name, id=f"s:{name}",
                   document={"doc_type": "state", "name": name, "value": value}, refresh=True)  # fmt: skip

    def clear(self) -> None:
        """The index made again with only its merge records (the server may lack delete-by-query)."""
        query = {"bool": {"filter": [{"term": {"doc_type": "merge"}}]}}
        merges = [(hit["_id"], hit["_source"]) for hit in self._scan(self.name, query, "at")]
        self._call("clear networks", self.client.indices.delete, index=self.name)
        self.setup()
        self._bulk(({"_index": self.name, "_id": i, "_source": source} for i, source in merges), "keep merge records")

    def close(self) -> None:
        self.client.close()

