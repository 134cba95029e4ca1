"""The search API and page over 300 generated findings: one row per lure by default, sorting, word operators,
readable errors (400), several values of one facet, labelled chips, a clickable histogram, forgiving filters."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.records import Contacts
from tests.support.samples import sample_findings
from tests.web.conftest import N, log_in


def test_api_returns_one_row_per_lure_unless_asked_for_every_posting(client: TestClient, reader: dict) -> None:
    lures = client.get("/api/search?q=visa&size=100", headers=reader).json()
    assert 0 < lures["clusters"] < lures["total"]
    assert len({h["cluster_id"] or h["posting_id"] for h in lures["hits"]}) == len(lures["hits"])
    assert sum(h["reposts"] + 1 for h in lures["hits"]) == lures["total"] or len(lures["hits"]) == 100
    assert lures["next_cursor"] is None
    every = client.get("/api/search?q=visa&size=20&collapse=false", headers=reader).json()
    assert every["clusters"] is None and every["total"] == lures["total"] and every["next_cursor"]
    assert all(h["reposts"] == 0 for h in every["hits"])


def test_a_cursor_with_collapse_is_a_readable_400(client: TestClient, reader: dict) -> None:
    cursor = client.get("/api/search?q=visa&collapse=false", headers=reader).json()["next_cursor"]
    response = client.get(f"/api/search?q=visa&cursor={cursor}", headers=reader)
    assert response.status_code == 400 and "collapse=false" in response.text


def test_typed_words_sort_by_relevance_unless_another_sort_is_chosen(client: TestClient, reader: dict) -> None:
    ranked = client.get("/api/search?q=visa | telegram&collapse=false&size=50", headers=reader).json()["hits"]
    scores = [h["score"] for h in ranked]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    newest = client.get("/api/search?q=visa&sort=newest&collapse=false&size=50", headers=reader).json()["hits"]
    assert [h["fetched_at"] for h in newest] == sorted((h["fetched_at"] for h in newest), reverse=True)
    empty = client.get("/api/search?collapse=false&size=50", headers=reader).json()["hits"]
    assert [h["fetched_at"] for h in empty] == sorted((h["fetched_at"] for h in empty), reverse=True)


def test_the_sort_menu_sends_no_sort_unless_one_is_chosen(client: TestClient, reader: dict) -> None:
    log_in(client, reader["X-API-Key"])
    html = client.get("/?q=*").text  # the empty page lists newest: that choice must not stick to a typed query
    assert re.search(r'<option value="" selected>', html)
    html = client.get("/?q=visa&sort=risk").text
    assert re.search(r'<option value="risk" selected>', html)


def test_word_operators_match_their_symbols(client: TestClient, reader: dict) -> None:
    def ids(text: str) -> list[str]:
        page = client.get("/api/search", params={"q": text, "collapse": "false", "size": 1000}, headers=reader)
        return sorted(h["posting_id"] for h in page.json()["hits"])

    assert ids("visa OR telegram") == ids("visa | telegram") != []
    assert ids("visa NOT telegram") == ids("visa -telegram")
    assert ids("高薪 NOT visa") == ids("高薪 -visa") != []
    assert ids("visa AND telegram") == ids("visa +telegram") != []


def test_an_unbalanced_quote_or_a_bad_filter_is_a_400_with_a_message(client: TestClient, reader: dict) -> None:
    response = client.get('/api/search?q="free visa', headers=reader)
    assert response.status_code == 400 and "unbalanced quote" in response.text
    response = client.get("/api/search?q=visa&date_from=yesterday", headers=reader)
    assert response.status_code == 400 and "date_from" in response.text
    log_in(client, reader["X-API-Key"])
    page = client.get('/?q="free visa')
    assert page.status_code == 400 and "unbalanced quote at character 1" in page.text and 'role="alert"' in page.text
    page = client.get("/?q=visa&risk_min=lots")
    assert page.status_code == 400 and "risk_min" in page.text


def test_several_values_of_one_facet_are_or_and_chips_have_labels(client: TestClient, reader: dict) -> None:
    log_in(client, reader["X-API-Key"])
    html = client.get("/?q=*&country=KH&country=MM&source_kind=board&collapse=0&size=100").text
    countries = set(re.findall(r'<span>(KH|MM|TH|LA|PH|VN|ID|MY)</span>', html))
    assert countries == {"KH", "MM"}
    chips = re.findall(r'<button type="submit" class="chip removable"[^>]*>([^<]*)</button>', html)
    assert "Country: Cambodia (KH) ×" in chips and "Country: Myanmar (MM) ×" in chips and "Kind: board ×" in chips
    expected = sum(1 for f in sample_findings(N) if f.country in ("KH", "MM") and f.source_kind == "board")
    assert f"<strong>{expected}</strong> postings" in html


def test_no_chip_without_a_value(client: TestClient, reader: dict) -> None:
    log_in(client, reader["X-API-Key"])
    html = client.get("/?q=visa&country=&risk_min=&date_from=&has_contact=1").text
    chips = re.findall(r'class="chip removable"[^>]*>([^<]*)</button>', html)
    assert chips == ["with a contact: yes ×"]


def test_more_shows_the_rest_of_a_facet(client: TestClient, reader: dict) -> None:
    log_in(client, reader["X-API-Key"])
    html = client.get("/?q=*").text
    facet = html.split('data-facet="indicator"')[1].split("</section>")[0]
    assert re.search(r'<details class="more"><summary>\d+ more</summary>', facet)


def test_histogram_bars_narrow_the_dates_by_posting_date(client: TestClient, reader: dict) -> None:
    log_in(client, reader["X-API-Key"])
    html = client.get("/?q=visa").text
    assert "by posting date (the crawl date when a page gave none)" in html
    bars = re.findall(r'<a href="([^"]+)" class="bar"', html)
    assert bars
    first = parse_qs(urlsplit(bars[0].replace("&amp;", "&")).query)
    start, end = first["date_from"][0], first["date_to"][0]
    narrowed = client.get("/api/search", params={"q": "visa", "date_from": start, "date_to": end, "size": 0},
                          headers=reader).json()  # fmt: skip
    week = re.search(r"week of [\d-]+: (\d+) postings", html)
    assert week and narrowed["total"] == int(week.group(1))
    assert "Postings per day" in client.get(f"/?q=visa&date_from={start}&date_to={end}").text


def test_a_phone_filter_takes_the_local_format(client: TestClient, reader: dict, store: SqliteIndex) -> None:
    ad = dataclasses.replace(next(iter(sample_findings(1))), posting_id="local-phone", cluster_id="local-phone",
                             contacts=Contacts(phones=["+85512345678"]))  # fmt: skip
    store.upsert([ad])
    for typed in ["012 345 678", "012-345-678", "+855 12 345 678", "(012) 345678"]:
        found = client.get("/api/search", params={"phone": typed}, headers=reader).json()
        assert [h["posting_id"] for h in found["hits"]] == ["local-phone"], typed


def test_every_country_code_gets_its_name_and_an_unknown_code_stays_as_it_is(client: TestClient, reader: dict) -> None:
    log_in(client, reader["X-API-Key"])
    html = client.get("/?q=*&country=AE&country=QZ&collapse=0").text
    chips = re.findall(r'<button type="submit" class="chip removable"[^>]*>([^<]*)</button>', html)
    assert "Country: United Arab Emirates (AE) ×" in chips and "Country: QZ ×" in chips
