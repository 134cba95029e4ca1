"""Generated ads and findings for the benchmarks, written for bench/ alone (the tests have their own samples).

``postings``: ads as HTML in eight languages of the region, each with filler lines of its own language (words of
that language in an order of the ad's own), its own company (in the title too), phone and messenger handle; a known share are reposts of an earlier ad (lines reordered, a filler line
or the phone changed, emoji added), and the generator says which ad each one reposts, so a bench can score dedup.
``findings``: enriched-looking findings for the search bench, with indicator codes and weights from the rules
the product ships (enrichment/data/indicators.yml) and the product's own risk formula.
The same arguments always give the same output.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from lurewatch.enrichment.score import load_rules, risk_score
from lurewatch.records import (
    Contacts,
    Evidence,
    Finding,
    Image,
    Indicator,
    Location,
    Posting,
    Salary,
    Wallet,
    posting_id_for,
)

PLACES = [  # name, country, lat, lon, compound (None for an ordinary town)
    ("KK Park", "MM", 16.631, 98.557, "KK Park"),
    ("Shwe Kokko", "MM", 16.8208, 98.5309, "Shwe Kokko"),
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
PHONE_PREFIXES = {"KH": "+855 9", "TH": "+66 8", "MM": "+95 9", "LA": "+856 20 5", "PH": "+63 9", "VN": "+84 9",
                  "ID": "+62 81", "MY": "+60 1"}  # fmt: skip
SOURCES = [("jobboard-kh", "board"), ("social-groups", "social"), ("channel-previews", "channel"),
           ("career-feed", "feed"), ("expat-forum", "forum")]  # fmt: skip
# language -> (title, body lines) with {salary} {place} {role} {company}
LURES = {
    "en": ("Urgent: {role} wanted in {place}, ${salary}/month", [
        "{company} is hiring {role} staff for our office in {place}.",
        "Salary ${salary} per month plus bonus, no experience needed.",
        "Free visa and flight ticket, food and dormitory included. Age 18-35.",
    ]),
    "th": ("รับสมัครด่วน {role} ที่ {place} เงินเดือน {salary} ดอลลาร์", [
        "บริษัท {company} รับสมัคร {role} ทำงานที่ {place}",
        "งานง่าย ไม่ต้องมีประสบการณ์ เงินเดือน {salary} ดอลลาร์",
        "ฟรีวีซ่า ตั๋วเครื่องบิน และที่พัก",
    ]),
    "km": ("ត្រូវការបុគ្គលិក {role} នៅ {place} ប្រាក់ខែ {salary} ដុល្លារ", [
        "ក្រុមហ៊ុន {company} ត្រូវការ {role} នៅ {place}",
        "ការងារស្រួល មិនត្រូវការបទពិសោធន៍ ប្រាក់ខែ {salary} ដុល្លារ",
        "ទិដ្ឋាការ និង សំបុត្រយន្តហោះ ឥតគិតថ្លៃ",
    ]),
    "my": ("{place} တွင် {role} အလုပ်ခေါ်နေသည် လစာ {salary} ဒေါ်လာ", [
        "{company} ကုမ္ပဏီ {place} တွင် {role} ခေါ်ယူနေသည်",
        "အတွေ့အကြုံမလိုပါ လစာ {salary} ဒေါ်လာ",
        "ဗီဇာ လေယာဉ်လက်မှတ် အခမဲ့",
    ]),
    "zh": ("{place}高薪招聘{role} 月薪{salary}美元", [
        "{company}在{place}招聘{role}，无需经验。",
        "月薪{salary}美元起，包吃包住，免费签证和机票。",
        "年龄18至35岁，护照由公司统一保管。",
    ]),
    "vi": ("Tuyển gấp {role} tại {place}, lương {salary} USD", [
        "Công ty {company} tuyển {role} làm việc tại {place}.",
        "Việc nhẹ lương cao {salary} USD mỗi tháng, không cần kinh nghiệm.",
        "Bao ăn ở, miễn phí visa và vé máy bay.",
    ]),
    "id": ("Lowongan {role} di {place}, gaji {salary} USD", [
        "{company} membuka lowongan {role} di {place}.",
        "Kerja mudah gaji {salary} USD per bulan, tanpa pengalaman.",
        "Tiket pesawat dan visa gratis, mess disediakan.",
    ]),
    "tl": ("Hiring {role} sa {place}, sahod {salary} USD", [
        "Ang {company} ay naghahanap ng {role} sa {place}.",
        "Malaking sahod {salary} USD kada buwan, walang experience.",
        "Libre ang visa, ticket at tirahan.",
    ]),
}  # fmt: skip
ORDINARY = {
    "en": ("{role} at a hotel in {place}", [
        "{company} in {place} is hiring a {role}.",
        "Two years of experience, monthly salary {salary} USD, contract with social insurance.",
    ]),
    "th": ("รับสมัคร {role} โรงแรมใน {place}", [
        "โรงแรม {company} ที่ {place} รับสมัคร {role}",
        "มีประสบการณ์สองปี เงินเดือน {salary} บาท มีประกันสังคม",
    ]),
    "vi": ("Tuyển {role} nhà hàng ở {place}", [
        "Nhà hàng {company} ở {place} tuyển {role}.",
        "Có hợp đồng và bảo hiểm, lương {salary} USD.",
    ]),
    "zh": ("{place}酒店招聘{role}", ["{company}酒店招聘{role}，需要两年经验。", "签正式合同，月薪{salary}美元。"]),
}  # fmt: skip
FILLER = {  # per language: what the rest of a real ad says
    "en": ["Our team works in a modern office with air conditioning.", "Working hours are twelve hours a day.",
           "We provide training in the first month.", "Send a recent photo with your application.",
           "Commission is paid on top of the basic salary.", "Night shifts are paid extra."],
    "th": ["ทีมงานเป็นกันเอง มีสวัสดิการ", "ทำงานวันละสิบสองชั่วโมง", "มีการอบรมในเดือนแรก", "ส่งรูปถ่ายล่าสุดมาพร้อมใบสมัคร",
           "มีค่าคอมมิชชั่นเพิ่มจากเงินเดือน", "กะกลางคืนได้ค่าตอบแทนเพิ่ม"],
    "km": ["បរិយាកាសការងារល្អ", "ធ្វើការដប់ពីរម៉ោងក្នុងមួយថ្ងៃ", "មានការបណ្តុះបណ្តាលខែដំបូង", "សូមផ្ញើរូបថតថ្មីៗ",
           "មានកម្រៃជើងសារបន្ថែម", "វេនយប់មានប្រាក់បន្ថែម"],
    "my": ["ရုံးခန်းသည် လေအေးပေးစက်ပါရှိသည်", "တစ်နေ့ ဆယ့်နှစ်နာရီ အလုပ်လုပ်ရသည်", "ပထမလတွင် လေ့ကျင့်ပေးသည်",
           "ဓာတ်ပုံ ပေးပို့ပါ", "ကော်မရှင် ထပ်ဆောင်းပေးသည်", "ညဆိုင်းအတွက် ထပ်ဆောင်းငွေရှိသည်"],
    "zh": ["公司环境优美，团队年轻有活力。", "每天工作十二小时，每周休息一天。", "第一个月提供带薪培训。", "请附上近期照片。",
           "底薪加提成，多劳多得。", "夜班另有补贴。"],
    "vi": ["Môi trường làm việc trẻ trung, năng động.", "Làm việc mười hai giờ mỗi ngày.",
           "Được đào tạo trong tháng đầu tiên.", "Gửi kèm ảnh chân dung gần đây.", "Có hoa hồng ngoài lương cơ bản.",
           "Ca đêm được trả thêm."],
    "id": ["Lingkungan kerja nyaman dan ber-AC.", "Jam kerja dua belas jam sehari.", "Ada pelatihan di bulan pertama.",
           "Kirim foto terbaru bersama lamaran.", "Ada komisi di luar gaji pokok.", "Shift malam dibayar lebih."],
    "tl": ["Maganda ang opisina at may aircon.", "Labindalawang oras ang trabaho bawat araw.",
           "May training sa unang buwan.", "Magpadala ng bagong litrato.", "May komisyon bukod sa sahod.",
           "May dagdag na bayad sa night shift."],
}  # fmt: skip
CONTACT_LINES = {"en": "Contact Telegram @{handle} or WhatsApp {phone}", "th": "ติดต่อเทเลแกรม @{handle} โทร {phone}",
                 "km": "ទំនាក់ទំនង Telegram @{handle} ទូរស័ព្ទ {phone}", "my": "ဆက်သွယ်ရန် Telegram @{handle} ဖုန်း {phone}",
                 "zh": "联系飞机 Telegram @{handle} 电话 {phone}", "vi": "Liên hệ Telegram @{handle} hoặc {phone}",
                 "id": "Hubungi Telegram @{handle} atau WA {phone}", "tl": "Mag-message sa Telegram @{handle} o {phone}"}  # fmt: skip
ROLES = {"en": ["customer service", "typist", "translator", "game tester", "receptionist", "accountant"],
         "zh": ["客服", "打字员", "翻译"], "th": ["แอดมิน", "พนักงานพิมพ์"], "km": ["អ្នកបកប្រែ"], "my": ["စာရိုက်"],
         "vi": ["nhân viên CSKH", "phiên dịch"], "id": ["admin", "penerjemah"], "tl": ["chat support", "encoder"]}  # fmt: skip
SYLLABLES = ["ka", "lo", "mi", "san", "tor", "vin", "da", "ri", "phon", "chai", "lee", "won", "nam", "sri", "ta"]
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
EMOJI = ["🔥", "✅", "💰", "📞"]


def _hex(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def _phone(rng: random.Random, country: str) -> str:
    prefix = PHONE_PREFIXES.get(country, "+855 9")
    return f"{prefix}{rng.randrange(1, 9)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"


def _ad(rng: random.Random, number: int) -> tuple[str, list[str], str]:
    """(title, lines, language) of a new ad with its own company, phone and handle."""
    lure = rng.random() < 0.6
    table = LURES if lure else ORDINARY
    language = rng.choice(sorted(table))
    title_pattern, body = table[language]
    name, country, *_ = rng.choice(PLACES if lure else [p for p in PLACES if not p[4]])
    company = "".join(rng.choice(SYLLABLES) for _ in range(3)).title()
    values = {"salary": rng.choice([800, 1200, 1500, 2000, 3000]) if lure else rng.choice([300, 450, 600]),
              "place": name, "role": rng.choice(ROLES.get(language, ROLES["en"])), "company": company}  # fmt: skip
    filler = [_filler_line(rng, language) for _ in range(rng.randrange(2, 5))]
    lines = [line.format(**values) for line in body] + filler + rng.sample(FILLER[language], 1)
    contact = CONTACT_LINES[language].format(handle=f"hr_{number:06d}_{_hex(rng, 3)}", phone=_phone(rng, country))
    return f"{title_pattern.format(**values)} - {company}", [*lines, contact], language


def _vocabulary(language: str) -> list[str]:
    """Words of the language's filler lines (2-4 character pieces for scripts written without spaces)."""
    text = " ".join(FILLER[language])
    if language in ("th", "km", "my", "zh"):  # pieces of about three characters, never cut before a mark
        pieces, piece = set(), ""
        for char in "".join(c for c in text if not c.isspace() and c not in "，。"):
            if len(piece) >= 3 and not unicodedata.category(char).startswith("M"):
                pieces.add(piece)
                piece = ""
            piece += char
        return sorted(pieces | {piece})
    return sorted({word.strip(".,") for word in text.split() if len(word) > 2})


