"""Deterministic synthetic findings with every field filled, for parity tests, benchmarks and UI previews.

The ads are written for this module from templates with variations (languages of the region, lures and
ordinary jobs); contacts, wallets and image hashes come from small pools so that pivots find several
postings, and reposts share a cluster. The same ``seed`` and ``n`` always give the same findings.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from lurewatch.records import Contacts, Evidence, Finding, Image, Indicator, Location, Salary, Wallet, posting_id_for

PLACES = [  # name, country, lat, lon, compound (None for an ordinary town)
    ("KK Park", "MM", 16.631, 98.557, "KK Park"),
    ("Shwe Kokko", "MM", 16.8208, 98.5309, "Shwe Kokko"),
    ("Tachileik", "MM", 20.4475, 99.8808, "Tachileik compounds"),
    ("Golden Triangle SEZ", "LA", 20.3501, 100.0902, "Golden Triangle Special Economic Zone"),
    ("Sihanoukville", "KH", 10.6093, 103.5296, "Sihanoukville compounds"),
    ("Poipet", "KH", 13.6581, 102.5637, "Poipet compounds"),
    ("Bavet", "KH", 11.0632, 106.1356, "Bavet compounds"),
    ("Phnom Penh", "KH", 11.5564, 104.9282, None),
    ("Bangkok", "TH", 13.7563, 100.5018, None),
    ("Mae Sot", "TH", 16.7167, 98.5667, None),
    ("Vientiane", "LA", 17.9757, 102.6331, None),
    ("Manila", "PH", 14.5995, 120.9842, None),
    ("Ho Chi Minh City", "VN", 10.8231, 106.6297, None),
    ("Jakarta", "ID", -6.2088, 106.8456, None),
    ("Kuala Lumpur", "MY", 3.139, 101.6869, None),
]
COUNTRY_CODES = {"MM": "+959", "LA": "+85620", "KH": "+8551", "TH": "+668", "PH": "+639", "VN": "+849", "ID": "+628",
                 "MY": "+601"}  # fmt: skip
SOURCES = [("jobboard-kh", "board"), ("social-groups", "social"), ("channel-previews", "channel"),
           ("career-feed", "feed"), ("expat-forum", "forum")]  # fmt: skip
LURES = {  # language -> (title, text, segmented text or "") with {salary} {place} {role}
    "en": (
        "Urgent: {role} wanted in {place}, ${salary}/month, no experience",
        "Easy {role} job in {place}. Salary ${salary} per month plus bonus. Free visa and flight ticket, "
        "food and dormitory included. Age 18-35, passport required. Contact the manager on Telegram now.",
    ),
    "th": (
        "รับสมัครด่วน {role} ที่ {place} เงินเดือน {salary} ดอลลาร์",
        "งานง่าย ไม่ต้องมีประสบการณ์ เงินเดือนสูง {salary} ดอลลาร์ ฟรีวีซ่า ตั๋วเครื่องบิน ติดต่อเทเลแกรม",
        "งาน ง่าย ไม่ ต้อง มี ประสบการณ์ เงินเดือน สูง {salary} ดอลลาร์ ฟรี วีซ่า ตั๋ว เครื่องบิน ติดต่อ เทเลแกรม",
    ),
    "km": (
        "ត្រូវការបុគ្គលិក {role} នៅ {place} ប្រាក់ខែ {salary} ដុល្លារ",
        "ការងារស្រួល មិនត្រូវការបទពិសោធន៍ ប្រាក់ខែខ្ពស់ {salary} ដុល្លារ ទិដ្ឋាការ និង សំបុត្រយន្តហោះ ឥតគិតថ្លៃ",
        "ការងារ ស្រួល មិន ត្រូវការ បទពិសោធន៍ ប្រាក់ខែ ខ្ពស់ {salary} ដុល្លារ ទិដ្ឋាការ និង សំបុត្រ យន្តហោះ ឥតគិតថ្លៃ",
    ),
    "my": (
        "{place} တွင် {role} အလုပ်ခေါ်နေသည် လစာ {salary} ဒေါ်လာ",
        "အတွေ့အကြုံမလိုပါ လစာကောင်း {salary} ဒေါ်လာ ဗီဇာ လေယာဉ်လက်မှတ် အခမဲ့",
        "အတွေ့အကြုံ မလို ပါ လစာ ကောင်း {salary} ဒေါ်လာ ဗီဇာ လေယာဉ် လက်မှတ် အခမဲ့",
    ),
    "zh": (
        "{place}高薪招聘{role} 月薪{salary}美元 无需经验",
        "高薪招聘，无需经验，包吃包住，免费签证和机票，月薪{salary}美元起，年龄18至35岁，请联系飞机客服。",
    ),
    "vi": (
        "Tuyển gấp {role} tại {place}, lương {salary} USD, không cần kinh nghiệm",
        "Việc nhẹ lương cao {salary} USD mỗi tháng. Bao ăn ở, miễn phí visa và vé máy bay. Liên hệ Telegram ngay.",
    ),
    "id": (
        "Lowongan {role} di {place}, gaji {salary} USD tanpa pengalaman",
        "Kerja mudah gaji tinggi {salary} USD per bulan. Tiket pesawat dan visa gratis, mess disediakan. "
        "Hubungi admin lewat Telegram.",
    ),
    "tl": (
        "Hiring {role} sa {place}, sahod {salary} USD, walang experience",
        "Madaling trabaho, malaking sahod {salary} USD kada buwan. Libre ang visa at ticket. Mag-message sa Telegram.",
    ),
}
ORDINARY = {
    "en": ("{role} at a hotel in {place}", "Our hotel in {place} is hiring a {role}. Two years of experience, "
           "monthly salary {salary} USD, contract with social insurance. Interview at the office."),
    "th": ("รับสมัคร {role} โรงแรมใน {place}", "โรงแรม รับ สมัคร พนักงาน มี ประสบการณ์ สอง ปี เงินเดือน {salary} บาท",
           "โรงแรม รับ สมัคร พนักงาน มี ประสบการณ์ สอง ปี เงินเดือน {salary} บาท"),
    "vi": ("Tuyển {role} nhà hàng ở {place}", "Nhà hàng ở {place} tuyển {role}, có hợp đồng và bảo hiểm, lương {salary}."),
    "zh": ("{place}酒店招聘{role}", "酒店招聘{role}，需要两年经验，签正式合同，月薪{salary}。"),
}  # fmt: skip
ROLES = {"en": ["customer service", "typist", "translator", "game tester", "receptionist", "accountant"],
         "zh": ["客服", "打字员", "翻译"], "th": ["แอดมิน", "พนักงานพิมพ์"], "km": ["អ្នកបកប្រែ"], "my": ["စာရိုက်"],
         "vi": ["nhân viên CSKH", "phiên dịch"], "id": ["admin", "penerjemah"], "tl": ["chat support", "encoder"]}  # fmt: skip
INDICATORS = [  # code (as in enrichment/data/indicators.yml), weight, what in the text gives it away
    ("unrealistic_salary", 25, "salary"), ("no_experience", 15, "experience"), ("free_visa", 20, "visa"),
    ("messenger_only_contact", 15, "Telegram"), ("age_limit", 10, "18"), ("passport_held", 10, "passport"),
    ("crypto_or_investment_role", 20, "USDT"), ("compound_destination", 30, "place"),
]  # fmt: skip
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def _hex(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def sample_findings(n: int, seed: int = 7, run_id: str = "synthetic") -> Iterator[Finding]:
    """``n`` findings, the same for the same arguments; about 60% lures, the rest ordinary jobs."""
    rng = random.Random(seed)
    pool = max(4, n // 25)
    phones = [f"{COUNTRY_CODES[rng.choice(list(COUNTRY_CODES))]}{rng.randrange(10**6, 10**7)}" for _ in range(pool)]
    # Handles as enrichment stores them: lower case, without the "@" people type.
    handles = [f"{rng.choice(['hr', 'job', 'boss', 'agent', 'kefu'])}_{_hex(rng, 5)}" for _ in range(pool)]
    wallets = ["T" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789") for _ in range(33))
               for _ in range(max(2, pool // 4))]  # fmt: skip
    phashes = [_hex(rng, 16) for _ in range(max(2, pool // 2))]
    domains = ["easyjob-asia.example", "highpay-work.example", "hotel-careers.example", "golden-jobs.example"]
    clusters: list[tuple[str, int]] = []
    for i in range(n):
        lure = rng.random() < 0.6
        table = LURES if lure else ORDINARY
        language = rng.choice(sorted(table))
        template = table[language]
        name, country, lat, lon, compound = rng.choice(PLACES if lure else [p for p in PLACES if not p[4]])
        salary = rng.choice([800, 1200, 1500, 2000, 2500, 3000, 3500, 5000]) if lure else rng.choice([300, 450, 600])
        role = rng.choice(ROLES.get(language, ROLES["en"]))
        fill = {"salary": salary, "place": name, "role": role}
        title, text = template[0].format(**fill), template[1].format(**fill)
        segmented = template[2].format(**fill) if len(template) > 2 else ""
        if rng.random() < 0.3:
            text += f" Ref {rng.randrange(1000, 9999)}."
        if clusters and rng.random() < 0.25:
            cluster_id, _ = rng.choice(clusters)
        else:
            cluster_id = f"c{_hex(rng, 10)}"
            clusters.append((cluster_id, i))
        source, kind = rng.choice(SOURCES)
        url = f"https://{source}.example/ads/{i}-{_hex(rng, 6)}"
        fetched = BASE_TIME + timedelta(seconds=rng.randrange(0, 300 * 86400))
        first_seen = fetched - timedelta(days=rng.randrange(0, 20))
        contacts = Contacts(
            phones=rng.sample(phones, rng.choice([0, 1, 1, 2])),
            telegram=rng.sample(handles, 1) if lure and rng.random() < 0.8 else [],
            whatsapp=rng.sample(phones, 1) if rng.random() < 0.2 else [],
            emails=[f"hr{rng.randrange(100)}@{rng.choice(domains)}"] if rng.random() < 0.4 else [],
        )
        contacts.domains = sorted({e.split("@")[1] for e in contacts.emails})
        finding_wallets = [Wallet("tron", rng.choice(wallets))] if lure and rng.random() < 0.15 else []
        if finding_wallets:
            text += f" Deposit refundable in USDT {finding_wallets[0].address}."
        jitter_lat, jitter_lon = lat + rng.uniform(-0.05, 0.05), lon + rng.uniform(-0.05, 0.05)
        location = Location(name, country, None, round(jitter_lat, 5), round(jitter_lon, 5), None,
                            "compound" if compound else "text", round(rng.uniform(0.5, 1.0), 2))  # fmt: skip
        indicators = []
        if lure:
            for code, weight, cue in rng.sample(INDICATORS, rng.randrange(2, 6)):
                if (code == "crypto_or_investment_role" and not finding_wallets) or (code == "compound_destination" and not compound):
                    continue
                evidence = name if cue == "place" else (cue if cue in text else text[:40])
                indicators.append(Indicator(code, float(weight), evidence))
        risk = min(100, int(sum(i.weight for i in indicators))) if lure else rng.randrange(0, 15)
        body_hash = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
        yield Finding(
            posting_id=posting_id_for(url), source=source, source_kind=kind, url=url, canonical_url=url,
            fetched_at=fetched.isoformat(), run_id=run_id, posted_at=first_seen.isoformat(),
            first_seen=first_seen.isoformat(), last_seen=fetched.isoformat(), seen_count=rng.randrange(1, 5),
            title=title, text=text, text_segmented=segmented, language=language, author=f"user{rng.randrange(500)}",
            contacts=contacts, wallets=finding_wallets,
            salary=Salary(float(salary), float(salary), "USD", "month", f"{salary} USD"),
            locations=[location], geo={"lat": location.lat, "lon": location.lon}, country=country,
            compound=compound if lure else None, indicators=indicators, risk_score=risk, content_sha256=body_hash,
            cluster_id=cluster_id, minhash_bands=[f"b{k}:{_hex(rng, 8)}" for k in range(4)],
            images=[Image(f"{url}/photo.jpg", _hex(rng, 64), rng.choice(phashes), 800, 600)],
            evidence=Evidence(f"runs/{run_id}/evidence.warc.gz", i * 4096, body_hash, f"runs/{run_id}/shots/{i}.png"),
        )  # fmt: skip
