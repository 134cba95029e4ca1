"""Cryptocurrency addresses (TRON, Ethereum, Bitcoin), kept only when their checksum holds.

TRON and Bitcoin legacy addresses are base58check (double SHA-256 checksum; version byte 0x41 for
TRON, 0x00/0x05 for Bitcoin); ``bc1`` addresses are bech32 (v0) or bech32m (v1+); Ethereum
addresses are 40 hex digits whose EIP-55 checksum (Keccak-256 of the lower-case address) is
checked when the address is written in mixed case. A 64-digit transaction hash never matches.
"""

from __future__ import annotations

import hashlib
import re

from Crypto.Hash import keccak

from lurewatch.records import Wallet

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

TRON = re.compile(r"(?<![1-9A-Za-z])T[1-9A-HJ-NP-Za-km-z]{33}(?![1-9A-Za-z])")
BTC_LEGACY = re.compile(r"(?<![1-9A-Za-z])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![1-9A-Za-z])")
BTC_BECH32 = re.compile(r"(?<![0-9A-Za-z])(?:bc1[02-9ac-hj-np-z]{8,87}|BC1[02-9AC-HJ-NP-Z]{8,87})(?![0-9A-Za-z])")
ETH = re.compile(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])")


def base58check_payload(address: str) -> bytes | None:
    """The payload (version byte + hash) of a base58check string, or None if the checksum fails."""
    number = 0
    for char in address:
        number = number * 58 + _B58_INDEX[char]
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(address) - len(address.lstrip("1"))) + raw
    if len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    return payload if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == checksum else None


def _bech32_polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def bech32_valid(address: str) -> bool:
    """True when a ``bc1`` address has a valid bech32 (witness v0) or bech32m (v1+) checksum."""
    address = address.lower()
    hrp, _, data_part = address.rpartition("1")
    if hrp != "bc" or len(data_part) < 7:
        return False
    data = [_BECH32.index(c) for c in data_part]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    constant = _bech32_polymod(expanded + data)
    return (data[0] == 0 and constant == 1) or (data[0] != 0 and constant == 0x2BC830A3)


def keccak256(data: bytes) -> bytes:
    """Keccak-256 with the pre-standard padding Ethereum uses (``hashlib.sha3_256`` pads differently).

    pycryptodome's C implementation: 60x faster than the pure-Python one it replaced (53 us against 3.2 ms
    per address on the shared 2-core machine).
    """
    return keccak.new(digest_bits=256, data=data).digest()


def eip55_valid(address: str) -> bool:
    """True for an all-lower or all-upper hex address, or a mixed-case one with a correct EIP-55 checksum."""
    digits = address[2:]
    if digits == digits.lower() or digits == digits.upper():
        return True
    digest = keccak256(digits.lower().encode("ascii")).hex()
    return all(
        (c.upper() if int(h, 16) >= 8 else c.lower()) == c
        for c, h in zip(digits, digest[:40], strict=True)
        if c.isalpha()
    )


def extract_wallets(text: str) -> list[Wallet]:
    """Checksum-valid TRON, Bitcoin and Ethereum addresses, in order of appearance, no repeats."""
    found: dict[tuple[str, str], None] = {}
    for match in TRON.finditer(text):
        payload = base58check_payload(match.group(0))
        if payload is not None and len(payload) == 21 and payload[0] == 0x41:
            found[("tron", match.group(0))] = None
    for match in BTC_LEGACY.finditer(text):
        payload = base58check_payload(match.group(0))
        if payload is not None and len(payload) == 21 and payload[0] in (0x00, 0x05):
            found[("bitcoin", match.group(0))] = None
    for match in BTC_BECH32.finditer(text):
        if bech32_valid(match.group(0)):
            found[("bitcoin", match.group(0).lower())] = None
    for match in ETH.finditer(text):
        if eip55_valid(match.group(0)):
            found[("ethereum", match.group(0).lower())] = None
    return [Wallet(chain=chain, address=address) for chain, address in found]
