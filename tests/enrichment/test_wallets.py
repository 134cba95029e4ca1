"""Wallet checksums pinned on addresses built here: the version byte, the payload length and each bech32 variant."""

from __future__ import annotations

import hashlib

import pytest

from lurewatch.enrichment.wallets import base58check_payload, bech32_valid, eip55_valid, extract_wallets

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
HASH20 = bytes(range(1, 21))


def base58check(payload: bytes) -> str:
    """Base58check as in Bitcoin's reference code (written here so a bug in the module cannot hide in both)."""
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number, out = int.from_bytes(raw, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        out = B58[digit] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            chk ^= gen if (top >> i) & 1 else 0
    return chk


def bech32_address(version: int, program: bytes, constant: int) -> str:
    """A ``bc1`` address (BIP-173 / BIP-350 reference encoding) with the given checksum constant."""
    acc, bits, data = 0, 0, [version]
    for byte in program:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]
    polymod = _polymod(expanded + data + [0] * 6) ^ constant
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(BECH32[d] for d in data + checksum)


BECH32_CONST, BECH32M_CONST = 1, 0x2BC830A3


def test_built_addresses_are_found_on_each_chain() -> None:
    tron, p2pkh, p2sh = base58check(b"\x41" + HASH20), base58check(b"\x00" + HASH20), base58check(b"\x05" + HASH20)
    v0, v1 = bech32_address(0, HASH20, BECH32_CONST), bech32_address(1, HASH20 + HASH20[:12], BECH32M_CONST)
    assert tron[0] == "T" and p2pkh[0] == "1" and p2sh[0] == "3"
    found = [(w.chain, w.address) for w in extract_wallets(f"{tron} {p2pkh} {p2sh} {v0} {v1.upper()}")]
    assert found == [("tron", tron), ("bitcoin", p2pkh), ("bitcoin", p2sh), ("bitcoin", v0), ("bitcoin", v1)]


@pytest.mark.parametrize(
    "payload",
    [
        b"\x00" + HASH20[:19] + b"\x00\x01",  # version 0 but a 21-byte hash
        b"\x41" + HASH20[:19],  # TRON version with a 19-byte hash
        b"\x42" + HASH20,  # neither TRON nor Bitcoin
        b"\x06" + HASH20,
    ],
)
def test_checksum_valid_but_wrong_version_or_length_is_refused(payload: bytes) -> None:
    address = base58check(payload)
    assert base58check_payload(address) == payload  # the checksum itself holds
    assert extract_wallets(f"pay to {address}") == []


def test_base58check_payload_and_leading_zeros() -> None:
    address = base58check(b"\x00" + HASH20)
    assert base58check_payload(address) == b"\x00" + HASH20
    assert base58check_payload(address[:-1] + ("2" if address[-1] != "2" else "3")) is None
    assert base58check_payload("1111") is None  # too short for a checksum


def test_bech32_and_bech32m_go_with_their_witness_version() -> None:
    assert bech32_valid(bech32_address(0, HASH20, BECH32_CONST))
    assert not bech32_valid(bech32_address(0, HASH20, BECH32M_CONST))  # v0 needs bech32
    assert bech32_valid(bech32_address(1, HASH20 + HASH20[:12], BECH32M_CONST))
    assert not bech32_valid(bech32_address(1, HASH20 + HASH20[:12], BECH32_CONST))  # v1+ needs bech32m
    assert not bech32_valid("tb1" + bech32_address(0, HASH20, BECH32_CONST)[3:])  # testnet prefix
    assert not bech32_valid("bc1qqqqqq")


def test_eip55_mixed_case_needs_the_checksum() -> None:
    good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert eip55_valid(good) and eip55_valid(good.lower()) and eip55_valid("0x" + good[2:].upper())
    swapped = good[:3] + good[3].swapcase() + good[4:]
    assert not eip55_valid(swapped)
    assert [w.address for w in extract_wallets(f"to {good.upper().replace('0X', '0x')}")] == [good.lower()]


def test_repeats_are_listed_once_and_neighbours_glued_to_letters_are_not_addresses() -> None:
    address = base58check(b"\x00" + HASH20)
    assert len(extract_wallets(f"{address} and again {address}")) == 1
    assert extract_wallets(f"x{address}") == [] and extract_wallets(f"{address}x") == []
