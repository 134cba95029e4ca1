"""Parameters: bounded and validated (400 with a message, never 500), filters capped, chip links linear."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from lurewatch.enrichment.score import rule_catalogue
from lurewatch.entities import BY_KIND, ENTITY_KINDS, entities_of
from lurewatch.index.query import MAX_FILTER_VALUES
from tests.support.samples import INDICATORS, sample_findings
from tests.web.conftest import log_in

# Each of these gave a 500 before the parameters were declared and bounded (or a 200 on nonsense).
BAD = [
    ("offset=99999999999999999999", "offset"),
    ("risk_min=99999999999999999999999", "risk_min"),
    ("date_to=9999-12-31", "date_to"),
    ("date_from=2026-13-40", "date_from"),
    ("near=1,2,3e400", "near"),
    ("bbox=nan,nan,nan,nan", "bbox"),
    ("bbox=10,80,20,70", "bbox"),
    ("q=" + "(" * 1000 + "a", "q"),
    ("q=" + "|".join(f"w{i}" for i in range(1000)), "q"),
    ("offset=9990&size=100", "offset + size"),
    ("sort=colour", "sort"),
    ("colour=red", "colour: unknown parameter"),
    ("risk_min=80&risk_max=20", "risk_min must not be above risk_max"),
    ("&".join(f"country=C{i}" for i in range(MAX_FILTER_VALUES + 1)), f"at most {MAX_FILTER_VALUES} filter values"),
]


@pytest.mark.parametrize(("query", "named"), BAD, ids=[b[1] for b in BAD])
def test_a_bad_parameter_is_a_readable_400_in_the_api(client: TestClient, reader: dict, query: str, named: str) -> None:
    response = client.get(f"/api/search?{query}", headers=reader)
    assert response.status_code == 400 and named in response.json()["detail"]


@pytest.mark.parametrize(("query", "named"), BAD[:4] + BAD[-2:], ids=[b[1] for b in BAD[:4] + BAD[-2:]])
def test_a_bad_parameter_is_a_readable_400_page_in_the_ui(client: TestClient, reader: dict, query: str,
                                                          named: str) -> None:  # fmt: skip
    log_in(client, reader["X-API-Key"])
    response = client.get(f"/?{query}")
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert named in response.text and 'role="alert"' in response.text


def test_thousands_of_repeated_filters_are_refused_not_rendered(client: TestClient, reader: dict) -> None:
    """2,500 repeated filters in a UI URL built a 91 MB page in 7 s: now a short 400."""
    log_in(client, reader["X-API-Key"])
    response = client.get("/?q=visa&" + "&".join(f"phone=%2B6681{i:07d}" for i in range(2500)))
    assert response.status_code == 400 and len(response.content) < 20_000


def test_chips_grow_linearly_with_the_filters(client: TestClient, reader: dict) -> None:
    log_in(client, reader["X-API-Key"])

    def size(n: int) -> int:
        query = "&".join(f"phone=%2B6681{i:07d}" for i in range(n))
        page = client.get(f"/?q=visa&{query}")
        assert page.status_code == 200 and page.text.count('name="drop"') == n
        return len(page.content)

    small, large = size(10), size(50)
    per_filter = (large - small) / 40
    assert per_filter < 1_000  # one hidden input, one chip and one hidden search field per filter: linear


def test_a_chip_removes_its_own_filter(client: TestClient, reader: dict) -> None:
    log_in(client, reader["X-API-Key"])
    response = client.get("/?q=visa&country=KH&country=TH&risk_min=40&drop=country%3DKH", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/?q=visa&country=TH&risk_min=40"
    response = client.get("/?q=visa&country=TH&risk_min=40&drop=risk_min", follow_redirects=False)
    assert response.headers["location"] == "/?q=visa&country=TH"


def test_entity_filters_and_pivots_forgive_how_a_value_is_typed(client: TestClient, reader: dict) -> None:
    finding = next(f for f in sample_findings(300) if f.contacts.phones and f.contacts.phones[0].startswith("+66"))
    stored = finding.contacts.phones[0]
    typed = "0066 " + stored[3:5] + "-" + stored[5:8] + " " + stored[8:]
    exact = client.get("/api/pivots/phone", params={"value": stored}, headers=reader).json()
    loose = client.get("/api/pivots/phone", params={"value": typed}, headers=reader).json()
    assert loose["total"] == exact["total"] >= 1 and loose["entity"]["value"] == stored
    filtered = client.get("/api/search", params={"phone": typed, "size": 0}, headers=reader).json()
    assert filtered["total"] == exact["total"]


def test_every_indicator_has_its_label_and_description_from_the_rules_file(client: TestClient, reader: dict) -> None:
    catalogue = rule_catalogue()
    assert len(catalogue) >= 15
    for info in catalogue.values():
        assert info.label and info.label != info.code and info.description and info.reports
        assert not any(report.isupper() and "-" in report for report in info.reports)  # full citations, not keys
    assert {code for code, _, _ in INDICATORS} <= set(catalogue)  # the synthetic findings use the real codes
    served = {i["code"]: i for i in client.get("/api/indicators", headers=reader).json()}
    assert served["passport_held"]["label"] == catalogue["passport_held"].label


def test_the_finding_page_shows_indicator_labels_not_codes(client: TestClient, reader: dict, store: object) -> None:
    from lurewatch.records import Indicator

    finding = next(sample_findings(1))
    finding.indicators = [Indicator(code, 10.0, "x") for code in rule_catalogue()]
    store.upsert([finding])  # type: ignore[attr-defined]
    log_in(client, reader["X-API-Key"])
    page = client.get(f"/findings/{finding.posting_id}").text
    for info in rule_catalogue().values():
        assert info.label in page and f">{info.code}<" not in page


def test_one_entity_table_names_every_kind_and_where_it_sits_in_a_finding() -> None:
    assert [e.kind for e in ENTITY_KINDS] == ["phone", "telegram", "whatsapp", "line", "wechat", "signal", "zalo",
                                              "viber", "kakaotalk", "messenger", "email",
                                              "domain", "wallet", "phash"]  # fmt: skip
    finding = next(f for f in sample_findings(50) if f.contacts.phones and f.wallets and f.images)
    pairs = [(e.kind, v) for e, v in entities_of(finding)]
    assert ("phone", finding.contacts.phones[0]) in pairs and ("wallet", finding.wallets[0].address) in pairs
    assert ("phash", finding.images[0].phash) in pairs
    assert BY_KIND["telegram"].normalise("https://t.me/Recruit_Boss") == "recruit_boss"
    assert BY_KIND["phone"].normalise("+66 (81) 234-5678") == "+66812345678"
    assert BY_KIND["domain"].normalise("https://WWW.Jobs.example:8080/x") == "jobs.example"
