"""Messenger contact points: Telegram, WhatsApp, LINE, WeChat, Signal, Zalo, Viber, KakaoTalk and Messenger.

Links are unambiguous (t.me/x, wa.me/855..., line.me/ti/p/~x, signal.me/#p/+...). Bare handles
count only on a line that names the messenger ("Telegram: @x", "微信：abc123", "ไลน์ไอดี: x"),
so that an @mention on Instagram or an email address is not taken for a handle. WhatsApp, Signal,
Zalo and Viber identify people by phone number: their numbers are returned in E.164.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lurewatch.enrichment.phones import find_phones

TELEGRAM_LINK = re.compile(
    r"(?:https?://)?(?:t\.me|telegram\.me|telegram\.dog)/(?:s/|joinchat/)?\+?([A-Za-z][A-Za-z0-9_]{3,31})\b", re.I
)
TELEGRAM_WORD = re.compile(
    r"telegram|\btele\b|\btg\b|电报|飞机|เทเลแกรม|តេឡេក្រាម|တယ်လီဂရမ်|ເທເລແກຣມ|텔레그램|テレグラム", re.I
)
AT_HANDLE = re.compile(r"(?<![\w@.])@([A-Za-z][A-Za-z0-9_]{3,31})\b")

WHATSAPP_LINK = re.compile(r"(?:https?://)?(?:wa\.me/|api\.whatsapp\.com/send/?\?phone=)\+?(\d{7,15})", re.I)
WHATSAPP_WORD = re.compile(r"whats\s?app|\bwa\b|\bws\b|วอทส์แอพ|วอทแอป|واتس|瓦茨普", re.I)
# Zalo (Vietnam) identifies people by phone number, as WhatsApp does: zalo.me/<number> is a phone.
ZALO_LINK = re.compile(r"(?:https?://)?zalo\.me/\s?(\+?\d{9,15})\b", re.I)
VIBER_LINK = re.compile(r"viber://(?:chat|add|contact)\?number=(?:%2B|\+)?(\d{7,15})", re.I)
VIBER_WORD = re.compile(r"\bviber\b|ไวเบอร์|ဗိုင်ဘာ|វ៉ាយប៊ឺ", re.I)
KAKAO_LINK = re.compile(r"(?:https?://)?open\.kakao\.com/o/([A-Za-z0-9]{5,20})", re.I)
KAKAO_WORD = re.compile(r"카카오톡|카톡|kakao\s?talk|\bkakao\b|\bkatalk\b", re.I)
KAKAO_ID = re.compile(r"^\s*(?:id|아이디)?\s*[:：]?\s*@?([A-Za-z][A-Za-z0-9._-]{2,19})\b", re.I)
MESSENGER_LINK = re.compile(r"(?:https?://)?(?:m\.me|(?:www\.)?messenger\.com/t)/([A-Za-z0-9.]{3,50}[A-Za-z0-9])", re.I)
ZALO_NUMBER = re.compile(r"\bzalo\s*(?:id\s*)?[:：]?\s*(\+?\d[\d .-]{7,14}\d)\b", re.I)

LINE_LINK = re.compile(r"(?:https?://)?line\.me/(?:ti/p/|R/ti/p/)(?:~|%40|@)?([A-Za-z0-9._-]{3,20})", re.I)
LINE_WORD = re.compile(r"\bline\s*(?:id)?\s*[:：]|\bid\s*line\s*[:：]|ไลน์|ไอดีไลน์|ລາຍ|連我", re.I)
LINE_ID = re.compile(r"[:：]\s*@?([A-Za-z0-9][A-Za-z0-9._-]{2,19})")

WECHAT_WORD = re.compile(r"we\s?chat|微信|威信|\bvx\b|\bwx\b|weixin", re.I)
WECHAT_ID = re.compile(r"[:：]?\s*([A-Za-z][A-Za-z0-9_-]{5,19})\b")

SIGNAL_LINK = re.compile(r"signal\.me/#p/(\+\d{7,15})|signal\.group/#[A-Za-z0-9_-]+", re.I)
SIGNAL_WORD = re.compile(r"\bsignal\b", re.I)

_WECHAT_NOT_ID = {"wechat", "weixin", "contact", "please", "whatsapp", "telegram", "available", "account"}


def _lines_with(text: str, word: re.Pattern[str]) -> Iterable[str]:
    if not word.search(text):  # one scan of the whole text spares a scan per line in most ads
        return ()
    return (line for line in text.splitlines() if word.search(line))


def extract_telegram(text: str, on_telegram: bool = False) -> list[str]:
    """Telegram handles from t.me links, and @handles on lines that speak of Telegram.

    ``on_telegram``: the text is a Telegram post, where every @handle is a Telegram handle.
    """
    handles = [m.group(1) for m in TELEGRAM_LINK.finditer(text)]
    for line in [text] if on_telegram else _lines_with(text, TELEGRAM_WORD):
        handles.extend(m.group(1) for m in AT_HANDLE.finditer(line))
    return list(dict.fromkeys(h.lower() for h in handles))


def extract_whatsapp(text: str, regions: list[str]) -> list[str]:
    """WhatsApp numbers (E.164) from wa.me links and phone numbers on lines that name WhatsApp."""
    numbers = [f"+{m.group(1)}" for m in WHATSAPP_LINK.finditer(text)]
    for line in _lines_with(text, WHATSAPP_WORD):
        numbers.extend(number for number, _, _ in find_phones(line, regions))
    return list(dict.fromkeys(numbers))


def extract_zalo(text: str, regions: list[str]) -> list[str]:
    """Phone numbers (E.164) from zalo.me links and "Zalo (ID): number"; local numbers read with the hints."""
    numbers: list[str] = []
    for match in (*ZALO_LINK.finditer(text), *ZALO_NUMBER.finditer(text)):
        numbers.extend(number for number, _, _ in find_phones(f" {match.group(1)} ", [*regions, "VN"]))
    return list(dict.fromkeys(numbers))


def extract_viber(text: str, regions: list[str]) -> list[str]:
    """Viber numbers (E.164) from viber:// links and phone numbers on lines that name Viber."""
    numbers = [f"+{m.group(1)}" for m in VIBER_LINK.finditer(text)]
    for line in _lines_with(text, VIBER_WORD):
        numbers.extend(number for number, _, _ in find_phones(line, regions))
    return list(dict.fromkeys(numbers))


