"""Salary edges: where the guards and the windows around an amount end, each pinned on both sides."""

from __future__ import annotations

import pytest

from lurewatch.enrichment.salary import extract_salary


def _read(text: str) -> tuple[float, float, str | None, str | None, str] | None:
    salary = extract_salary(text)
    return None if salary is None else (salary.min, salary.max, salary.currency, salary.period, salary.text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Salary 9", None),  # a bare number under 10 is a count, not money
        ("Salary 10", (10, 10, None, None, "10")),
        ("Salary 9 USD", (9, 9, "USD", None, "9 USD")),
        ("Salary 9k", (9000, 9000, None, None, "9k")),
        ("salary 1899", (1899, 1899, None, None, "1899")),
        ("salary 1900", None),  # a year
        ("salary 2100", None),
        ("salary 2101", (2101, 2101, None, None, "2101")),
        ("salary 2000 USD", (2000, 2000, "USD", None, "2000 USD")),  # with a currency it is money
        ("Salary 0 USD", None),
    ],
)
def test_small_numbers_and_years_are_not_salaries_without_a_currency(text: str, expected: object) -> None:
    assert _read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Salary 119-12k", (119_000, 119_000)),  # 119 < 12000 / 100: the k applies to both ends
        ("Salary 120-12k", (120, 12_000)),  # no longer: 120 to 12k
        ("Salary 12-8k", (12_000, 12_000)),  # a reversed range keeps max >= min
        ("Salary 8 to 12k USD", (8_000, 12_000)),
    ],
)
def test_a_multiplier_on_the_upper_end_only(text: str, expected: tuple[float, float]) -> None:
    result = _read(text)
    assert result is not None and result[:2] == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Salary 1.500.000 VND", 1_500_000),  # dots group thousands
        ("Salary 1,500 USD", 1_500),
        ("Salary 1 500 USD", 1_500),
        ("Salary 1.5 juta", 1_500_000),  # a decimal point
        ("Pay 1,5 juta", 1_500_000),  # a decimal comma
        ("salary 1,000.5", 1_000),
    ],
)
def test_thousands_separators_and_decimals(text: str, value: float) -> None:
    result = _read(text)
    assert result is not None and result[0] == value


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Pay 800 USD" + "." * 9 + "monthly", "month"),  # the period word ends 16 characters after the amount
        ("Pay 800 USD" + "." * 10 + "monthly", None),
        ("monthly" + "." * 5 + "800 USD pay", "month"),  # or starts 12 characters before it
        ("monthly" + "." * 6 + "800 USD pay", None),
    ],
)
def test_the_period_is_read_next_to_the_amount(text: str, period: str | None) -> None:
    result = _read(text)
    assert result is not None and result[3] == period


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("$500/day", "day"),
        ("Salary 20 USD per hour", "hour"),
        ("Salary 300 USD weekly", "week"),
        ("salary $10k/year", "year"),
        ("日薪 300元", "day"),
    ],
)
def test_periods(text: str, period: str) -> None:
    result = _read(text)
    assert result is not None and result[3] == period


def test_a_fee_word_right_before_an_amount_rules_it_out() -> None:
    assert _read("deposit" + "." * 12 + "800 USD/month") is None
    assert _read("deposit" + "." * 13 + "800 USD/month") == (800, 800, "USD", "month", "800 USD")
    assert _read("fee: $300 salary $800/month") == (800, 800, "USD", "month", "$800")
    assert _read("Salary $800 per month, deposit $300") == (800, 800, "USD", "month", "$800")


def test_an_amount_needs_a_salary_word_or_a_period() -> None:
    assert _read("Bring 800 USD") is None
    assert _read("Bring 800 USD monthly") == (800, 800, "USD", "month", "800 USD")
    assert _read("earn 500") == (500, 500, None, None, "500")


def test_the_first_salary_line_wins_and_lines_without_digits_are_passed() -> None:
    assert _read("Salary is good\nSalary 900 USD\nSalary 1200 USD") == (900, 900, "USD", None, "900 USD")


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("Salary 3000 ៛", "KHR"),
        ("RM4500 gaji", "MYR"),
        ("Salary 500 USDT", "USDT"),
        ("Salary 800 EUR", "EUR"),
        ("Salary 300000 kyats", "MMK"),
        ("工资 8000-12000 元/月", "CNY"),
        ("Salary 800-1000 USD", "USD"),  # the currency after the upper end
    ],
)
def test_currencies(text: str, currency: str) -> None:
    result = _read(text)
    assert result is not None and result[2] == currency


def test_long_digit_runs_and_lines_of_many_numbers_are_read() -> None:
    # Both took minutes before the number pattern was bounded and the fee-word look-back windowed.
    assert extract_salary("+" + "0" * 100_000) is None
    assert extract_salary("salary " + "1 " * 20_000) is None
    assert _read("salary " + "1,000 " * 20_000) == (1000, 1000, None, None, "1,000")


def test_an_amount_ruled_out_does_not_end_the_line() -> None:
    assert _read("Salary: 2 shifts, 800 USD a month") == (800, 800, "USD", "month", "800 USD")
    assert _read("Founded 2015, salary 800 USD") == (800, 800, "USD", None, "800 USD")
    assert _read("Deposit $300, salary $800/month") == (800, 800, "USD", "month", "$800")


def test_one_unit_of_a_currency_is_an_amount() -> None:
    assert _read("Pay 1 USD per hour") == (1, 1, "USD", "hour", "1 USD")
