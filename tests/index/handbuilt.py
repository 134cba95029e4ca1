"""Nine hand-built findings whose every query answer is known by id: the ground truth of the query tests.

Each finding is written to sit on one side of a boundary that a query feature must respect (a phrase
against the same words apart, a risk score of exactly 60, a fetch one second before and one second
after midnight, a finding with contacts and one without, ...). The expected ids in the tests are
worked out by hand from this table, never by running a backend.

| id | title / text (short) | risk | fetched (UTC) | contacts | place |
|---|---|---|---|---|---|
| f1 | night shift operator, free visa | 80 | 2026-03-10 23:59:59 | phone, telegram | KK Park, MM |
| f2 | shift at night, passport kept | 60 | 2026-03-11 00:00:00 | whatsapp | Shwe Kokko, MM |
| f3 | recruiter, visa and passport | 59 | 2026-03-09 12:00 | email, wallet | Sihanoukville, KH |
| f4 | hotel receptionist | 10 | 2026-03-01 00:00:00 | none | Bangkok, TH |
| f5 | 高薪招聘 客服 (Chinese) | 95 | 2026-02-28 08:00 | line, wechat | Golden Triangle, LA |
| f6 | งาน ง่าย (Thai) | 60 | 2026-03-12 06:00 | signal | Phnom Penh, KH |
| f7 | recruitment night | 0 | 2026-03-05 10:00 | none | (no place) |
| f8 | crypto typist, shift night | 61 | 2026-03-10 00:00:00 | telegram, wallet | Mae Sot, TH |
| f9 | hotel cleaner, free night | 30 | 2026-03-10 12:00 | none; domain only | Manila, PH |
"""

from __future__ import annotations

from lurewatch.records import Contacts, Finding, Image, Indicator, Location, Wallet

IDS = [f"f{i}" for i in range(1, 10)]


def _finding(pid: str, **fields: object) -> Finding:
    base = {
        "posting_id": pid, "source": "board-a", "source_kind": "board", "url": f"https://jobs.example/{pid}",
        "canonical_url": f"https://jobs.example/{pid}", "run_id": "hand", "language": "en",
    }  # fmt: skip
    base.update(fields)
    place = base.pop("place", None)
    if place is not None:
        name, country, lat, lon, compound = place  # type: ignore[misc]
        base["locations"] = [Location(name=name, country=country, lat=lat, lon=lon, confidence=0.9)]
        base["geo"] = {"lat": lat, "lon": lon}
        base["country"] = country
        base["compound"] = compound
    base.setdefault("first_seen", base["fetched_at"])
    base.setdefault("last_seen", base["fetched_at"])
    base.setdefault("cluster_id", pid)
    return Finding(**base)  # type: ignore[arg-type]


def handbuilt_findings() -> list[Finding]:
    return [
        _finding(
            "f1",
            title="Night shift operator",
            text="Night shift operator wanted. Free visa and flight.",
            risk_score=80,
            fetched_at="2026-03-10T23:59:59+00:00",
            cluster_id="c-night",
            contacts=Contacts(phones=["+959123456789"], telegram=["hr_kk"]),
            indicators=[Indicator("free_visa_flight", 20.0), Indicator("telegram_only", 10.0)],
            images=[Image(url="https://jobs.example/i1.jpg", phash="aaaa0000aaaa0000")],
            place=("KK Park", "MM", 16.631, 98.557, "KK Park"),
        ),
        _finding(
            "f2",
            title="Operator wanted",
            text="Work the shift at night. Your passport is kept by the company.",
            risk_score=60,
            fetched_at="2026-03-11T00:00:00+00:00",
            cluster_id="c-night",
            source="board-b",
            contacts=Contacts(whatsapp=["+959987654321"]),
            indicators=[Indicator("passport_retained", 30.0)],
            place=("Shwe Kokko", "MM", 16.8208, 98.5309, "Shwe Kokko"),
        ),
        _finding(
            "f3",
            title="Recruiter",
            text="Recruiter for a visa agency; passport needed.",
            risk_score=59,
            fetched_at="2026-03-09T12:00:00+00:00",
            source_kind="social",
            source="group-c",
            contacts=Contacts(emails=["jobs@agency.example"], domains=["agency.example"]),
            wallets=[Wallet("tron", "TXyz1111111111111111111111111111111")],
            indicators=[Indicator("crypto_wallet", 15.0)],
            place=("Sihanoukville", "KH", 10.6093, 103.5296, "Sihanoukville compounds"),
        ),
        _finding(
            "f4",
            title="Hotel receptionist",
            text="Front desk at a city hotel. Morning hours.",
            risk_score=10,
            fetched_at="2026-03-01T00:00:00+00:00",
            place=("Bangkok", "TH", 13.7563, 100.5018, None),
        ),
        _finding(
            "f5",
            title="高薪招聘客服",
            text="高薪招聘客服 月薪 美元 无需经验",
            language="zh",
            risk_score=95,
            fetched_at="2026-02-28T08:00:00+00:00",
            source_kind="channel",
            source="channel-d",
            contacts=Contacts(line=["kefu88"], wechat=["wx_kefu"]),
            indicators=[Indicator("crypto_wallet", 15.0)],
            place=("Golden Triangle SEZ", "LA", 20.3501, 100.0902, "Golden Triangle Special Economic Zone"),
        ),
        _finding(
            "f6",
            title="งานง่าย",
            text="งานง่าย เงินเดือนสูง",
            text_segmented="งาน ง่าย เงินเดือน สูง",
            language="th",
            risk_score=60,
            fetched_at="2026-03-12T06:00:00+00:00",
            contacts=Contacts(signal=["+85512000111"]),
            place=("Phnom Penh", "KH", 11.5564, 104.9282, None),
        ),
        _finding(
            "f7",
            title="Recruitment night",
            text="An evening for recruitment agencies.",
            risk_score=0,
            fetched_at="2026-03-05T10:00:00+00:00",
            source="board-b",
        ),
        _finding(
            "f8",
            title="Crypto typist",
            text="Typist, shift night and day, paid in USDT.",
            risk_score=61,
            fetched_at="2026-03-10T00:00:00+00:00",
            cluster_id="c-night",
            contacts=Contacts(telegram=["hr_kk"]),
            wallets=[Wallet("tron", "TXyz1111111111111111111111111111111")],
            indicators=[Indicator("crypto_wallet", 15.0), Indicator("telegram_only", 10.0)],
            images=[Image(url="https://jobs.example/i8.jpg", phash="aaaa0000aaaa0000")],
            place=("Mae Sot", "TH", 16.7167, 98.5667, None),
        ),
        _finding(
            "f9",
            title="Hotel cleaner",
            text="Cleaner for a hotel; a free night each week.",
            risk_score=30,
            fetched_at="2026-03-10T12:00:00+00:00",
            language="tl",
            contacts=Contacts(domains=["hotel.example"], urls=["https://hotel.example/jobs"]),
            place=("Manila", "PH", 14.5995, 120.9842, None),
        ),
    ]
