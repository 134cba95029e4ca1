"""The Elasticsearch backend: an alias over a versioned index, bulk upserts, search with facets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError, helpers

from index.base import WriteReport
from index.mapping import FINDING_MAPPING, INDEX_SETTINGS, MAPPING_VERSION
from index.query import Hit, Node, Not, Query, SearchResult, Term, parse
from index.text import finding_words, tokens
from lurewatch.errors import IndexUnavailable
from lurewatch.records import Finding, from_dict, to_dict
from lurewatch.settings import Settings

BULK_CHUNK = 500
BULK_RETRIES = 5


class ElasticsearchIndex:
    """Findings in Elasticsearch 8.x or 9.x (stock server, no plugins)."""

    backend = "elasticsearch"

    def __init__(self, client: Elasticsearch, prefix: str = "lurewatch") -> None:
        self.client = client
        self.alias = f"{prefix}-findings"
        self.versioned = f"{self.alias}-v{MAPPING_VERSION}"

    @classmethod
    def from_settings(cls, settings: Settings) -> ElasticsearchIndex:
        hosts = [h.strip() for h in settings.es_url.split(",") if h.strip()]
        options: dict[str, Any] = {"request_timeout": settings.es_timeout, "retry_on_timeout": True, "max_retries": 3}
        if settings.es_api_key:
            options["api_key"] = settings.es_api_key
        if settings.es_ca_certs:
            options["ca_certs"] = str(settings.es_ca_certs)
        return cls(Elasticsearch(hosts, **options), settings.es_index_prefix)

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TransportError as exc:
            raise IndexUnavailable(f"Elasticsearch did not answer ({what}): {exc}") from exc

    def setup(self) -> None:
        if self._call("check alias", self.client.indices.exists_alias, name=self.alias):
            return
        if not self._call("check index", self.client.indices.exists, index=self.versioned):
            try:
                self.client.indices.create(index=self.versioned, mappings=FINDING_MAPPING, settings=INDEX_SETTINGS)
            except ApiError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
            except TransportError as exc:
                raise IndexUnavailable(f"Elasticsearch did not answer (create index): {exc}") from exc
        self._call("create alias", self.client.indices.put_alias, index=self.versioned, name=self.alias)

    def _actions(self, findings: Iterable[Finding], now: str) -> Iterator[dict[str, Any]]:
        for finding in findings:
            finding.indexed_at = now
            doc = to_dict(finding)
            doc["words"] = finding_words(finding.title, finding.text, finding.text_segmented)
            yield {"_op_type": "index", "_index": self.alias, "_id": finding.posting_id, "_source": doc}

    def upsert(self, findings: Iterable[Finding]) -> WriteReport:
        report = WriteReport()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            for ok, item in helpers.streaming_bulk(
                self.client,
                self._actions(findings, now),
                chunk_size=BULK_CHUNK,
                max_retries=BULK_RETRIES,
                initial_backoff=1,
                raise_on_error=False,
            ):
                if ok:
                    report.written += 1
                else:
                    result = next(iter(item.values()))
                    error = result.get("error", {})
                    reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
                    report.rejected.append({"posting_id": str(result.get("_id")), "reason": reason})
        except TransportError as exc:
            raise IndexUnavailable(
                f"Elasticsearch went away after {report.written} findings were written: {exc}",
                hint="start it again and re-run `lurewatch index RUN`: writes are upserts, nothing is duplicated",
            ) from exc
        self._call("refresh", self.client.indices.refresh, index=self.alias)
        return report

    def get(self, posting_id: str) -> Finding | None:
        try:
            doc = self.client.get(index=self.alias, id=posting_id)
        except ApiError as exc:
            if exc.meta.status == 404:
                return None
            raise
        except TransportError as exc:
            raise IndexUnavailable(f"Elasticsearch did not answer (get): {exc}") from exc
        return from_dict(Finding, doc["_source"])

    def count(self) -> int:
        return int(self._call("count", self.client.count, index=self.alias)["count"])

    def search(self, query: Query) -> SearchResult:
        body = compile_query(query)
        response = self._call("search", self.client.search, index=self.alias, **body)
        hits = [
            Hit(
                posting_id=h["_id"],
                title=h["_source"].get("title", ""),
                url=h["_source"].get("url", ""),
                score=float(h["_score"] or 0.0),
                source=h["_source"].get("source", ""),
                language=h["_source"].get("language", ""),
                country=h["_source"].get("country"),
                risk_score=h["_source"].get("risk_score", 0),
                fetched_at=h["_source"].get("fetched_at", ""),
            )
            for h in response["hits"]["hits"]
        ]
        facets = {
            name: [(b["key"], b["doc_count"]) for b in agg["buckets"]]
            for name, agg in response.get("aggregations", {}).items()
        }
        return SearchResult(total=response["hits"]["total"]["value"], hits=hits, facets=facets)

    def close(self) -> None:
        self.client.close()


def compile_query(query: Query) -> dict[str, Any]:
    """The search request body for ``query`` (plain dicts, unit-tested without a server)."""
    tree = None if query.match_all else parse(query.text)
    must: list[dict[str, Any]] = [compile_text(tree)] if tree is not None else []
    filters = [{"terms": {name: values}} for name, values in query.filters.items()]
    sort: list[Any] = ["_score", {"posting_id": "asc"}] if must else [{"fetched_at": "desc"}, {"posting_id": "asc"}]
    return {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters}},
        "size": query.size,
        "from": query.offset,
        "sort": sort,
        "track_total_hits": True,
        "aggs": {name: {"terms": {"field": name, "size": 20}} for name in query.facets},
        "source_excludes": ["text", "text_segmented", "minhash_bands", "words"],
    }


def _leaf(term: Term) -> dict[str, Any]:
    words = tokens(term.text)
    if not words:
        return {"match_all": {}}
    if term.kind == "phrase" and len(words) > 1:
        return {"match_phrase": {"words": " ".join(words)}}
    whole = words[:-1] if term.kind == "prefix" else words
    clauses: list[dict[str, Any]] = []
    if whole:
        clauses.append({"match": {"words": {"query": " ".join(whole), "operator": "and"}}})
    if term.kind == "prefix":
        clauses.append({"prefix": {"words": words[-1]}})
    return clauses[0] if len(clauses) == 1 else {"bool": {"must": clauses}}


def compile_text(node: Node) -> dict[str, Any]:
    """The parsed query text as a bool tree over the ``words`` field: the same words SQLite matches."""
    if isinstance(node, Term):
        return _leaf(node)
    if isinstance(node, Not):
        return {"bool": {"must_not": [compile_text(node.node)]}}
    children = [compile_text(n) for n in node.nodes]
    if node.op == "and":
        return {"bool": {"must": children}}
    return {"bool": {"should": children, "minimum_should_match": 1}}
