"""Phone extraction details: which region reads a local number, and which numbers count as real."""

from __future__ import annotations

import pytest

from lurewatch.enrichment.phones import extract_phones, find_phones, phone_region, region_hints

# "091 234 5678" is a valid mobile number in Thailand (+66 91…) and in Vietnam (+84 91…): the region read
# decides which one it is.
BOTH = "091 234 5678"


def test_a_country_named_on_the_numbers_line_beats_the_ad_wide_hints() -> None:
    text = f"Hotline {BOTH}\nVietnam office 091 234 5679"
    assert extract_phones(text, ["TH", "VN"]) == ["+66912345678", "+84912345679"]


def test_the_line_hint_reaches_words_at_either_end_of_the_line() -> None:
    assert extract_phones(f"Vietnam: {BOTH}", ["TH"]) == ["+84912345678"]
    assert extract_phones(f"{BOTH} (Vietnam)\nBangkok office", ["TH"]) == ["+84912345678"]
    assert extract_phones(f"Bangkok office\n{BOTH} (Vietnam)", ["TH"]) == ["+84912345678"]


def test_a_country_on_another_line_is_no_line_hint() -> None:
    assert extract_phones(f"Vietnam\n{BOTH}", ["TH"]) == ["+66912345678"]
    assert extract_phones(f"{BOTH}\nVietnam", ["TH"]) == ["+66912345678"]
    assert extract_phones(f"Bangkok office\nVietnam\n{BOTH}", ["TH"]) == ["+66912345678"]  # the line before
    assert extract_phones(f"{BOTH}\nVietnam\nBangkok office", ["TH"]) == ["+66912345678"]  # the line after


def test_the_last_line_is_read_to_its_end() -> None:
    assert extract_phones(f"Bangkok office\n{BOTH} Vietnam", ["TH"]) == ["+84912345678"]


def test_hints_are_tried_in_order() -> None:
    assert extract_phones(BOTH, ["TH", "VN"]) == ["+66912345678"]
    assert extract_phones(BOTH, ["VN", "TH"]) == ["+84912345678"]
    assert extract_phones(BOTH, []) == []  # a local number without any hint is not read
    assert extract_phones(BOTH, ["EU", "TH"]) == ["+66912345678"]  # a hint phonenumbers refuses is passed over


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("Call +66 1 2345 6789", []),  # the right length for Thailand, but no Thai number starts with 1
        ("โทร 0 1234 5678", ["TH"]),  # the same, written locally
        ("Call +84 100 000 000", []),
        ("Call 0 9000 0000", ["TH"]),
    ],
)
def test_possible_but_invalid_numbers_are_not_phones(text: str, regions: list[str]) -> None:
    assert extract_phones(text, regions) == []


def test_international_numbers_ignore_the_hints() -> None:
    assert extract_phones("Call +855 96 234 5678", ["TH"]) == ["+855962345678"]
    assert extract_phones("Call 00855 96 234 5678", ["TH"]) == ["+855962345678"]
    assert extract_phones("Call (+855) 96 234 5678", ["TH"]) == ["+855962345678"]
    assert extract_phones("Call (+855) 96 234 5678", []) == ["+855962345678"]  # no hint needed


def test_offsets_cover_the_number_as_written() -> None:
    text = "Call +855 96 234 5678 now"
    assert list(find_phones(text, [])) == [("+855962345678", 5, 21)]
    assert text[5:21] == "+855 96 234 5678"


def test_repeats_are_listed_once_in_order_of_first_appearance() -> None:
    text = "0812345678, then +855 96 234 5678, again 081-234-5678"
    assert extract_phones(text, ["TH"]) == ["+66812345678", "+855962345678"]


@pytest.mark.parametrize(
    "text",
    [
        "Invoice 0812345678",
        "Tx: 0812345678",
        "单号 0812345678",
        "$ 0812345678",
        "0812345678 USD",
        "0812345678 baht",
        "0812345678 万",
        "2026/11/29",
        "29.11.2026",
        "2019 – 2024",
        "0812345678abc",
        "abc0812345678",
        "https://example.com/0812345678",
    ],
)
def test_more_look_alikes_are_not_phones(text: str) -> None:
    assert extract_phones(text, ["TH"]) == []


