"""Extract every contact point of a posting into ``Contacts``: phones, emails, messengers, links, domains."""

from __future__ import annotations

import re

from lurewatch.enrichment.handles import (
    extract_kakaotalk,
    extract_line,
    extract_messenger,
    extract_signal,
    extract_telegram,
    extract_viber,
    extract_wechat,
    extract_whatsapp,
    extract_zalo,
)
from lurewatch.enrichment.links import domains_of, extract_urls
from lurewatch.enrichment.phones import extract_phones, region_hints
from lurewatch.records import Contacts

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,24}\b")

__all__ = ["extract_contacts", "extract_emails", "extract_phones", "extract_telegram"]


def extract_emails(text: str) -> list[str]:
    """Email addresses, lower-cased, in order of first appearance."""
    return list(dict.fromkeys(m.group(0).lower().rstrip(".") for m in EMAIL.finditer(text)))


def extract_contacts(
    text: str, language: str, source_tld: str = "", context: str = "", platform: str = ""
) -> Contacts:
    """All contact points in ``text``; local numbers are read with hints from language, source, text and ``context``.

    ``context`` is what the source says besides the ad text (e.g. its location field); ``platform`` the
    messenger the text was posted on (``telegram`` for channel posts), whose bare @handles are its own.
    """
    regions = region_hints(f"{context}\n{text}" if context else text, language, source_tld)
    emails = extract_emails(text)
    urls = extract_urls(text)
    whatsapp = extract_whatsapp(text, regions)
    signal = extract_signal(text, regions)
    zalo = extract_zalo(text, regions)
    viber = extract_viber(text, regions)
    # Messengers that identify people by number: their numbers are phones too, so a phone pivot finds the ad.
    by_number = [*whatsapp, *zalo, *viber, *(s for s in signal if s.startswith("+"))]
    return Contacts(
        phones=list(dict.fromkeys([*extract_phones(text, regions), *by_number])),
        emails=emails,
        telegram=extract_telegram(text, on_telegram=platform == "telegram"),
        whatsapp=whatsapp,
        line=extract_line(text),
        wechat=extract_wechat(text),
        signal=signal,
        zalo=zalo,
        viber=viber,
        kakaotalk=extract_kakaotalk(text),
        messenger=extract_messenger(text),
        urls=urls,
        domains=domains_of(urls, emails),
    )