def extract_kakaotalk(text: str) -> list[str]:
    """KakaoTalk open-chat codes (open.kakao.com/o/x) and ids named after 카톡 / KakaoTalk."""
    ids = [m.group(1) for m in KAKAO_LINK.finditer(text)]
    for line in _lines_with(text, KAKAO_WORD):
        tail = line[KAKAO_WORD.search(line).end() :]  # type: ignore[union-attr]
        match = KAKAO_ID.match(tail)
        if match and match.group(1).lower() not in _WECHAT_NOT_ID:
            ids.append(match.group(1))
    return list(dict.fromkeys(i.lower() for i in ids))


def extract_messenger(text: str) -> list[str]:
    """Facebook Messenger page or user names from m.me and messenger.com/t links."""
    return list(dict.fromkeys(m.group(1).lower() for m in MESSENGER_LINK.finditer(text)))


def extract_line(text: str) -> list[str]:
    """LINE ids from line.me links and "Line ID: x" / "ไลน์: x" mentions."""
    ids = [m.group(1) for m in LINE_LINK.finditer(text)]
    for line in _lines_with(text, LINE_WORD):
        tail = line[LINE_WORD.search(line).start() :]  # type: ignore[union-attr]
        match = LINE_ID.search(tail) or re.search(r"ไลน์\s*@?([A-Za-z0-9][A-Za-z0-9._-]{2,19})", tail)
        if match:
            ids.append(match.group(1))
    return list(dict.fromkeys(i.lower() for i in ids))


def extract_wechat(text: str) -> list[str]:
    """WeChat ids (6–20 characters, starting with a letter) named on a line that mentions WeChat."""
    ids = []
    for line in _lines_with(text, WECHAT_WORD):
        tail = line[WECHAT_WORD.search(line).end() :]  # type: ignore[union-attr]
        match = WECHAT_ID.match(re.sub(r"^[\s:：号码ID]+", "", tail))
        if match and match.group(1).lower() not in _WECHAT_NOT_ID:
            ids.append(match.group(1))
    return list(dict.fromkeys(i.lower() for i in ids))


def extract_signal(text: str, regions: list[str]) -> list[str]:
    """Signal numbers (E.164) or group links from signal.me / signal.group and lines naming Signal."""
    found = [m.group(1) or m.group(0) for m in SIGNAL_LINK.finditer(text)]
    for line in _lines_with(text, SIGNAL_WORD):
        found.extend(number for number, _, _ in find_phones(line, regions))
    return list(dict.fromkeys(found))
