"""Each export format on both backends: every finding of the query, readable by the tools researchers use."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lurewatch.errors import ExportError
from lurewatch.exports.columns import COLUMNS
from lurewatch.exports.ftm import check_entity
from lurewatch.exports.run import ExportRequest, run_export
from lurewatch.exports.verify import verify_export
from lurewatch.index.base import Index
from lurewatch.index.query import Query
from lurewatch.records import Finding, from_dict
from lurewatch.settings import Settings
from tests.exports.conftest import indexed

N = 240
QUERY = Query("*", filters={"source_kind": ["board", "social", "channel"]})


@pytest.fixture
def store(backend_settings: Settings) -> Iterator[Index]:
    with indexed(backend_settings, N) as opened:
        yield opened


def _export(settings: Settings, store: Index, fmt: str, out: Path, query: Query = QUERY) -> tuple[int, Path]:
    expected = store.search(Query(**{**query.__dict__, "size": 0})).total
    report = run_export(settings, ExportRequest(query, fmt, out), store)
    assert report.rows == report.expected == expected > 0
    check = verify_export(out)
    assert check.ok, check.problems
    return expected, out


def test_csv_has_one_documented_column_per_field_and_no_formula_cells(
    backend_settings: Settings, store: Index, tmp_path: Path
) -> None:
    expected, out = _export(backend_settings, store, "csv", tmp_path / "csv")
    with (out / "findings.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == expected
    assert list(rows[0]) == [c.name for c in COLUMNS]
    package = json.loads((out / "datapackage.json").read_text())
    assert [f["name"] for f in package["resources"][0]["schema"]["fields"]] == [c.name for c in COLUMNS]
    assert all(f["description"] for f in package["resources"][0]["schema"]["fields"])
    formula = next(r for r in rows if r["posting_id"] == "leaky0003")
    assert formula["title"].startswith("'=HYPERLINK") and formula["text"].startswith("'+1")
    text_cells = [r[c.name] for r in rows for c in COLUMNS if c.type == "string"]
    assert not [cell for cell in text_cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    first = next(r for r in rows if r["posting_id"] == "leaky0000")
    assert first["phones"] == "'+66812345678" and first["telegram"] == "hr_boss88"


def test_jsonl_holds_every_field_of_each_finding(backend_settings: Settings, store: Index, tmp_path: Path) -> None:
    expected, out = _export(backend_settings, store, "jsonl", tmp_path / "jsonl")
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == expected
    findings = [from_dict(Finding, json.loads(line)) for line in lines]
    assert len({f.posting_id for f in findings}) == expected
    original = store.get(findings[0].posting_id)
    assert original is not None and findings[0].contacts == original.contacts and findings[0].text == original.text


def test_parquet_opens_in_duckdb_with_lists_and_structs_intact(
    backend_settings: Settings, store: Index, tmp_path: Path
) -> None:
    import duckdb

    expected, out = _export(backend_settings, store, "parquet", tmp_path / "parquet")
    path = str(out / "findings.parquet")
    assert duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchall()[0] == (expected,)
    types = {row[0]: row[1] for row in duckdb.sql(f"DESCRIBE SELECT * FROM '{path}'").fetchall()}
    assert types["contacts"].startswith("STRUCT(phones VARCHAR[]")
    assert types["indicators"].startswith("STRUCT(code VARCHAR, weight DOUBLE")
    assert types["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    phones, n_indicators, place = duckdb.sql(
        f"SELECT contacts.phones, len(indicators), locations[1].name FROM '{path}' WHERE posting_id = 'leaky0000'"
    ).fetchall()[0]
    original = store.get("leaky0000")
    assert original is not None
    assert phones == original.contacts.phones and n_indicators == len(original.indicators)
    assert place == original.locations[0].name


def test_geojson_has_a_point_per_located_place(backend_settings: Settings, store: Index, tmp_path: Path) -> None:
    expected, out = _export(backend_settings, store, "geojson", tmp_path / "geojson")
    collection = json.loads((out / "locations.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len({f["properties"]["posting_id"] for f in features}) == expected  # every sample finding is located
    lon, lat = features[0]["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_ftm_entities_validate_and_link_shared_contacts(
    backend_settings: Settings, store: Index, tmp_path: Path
) -> None:
    expected, out = _export(backend_settings, store, "ftm", tmp_path / "ftm")
    entities = [json.loads(line) for line in (out / "entities.ftm.json").read_text(encoding="utf-8").splitlines()]
    assert [check_entity(e) for e in entities if check_entity(e)] == []
    by_schema: dict[str, int] = {}
    for entity in entities:
        by_schema[entity["schema"]] = by_schema.get(entity["schema"], 0) + 1
    assert by_schema["Article"] == expected
    assert {"UserAccount", "CryptoWallet", "Address", "Documentation"} <= set(by_schema)
    ids = [e["id"] for e in entities]
    assert len(ids) == len(set(ids))  # a handle many findings share is one entity
    known = set(ids)
    links = [e for e in entities if e["schema"] == "Documentation"]
    assert all(set(link["properties"]["document"] + link["properties"]["entity"]) <= known for link in links)


def test_graph_opens_in_networkx_with_shared_entities(backend_settings: Settings, store: Index, tmp_path: Path) -> None:
    import networkx as nx

    expected, out = _export(backend_settings, store, "graph", tmp_path / "graph")
    graph = nx.read_gexf(out / "network.gexf")
    kinds = nx.get_node_attributes(graph, "kind")
    assert sum(1 for kind in kinds.values() if kind == "finding") == expected
    entities = [node for node, kind in kinds.items() if kind != "finding"]
    assert entities and all(graph.degree(node) >= 2 for node in entities)
    assert {"cluster", "telegram"} <= {kinds[node] for node in entities}


def test_an_export_never_overwrites_unless_asked(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with indexed(settings, 20) as store:
        run_export(settings, ExportRequest(Query("*"), "jsonl", out), store)
        before = (out / "datapackage.json").read_text()
        with pytest.raises(ExportError, match="not empty"):
            run_export(settings, ExportRequest(Query("*"), "csv", out), store)
        assert (out / "datapackage.json").read_text() == before and not (out / "findings.csv").exists()
        run_export(settings, ExportRequest(Query("*"), "csv", out, overwrite=True), store)
    assert sorted(p.name for p in out.iterdir()) == ["datapackage.json", "findings.csv"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_verify_reports_a_changed_file(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with indexed(settings, 20) as store:
        run_export(settings, ExportRequest(Query("*"), "csv", out), store)
    with (out / "findings.csv").open("a", encoding="utf-8") as fh:
        fh.write("extra,row\r\n")
    check = verify_export(out)
    assert not check.ok
    assert any("findings.csv" in p and "sha256" in p for p in check.problems)


def test_datapackage_records_the_query_versions_licence_and_counts(settings: Settings, tmp_path: Path) -> None:
    query = Query("visa", filters={"country": ["MM", "KH"]}, risk_min=20)
    with indexed(settings, 30) as store:
        report = run_export(settings, ExportRequest(query, "parquet", tmp_path / "out"), store)
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    meta = package["lurewatch"]
    assert meta["query"] == {"text": "visa", "filters": {"country": ["MM", "KH"]}, "sort": "relevance",
                             "risk_min": 20}  # fmt: skip
    assert meta["counts"]["findings"] == report.rows == meta["counts"]["query_total"]
    assert meta["schema_version"] == 1 and meta["code_version"] and meta["index_backend"] == "sqlite"
    assert package["licenses"][0]["name"] == settings.export_license and package["citation"]
    resource = package["resources"][0]
    assert resource["path"] == "findings.parquet" and resource["hash"].startswith("sha256:") and resource["bytes"] > 0


def test_graph_names_networks_in_gexf_graphml_and_followthemoney(backend_settings: Settings, store: Index,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    import networkx as nx

    from lurewatch.networks import build_networks

    build_networks(backend_settings)
    expected, out = _export(backend_settings, store, "graph", tmp_path / "graph")
    gexf, graphml = nx.read_gexf(out / "network.gexf"), nx.read_graphml(out / "network.graphml")
    assert sorted(gexf.nodes) == sorted(graphml.nodes) and gexf.number_of_edges() == graphml.number_of_edges()
    networks = nx.get_node_attributes(graphml, "network")
    findings = [node for node, kind in nx.get_node_attributes(graphml, "kind").items() if kind == "finding"]
    assert len(findings) == expected and all(networks.get(node, "").startswith("nw-") for node in findings)
    assert not any(node in gexf for node in ("domain:t.me", "domain:wa.me", "domain:gmail.com"))
    entities = [json.loads(line) for line in (out / "network.ftm.json").read_text().splitlines()]
    assert all(check_entity(entity) is None for entity in entities)
    orgs = {e["id"] for e in entities if e["schema"] == "Organization"}
    posted = [e for e in entities if e["schema"] == "UnknownLink"]
    assert orgs and len(posted) == expected and {e["properties"]["subject"][0] for e in posted} == orgs
