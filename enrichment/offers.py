"""Structured parts of an offer that rules need as numbers: the age window and the salary in US dollars a month."""

from __future__ import annotations

import re

from lurewatch.records import Salary

_AGE_WORD = (
    r"(?:age[sd]?|aged|years? old|yrs|tuổi|อายุ|ปี|年龄|岁|usia|umur|edad|taong gulang|អាយុ|ឆ្នាំ|အသက်|နှစ်|ອາຍຸ|세|나이)"
)
_RANGE = r"(?<!\d)(\d{2})\s?(?:-|–|~|to|đến|ถึง|至|到|hingga|sampai|hanggang)\s?(\d{2})(?!\d)"
AGE_LIMIT = re.compile(rf"{_AGE_WORD}\W{{0,12}}(?:từ\s)?{_RANGE}|{_RANGE}\s?{_AGE_WORD}", re.I)
AGE_MAX = re.compile(
    r"(?:under|below|not over|dưới|ไม่เกิน|不超过|以下|di bawah|maksimal)\s?(?P<high>\d{2})\s?" + _AGE_WORD, re.I
)

# Rough monthly-pay conversion to US dollars (2024 averages, rounded): enough to tell 300 from 3,000 USD.
USD_PER_UNIT = {
    "USD": 1.0, "USDT": 1.0, "EUR": 1.08, "THB": 0.028, "CNY": 0.14, "VND": 0.00004, "IDR": 0.000063,
    "MYR": 0.22, "PHP": 0.018, "KHR": 0.00025, "MMK": 0.00048, "KRW": 0.00073,
}  # fmt: skip
_PER_MONTH = {"month": 1.0, "day": 26.0, "hour": 208.0, "week": 4.33, "year": 1 / 12}


def age_limit(text: str) -> tuple[int | None, int, str] | None:
    """(lowest age, highest age, matched span) when the ad sets an age window, else None."""
    for match in AGE_LIMIT.finditer(text):
        low, high = (int(g) for g in (match.group(1, 2) if match.group(1) else match.group(3, 4)))
        if 14 <= low < high <= 70:
            return low, high, match.group(0)
    top = AGE_MAX.search(text)
    if top and 18 <= int(top.group("high")) <= 70:
        return None, int(top.group("high")), top.group(0)
    return None


def monthly_usd(salary: Salary | None) -> float | None:
    """The top of the salary range in US dollars a month, or None when currency is unknown."""
    if salary is None or salary.max is None or salary.currency not in USD_PER_UNIT:
        return None
    return salary.max * USD_PER_UNIT[salary.currency] * _PER_MONTH.get(salary.period or "month", 1.0)