_VOCABULARY: dict[str, list[str]] = {}


def _filler_line(rng: random.Random, language: str) -> str:
    """A line in the ad's own language that no other ad shares: its words drawn and ordered at random."""
    words = _VOCABULARY.setdefault(language, _vocabulary(language))
    joiner = "" if language in ("th", "km", "my", "zh") else " "
    return joiner.join(rng.choice(words) for _ in range(rng.randrange(6, 12))).capitalize()


def postings(n: int, repost_rate: float = 0.25, seed: int = 7) -> Iterator[tuple[Posting, str]]:
    """``n`` postings and, for each, the id of the ad it reposts (its own id for an original ad)."""
    rng = random.Random(seed)
    originals: list[tuple[str, str, list[str], str]] = []  # id, title, lines, language
    for i in range(n):
        posting_id = f"b{i:06d}"
        if originals and rng.random() < repost_rate:
            origin, title, lines, language = rng.choice(originals[-500:])
            lines = [lines[0], *rng.sample(lines[1:], len(lines) - 1)]  # reordered
            if rng.random() < 0.3:  # a new phone
                phone = _phone(rng, "KH")
                lines = [re.sub(r"\+\d[\d ]+\d", phone, line) if "@hr_" in line else line for line in lines]
            if rng.random() < 0.3:  # a filler line swapped for another
                lines[-2] = rng.choice(FILLER[language])
            lines = [f"{line} {rng.choice(EMOJI)}" if rng.random() < 0.3 else line for line in lines]
        else:
            title, lines, language = _ad(rng, i)
            origin = posting_id
            originals.append((posting_id, title, lines, language))
        html = "<div class='ad'>" + "".join(f"<p>{line}</p>" for line in lines) + "<script>track()</script></div>"
        url = f"https://jobs.example.com/{i}"
        yield (
            Posting(
                posting_id=posting_id, source="bench", source_kind="board", url=url, canonical_url=url,
                fetched_at=(BASE_TIME + timedelta(minutes=i)).isoformat(), run_id="bench", title=title, html=html,
            ),
            origin,
        )  # fmt: skip


