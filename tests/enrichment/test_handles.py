"""Messenger handles: what counts as a handle on which line, and what is refused."""

from __future__ import annotations

import pytest

from lurewatch.enrichment.handles import (
    extract_line,
    extract_signal,
    extract_telegram,
    extract_wechat,
    extract_whatsapp,
)


def test_telegram_link_forms() -> None:
    text = "t.me/joinchat/AbCdEfGh\ntelegram.me/s/Channel_1\nhttps://telegram.dog/+Invite99\nt.me/abc"
    assert extract_telegram(text) == ["abcdefgh", "channel_1", "invite99"]  # "abc" is too short for a username


def test_telegram_mentions_need_a_telegram_word_on_their_line() -> None:
    assert extract_telegram("TG: @hr_one, @hr_two\nmail hr@tg.com\n@someone_else") == ["hr_one", "hr_two"]
    assert extract_telegram("电报 @kh_hr_2026") == ["kh_hr_2026"]
    assert extract_telegram("Follow @someone_else on Instagram") == []
    assert extract_telegram("Telegram: write to hr@company-mail.com") == []  # an email is not a handle
    assert extract_telegram("television @abcd") == []


def test_telegram_handles_are_lower_cased_and_listed_once() -> None:
    assert extract_telegram("https://t.me/HR_Desk\nTelegram @hr_desk") == ["hr_desk"]


def test_whatsapp_links_and_lines() -> None:
    text = "https://api.whatsapp.com/send?phone=855962345678\nWA: 081 234 5678\nwas 0812345679"
    assert extract_whatsapp(text, ["TH"]) == ["+855962345678", "+66812345678"]
    assert extract_whatsapp("Call 081 234 5678", ["TH"]) == []  # a phone, not a WhatsApp number


def test_line_ids_in_each_form() -> None:
    text = "line.me/R/ti/p/%40shop_1\nLINE: kh.jobs\nid line: abc99\nไลน์ @thai88\nonline: xyz12"
    assert extract_line(text) == ["shop_1", "kh.jobs", "abc99", "thai88"]
    assert extract_line("We line up the interviews") == []


def test_wechat_ids_follow_the_wechat_word() -> None:
    text = "wechat: ab\nvx abcdefg\nwx：ID hrjob_01\n微信号码：weixin_888\nWeChat: telegram\nweixin contact"
    assert extract_wechat(text) == ["abcdefg", "hrjob_01", "weixin_888"]  # too short and common words refused


@pytest.mark.parametrize("word", ["wechat", "weixin", "contact", "please", "whatsapp", "telegram", "available"])
def test_wechat_common_words_are_not_ids(word: str) -> None:
    assert extract_wechat(f"WeChat: {word}") == []


def test_signal_numbers_and_groups() -> None:
    text = "signal.group/#AbC-12\nSignal +855 96 234 5678\nsignals 0812345678"
    assert extract_signal(text, ["TH"]) == ["signal.group/#AbC-12", "+855962345678"]


def test_a_thai_line_mention_keeps_capitals_until_it_lower_cases() -> None:
    assert extract_line("ไลน์ @Thai88") == ["thai88"]
