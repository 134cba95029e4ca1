"""Salary offers as min / max / currency / period, across the ways ads write them.

Handles "$1,500/month", "USD 800-1200", "月薪8000-15000", "฿30,000", "15 triệu", "Rp 10 juta",
"8k-12k", "1.2万", "RM 4,500 sebulan". An amount counts as a salary only with a salary word on its
line or a pay period next to it, and not when a fee, deposit, price or ticket word sits right before
it: "deposit $500" and "founded 2015" are not salaries.
"""

from __future__ import annotations

import re

from lurewatch.records import Salary

_CURRENCY_WORDS = [
    ("USDT", r"usdt|u币"),  # before USD, whose "usd" would take the first three letters of "USDT"
    ("USD", r"us\$|usd|\$|us dollars?|dollars?|美金|美元|ดอลลาร์|ដុល្លារ|ဒေါ်လာ|đô la"),
    ("THB", r"฿|thb|baht|บาท"),
    ("CNY", r"rmb|cny|元|人民币|块"),
    ("VND", r"vnd|vnđ|₫|đồng|đ\b"),
    ("IDR", r"\brp\.?|idr|rupiah"),
    ("MYR", r"\brm|myr|ringgit"),
    ("PHP", r"₱|php|pesos?"),
    ("KHR", r"៛|khr|riel"),
    ("MMK", r"mmk|kyats?|ကျပ်"),
    ("EUR", r"€|eur|euros?"),
    ("KRW", r"₩|krw|원"),
]  # fmt: skip
_CURRENCY = "|".join(f"(?:{words})" for _, words in _CURRENCY_WORDS)
_MULTIPLIER = r"k|K|千|万|萬|만|triệu|tr|juta|jt|million|mil|ล้าน|หมื่น|พัน|lakh"
_MULTIPLIERS = {
    "k": 1e3, "千": 1e3, "พัน": 1e3, "万": 1e4, "萬": 1e4, "만": 1e4, "หมื่น": 1e4, "lakh": 1e5,
    "triệu": 1e6, "tr": 1e6, "juta": 1e6, "jt": 1e6, "million": 1e6, "mil": 1e6, "ล้าน": 1e6,
}  # fmt: skip
# Multipliers that imply the currency when none is written.
_IMPLIED_CURRENCY = {"triệu": "VND", "tr": "VND", "juta": "IDR", "jt": "IDR", "万": "CNY", "萬": "CNY"}
# Bounded repeats and no start inside a digit run: a long run of digits is read in linear time, not quadratic
# (a 100,000-digit line took minutes), and no salary needs more than twelve digits.
_NUMBER = r"(?<!\d)(?:\d{1,3}(?:[,.\s]\d{3}){1,4}|\d{1,12}(?:[.,]\d{1,4})?)"
_AMOUNT = rf"(?:(?P<curN>{_CURRENCY})\s?)?(?P<numN>{_NUMBER})\s?(?P<mulN>{_MULTIPLIER})?(?![^\W元块원₫đ])\s?(?:(?P<curafterN>{_CURRENCY}))?"

