"""Redacted exports: no raw phone, handle, email or wallet in any file, as the project's own extractors see it;
pseudonyms stay stable under one key, so records still link across exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lurewatch.enrichment.contacts import extract_contacts
from lurewatch.enrichment.wallets import extract_wallets
from lurewatch.errors import ExportError
from lurewatch.exports.redact import Redactor, load_key
from lurewatch.exports.run import ExportRequest, run_export
from lurewatch.exports.writers import FORMATS
from lurewatch.index.base import Index
from lurewatch.index.query import Query
from lurewatch.settings import Settings
from tests.exports.conftest import BTC, ETH, TRON, indexed

N = 150


def _raw_values(store: Index) -> set[str]:
    """Every phone, handle, email and wallet the index holds, in the forms it stores them."""
    raw: set[str] = set()
    for hit in store.iterate(Query("*", size=1000, facets=())):
        finding = store.get(hit.posting_id)
        assert finding is not None
        c = finding.contacts
        for value in [*c.phones, *c.whatsapp, *c.signal, *c.emails, *c.telegram, *c.line, *c.wechat]:
            raw.add(value.lower().lstrip("@"))
            if value.startswith("+"):
                raw.add(value[1:])
        raw.update(w.address.lower() for w in finding.wallets)
    return raw


def _found_by_extractors(text: str) -> set[str]:
    """What the project's extractors find in ``text`` (line by line, with each ad language's phone hints)."""
    found: set[str] = set()
    for line in text.splitlines():
        for language in ("en", "th", "zh"):
            c = extract_contacts(line, language)
            for value in [*c.phones, *c.whatsapp, *c.signal, *c.emails, *c.telegram, *c.line, *c.wechat]:
                found.add(value.lower().lstrip("@"))
        found.update(w.address.lower() for w in extract_wallets(line))
    return found


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_redacted_export_holds_no_raw_contact(settings: Settings, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / fmt
    with indexed(settings, N) as store:
        raw = _raw_values(store)
        run_export(settings, ExportRequest(Query("*"), fmt, out, redact=True), store)
    assert {
        "66812345678",
        "hr_boss88",
        "hr.manager@easyjob-asia.example",
        TRON.lower(),
        ETH.lower(),
        BTC.lower(),
    } <= raw
    files = [p for p in out.iterdir() if p.is_file()]
    assert len(files) == (4 if fmt == "graph" else 2)  # the data files (GEXF, GraphML, FtM for graph) and datapackage.json
    for path in files:
        if path.suffix == ".parquet":
            import duckdb

            text = "\n".join(json.dumps(row, default=str) for row in duckdb.sql(f"SELECT * FROM '{path}'").fetchall())
        else:
            text = path.read_text(encoding="utf-8")
        lowered = text.lower()
        leaked = sorted(value for value in raw if value in lowered)
        assert leaked == [], f"{path.name} holds raw values {leaked[:5]}"
        found = _found_by_extractors(text)
        assert found & raw == set(), f"{path.name}: the extractors find {sorted(found & raw)[:5]}"
        assert not re.search(r"081-234-567\d|\+66 81 234", text)  # the local and spaced forms in the text


def test_pseudonyms_are_stable_under_one_key_and_link_a_phone_across_fields(settings: Settings) -> None:
    redactor = Redactor(load_key(settings))
    again = Redactor(load_key(settings))  # the key was made once and kept in the data folder
    assert settings.export_key_path.stat().st_mode & 0o777 == 0o600
    assert redactor.pseudonym("phone", "+66812345678") == again.pseudonym("phone", "+66 81-234-5678")
    assert redactor.pseudonym("handle", "@HR_Boss88") == again.pseudonym("handle", "hr_boss88")
    assert Redactor(b"another key").pseudonym("phone", "+66812345678") != redactor.pseudonym("phone", "+66812345678")
    assert "key" not in repr(redactor).replace("key=<hidden>", "")
    from tests.exports.conftest import leaky_findings

    finding = redactor.finding(leaky_findings()[0])
    assert finding.contacts.phones == finding.contacts.whatsapp  # the same number on WhatsApp: one pseudonym
    assert finding.contacts.phones[0] in finding.text and finding.contacts.telegram[0] in finding.text
    assert re.fullmatch(r"phone-[a-p]{20}", finding.contacts.phones[0])


def test_the_query_of_a_redacted_export_is_redacted_too(settings: Settings, tmp_path: Path) -> None:
    with indexed(settings, 20) as store:
        query = Query("*", filters={"phone": ["+66812345678"], "telegram": ["hr_boss88"]})
        report = run_export(settings, ExportRequest(query, "jsonl", tmp_path / "out", redact=True), store)
    assert report.rows == 1
    package = (tmp_path / "out" / "datapackage.json").read_text()
    assert "66812345678" not in package and "hr_boss88" not in package
    assert json.loads(package)["lurewatch"]["redacted"] is True


def test_an_evidence_bundle_is_never_redacted(settings: Settings, tmp_path: Path) -> None:
    with indexed(settings, 5) as store, pytest.raises(ExportError, match="never redacted"):
        run_export(settings, ExportRequest(Query("*"), "csv", tmp_path / "out", redact=True, evidence=True), store)
    assert not (tmp_path / "out").exists()
