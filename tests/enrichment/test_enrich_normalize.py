"""Normalisation: mojibake repair, language by script and by model, word segmentation of unspaced scripts."""

from __future__ import annotations

import pytest

from lurewatch.enrichment.normalize import clean_text, detect_language, fix_text, html_to_text
from lurewatch.segment import segment


def test_mojibake_is_repaired() -> None:
    broken = "à¸£à¸±à¸šà¸ªà¸¡à¸±à¸„à¸£"  # UTF-8 Thai read as Latin-1
    assert fix_text(broken) == "รับสมัคร"
    assert fix_text("CafÃ© job") == "Café job"


def test_clean_text_keeps_lines_and_repairs_each() -> None:
    assert clean_text("  Salary  $800 \n\n\n CafÃ©\u00a0staff ") == "Salary $800\nCafé staff"


def test_html_with_entities_and_breaks() -> None:
    assert html_to_text("<p>Salary &amp; bonus<br/>Free&nbsp;visa</p>") == "Salary & bonus\nFree visa"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ບໍລິສັດຮັບສະໝັກພະນັກງານຫຼາຍຕຳແໜ່ງ", "lo"),
        ("ကုမ္ပဏီမှ ဝန်ထမ်းများ ခေါ်ယူနေပါသည်", "my"),
        ("ក្រុមហ៊ុនយើងខ្ញុំកំពុងជ្រើសរើសបុគ្គលិក", "km"),
        ("高薪招聘客服，包吃包住", "zh"),
        ("カスタマーサポートの求人です。未経験歓迎", "ja"),
        ("고객 상담원 모집, 경험 무관", "ko"),
        ("Lowongan kerja admin media sosial, gaji besar, tanpa pengalaman", "id"),
        ("Naghahanap kami ng mga empleyado para sa aming opisina, libreng tirahan at pagkain", "tl"),
    ],
)
def test_language_of_each_script_and_latin_language(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("รับสมัครพนักงานบริการลูกค้า", ["รับ", "สมัคร", "พนักงาน", "บริการ", "ลูกค้า"]),
        ("ក្រុមហ៊ុនកំពុងជ្រើសរើសបុគ្គលិក", ["ក្រុមហ៊ុន", "កំពុង", "ជ្រើសរើស", "បុគ្គលិក"]),
        ("ບໍລິສັດຮັບສະໝັກພະນັກງານ", ["ບໍລິສັດ", "ຮັບ", "ສະໝັກ", "ພະນັກງານ"]),
        ("ကုမ္ပဏီမှဝန်ထမ်းများခေါ်ယူ", ["ကုမ္ပဏီ", "မှ", "ဝန်ထမ်း", "များ", "ခေါ်", "ယူ"]),
        ("高薪招聘", ["高薪", "招聘"]),
    ],
)
def test_segmentation_separates_words_with_spaces(text: str, words: list[str]) -> None:
    assert segment(text).split() == words


def test_segmentation_keeps_latin_text_lines_and_emoji() -> None:
    assert segment("Salary $800 🔥\nรับสมัครพนักงาน") == "Salary $800 🔥\nรับ สมัคร พนักงาน"
    assert segment("Only Latin text here") == ""
