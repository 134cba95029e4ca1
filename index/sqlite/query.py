"""The query model compiled to SQLite: FTS5 for text, side-table lookups, an R*Tree for geo, keyset pages.

Every condition applies to ``findings f``. Multi-valued fields (phones, handles, indicators, wallets,
locations ...) are rows ``(field, value, rowid)`` of ``finding_values``; the primary point of each finding
is a box in the R*Tree ``findings_geo`` (a pre-filter; exact comparisons use ``f.lat`` / ``f.lon``).
"""

from __future__ import annotations

from typing import Any

from lurewatch.index.geo import TILE_ZOOM, box_around
from lurewatch.index.query import SINGLE_VALUED, Node, Not, Query, QueryError, Term, parse, term_words

COLUMNS = {name: {"cluster": "cluster_key", "network": "network_id"}.get(name, name) for name in SINGLE_VALUED}
GEO_SLACK = 1e-4  # the R*Tree stores 32-bit floats, rounded outwards; exact checks follow
SORT_KEYS: dict[str, list[tuple[str, str]]] = {  # (expression in the ranked rows, direction)
    "relevance": [("score", "desc"), ("posting_id", "asc")],
    "newest": [("fetched_ms", "desc"), ("posting_id", "asc")],
    "oldest": [("fetched_ms", "asc"), ("posting_id", "asc")],
    "risk": [("risk_score", "desc"), ("fetched_ms", "desc"), ("posting_id", "asc")],
}


MATCHED = "f.id IN (SELECT id FROM temp.matched)"
MATCHED_COLUMNS = ("f.id AS id, f.source, f.source_kind, f.language, f.country, f.compound, f.cluster_key, "
                   "f.network_id, f.dated_ms, f.tile_x, f.tile_y, f.posting_id, f.fetched_ms, f.risk_score")  # fmt: skip
# What the rows of a page are read with, after their order was found on the narrow matched rows.
ROW_COLUMNS = """f.id, f.posting_id, f.title, f.url, f.source, f.language, f.country, f.risk_score, f.fetched_at,
                 f.compound, f.cluster_id, f.lat, f.lon, f.fetched_ms, f.cluster_key"""


class Compiled:
    """A WHERE clause with its parameters, and the FTS5 expression to rank by (if any)."""

    def __init__(self, where: str, params: list[Any], rank: str | None) -> None:
        self.where, self.params, self.rank = where, params, rank


def compile_where(query: Query) -> Compiled:
    clauses: list[str] = []
    params: list[Any] = []
    rank: str | None = None
    tree = None if query.match_all else parse(query.text)
    if tree is not None:
        sql, sql_params = _compile_text(tree)
        clauses.append(sql)
        params.extend(sql_params)
        rank = _ranking(tree)
    for name, values in query.filters.items():
        marks = ",".join("?" * len(values))
        if name in COLUMNS:
            clauses.append(f"f.{COLUMNS[name]} IN ({marks})")
        else:
            clauses.append(f"f.id IN (SELECT rowid FROM finding_values WHERE field = ? AND value IN ({marks}))")
            params.append(name)
        params.extend(values)
    if query.risk_min is not None:
        clauses.append("f.risk_score >= ?")
        params.append(query.risk_min)
    if query.risk_max is not None:
        clauses.append("f.risk_score <= ?")
        params.append(query.risk_max)
    start, end = query.date_bounds_ms()
    moment = "f.fetched_ms" if query.date_on == "fetched" else "f.dated_ms"
    if start is not None:
        clauses.append(f"{moment} >= ?")
        params.append(start)
    if end is not None:
        clauses.append(f"{moment} < ?")
        params.append(end)
    if query.indexed_after:
        # Both sides are ISO 8601 in UTC (index/query.py utc_timestamp): text order is time order.
        clauses.append("f.indexed_at >= ?")
        params.append(query.indexed_after)
    if query.has_contact is not None:
        clauses.append("f.has_contact = ?")
        params.append(1 if query.has_contact else 0)
    if query.bbox is not None:
        west, south, east, north = query.bbox
        if west > east or south > north:
            raise QueryError("bounding box must be west,south,east,north with west <= east and south <= north")
        clauses.append(_rtree())
        clauses.append("f.lon BETWEEN ? AND ? AND f.lat BETWEEN ? AND ?")
        params.extend([west - GEO_SLACK, south - GEO_SLACK, east + GEO_SLACK, north + GEO_SLACK])
        params.extend([west, east, south, north])
    if query.near is not None:
        lat, lon, km = query.near
        west, south, east, north = box_around(lat, lon, km)
        clauses.append(_rtree())
        clauses.append("distance_m(f.lat, f.lon, ?, ?) <= ?")
        params.extend([west, south, east, north, lat, lon, km * 1000])
    return Compiled(" AND ".join(clauses) or "1", params, rank)


def _rtree() -> str:
    """The R*Tree pre-filter; its four parameters (west, south, east, north) are added by the caller."""
    return "f.id IN (SELECT id FROM findings_geo WHERE max_lon >= ? AND max_lat >= ? AND min_lon <= ? AND min_lat <= ?)"


