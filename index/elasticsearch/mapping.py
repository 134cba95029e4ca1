"""The Elasticsearch mapping of a Finding: explicit, strict, and versioned behind an alias.

Index ``<prefix>-findings-v<MAPPING_VERSION>``, alias ``<prefix>-findings`` (all reads and writes use the
alias; ``lurewatch index-admin migrate`` copies into a new index and moves it). ``dynamic: strict``: a new
Finding field needs an entry here (``setup`` adds new fields to an existing index), and a bump of
``MAPPING_VERSION`` when an existing field changes type.

| field | type | used for |
|---|---|---|
| ``words`` | text (whitespace) | what queries match: title twice, text and segmented text, split by ``index/text.py`` exactly as SQLite's FTS5 column is |
| ``title`` | text (standard) + ``title.raw`` keyword | highlighting, exact title |
| ``text``, ``text_segmented`` | text (standard) | highlighting; ``text_segmented`` holds Thai/Khmer/Lao/Burmese split into words |
| ``posting_id``, ``source``, ``source_kind``, ``language``, ``country``, ``compound``, ``cluster_id``, ``network_id`` | keyword | filters, facets, tie-breaking sort (``posting_id``) |
| ``contacts.{phones,emails,telegram,whatsapp,line,wechat,signal,zalo,viber,kakaotalk,messenger,urls,domains}`` | keyword | pivots and filters |
| ``wallets.{chain,address}``, ``images.{sha256,phash}``, ``minhash_bands`` | keyword | pivots; near-duplicate candidates |
| ``indicators.code`` / ``.weight`` / ``.evidence`` | keyword / float / stored text | filters, facets; evidence shown, not searched |
| ``risk_score`` | integer | range filter, sort |
| ``fetched_at``, ``posted_at``, ``first_seen``, ``last_seen``, ``indexed_at`` | date | range filter, sort, histogram |
| ``cluster_key`` | keyword | ``cluster_id``, or the posting's own id: collapsing to one hit per cluster, the lure count |
| ``dated_at`` | date | the posting date (``posted_at``, else ``fetched_at``): date filters and the histogram |
| ``posted_at_raw`` | keyword, stored only | the posted date as the page wrote it (``posted_at`` is parsed from it) |
| ``geo`` | geo_point | bounding box, distance, geotile grid |
| ``locations.*`` | keyword / double / float | location names (filter ``location``), coordinates shown |
| ``salary.*`` | double / keyword | shown; range filters later |
| ``evidence.*`` | keyword / long | where the WARC record and screenshot are |
| ``url``, ``canonical_url``, ``author``, ``run_id``, ``content_sha256`` | keyword | exact lookups |
"""

from __future__ import annotations

from typing import Any

MAPPING_VERSION = 1

KEYWORD = {"type": "keyword"}
DATE = {"type": "date"}
TEXT = {"type": "text", "analyzer": "standard"}
# The words are split and lower-cased already; the server's built-in whitespace analyzer keeps them as they are.
WORDS = {"type": "text", "analyzer": "whitespace"}
STORED_ONLY = {"type": "keyword", "index": False, "doc_values": False}


def _keywords(*names: str) -> dict[str, Any]:
    return {name: KEYWORD for name in names}


FINDING_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        **_keywords("posting_id", "source", "source_kind", "canonical_url", "language", "country", "compound"),
        **_keywords("content_sha256", "cluster_id", "duplicate_of", "minhash_bands", "run_id"),
        "network_id": KEYWORD,  # written by the network step (index/elasticsearch/networks.py), not by upserts
        "url": KEYWORD,
        "cluster_key": KEYWORD,  # added at indexing (backend._actions), as ``words`` and ``dated_at``
        "dated_at": DATE,
        "fetched_at": DATE,
        "posted_at": DATE,
        "posted_at_raw": STORED_ONLY,
        "first_seen": DATE,
        "last_seen": DATE,
        "indexed_at": DATE,
        "seen_count": {"type": "integer"},
        "title": {**TEXT, "fields": {"raw": {"type": "keyword", "ignore_above": 512}}},
        "text": TEXT,
        "text_segmented": TEXT,
        # What queries match: the words of index/text.py, split on whitespace only (see that module).
        "words": WORDS,
        "author": {"type": "keyword", "ignore_above": 512},
        "contacts": {
            "properties": _keywords(
                "phones", "emails", "telegram", "whatsapp", "line", "wechat", "signal", "zalo", "viber", "kakaotalk",
                "messenger", "urls", "domains",
            )
        },
        "wallets": {"properties": _keywords("chain", "address")},
        "salary": {
            "properties": {
                "min": {"type": "double"},
                "max": {"type": "double"},
                "currency": KEYWORD,
                "period": KEYWORD,
                "text": STORED_ONLY,
            }
        },
        "locations": {
            "properties": {
                **_keywords("name", "country", "admin1", "source"),
                "lat": {"type": "double"},
                "lon": {"type": "double"},
                "geonameid": {"type": "long"},
                "confidence": {"type": "float"},
            }
        },
        "geo": {"type": "geo_point"},
        "indicators": {
            "properties": {"code": KEYWORD, "weight": {"type": "float"}, "evidence": {"type": "text", "index": False}}
        },
        "risk_score": {"type": "integer"},
        "images": {
            "properties": {
                "url": STORED_ONLY,
                **_keywords("sha256", "phash"),
                "width": {"type": "integer"},
                "height": {"type": "integer"},
                "exif_gps": {"type": "double"},
            }
        },
        "evidence": {
            "properties": {
                "warc_file": KEYWORD,
                "warc_offset": {"type": "long"},
                "sha256": KEYWORD,
                "screenshot": KEYWORD,
                "rendered_html": KEYWORD,
            }
        },
        "schema_version": {"type": "integer"},
    },
}

INDEX_SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "refresh_interval": "1s",
}
