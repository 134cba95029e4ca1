"""MinHash signatures and LSH band keys over character shingles (numpy, deterministic across runs).

Text is case-folded, stripped of punctuation, emoji and spacing differences, every digit run
becomes "0", every contact value (an @handle, a link, an email address) is dropped, and so are lines that
hold little but a contact (a repost with a new phone number, handle, messenger or date still looks the same:
recruiters rotate contacts, and a short ad whose contact line changed must still match). Shingles are character
5-grams, which work for scripts written with and without spaces, taken within each line only, so a
repost with its lines in another order has the same shingles. Shingle hashes are a polynomial
rolling hash over code points; the 128 permutations are multiply-shift hashes with fixed seeds.
Bands of 4 rows: two texts share a band with probability J⁴ per band, so with 32 bands a pair at
Jaccard 0.6 becomes a candidate 98% of the time and one at 0.2 5% of the time.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

NUM_PERM = 128
ROWS = 4
BANDS = NUM_PERM // ROWS
SHINGLE = 5
TITLE_PERM = 16

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")
_PHONE_LIKE = re.compile(r"\d[\d .()-]{6,}\d")
CONTACT_LINE_WORDS = 4
_CONTACT_VALUE = re.compile(
    r"(?:https?://|www\.)\S+|\b(?:t\.me|wa\.me|line\.me|zalo\.me|m\.me|bit\.ly)/\S+|[\w.+-]+@[\w-]+\.[\w.]+|@\w+", re.I
)
_rng = np.random.default_rng(20261129)
_A = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_POWERS = np.array([pow(1_000_003, SHINGLE - 1 - i, 2**64) for i in range(SHINGLE)], dtype=np.uint64)
_EMPTY = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint64)


def normalise(text: str) -> str:
    """The comparable form of a text: NFKC, case-folded, digits collapsed, words and single spaces, one line each.

    Contact lines (a contact value and at most ``CONTACT_LINE_WORDS`` other words, "Liên hệ Zalo: 09…",
    "加飞机 @x") are left out unless nothing else is left: recruiters rotate them, messenger word included,
    and they say nothing of the job.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    kept: list[str] = []
    contact: list[str] = []
    for raw in text.splitlines():
        has_contact = bool(_CONTACT_VALUE.search(raw) or _PHONE_LIKE.search(raw))
        line = _NON_WORD.sub(" ", _DIGITS.sub("0", _CONTACT_VALUE.sub(" ", raw))).strip()
        if line:
            (contact if has_contact and len(line.split()) <= CONTACT_LINE_WORDS else kept).append(line)
    return "\n".join(line.ljust(SHINGLE) for line in kept or contact)


def shingle_hashes(text: str) -> np.ndarray:
    """Distinct 64-bit hashes of the character 5-grams within each line of an already normalised text."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.pad(codes, (0, SHINGLE - len(codes)))
    windows = np.lib.stride_tricks.sliding_window_view(codes, SHINGLE)
    within_line = ~(windows == ord("\n")).any(axis=1)
    with np.errstate(over="ignore"):
        return np.unique(windows[within_line] @ _POWERS)


def signature(text: str, num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signature (uint32 per permutation) of an already normalised text."""
    if not text:
        return _EMPTY[:num_perm].copy()
    return minhash(shingle_hashes(text), num_perm)


def minhash(hashes: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signature of shingle hashes (``shingle_hashes``)."""
    if not len(hashes):
        return _EMPTY[:num_perm].copy()
    with np.errstate(over="ignore"):
        permuted = np.multiply.outer(_A[:num_perm], hashes)
        permuted += _B[:num_perm, None]
    # The top 32 bits are the hash value; the shift is monotonic, so take the minimum first.
    signature: np.ndarray = permuted.min(axis=1) >> np.uint64(32)
    return signature


def band_keys(sig: np.ndarray, prefix: str = "b", rows: int = ROWS) -> list[str]:
    """One key per band: ``b07:3fa2c41d9e0b`` (band number, then a hash of the band's rows)."""
    sig32 = sig.astype(np.uint32)
    return [
        f"{prefix}{i:02d}:{hashlib.blake2b(sig32[i * rows : (i + 1) * rows].tobytes(), digest_size=6).hexdigest()}"
        for i in range(len(sig32) // rows)
    ]


def similarity(keys_a: list[str], keys_b: list[str], prefix: str, rows: int) -> float:
    """Jaccard estimate from the share of equal band keys: P(band equal) = J^rows."""
    a = [k for k in keys_a if k.startswith(prefix)]
    b = set(k for k in keys_b if k.startswith(prefix))
    if not a or not b:
        return 0.0
    share = sum(1 for k in a if k in b) / len(a)
    return float(share ** (1.0 / rows))
