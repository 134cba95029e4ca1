"""extract_contacts: which hints read a local number, and every field filled from its own extractor."""

from __future__ import annotations

from lurewatch.enrichment.contacts import extract_contacts, extract_emails

# Valid in Thailand (+66 91…) and in Vietnam (+84 91…): the hints decide.
BOTH = "call 091 234 5678"


def test_the_language_the_source_and_the_context_each_give_a_hint() -> None:
    assert extract_contacts(BOTH, "vi").phones == ["+84912345678"]
    assert extract_contacts(BOTH, "en", "vn").phones == ["+84912345678"]
    assert extract_contacts(BOTH, "en", context="Vietnam").phones == ["+84912345678"]
    assert extract_contacts(BOTH, "en").phones == []  # no hint: a local number is not read


def test_the_language_hint_comes_before_the_source_and_the_context() -> None:
    assert extract_contacts(BOTH, "th", "vn").phones == ["+66912345678"]
    assert extract_contacts(BOTH, "th", context="Vietnam").phones == ["+66912345678"]


def test_every_messenger_field_is_filled() -> None:
    text = "Line ID: kh_jobs1\nSignal: 091 234 5678\nWhatsApp 091 234 5679\nhttps://x.example.com/a\nTelegram @hr_kh1"
    contacts = extract_contacts(text, "th")
    assert contacts.line == ["kh_jobs1"] and contacts.signal == ["+66912345678"]
    assert contacts.whatsapp == ["+66912345679"] and contacts.telegram == ["hr_kh1"]
    assert contacts.urls == ["https://x.example.com/a"] and contacts.domains == ["example.com"]
    assert contacts.phones == ["+66912345678", "+66912345679"]


def test_emails_are_lower_cased_without_a_closing_full_stop() -> None:
    assert extract_emails("mail HR@Example.com. or hr@example.com") == ["hr@example.com"]
    assert extract_emails("write to .x@y.co") == [".x@y.co"]  # only the trailing dot goes


def test_number_messengers_fill_their_fields_and_the_phones() -> None:
    text = (
        "zalo.me/84912345678\nviber://chat?number=%2B84912345679\nopen.kakao.com/o/sAbc123\nm.me/hrpage88\n"
        "signal.group/#AbC-12\nZalo: 091 234 5670\n@hr_desk_kh"
    )
    contacts = extract_contacts(text, "vi", platform="telegram")
    assert contacts.zalo == ["+84912345678", "+84912345670"] and contacts.viber == ["+84912345679"]
    assert contacts.kakaotalk == ["sabc123"] and contacts.messenger == ["hrpage88"]
    assert contacts.signal == ["signal.group/#AbC-12"]  # a group link is no phone
    assert contacts.phones == ["+84912345670", "+84912345678", "+84912345679"]
    assert contacts.telegram == ["hr_desk_kh"]  # a bare @handle in a Telegram post is Telegram's
    assert extract_contacts(text, "vi").telegram == []  # elsewhere it is not


def test_a_zalo_line_reads_local_numbers_with_the_hints() -> None:
    assert extract_contacts("Zalo: 091 234 5670", "vi").zalo == ["+84912345670"]