def ranked_rows(compiled: Compiled, relevance: bool) -> tuple[str, list[Any]]:
    """A SELECT of the matching rows with their sort keys (``score`` is BM25, higher is better)."""
    columns = ROW_COLUMNS
    if relevance and compiled.rank:
        # A LEFT JOIN: a row can match the boolean query without any positive term (``a | -b``).
        # (No rowid constraint inside: FTS5 would run the MATCH once per listed rowid.)
        sql = f"""SELECT {columns}, COALESCE(r.score, 0.0) AS score FROM findings f
                  LEFT JOIN (SELECT rowid, -bm25(findings_fts) AS score
                             FROM findings_fts WHERE findings_fts MATCH ?) r ON r.rowid = f.id
                  WHERE {compiled.where}"""
        return sql, [compiled.rank, *compiled.params]
    return f"SELECT {columns}, 0.0 AS score FROM findings f WHERE {compiled.where}", list(compiled.params)


def matched_order(rank: str | None, relevance: bool) -> tuple[str, list[Any]]:
    """The matched rows (``temp.matched``) with only their sort keys: ordering them never reads a full row.

    Columns: id, cluster_key, then the sort keys by name (score, fetched_ms, risk_score, posting_id).
    """
    columns = "m.id, m.cluster_key, m.posting_id, m.fetched_ms, m.risk_score"
    if relevance and rank:
        return (f"""SELECT {columns}, COALESCE(r.score, 0.0) AS score FROM temp.matched m
                    LEFT JOIN (SELECT rowid, -bm25(findings_fts) AS score
                               FROM findings_fts WHERE findings_fts MATCH ?) r ON r.rowid = m.id""", [rank])  # fmt: skip
    return f"SELECT {columns}, 0.0 AS score FROM temp.matched m", []


def keyset(sort: str, after: list[Any]) -> tuple[str, list[Any]]:
    """The condition 'comes after ``after``' in ``sort`` order, as a disjunction over the sort keys."""
    keys = SORT_KEYS[sort]
    if len(after) != len(keys):
        raise QueryError("the page cursor does not fit this sort; start again from the first page")
    ors: list[str] = []
    params: list[Any] = []
    for i, (name, direction) in enumerate(keys):
        equal = [f"{k} = ?" for k, _ in keys[:i]]
        equal.append(f"{name} {'<' if direction == 'desc' else '>'} ?")
        ors.append("(" + " AND ".join(equal) + ")")
        params.extend(after[: i + 1])
    return "(" + " OR ".join(ors) + ")", params


def order_by(sort: str) -> str:
    return ", ".join(f"{name} {direction.upper()}" for name, direction in SORT_KEYS[sort])


def histogram_expr(interval: str) -> str:
    """The bucket key (YYYY-MM-DD, UTC; weeks start on Monday) of ``f.dated_ms`` (the posting date)."""
    moment = "f.dated_ms / 1000, 'unixepoch'"
    return {
        "day": f"strftime('%Y-%m-%d', {moment})",
        "week": f"date({moment}, 'weekday 0', '-6 days')",
        "month": f"strftime('%Y-%m-01', {moment})",
    }[interval]


def geotile_exprs(zoom: int) -> tuple[str, str]:
    shift = TILE_ZOOM - zoom
    return f"(f.tile_x >> {shift})", f"(f.tile_y >> {shift})"


def _fts_leaf(term: Term) -> str:
    """An FTS5 expression for one term, split into words as the index is (index/text.py)."""
    exprs = [_fts_words(found, phrase, term.kind == "prefix") for found, phrase in term_words(term) if found]
    return exprs[0] if len(exprs) == 1 else " OR ".join(f"({e})" for e in exprs)


def _fts_words(found: list[str], phrase: bool, prefix: bool) -> str:
    if phrase:
        return '"' + " ".join(found) + '"'
    quoted = [f'"{t}"' for t in found]
    if prefix:
        quoted[-1] += "*"
    return " AND ".join(quoted) if len(quoted) > 1 else quoted[0]


def _compile_text(node: Node) -> tuple[str, list[Any]]:
    """Exact boolean semantics: each term is a row set from FTS5, combined in SQL."""
    if isinstance(node, Term):
        expr = _fts_leaf(node)
        if not expr:
            return "1", []
        return "f.id IN (SELECT rowid FROM findings_fts WHERE findings_fts MATCH ?)", [expr]
    if isinstance(node, Not):
        sql, params = _compile_text(node.node)
        return f"NOT ({sql})", params
    parts = [_compile_text(n) for n in node.nodes]
    joiner = " AND " if node.op == "and" else " OR "
    return "(" + joiner.join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]]


def _ranking(node: Node) -> str | None:
    """The positive terms OR-ed together: FTS5 ranks rows by them with bm25."""
    leaves: list[str] = []

    def walk(n: Node, negated: bool) -> None:
        if isinstance(n, Term):
            if not negated and (expr := _fts_leaf(n)):
                leaves.append(f"({expr})")
        elif isinstance(n, Not):
            walk(n.node, not negated)
        else:
            for child in n.nodes:
                walk(child, negated)

    walk(node, False)
    return " OR ".join(leaves) if leaves else None
