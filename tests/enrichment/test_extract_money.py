"""Wallet and salary extraction: checksums, multilingual salary forms, and amounts that are not salaries."""

from __future__ import annotations

import pytest

from lurewatch.enrichment.salary import extract_salary
from lurewatch.enrichment.wallets import extract_wallets, keccak256

# Public, well-known addresses (the USDT contract on TRON, the Bitcoin genesis address, a P2SH address,
# the BIP-173 and BIP-350 examples and the EIP-55 test vector), so the checksums are known to be valid.
TRON = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
BTC = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
BTC_P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
BECH32M = "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"
ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def test_keccak256_is_the_ethereum_variant() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


def test_valid_wallets_of_each_chain() -> None:
    text = f"USDT (TRC20): {TRON}\nBTC {BTC} or {BTC_P2SH}\n{BECH32}\n{BECH32M}\nERC20: {ETH}"
    found = [(w.chain, w.address) for w in extract_wallets(text)]
    assert found == [
        ("tron", TRON), ("bitcoin", BTC), ("bitcoin", BTC_P2SH), ("bitcoin", BECH32), ("bitcoin", BECH32M),
        ("ethereum", ETH.lower()),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        TRON[:-1] + "u",  # one letter off: base58check fails
        BTC[:-1] + "b",
        BECH32[:-1] + "r",  # bech32 checksum fails
        ETH[:-1] + "D",  # mixed case with a wrong EIP-55 checksum
        "tx hash 0x5e1d3a2c4b9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170abc",  # 64 hex digits
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "TThisIsNotAnAddressButLooksLikeOne12",
    ],
)
def test_wallet_look_alikes_are_rejected(text: str) -> None:
    assert extract_wallets(text) == []


def test_all_lower_case_eth_address_is_accepted_without_checksum() -> None:
    assert [w.address for w in extract_wallets(f"send to {ETH.lower()} today")] == [ETH.lower()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Salary: $1,500/month", (1500, 1500, "USD", "month")),
        ("Salary USD 800-1200", (800, 1200, "USD", None)),
        ("月薪8000-15000", (8000, 15000, None, "month")),
        ("底薪1.2万，包吃包住", (12000, 12000, "CNY", None)),
        ("เงินเดือน ฿30,000 ต่อเดือน", (30000, 30000, "THB", "month")),
        ("Lương 15 triệu/tháng", (15_000_000, 15_000_000, "VND", "month")),
        ("Lương từ 15 đến 25 triệu", (15_000_000, 25_000_000, "VND", None)),
        ("Gaji Rp 10 juta per bulan", (10_000_000, 10_000_000, "IDR", "month")),
        ("RM 4,500 sebulan", (4500, 4500, "MYR", "month")),
        ("Sahod: ₱25,000 kada buwan", (25000, 25000, "PHP", "month")),
        ("Salary 8k-12k USD monthly", (8000, 12000, "USD", "month")),
        ("Earn 50 USD per day", (50, 50, "USD", "day")),
        ("月薪8000元", (8000, 8000, "CNY", "month")),
        ("Lương 8.000.000đ/tháng", (8_000_000, 8_000_000, "VND", "month")),
        ("상담원 월 500만원 보장", (5_000_000, 5_000_000, "KRW", "month")),
        ("ប្រាក់ខែ 900 ដុល្លារ", (900, 900, "USD", "month")),
        ("လစာ 1000 ဒေါ်လာ တစ်လ", (1000, 1000, "USD", "month")),
    ],
)
def test_salary_forms(text: str, expected: tuple[float, float, str | None, str | None]) -> None:
    salary = extract_salary(text)
    assert salary is not None
    assert (salary.min, salary.max, salary.currency, salary.period) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Deposit $500 before departure, salary negotiable",
        "Ticket price $300, we refund it",
        "Founded 2015, competitive salary",
        "Registration fee 200 USD",
        "Office at 12 Sukhumvit Road, 2 shifts",
        "Salary: 2 shifts a day",
        "Call 0812345678",
    ],
)
def test_amounts_that_are_not_salaries(text: str) -> None:
    assert extract_salary(text) is None