def test_look_alikes_before_a_phone_do_not_stop_the_scan() -> None:
    text = "Posted 2026-11-29. Order 20261129. Price 1500000 VND. Call 081 234 5678 or 091 234 5678"
    assert extract_phones(text, ["TH"]) == ["+66812345678", "+66912345678"]


def test_the_reference_word_reaches_twelve_characters_back() -> None:
    assert extract_phones("reference   0812345678", ["TH"]) == []  # "reference" + 3 spaces: 12 characters
    assert extract_phones("reference    0812345678", ["TH"]) == ["+66812345678"]  # 4 spaces: a phone again


def test_an_amount_word_further_away_does_not_hide_a_phone() -> None:
    assert extract_phones("Salary 500 USD. Call me on 0812345678", ["TH"]) == ["+66812345678"]
    assert extract_phones("Call 0812345678 for the USD salary", ["TH"]) == ["+66812345678"]


def test_region_hints_order_and_limit() -> None:
    assert region_hints("", "th") == ["TH"]
    assert region_hints("", "en", "kh") == ["KH"]
    assert region_hints("", "en", "com") == [] and region_hints("", "en", "c1") == []
    assert region_hints("Work in Thailand", "th", "th") == ["TH"]  # no repeats
    assert region_hints("laos myanmar cambodia thailand philippines", "vi", "kh") == ["VN", "KH", "MM", "LA"]
    assert region_hints("x" * 3993 + "cambodia", "th") == ["TH"]  # only the first 4,000 characters are read
    assert region_hints("x" * 3992 + "cambodia", "th") == ["TH", "KH"]
    assert region_hints("金边 and 西港", "zh") == ["CN", "KH"]


def test_phone_region() -> None:
    assert phone_region("+855962345678") == "KH" and phone_region("+66812345678") == "TH"
    assert phone_region("not a number") is None


def test_a_country_code_without_plus_is_read_only_for_a_hinted_region() -> None:
    assert extract_phones("Call 62 852 1234 5678", ["ID"]) == ["+6285212345678"]
    assert extract_phones("Call 62 852 1234 5678", ["TH"]) == []  # Indonesia is not hinted
    assert extract_phones("Call 855 96 234 5678", ["TH", "KH"]) == ["+855962345678"]
    assert extract_phones("Call 62 852", ["ID"]) == []  # too short after the code


def test_digits_glued_to_words_or_times_are_skipped_and_the_scan_goes_on() -> None:
    assert extract_phones("x0812345678 or 0812345679", ["TH"]) == ["+66812345679"]
    assert extract_phones("0812345678/ab, 0812345679", ["TH"]) == ["+66812345679"]
    assert extract_phones("0812345678:30 then 0812345679", ["TH"]) == ["+66812345679"]
    assert extract_phones("Tel:0812345678", ["TH"]) == ["+66812345678"]
    assert extract_phones("Tel 0812345678/9", ["TH"]) == ["+66812345678"]


def test_a_slash_right_before_the_number_is_a_path_even_at_the_start_of_the_text() -> None:
    assert extract_phones("/0812345678", ["TH"]) == []
    assert extract_phones("see example.com/0812345678 or call 0812345679", ["TH"]) == ["+66812345679"]


def test_a_time_is_looked_for_right_after_each_number_not_at_the_start_of_the_text() -> None:
    assert extract_phones(":30 past, call 0812345678", ["TH"]) == ["+66812345678"]
    assert extract_phones("call 0812345678:30", ["TH"]) == []


def test_a_country_code_without_plus_needs_a_valid_number_after_it() -> None:
    assert extract_phones("Call 84 93 123 4567", ["VN"]) == ["+84931234567"]
    assert extract_phones("Call 856 20 5512 3456", ["TH", "LA"]) == ["+8562055123456"]
    assert extract_phones("Call 84 00 123 4567", ["VN"]) == []
