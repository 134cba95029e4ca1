"""The cluster page: members by posting date, the original first, a line diff that is escaped, rotated phones."""

from __future__ import annotations

from fastapi.testclient import TestClient

from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.records import Contacts, Finding
from lurewatch.web.clusters import members_of, original_of
from tests.web.conftest import log_in


def _member(posting_id: str, posted: str | None, phone: str, extra: str = "") -> Finding:
    return Finding(posting_id=posting_id, source="demo", source_kind="board", url=f"https://jobs.example/{posting_id}",
                   canonical_url=f"https://jobs.example/{posting_id}", fetched_at="2026-11-29T00:00:00+00:00",
                   run_id="r", title="Typist wanted in Myawaddy", language="en", posted_at=posted,
                   first_seen="2026-11-29T00:00:00+00:00", cluster_id="c-rotate",
                   text=f"Typing job, 20 people\nSalary 1,200 USD\nCall {phone}{extra}",
                   contacts=Contacts(phones=[phone]))  # fmt: skip


MEMBERS = [
    _member("newest", "2026-11-20T00:00:00+00:00", "+959765432103", "\n<script>alert(1)</script>"),
    _member("orig", "2026-11-02T00:00:00+00:00", "+959765432101"),
    _member("middle", "2026-11-10T00:00:00+00:00", "+959765432102"),
    _member("undated", None, "+959765432104"),  # first seen after all of them were posted
]


def test_the_original_is_the_earliest_posted_and_each_repost_shows_its_new_phone() -> None:
    assert original_of(MEMBERS).posting_id == "orig"
    members = members_of(MEMBERS)
    assert [m.finding.posting_id for m in members] == ["orig", "middle", "newest", "undated"]
    assert [m.when_from for m in members] == ["posted", "posted", "posted", "first seen"]
    middle = members[1]
    assert middle.added == [("phone", "+959765432102")] and middle.dropped == [("phone", "+959765432101")]
    assert [(d.op, d.text) for d in middle.diff if d.op != "same"] == [
        ("removed", "Call +959765432101"), ("added", "Call +959765432102")]  # fmt: skip


def test_the_cluster_page_escapes_the_diff_and_links_the_new_phone(client: TestClient, store: SqliteIndex,
                                                                    reader: dict[str, str]) -> None:  # fmt: skip
    store.upsert(MEMBERS)
    log_in(client, reader["X-API-Key"])
    page = client.get("/clusters/c-rotate")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert page.text.index("/findings/orig") < page.text.index("/findings/middle") < page.text.index("/findings/newest")
    assert 'href="/pivot/phone?value=%2B959765432102"' in page.text
    finding = client.get("/findings/middle")
    assert 'href="/clusters/c-rotate"' in finding.text
    api = client.get("/api/clusters/c-rotate", headers=reader).json()
    assert api["original"] == "orig" and api["members"][1]["added"] == [{"kind": "phone", "value": "+959765432102"}]
