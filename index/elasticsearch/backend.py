"""The Elasticsearch backend: an alias over a versioned index, bulk upserts, search with aggregations.

Writes go to the alias ``<prefix>-findings``, which points at one versioned index
``<prefix>-findings-v<MAPPING_VERSION>`` (see ``index/elasticsearch/mapping.py`` for the mapping and
``index/es_admin.py`` for setting up and migrating). Deep pages use ``search_after`` with a point in time.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError, helpers

from lurewatch.errors import IndexUnavailable
from lurewatch.index.base import BandMatch, WriteReport, lookup_keys
from lurewatch.index.documents import stored_finding
from lurewatch.index.elasticsearch.mapping import FINDING_MAPPING, INDEX_SETTINGS, MAPPING_VERSION
from lurewatch.index.elasticsearch.query import compile_query, members_query, read_hit, read_response
from lurewatch.index.query import Hit, Query, QueryError, SearchResult, decode_cursor, encode_cursor
from lurewatch.index.text import finding_words
from lurewatch.records import Finding, from_dict, to_json_bytes
from lurewatch.settings import Settings

logger = logging.getLogger(__name__)

BULK_CHUNK = 1000
BULK_RETRIES = 5
RETRY_STATUS = 503  # a document whose shard has no active copy (e.g. just after a node was lost): sent again
PIT_KEEP_ALIVE = "5m"
INDEX_ONLY = ["words", "cluster_key", "dated_at"]  # fields the index adds to a finding's source


def client_from_settings(settings: Settings) -> Elasticsearch:
    """A client for one or several hosts, with API key or basic auth, a CA bundle and timeouts."""
    hosts = [h.strip() for h in settings.es_url.split(",") if h.strip()]
    options: dict[str, Any] = {
        "request_timeout": settings.es_timeout,
        "retry_on_timeout": True,
        "max_retries": settings.es_max_retries,
    }
    if settings.es_api_key:
        options["api_key"] = settings.es_api_key
    elif settings.es_username:
        options["basic_auth"] = (settings.es_username, settings.es_password or "")
    if settings.es_ca_certs:
        options["ca_certs"] = str(settings.es_ca_certs)
    if not settings.es_verify_certs:
        options["verify_certs"] = False
    if settings.es_sniff:  # learn the cluster's other nodes, and again whenever one fails
        options.update(sniff_on_start=True, sniff_on_node_failure=True, min_delay_between_sniffing=10)
    # A node that stopped answering is left aside and the request goes to the next host (max_retries times).
    options["retry_on_status"] = (502, 503, 504)
    return Elasticsearch(hosts, **options)


def index_settings(settings: Settings) -> dict[str, Any]:
    """Shards, replicas and refresh interval of a new findings index (the mapping module's defaults, overridden)."""
    return {**INDEX_SETTINGS, "number_of_shards": settings.es_shards, "number_of_replicas": settings.es_replicas,
            "refresh_interval": settings.es_refresh_interval}  # fmt: skip


def es_call(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``; a node that does not answer is ``IndexUnavailable`` naming ``what`` was asked."""
    try:
        return fn(*args, **kwargs)
    except TransportError as exc:
        raise IndexUnavailable(f"Elasticsearch did not answer ({what}): {exc}") from exc


class ElasticsearchIndex:
    """Findings in Elasticsearch 8.x or 9.x (stock server, no plugins)."""

    backend = "elasticsearch"

    def __init__(
        self, client: Elasticsearch, prefix: str = "lurewatch", read_only: bool = False,
        settings: dict[str, Any] | None = None, wait_for_active_shards: str = "1",
    ) -> None:  # fmt: skip
        self.client = client
        self.read_only = read_only  # searches only: setup changes nothing on an existing index
        self.alias = f"{prefix}-findings"
        self.versioned = f"{self.alias}-v{MAPPING_VERSION}"
        self.settings = settings or INDEX_SETTINGS
        # Shard copies each bulk write waits for ("1": the primary; "all": every replica too).
        self.wait_for_active_shards = wait_for_active_shards

    @classmethod
    def from_settings(cls, settings: Settings, read_only: bool = False) -> ElasticsearchIndex:
        return cls(client_from_settings(settings), settings.es_index_prefix, read_only, index_settings(settings),
                   settings.es_wait_for_active_shards)  # fmt: skip

    _call = staticmethod(es_call)

    def setup(self) -> None:
        """Create the versioned index and point the alias at it, unless the alias exists; safe to re-run."""
        if self._call("check alias", self.client.indices.exists_alias, name=self.alias):
            if not self.read_only:
                self._add_new_fields()
            return
        if not self._call("check index", self.client.indices.exists, index=self.versioned):
            try:
                self.client.indices.create(index=self.versioned, mappings=FINDING_MAPPING, settings=self.settings)
            except ApiError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
            except TransportError as exc:
                raise IndexUnavailable(f"Elasticsearch did not answer (create index): {exc}") from exc
        self._call("create alias", self.client.indices.put_alias, index=self.versioned, name=self.alias)

    def _add_new_fields(self) -> None:
        """Fields added to the mapping since the index was created (a strict mapping would reject them)."""
        try:
            self.client.indices.put_mapping(index=self.alias, properties=FINDING_MAPPING["properties"])
        except ApiError as exc:
            if exc.meta.status != 400:  # e.g. a key without the manage privilege: writes report what is refused
                logger.warning("could not add new fields to %s: %s", self.alias, _reason(exc))
                return
            raise IndexUnavailable(
                f"the index behind {self.alias} has a mapping this version cannot extend: {_reason(exc)}",
                hint="run `lurewatch index-admin migrate` to copy it into an index with this version's mapping",
            ) from exc
        except TransportError as exc:
            raise IndexUnavailable(f"Elasticsearch did not answer (update mapping): {exc}") from exc

    def _actions(self, findings: Iterable[Finding], now: str) -> Iterator[dict[str, Any]]:
        for finding in findings:
            finding.indexed_at = now
            # The source goes to the bulk body as JSON bytes, serialised once; the fields only the index has
            # (``words``, ``cluster_key``, ``dated_at``) are appended.
            stored = stored_finding(finding)
            extra = {
                "words": finding_words(finding.title, finding.text, finding.text_segmented),
                "cluster_key": finding.cluster_id or finding.posting_id,
                "dated_at": stored.posted_at or finding.fetched_at,
            }
            source = to_json_bytes(stored)[:-1] + b"," + to_json_bytes(extra)[1:]
            yield {"_index": self.alias, "_id": finding.posting_id, "_source": source}

    def _prefetched(self, actions: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``actions`` built one chunk ahead in a thread, while the previous chunk waits on the server."""
        buffer: queue.Queue[Any] = queue.Queue(maxsize=BULK_CHUNK)
        done = object()
        stop = threading.Event()

        def produce() -> None:
            try:
                for action in actions:
                    while not stop.is_set():
                        try:
                            buffer.put(action, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                buffer.put(done)
            except BaseException as exc:  # handed to the consumer, raised there
                buffer.put(exc)

        worker = threading.Thread(target=produce, name="lurewatch-bulk-actions", daemon=True)
        worker.start()
        try:
            while (item := buffer.get()) is not done:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            worker.join()

    def upsert(self, findings: Iterable[Finding]) -> WriteReport:
        """Bulk upserts by ``posting_id``; documents a lost node left without a shard copy are sent again.

        ``streaming_bulk`` retries the whole request on another node when one stops answering, and documents
        the server refuses with 429; a 503 for one document (its primary shard was on the node that went away,
        its replica not yet promoted) is retried here, after a pause. When the cluster is gone altogether the
        ``IndexUnavailable`` raised says how many of the first findings are safely written (``done``).
        """
        report = WriteReport()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        sent: dict[str, dict[str, Any]] = {}  # actions whose result has not come back yet, by id
        order: list[str] = []  # ids in the order the findings came
        handled: set[str] = set()

        def remember(actions: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            for action in actions:
                sent[action["_id"]] = action
                order.append(action["_id"])
                yield action

        retry: list[dict[str, Any]] = []
        try:
            self._bulk(self._prefetched(remember(self._actions(findings, now))), report, sent, handled, retry)
            for attempt in range(BULK_RETRIES):
                if not retry:
                    break
                time.sleep(min(2**attempt, 8))  # a replica is promoted within seconds of its node's loss
                batch, retry = retry, []
                self._bulk(iter(batch), report, sent, handled, retry)
            for action in retry:
                report.rejected.append({"posting_id": action["_id"], "reason": "no shard copy available after retries"})
        except TransportError as exc:
            done = next((n for n, posting_id in enumerate(order) if posting_id not in handled), len(order))
            raise IndexUnavailable(
                f"Elasticsearch went away after {report.written} findings were written: {exc}",
                hint="start it again and re-run `lurewatch index RUN`: it goes on after the last finding written",
                done=done,
            ) from exc
        self._call("refresh", self.client.indices.refresh, index=self.alias)
        return report

    def _bulk(
        self, actions: Iterator[dict[str, Any]], report: WriteReport, sent: dict[str, dict[str, Any]],
        handled: set[str], retry: list[dict[str, Any]],
    ) -> None:  # fmt: skip
        for ok, item in helpers.streaming_bulk(
            self.client, actions, chunk_size=BULK_CHUNK, max_retries=BULK_RETRIES, initial_backoff=1,
            raise_on_error=False, wait_for_active_shards=self.wait_for_active_shards,
        ):  # fmt: skip
            result = next(iter(item.values()))
            posting_id = str(result.get("_id"))
            if ok:
                report.written += 1
            elif result.get("status") == RETRY_STATUS and posting_id in sent:
                retry.append(sent[posting_id])
                continue
            else:
                error = result.get("error", {})
                reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
                report.rejected.append({"posting_id": posting_id, "reason": reason})
            sent.pop(posting_id, None)
            handled.add(posting_id)

    def get(self, posting_id: str) -> Finding | None:
        try:
            doc = self.client.get(index=self.alias, id=posting_id, source_excludes=INDEX_ONLY)
        except ApiError as exc:
            if exc.meta.status == 404:
                return None
            raise
        except TransportError as exc:
            raise IndexUnavailable(f"Elasticsearch did not answer (get): {exc}") from exc
        return from_dict(Finding, doc["_source"])

    def get_many(self, posting_ids: list[str]) -> list[Finding]:
        found: list[Finding] = []
        for start in range(0, len(posting_ids), BULK_CHUNK):
            response = self._call("get many", self.client.mget, index=self.alias,
                                  ids=posting_ids[start : start + BULK_CHUNK], source_excludes=INDEX_ONLY)  # fmt: skip
            found.extend(from_dict(Finding, doc["_source"]) for doc in response["docs"] if doc.get("found"))
        return found

    def candidates(self, keys: list[str], limit: int) -> list[BandMatch]:
        wanted = lookup_keys(keys)
        if not wanted:
            return []
        # Each shared key scores 1, so the score counts the keys a finding shares.
        should = [{"constant_score": {"filter": {"term": {"minhash_bands": key}}, "boost": 1.0}} for key in wanted]
        response = self._call(
            "near-duplicate candidates",
            self.client.search,
            index=self.alias,
            query={"bool": {"should": should, "minimum_should_match": 1}},
            size=limit,
            sort=["_score", {"first_seen": "asc"}, {"posting_id": "asc"}],
            source_includes=["posting_id", "cluster_id", "first_seen", "minhash_bands"],
        )
        return [
            BandMatch(
                h["_id"],
                h["_source"].get("cluster_id") or h["_id"],
                h["_source"].get("first_seen") or "",
                h["_source"].get("minhash_bands", []),
                round(h["_score"] or 0),
            )  # fmt: skip
            for h in response["hits"]["hits"]
        ]

    def warm(self) -> None:
        """Nothing to load: the node keeps its own caches."""

    def count(self) -> int:
        return int(self._call("count", self.client.count, index=self.alias)["count"])

    def _search(self, **body: Any) -> Any:
        """A search request; a request the server refuses (400, or 404 for an expired point in time) is the
        query's fault, reported as a ``QueryError``, never a server error."""
        try:
            return self._call("search", self.client.search, **body)
        except ApiError as exc:
            if exc.meta.status not in (400, 404):
                raise
            if "pit" in body:
                raise QueryError("the page cursor has expired or is not valid; start again from the first "
                                 "page") from exc  # fmt: skip
            raise QueryError(f"Elasticsearch refused the query: {_reason(exc)}") from exc

    def search(self, query: Query) -> SearchResult:
        """One page. Page one searches the alias; following pages (``cursor``) share one point in time."""
        query.validate()
        if not query.cursor:
            body = compile_query(query)
            response = self._search(index=self.alias, **body)
            result = read_response(response, query)
            if query.collapse:
                self._count_members(body, response, result)
                return result
            if result.hits and len(result.hits) == query.size and result.total > query.offset + query.size:
                result.next_cursor = encode_cursor(result.hits[-1].sort)
            return result
        after, pit = decode_cursor(query.cursor, query.sort)
        pit = pit or self._open_pit()
        body = compile_query(query, after=after)
        response = self._search(pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE}, **body)
        result = read_response(response, query)
        pit = response.get("pit_id", pit)
        if result.hits and len(result.hits) == query.size:
            result.next_cursor = encode_cursor(result.hits[-1].sort, pit)
        else:
            self._close_pit(pit)
        return result

    def _count_members(self, body: dict[str, Any], response: dict[str, Any], result: SearchResult) -> None:
        """Each collapsed hit's reposts: the other matching postings of its cluster."""
        keys = [raw["fields"]["cluster_key"][0] for raw in response["hits"]["hits"]]
        if not keys:
            return
        counted = self._search(index=self.alias, **members_query(body, keys))
        members = {b["key"]: b["doc_count"] for b in counted["aggregations"]["members"]["buckets"]}
        for key, hit in zip(keys, result.hits, strict=True):
            hit.reposts = max(0, members.get(key, 1) - 1)

    def iterate(self, query: Query) -> Iterator[Hit]:
        """Every hit of ``query`` in sort order, page by page on one point in time (for exports)."""
        query.validate()
        pit = self._open_pit()
        after: list[Any] | None = None
        page = Query(**{**query.__dict__, "facets": (), "histogram": None, "geotile": None, "offset": 0,
                        "collapse": False})  # fmt: skip
        page.cursor = None
        try:
            while True:
                body = compile_query(page, after=after)
                body["track_total_hits"] = False
                response = self._search(pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE}, **body)
                pit = response.get("pit_id", pit)
                raw = response["hits"]["hits"]
                yield from (read_hit(h) for h in raw)
                if len(raw) < page.size:
                    return
                after = raw[-1]["sort"]
        finally:
            self._close_pit(pit)

    def _open_pit(self) -> str:
        return str(self._call("open point in time", self.client.open_point_in_time, index=self.alias,
                              keep_alive=PIT_KEEP_ALIVE)["id"])  # fmt: skip

    def _close_pit(self, pit: str) -> None:
        try:
            self.client.close_point_in_time(id=pit)
        except (ApiError, TransportError):
            pass  # it expires by itself

    def close(self) -> None:
        self.client.close()


def _reason(exc: ApiError) -> str:
    """The root cause Elasticsearch gives for a refused request, on one line."""
    error = exc.body.get("error", {}) if isinstance(exc.body, dict) else {}
    causes = error.get("root_cause") or [error] if isinstance(error, dict) else []
    reason = causes[0].get("reason") if causes and isinstance(causes[0], dict) else None
    return " ".join(str(reason or exc.message).split())[:300]
