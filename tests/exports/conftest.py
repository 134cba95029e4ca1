"""Findings to export: generated ones with every field filled, plus ads that spell their contacts out in the text."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from lurewatch.index.base import Index, open_index
from lurewatch.records import Contacts, Finding, Wallet
from lurewatch.settings import Settings
from tests.support.samples import sample_findings

# Checksum-valid addresses (the USDT contract on TRON, the EIP-55 test vector, a Bitcoin P2PKH address).
TRON = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
ETH = "0x52908400098527886E0F7030069857D2E4169EE7"
BTC = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"


def leaky_findings() -> list[Finding]:
    """Ads whose title and text carry phones, handles, emails and wallets in the forms ads write them."""
    base = next(sample_findings(1, seed=99))
    ads = [
        ("Urgent typist, call +66 81 234 5678", "Salary 2000 USD. WhatsApp: +66 81 234 5678\nTelegram @hr_boss88\n"
         "Email hr.manager@easyjob-asia.example. Deposit USDT to " + TRON, "en",
         Contacts(phones=["+66812345678"], whatsapp=["+66812345678"], telegram=["hr_boss88"],
                  emails=["hr.manager@easyjob-asia.example"], urls=["https://t.me/hr_boss88"])),
        ("รับสมัครด่วน โทร 081-234-5679", "ติดต่อ ไลน์: kk_agent77\nโทร 081-234-5679 หรือ t.me/recruit_kh\n"
         "ETH " + ETH, "th",
         Contacts(phones=["+66812345679"], line=["kk_agent77"], telegram=["recruit_kh"])),
        ("高薪招聘 客服", "微信: wx_boss_2026\n飞机 @kefu_team1 telegram\nBTC " + BTC + "\nmail boss@golden-jobs.example",
         "zh", Contacts(wechat=["wx_boss_2026"], telegram=["kefu_team1"], emails=["boss@golden-jobs.example"])),
        ("=HYPERLINK(\"http://evil.example\",\"click\")", "+1 formula? -2 and @SUM(1) start cells", "en", Contacts()),
    ]  # fmt: skip
    found = []
    for i, (title, text, language, contacts) in enumerate(ads):
        wallets = [Wallet("tron", TRON)] if TRON in text else []
        wallets += [Wallet("ethereum", ETH.lower())] if ETH in text else []
        wallets += [Wallet("bitcoin", BTC)] if BTC in text else []
        found.append(replace(base, posting_id=f"leaky{i:04d}", source="jobboard-kh", source_kind="board", url=f"https://jobboard-kh.example/leaky/{i}",
                             canonical_url=f"https://jobboard-kh.example/leaky/{i}", title=title, text=text,
                             text_segmented="", language=language, contacts=contacts, wallets=wallets,
                             author="@hr_boss88" if i == 0 else base.author))  # fmt: skip
    return found


@contextmanager
def indexed(settings: Settings, n: int) -> Iterator[Index]:
    """An index of ``n`` generated findings and the leaky ads, closed after."""
    store = open_index(settings)
    store.upsert([*sample_findings(n), *leaky_findings()])
    try:
        yield store
    finally:
        store.close()
