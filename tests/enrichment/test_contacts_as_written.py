"""Contacts written the way recruiters and real messages write them, and look-alikes that are not contacts.

The numbers below are made up for these tests (valid in each country's numbering plan, owned by nobody known).
"""

from __future__ import annotations

import pytest

from lurewatch.enrichment.contacts import extract_contacts
from lurewatch.enrichment.handles import extract_telegram, extract_whatsapp
from lurewatch.enrichment.phones import extract_phones


@pytest.mark.parametrize(
    ("text", "regions", "expected"),
    [
        ("Liên hệ Zalo: 0708922540 để được hỗ trợ", ["VN"], ["+84708922540"]),  # 'để' is not the đồng sign
        ("LH:0366166666 . De tu choi", ["VN"], ["+84366166666"]),
        ("LH 0908123456/0912345678", ["VN"], ["+84908123456", "+84912345678"]),
        ("Lien he: 02871085555, 0949981717, Zalo", ["VN"], ["+842871085555", "+84949981717"]),
        ("hubungi 6285212345678 sekarang", ["ID"], ["+6285212345678"]),
        ("zalo:84937441240", ["VN"], ["+84937441240"]),
        ("โทร.021234567", ["TH"], ["+6621234567"]),
        ("WA 0821 2345 6789(wa)", ["ID"], ["+6282123456789"]),
    ],
)
def test_phones_as_people_write_them(text: str, regions: list[str], expected: list[str]) -> None:
    assert extract_phones(text, regions) == expected


@pytest.mark.parametrize(
    "text",
    [
        "SD 29,111,111VND luc 25-11-2022 15:26:45",  # a date and a time
        "dial *123# or *1001234567#",  # USSD codes
        "order 0908123456",
        "price 0908123456 đ",
        "https://example.com/0908123456",  # a URL path
        "version 1.0908123456",  # a decimal
        "STK: 04001012266596",  # a bank account: too long for any plan
    ],
)
def test_look_alikes_are_not_phones(text: str) -> None:
    assert extract_phones(text, ["VN"]) == []


def test_country_code_without_plus_only_for_a_hinted_region() -> None:
    assert extract_phones("call 6285212345678", ["ID"]) == ["+6285212345678"]
    assert extract_phones("ref 6285212345678", ["ID"]) == []
    assert extract_phones("call 6285212345678", ["VN"]) == []  # 62 is not Vietnam's code


def test_messenger_numbers_are_phones_too() -> None:
    text = "WhatsApp: wa.me/85512345678\nZalo: zalo.me/84937441240\nZalo ID: 84394699827"
    contacts = extract_contacts(text, "en")
    assert contacts.whatsapp == ["+85512345678"]
    assert set(contacts.phones) == {"+85512345678", "+84937441240", "+84394699827"}


def test_messenger_names_as_recruiters_write_them() -> None:
    assert extract_telegram("高薪招聘，加飞机 @GoldenBay_HR 咨询") == ["goldenbay_hr"]
    assert extract_whatsapp("WS 0812 3456 7890", ["ID"]) == ["+6281234567890"]


def test_zalo_viber_kakaotalk_and_messenger_are_contact_kinds() -> None:
    text = (
        "Liên hệ Zalo: 0908123456\nViber: 09 420 123 456\nviber://chat?number=%2B959420123457\n"
        "카톡 ID: goldjob88 연락주세요\nopen.kakao.com/o/sAbCdEf1\nInbox m.me/GoldenBayHR"
    )
    contacts = extract_contacts(text, "my")
    assert contacts.zalo == ["+84908123456"]
    assert contacts.viber == ["+959420123457", "+959420123456"]
    assert contacts.kakaotalk == ["sabcdef1", "goldjob88"]
    assert contacts.messenger == ["goldenbayhr"]
    assert {"+84908123456", "+959420123456", "+959420123457"} <= set(contacts.phones)  # numbers pivot as phones
