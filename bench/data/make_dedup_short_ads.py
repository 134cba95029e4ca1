"""Makes ``dedup_short_ads.jsonl``: a second labelled near-duplicate set, kept fixed once made.

Written to other rules than the first set (tests/support/fixtures/dedup_ads.py, long templated ads): short
ads of three to five lines, as recruiters post them on Telegram and Facebook, in eight languages. Each
base ad has reposts that rotate the whole contact line (new phone, new handle, sometimes another
messenger), change the date and decoration, drop a line, or add a "reposted" line; and template
siblings: the same template for another company, job and salary, which must stay apart. Half the base
ads are channel posts, whose title is their first line (as the channel spider makes it), so a repost's
title changes with its text. Contacts are
made up (numbers valid in the numbering plans, owned by nobody known).

    python bench/data/make_dedup_short_ads.py   # rewrites bench/data/dedup_short_ads.jsonl
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("dedup_short_ads.jsonl")

# language: (title template, body lines with {company} {job} {salary} {contact} {date}, fillings, contact forms)
TEMPLATES = {
    "vi": ("Tuyển {job} – {company}", [
        "{company} tuyển gấp 20 {job}, không cần kinh nghiệm",
        "Lương {salary}/tháng, bao ăn ở, hỗ trợ vé máy bay",
        "Làm việc tại Sihanoukville, Campuchia. Đăng ngày {date}",
        "Liên hệ {contact}",
    ], [("nhân viên CSKH", "Công ty Hoàng Phát", "25 triệu"), ("nhân viên nhập liệu", "Tập đoàn Ánh Dương", "18 triệu"),
        ("telesale", "Công ty Minh Long", "30 triệu")],
        ["Zalo: 09{n8}", "Telegram: @{h} hoặc 03{n8}", "Zalo zalo.me/09{n8}"]),
    "th": ("รับสมัคร{job} {company}", [
        "{company} รับสมัคร{job} ด่วน ไม่ต้องมีประสบการณ์",
        "เงินเดือน {salary} บาท มีที่พักและอาหาร",
        "ทำงานที่ปอยเปต กัมพูชา ประกาศ {date}",
        "ติดต่อ {contact}",
    ], [("พนักงานแอดมิน", "บริษัท โกลเด้นสตาร์", "35,000"), ("พนักงานคีย์ข้อมูล", "บริษัท ซันไรส์", "28,000"),
        ("พนักงานบริการลูกค้า", "บริษัท ลัคกี้เวย์", "40,000")],
        ["ไลน์ไอดี: {h}", "Line: {h} โทร 08{n8}", "Telegram @{h}"]),
    "zh": ("高薪招聘{job} {company}", [
        "{company}急招{job}，无需经验，包吃包住",
        "月薪{salary}，机票报销",
        "工作地点：柬埔寨西港 发布于{date}",
        "{contact}",
    ], [("客服", "金湾科技", "8000-15000元"), ("打字员", "鸿运集团", "6000-9000元"), ("推广专员", "东方传媒", "10000-20000元")],
        ["加飞机 @{h}", "联系电报：@{h} 微信 {h}x", "Telegram: @{h}"]),
    "en": ("{job} wanted – {company}", [
        "{company} is hiring {job}s now, no experience needed",
        "Salary {salary} per month, free flight and housing",
        "Location: Manila, Philippines. Posted {date}",
        "Apply: {contact}",
    ], [("Customer service agent", "Golden Bay Tech", "$1,500"), ("Data entry clerk", "Blue Ocean Ltd", "$1,200"),
        ("Chat support", "Star Link Digital", "$1,800")],
        ["Telegram @{h}", "WhatsApp wa.me/639{n9}", "Telegram t.me/{h} or +63 9{n9}"]),
    "id": ("Lowongan {job} {company}", [
        "{company} membuka lowongan {job}, tanpa pengalaman",
        "Gaji {salary} per bulan, tiket pesawat gratis",
        "Lokasi kerja Phnom Penh, Kamboja. Diposting {date}",
        "Hubungi {contact}",
    ], [("admin online", "PT Sinar Jaya", "Rp 12 juta"), ("operator chat", "PT Maju Bersama", "Rp 10 juta"),
        ("customer service", "PT Cahaya Abadi", "Rp 15 juta")],
        ["WA 08{n9}", "Telegram @{h}", "wa.me/628{n9}"]),
    "km": ("ជ្រើសរើស{job} {company}", [
        "{company} ត្រូវការ{job}ជាបន្ទាន់",
        "ប្រាក់ខែ {salary} មានកន្លែងស្នាក់នៅ",
        "ធ្វើការនៅខេត្តព្រះសីហនុ ថ្ងៃទី {date}",
        "ទំនាក់ទំនង {contact}",
    ], [("បុគ្គលិកផ្នែកអតិថិជន", "ក្រុមហ៊ុន មាស", "$900"), ("បុគ្គលិកវាយអត្ថបទ", "ក្រុមហ៊ុន ពន្លឺ", "$700"),
        ("អ្នកលក់អនឡាញ", "ក្រុមហ៊ុន ផ្កាយ", "$1000")],
        ["Telegram @{h}", "ទូរស័ព្ទ 012{n6}", "Telegram t.me/{h}"]),
    "my": ("{job} အလုပ်ခေါ်သည် {company}", [
        "{company} မှ {job} အမြန်ခေါ်သည်",
        "လစာ {salary} နေစရာ စားစရာ အခမဲ့",
        "မြဝတီ တွင် အလုပ်လုပ်ရန် {date}",
        "ဆက်သွယ်ရန် {contact}",
    ], [("စာရိုက်ဝန်ထမ်း", "ရွှေကုမ္ပဏီ", "၁၅ သိန်း"), ("အွန်လိုင်းရောင်းသူ", "ငွေကုမ္ပဏီ", "၁၂ သိန်း"),
        ("ဖောက်သည်ဝန်ဆောင်မှု", "ကြယ်ကုမ္ပဏီ", "၁၈ သိန်း")],
        ["Viber 09{n9}", "Telegram @{h}", "ဖုန်း 09{n9}"]),
    "tl": ("Hiring {job} – {company}", [
        "{company} ay naghahanap ng {job}, walang experience",
        "Sahod {salary} kada buwan, libre ang tirahan",
        "Trabaho sa Pasay City. Posted {date}",
        "Message {contact}",
    ], [("chat support", "Lucky Star Corp", "₱45,000"), ("encoder", "Golden Dragon Inc", "₱38,000"),
        ("CSR", "Pearl Bay Digital", "₱50,000")],
        ["Telegram @{h}", "Viber 09{n9}", "m.me/{h}"]),
}
DECORATIONS = ["🔥🔥", "✅", "💰💰💰", "⭐"]
REPOSTED = {"vi": "Đăng lại", "th": "โพสต์ซ้ำ", "zh": "重发", "en": "Reposted", "id": "Diposting ulang",
            "km": "បង្ហោះម្ដងទៀត", "my": "ပြန်တင်သည်", "tl": "Reposted"}  # fmt: skip


def _contact(rng: random.Random, forms: list[str]) -> str:
    handle = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 9))) + str(rng.randint(1, 99))
    return rng.choice(forms).format(
        h=handle, n6=rng.randint(10**5, 10**6 - 1), n8=rng.randint(10**7, 10**8 - 1), n9=rng.randint(10**8, 10**9 - 1)
    )


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/2026"


def _filled(lines: list[str], values: dict[str, str], contact: str, date: str) -> list[str]:
    return [line.format(**values, contact=contact, date=date) for line in lines]


def ads() -> list[dict[str, str]]:
    rng = random.Random(20261129)
    out: list[dict[str, str]] = []
    for language, (title, lines, fillings, forms) in TEMPLATES.items():
        for f, (job, company, salary) in enumerate(fillings):  # each filling is a template sibling of the others
            group = f"{language}{f}"
            values = {"job": job, "company": company, "salary": salary}
            channel = (f + len(out)) % 2 == 0
            variants = {kind: _filled(lines, values, _contact(rng, forms), _date(rng))
                        for kind in ("orig", "rotated", "decorated", "dropped", "reposted")}  # fmt: skip
            decorated = variants["decorated"]
            decorated[0] = f"{rng.choice(DECORATIONS)} {decorated[0]} {rng.choice(DECORATIONS)}"
            del variants["dropped"][1]
            variants["reposted"].insert(0, REPOSTED[language])
            for kind, text in variants.items():
                head = text[0][:120] if channel else title.format(**values)
                out.append({"id": f"{group}-{kind}", "group": group, "title": head, "text": "\n".join(text)})
    return out


if __name__ == "__main__":
    OUT.write_text("".join(json.dumps(ad, ensure_ascii=False) + "\n" for ad in ads()), encoding="utf-8")
    print(f"wrote {OUT}")