_PERIODS = [
    ("month", r"/\s?(?:month|mo|tháng|bulan|เดือน|月)|(?:^|\s)월\s?(?=\d)|per month|a month|monthly|mỗi tháng|một tháng|sebulan|per bulan|/bln|ต่อเดือน|每月|月薪|薪资|ប្រាក់ខែ|လစာ|kada buwan|bawat buwan"),
    ("day", r"/\s?(?:day|ngày|hari|วัน|天)|per day|a day|daily|日薪|每天|ต่อวัน|mỗi ngày|sehari"),
    ("hour", r"/\s?(?:hour|hr|h|giờ|jam|ชั่วโมง|小时)|per hour|an hour|hourly|时薪"),
    ("week", r"/\s?(?:week|wk|tuần|minggu|สัปดาห์|周)|per week|weekly|周薪"),
    ("year", r"/\s?(?:year|yr|năm|tahun|ปี|年)|per year|a year|annually|yearly|年薪"),
]  # fmt: skip
_PERIOD_PATTERNS = [(period, re.compile(words, re.I)) for period, words in _PERIODS]
_SALARY_WORD = re.compile(
    r"salary|salaries|wage|pay\b|income|earn|compensation|lương|thu nhập|gaji|upah|pendapatan|เงินเดือน|รายได้|ค่าจ้าง"
    r"|工资|月薪|薪资|薪水|底薪|日薪|年薪|收入|待遇|sahod|sweldo|ប្រាក់ខែ|လစာ|ເງິນເດືອນ|급여|월급",
    re.I,
)
_NOT_SALARY_BEFORE = re.compile(
    r"(?:fee|deposit|price|cost|ticket|fine|pay us|loan|debt|phí|cọc|giá|biaya|deposito|ค่าธรรมเนียม|มัดจำ|ราคา"
    r"|押金|费用|价格|罚款|机票)\W{0,12}$",
    re.I,
)
_RANGE = re.compile(
    _AMOUNT.replace("N", "1") + r"\s?(?:-|–|~|～|to|đến|hingga|sampai|ถึง|至|到)\s?" + _AMOUNT.replace("N", "2"), re.I
)
_DIGIT = re.compile(r"\d")
_SINGLE = re.compile(_AMOUNT.replace("N", "1"), re.I)


def _number(text: str) -> float:
    digits = text.replace(" ", "")
    # "1,500" / "1.500.000" group thousands; "1.5" / "1,5" is a decimal.
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", digits):
        return float(re.sub(r"[,.]", "", digits))
    return float(digits.replace(",", "."))


def _currency(match: re.Match[str], n: int) -> str | None:
    for group in (f"cur{n}", f"curafter{n}"):
        if match.group(group):
            word = match.group(group)
            return next((code for code, pattern in _CURRENCY_WORDS_RE.items() if pattern.fullmatch(word)), None)
    return None


_CURRENCY_WORDS_RE = {code: re.compile(words, re.I) for code, words in _CURRENCY_WORDS}


def _value(match: re.Match[str], n: int) -> tuple[float, str | None]:
    multiplier = (match.group(f"mul{n}") or "").lower()
    amount = _number(match.group(f"num{n}")) * _MULTIPLIERS.get(multiplier, 1.0)
    return amount, _IMPLIED_CURRENCY.get(multiplier)


def _period(line: str, start: int, end: int) -> str | None:
    near = line[max(0, start - 12) : end + 16]
    for period, pattern in _PERIOD_PATTERNS:
        if pattern.search(near):
            return period
    return None


def extract_salary(text: str) -> Salary | None:
    """The first salary offer in ``text``, or None."""
    for line in text.splitlines():
        if not _DIGIT.search(line):
            continue
        salary_line = bool(_SALARY_WORD.search(line))
        for pattern in (_RANGE, _SINGLE):
            for match in pattern.finditer(line):
                # The fee word and its 12 separators end right before the amount: 40 characters hold them, and
                # reading only those keeps a line of thousands of numbers linear.
                if _NOT_SALARY_BEFORE.search(line[max(0, match.start() - 40) : match.start()]):
                    continue
                period = _period(line, match.start(), match.end())
                if not (salary_line or period):
                    continue
                low, implied_low = _value(match, 1)
                high, implied_high = _value(match, 2) if pattern is _RANGE else (low, None)
                currency = _currency(match, 1) or (_currency(match, 2) if pattern is _RANGE else None)
                currency = currency or implied_low or implied_high
                if pattern is _RANGE and match.group("mul2") and not match.group("mul1") and low < high / 100:
                    low *= _MULTIPLIERS.get(match.group("mul2").lower(), 1.0)  # "8-12k" means 8k to 12k
                if low < 10 and not currency and not match.group("mul1"):
                    continue  # a bare small number ("2 shifts") is not an amount of money
                if (1900 <= low <= 2100 and not currency) or low <= 0:
                    continue
                return Salary(
                    min=low, max=max(low, high), currency=currency, period=period, text=match.group(0).strip()
                )
    return None
