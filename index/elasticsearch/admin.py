"""Elasticsearch administration: set up the alias, show where it points, migrate to a new versioned index.

The server may lack the reindex module, so a migration copies documents itself: it reads the old index on
one point in time with ``search_after`` and writes the new one with ``streaming_bulk``, then moves the alias
atomically and keeps the old index (delete it when satisfied).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from elasticsearch import helpers

from lurewatch.errors import IndexWriteError
from lurewatch.index.elasticsearch.backend import BULK_CHUNK, BULK_RETRIES, PIT_KEEP_ALIVE, ElasticsearchIndex
from lurewatch.index.elasticsearch.mapping import FINDING_MAPPING, INDEX_SETTINGS, MAPPING_VERSION

COPY_PAGE = 1000


def status(index: ElasticsearchIndex) -> dict[str, Any]:
    """The alias, the index it points at, the document count and the mapping version of this code."""
    aliases = index.client.indices.get_alias(name=index.alias, ignore_unavailable=True)
    targets = sorted(aliases.body if hasattr(aliases, "body") else aliases)
    return {"alias": index.alias, "points_to": targets, "documents": index.count() if targets else 0,
            "mapping_version": MAPPING_VERSION}  # fmt: skip


def _documents(index: ElasticsearchIndex, source: str) -> Iterator[dict[str, Any]]:
    pit = index.client.open_point_in_time(index=source, keep_alive=PIT_KEEP_ALIVE)["id"]
    after: list[Any] | None = None
    try:
        while True:
            extra = {"search_after": after} if after else {}
            page = index.client.search(pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE}, size=COPY_PAGE,
                                       sort=[{"_shard_doc": "asc"}], track_total_hits=False, **extra)  # fmt: skip
            pit = page.get("pit_id", pit)
            hits = page["hits"]["hits"]
            yield from hits
            if len(hits) < COPY_PAGE:
                return
            after = hits[-1]["sort"]
    finally:
        index.client.close_point_in_time(id=pit)


def migrate(index: ElasticsearchIndex, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Copy everything behind the alias into a new index with this code's mapping, then move the alias."""
    index.setup()
    (source,) = status(index)["points_to"]
    target = index.versioned
    if target == source or index.client.indices.exists(index=target):
        target = f"{index.versioned}-{datetime.now(UTC):%Y%m%d%H%M%S}"
    index.client.indices.create(index=target, mappings=FINDING_MAPPING, settings={**INDEX_SETTINGS,
                                "refresh_interval": "-1"})  # fmt: skip
    copied, failed = 0, []
    actions = ({"_index": target, "_id": hit["_id"], "_source": hit["_source"]} for hit in _documents(index, source))
    for ok, item in helpers.streaming_bulk(index.client, actions, chunk_size=BULK_CHUNK, max_retries=BULK_RETRIES,
                                           raise_on_error=False):  # fmt: skip
        if ok:
            copied += 1
            if progress and copied % COPY_PAGE == 0:
                progress(copied)
        else:
            failed.append(item)
    index.client.indices.put_settings(index=target, settings={"refresh_interval": INDEX_SETTINGS["refresh_interval"]})
    index.client.indices.refresh(index=target)
    if failed:
        raise IndexWriteError(f"{len(failed)} documents could not be copied into {target}; the alias still points "
                              f"at {source}", hint=f"look at the mapping errors, then delete {target} and retry")  # fmt: skip
    index.client.indices.update_aliases(actions=[{"remove": {"index": source, "alias": index.alias}},
                                                 {"add": {"index": target, "alias": index.alias}}])  # fmt: skip
    return {"from": source, "to": target, "copied": copied}
