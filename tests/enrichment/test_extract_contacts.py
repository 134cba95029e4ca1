"""Contact extraction: phones (E.164, region hints, look-alike traps), emails, messenger handles, links, domains."""

from __future__ import annotations

import pytest

from lurewatch.enrichment.contacts import extract_contacts
from lurewatch.enrichment.handles import (
    extract_line,
    extract_signal,
    extract_telegram,
    extract_wechat,
    extract_whatsapp,
)
from lurewatch.enrichment.links import domains_of, extract_urls, registered_domain
from lurewatch.enrichment.phones import extract_phones, region_hints


@pytest.mark.parametrize(
    ("text", "regions", "expected"),
    [
        ("โทร 081-234-5678", ["TH"], ["+66812345678"]),
        ("Liên hệ 0912 345 678", ["VN"], ["+84912345678"]),
        ("Hubungi 0812-3456-7890", ["ID"], ["+6281234567890"]),
        ("Tawag sa 0917 123 4567", ["PH"], ["+639171234567"]),
        ("ទូរស័ព្ទ 012 345 678", ["KH"], ["+85512345678"]),
        ("电话 138 0013 8000", ["CN"], ["+8613800138000"]),
        ("Call +855 96 234 5678 or 0066 81 234 5678", [], ["+855962345678", "+66812345678"]),
    ],
)
def test_phones_in_local_and_international_formats(text: str, regions: list[str], expected: list[str]) -> None:
    assert extract_phones(text, regions) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Order 20261129 shipped",  # order number
        "Order no. 0812345678 confirmed",  # order number that looks like a Thai mobile
        "Posted 2026-11-29, interview 29/11/2026",  # dates
        "Experience 2019-2024 in sales",  # year range
        "Price 1500000 VND per set",  # price
        "Deposit ฿ 0812345678",  # amount after a currency sign
        "tx 0x5e1d3a2c4b9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170a",  # hex hash
        "ref: 0912345678",  # reference number
        "sku AB0812345678CD",  # digits glued to letters
    ],
)
def test_look_alike_numbers_are_not_phones(text: str) -> None:
    assert extract_phones(text, ["TH", "VN", "KH"]) == []


def test_region_hints_come_from_language_source_and_text() -> None:
    assert region_hints("Work in Cambodia, office in Bangkok", "vi", "la") == ["VN", "LA", "KH", "TH"]
    assert extract_contacts("Office in Phnom Penh, call 012 345 678", "en").phones == ["+85512345678"]


def test_telegram_from_links_and_mentions_on_telegram_lines_only() -> None:
    text = "Apply: https://t.me/HR_Recruit88\n纸飞机: @kh_jobs_2026\nFollow @someone on Instagram\nmail a@b.com"
    assert extract_telegram(text) == ["hr_recruit88", "kh_jobs_2026"]


def test_whatsapp_numbers_from_links_and_whatsapp_lines() -> None:
    text = "wa.me/855962345678\nWhatsApp: 081 234 5678\nOffice line 02 123 4567"
    assert extract_whatsapp(text, ["TH"]) == ["+855962345678", "+66812345678"]


def test_line_ids_in_thai_and_english() -> None:
    text = "ไลน์: jobth77\nLine ID: @ThaiJob99\nhttps://line.me/ti/p/~recruit_kh\nWe line up interviews: Monday"
    assert extract_line(text) == ["recruit_kh", "jobth77", "thaijob99"]


def test_wechat_ids_in_chinese_and_english() -> None:
    text = "有意者请加微信：jinhaian_hr01\nWeChat ID: hrkh2024\nWeChat available for questions"
    assert extract_wechat(text) == ["jinhaian_hr01", "hrkh2024"]


def test_signal_numbers_and_links() -> None:
    text = "signal.me/#p/+85512345678\nSignal: +84 912 345 678\nThe signal is weak here 0812345678"
    assert extract_signal(text, ["TH"]) == ["+85512345678", "+84912345678", "+66812345678"]


def test_urls_and_registered_domains_offline() -> None:
    text = "Apply https://jobs.example.co.th/apply?id=3. or www.abc-recruit.com/kh (bit.ly/3xYz)"
    urls = extract_urls(text)
    assert urls == ["https://jobs.example.co.th/apply?id=3", "www.abc-recruit.com/kh", "bit.ly/3xYz"]
    # A link shortener, like a messenger's host (t.me, wa.me), links every recruiter to every other: no domain.
    assert domains_of(urls, ["hr@mail.example.com.kh"]) == ["example.co.th", "abc-recruit.com", "example.com.kh"]
    assert domains_of(["https://wa.me/85512345678", "t.me/hr_kk", "https://line.me/ti/p/~x", "m.me/x"], []) == []
    assert registered_domain("localhost") == ""


def test_contacts_of_a_mixed_ad() -> None:
    text = (
        "高薪招聘客服 柬埔寨西港\n微信：jinhaian_hr01\nTelegram @jinhaian_hr\nWhatsApp +855 96 234 5678\n"
        "Email HR@Jinhaian-Tech.com"
    )
    contacts = extract_contacts(text, "zh")
    assert contacts.wechat == ["jinhaian_hr01"] and contacts.telegram == ["jinhaian_hr"]
    assert contacts.whatsapp == ["+855962345678"] and contacts.phones == ["+855962345678"]
    assert contacts.emails == ["hr@jinhaian-tech.com"] and contacts.domains == ["jinhaian-tech.com"]