def findings(n: int, seed: int = 7, run_id: str = "synthetic") -> Iterator[Finding]:
    """``n`` findings for the search bench: about 60% lures; indicators are the shipped rules' codes and weights."""
    rng = random.Random(seed)
    rules = [(rule.code, rule.weight) for rule in load_rules()]
    pool = max(4, n // 25)
    phones = [_phone(rng, rng.choice(list(PHONE_PREFIXES))).replace(" ", "") for _ in range(pool)]
    handles = [f"{rng.choice(['hr', 'job', 'boss', 'agent', 'kefu'])}_{_hex(rng, 5)}" for _ in range(pool)]
    wallets = ["T" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789") for _ in range(33))
               for _ in range(max(2, pool // 4))]  # fmt: skip
    phashes = [_hex(rng, 16) for _ in range(max(2, pool // 2))]
    domains = ["easyjob-asia.example", "highpay-work.example", "hotel-careers.example", "golden-jobs.example"]
    clusters: list[str] = []
    for i in range(n):
        lure = rng.random() < 0.6
        title, lines, language = _ad(rng, i)
        text = "\n".join(lines)
        name, country, lat, lon, compound = rng.choice(PLACES if lure else [p for p in PLACES if not p[4]])
        if clusters and rng.random() < 0.25:
            cluster_id = rng.choice(clusters)
        else:
            cluster_id = f"c{_hex(rng, 10)}"
            clusters.append(cluster_id)
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
        location = Location(name, country, None, round(lat + rng.uniform(-0.05, 0.05), 5),
                            round(lon + rng.uniform(-0.05, 0.05), 5), None, "compound" if compound else "text",
                            round(rng.uniform(0.5, 1.0), 2))  # fmt: skip
        fired = rng.sample(rules, rng.randrange(2, 7)) if lure else rng.sample(rules, rng.choice([0, 0, 1]))
        indicators = [Indicator(code, weight, text[:40]) for code, weight in fired]
        salary = rng.choice([800, 1200, 1500, 2000, 3000])
        body_hash = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
        yield Finding(
            posting_id=posting_id_for(url), source=source, source_kind=kind, url=url, canonical_url=url,
            fetched_at=fetched.isoformat(), run_id=run_id, posted_at=first_seen.isoformat(),
            first_seen=first_seen.isoformat(), last_seen=fetched.isoformat(), seen_count=rng.randrange(1, 5),
            title=title, text=text, language=language, author=f"user{rng.randrange(500)}",
            contacts=contacts, wallets=finding_wallets,
            salary=Salary(float(salary), float(salary), "USD", "month", f"{salary} USD"),
            locations=[location], geo={"lat": location.lat, "lon": location.lon}, country=country,
            compound=compound if lure else None, indicators=indicators, risk_score=risk_score(indicators),
            content_sha256=body_hash, cluster_id=cluster_id, minhash_bands=[f"b{k}:{_hex(rng, 8)}" for k in range(4)],
            images=[Image(f"{url}/photo.jpg", _hex(rng, 64), rng.choice(phashes), 800, 600)],
            evidence=Evidence(f"runs/{run_id}/evidence.warc.gz", i * 4096, body_hash, f"runs/{run_id}/shots/{i}.png"),
        )  # fmt: skip
