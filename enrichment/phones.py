"""Phone numbers in E.164 from free text, with region hints and guards against look-alike numbers.

Candidates are digit runs found by one regular expression, then parsed with ``phonenumbers`` under
each region hint (a local number needs one). A candidate is dropped when it is really something
else: a date, a time or a year range, an amount next to a currency, an order/reference/transaction
number, a USSD code (``*123#``), or digits glued to letters (hex hashes, codes).

Written the way people write them, numbers also come as lists (``0821…/0878…``, ``0821…, 0878…``),
right after a label with no space (``LH:0366…``, ``โทร.02…``), and with the country code but no ``+``
(``62852…``, ``8493…``): a separator between two numbers, and a label's ``:`` or ``.`` after a letter, do
not end a candidate, and digits that start with a hinted region's calling code are read as international
(libphonenumber does this under the region's hint, only when the rest is a valid number there). Which of these shapes occur was learnt from reading misses on real SMS; each rule is a
general reading of a number's boundaries, not a list of cases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import phonenumbers

from lurewatch.entities import LANGUAGE_REGIONS

# Countries an ad may name; their local formats become region hints too.
_COUNTRY_WORDS = [
    ("KH", r"cambodia|campuchia|kamboja|柬埔寨|กัมพูชา|កម្ពុជា|phnom penh|sihanoukville|西港|金边"),
    ("MM", r"myanmar|burma|缅甸|พม่า|เมียนมา|မြန်မာ|myawaddy|妙瓦底"),
    ("LA", r"\blaos\b|\blào\b|老挝|ลาว|ລາວ"),
    ("TH", r"thailand|thái lan|泰国|ประเทศไทย|bangkok|mae sot"),
    ("PH", r"philippines|pilipinas|菲律宾|manila|pasay|makati|quezon city|taguig|cebu|pampanga|tarlac"),
    ("VN", r"vietnam|việt nam|越南"),
    ("ID", r"indonesia|印尼"),
    ("MY", r"malaysia|马来西亚"),
]  # fmt: skip
_COUNTRY_PATTERNS = [(region, re.compile(words)) for region, words in _COUNTRY_WORDS]  # on lower-cased text

_CANDIDATE = re.compile(r"(?<![\w+#*-])(?:\+|00)?\(?\d[\d \-.()\u00a0]{5,20}\d(?![\w#])")
# What may stand right before a candidate besides space: a label's ":" or "." after a letter, or a list's
# "/" or "," after another number. A "/" after a letter is a URL path, a "." after a digit a decimal.
_GLUE_BEFORE = re.compile(r"(?:[^\W\d_][:.]|\d[/,]|[\s(\[（：:]|^)$")
_GLUE_AFTER = re.compile(r"(?:/\s?\d|[^/:]|:(?!\d)|$)")  # "/" only between numbers; ":" not a time
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b")
_TIME_AFTER = re.compile(r":\d\d\b")  # "25-11-2022 15:26" ends a candidate at "15"
_YEAR_RANGE = re.compile(r"^(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d$")
_BEFORE_NOT_PHONE = re.compile(
    r"(?:order|ref|reference|invoice|tx|txid|hash|id|no|code|sku|单号|订单|编号|[$€£¥฿₫₱៛]|usd|rp|rm|thb|vnd)\W{0,3}$",
    re.I,
)
_AFTER_NOT_PHONE = re.compile(
    # Latin currency words only as whole words: "0708… để" is Vietnamese "to", not the đồng sign.
    r"^\s?(?:(?:usd|us\$|baht|thb|vnd|đ|rmb|rp|idr|php|peso|k|triệu|juta)(?![^\W\d_])|\$|₫|บาท|元|万)", re.I
)


def region_hints(text: str, language: str, source_tld: str = "") -> list[str]:
    """Regions to try for local numbers: the language's, the source's country TLD, countries named."""
    hints = []
    if language in LANGUAGE_REGIONS:
        hints.append(LANGUAGE_REGIONS[language])
    if len(source_tld) == 2 and source_tld.isalpha():
        hints.append(source_tld.upper())
    sample = text[:4000].lower()
    hints.extend(region for region, pattern in _COUNTRY_PATTERNS if pattern.search(sample))
    return list(dict.fromkeys(hints))[:4]


def find_phones(text: str, regions: Iterable[str]) -> Iterator[tuple[str, int, int]]:
    """(E.164, start, end) for each valid phone number in ``text``."""
    regions = list(regions)
    for match in _CANDIDATE.finditer(text):
        raw = match.group(0).strip(" -.()")
        if not _GLUE_BEFORE.search(text[max(0, match.start() - 2) : match.start()]):
            continue
        if not _GLUE_AFTER.match(text, match.end()):
            continue
        if _DATE.search(raw) or _YEAR_RANGE.match(raw) or _TIME_AFTER.match(text, match.end()):
            continue
        if _BEFORE_NOT_PHONE.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        if _AFTER_NOT_PHONE.match(text[match.end() : match.end() + 8]):
            continue
        number = _parse(raw, _line_regions(text, match.start()) + regions)
        if number:
            yield number, match.start(), match.end()


def _line_regions(text: str, position: int) -> list[str]:
    """Countries named on the number's own line ("菲律宾手机：0998…"): they beat the ad-wide hints."""
    start, end = text.rfind("\n", 0, position) + 1, text.find("\n", position)
    line = text[start : end if end >= 0 else len(text)].lower()
    return [region for region, pattern in _COUNTRY_PATTERNS if pattern.search(line)]


def _parse(raw: str, regions: list[str]) -> str | None:
    international = raw.startswith(("+", "00"))
    for region in [None] if international else regions:
        number = _valid("+" + raw[2:] if raw.startswith("00") else raw, region)
        if number:
            return number
    return None


def _valid(raw: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def extract_phones(text: str, regions: Iterable[str]) -> list[str]:
    """Valid phone numbers in E.164, in order of first appearance."""
    return list(dict.fromkeys(number for number, _, _ in find_phones(text, regions)))


def phone_region(e164: str) -> str | None:
    """The region (ISO 3166 alpha-2) a number in E.164 belongs to."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
