"""Findings for benchmarks, made here (benchmarks never import the tests): varied words, places, contacts, clusters.

``findings(n, seed)`` gives the same ``n`` findings for the same seed: ads from a small vocabulary in three
languages, a country and often a compound, indicators and a risk, phones and Telegram handles from pools (so
watches find several postings), and about one in four a repost of an earlier ad (same cluster).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from lurewatch.records import Contacts, Finding, Indicator, Location, posting_id_for

# 200 words: an ad draws 10, so one word is in about 5% of ads and two given words in about 0.25%.
WORDS = [f"{stem}{suffix}" for stem in ("visa", "salary", "typist", "casino", "translat", "custom", "flight", "passport",
         "bonus", "dorm", "urgent", "hotel", "chat", "game", "market", "crypto", "agent", "oversea", "contract", "ticket")
         for suffix in ("", "s", "er", "ing", "ed", "ion", "al", "ist", "ure", "ment")]  # fmt: skip
CHINESE = ["高薪", "招聘", "客服", "打字员", "签证", "机票", "包吃包住", "无需经验", "翻译", "主管", "代理", "博彩", "游戏", "推广",
           "合同", "培训", "宿舍", "奖金", "护照", "加急"]  # fmt: skip
THAI = ["งาน", "เงินเดือน", "วีซ่า", "ตั๋ว", "ฟรี", "ด่วน"]
PLACES = [("KK Park", "MM", 16.63, 98.55), ("Shwe Kokko", "MM", 16.82, 98.53), ("Sihanoukville", "KH", 10.61, 103.53),
          ("Poipet", "KH", 13.66, 102.56), ("Golden Triangle SEZ", "LA", 20.35, 100.09), ("Bangkok", "TH", 13.76, 100.5),
          ("Manila", "PH", 14.6, 120.98), ("Phnom Penh", "KH", 11.56, 104.93)]  # fmt: skip
COMPOUNDS = {"KK Park", "Shwe Kokko", "Sihanoukville", "Poipet", "Golden Triangle SEZ"}
INDICATORS = [("salary_too_high", 25), ("no_experience", 15), ("free_visa_flight", 20), ("telegram_only", 15),
              ("age_limit", 10), ("passport_required", 10), ("compound_location", 30)]  # fmt: skip
PHONES = [f"+6681{n:07d}" for n in range(0, 400)]
HANDLES = [f"hr_agent{n:03d}" for n in range(400)]


def findings(n: int, seed: int = 1, run_id: str = "bench") -> Iterator[Finding]:
    rng = random.Random(seed)
    earlier: list[tuple[str, str, str]] = []  # (cluster, title, text) of earlier ads, for reposts
    for i in range(n):
        if earlier and rng.random() < 0.25:
            cluster, title, text = rng.choice(earlier)
            text += f" ref {rng.randrange(1000)}"
        else:
            words = rng.sample(WORDS, 10) + rng.sample(CHINESE, 1) + rng.sample(THAI, 1)
            title, text = " ".join(words[:4]), " ".join(words)
            cluster = f"bench-{seed}-{i}"
            earlier.append((cluster, title, text))
        name, country, lat, lon = rng.choice(PLACES)
        indicators = [Indicator(code, weight) for code, weight in rng.sample(INDICATORS, rng.randrange(0, 5))]
        url = f"https://board{rng.randrange(5)}.example/ads/{seed}-{i}"
        yield Finding(
            posting_id=posting_id_for(url), source=f"board{rng.randrange(5)}", source_kind="board", url=url,
            canonical_url=url, fetched_at=f"2026-0{rng.randrange(1, 10)}-1{rng.randrange(10)}T10:00:00+00:00",
            run_id=run_id, title=title, text=text, language=rng.choice(["en", "zh", "th"]),
            contacts=Contacts(phones=rng.sample(PHONES, rng.randrange(0, 2)), telegram=rng.sample(HANDLES, rng.randrange(0, 2))),
            locations=[Location(name, country, None, lat, lon, None, "text", 0.8)], geo={"lat": lat, "lon": lon},
            country=country, compound=name if name in COMPOUNDS else None, indicators=indicators,
            risk_score=min(100, int(sum(i.weight for i in indicators))), cluster_id=cluster,
        )  # fmt: skip
