"""The one parser of text typed where a number, a percentage or a date belongs.

Expected values are written by hand from the rules in xlpmo/contract/parse.py (an English-locale
Excel's VALUE: ``$12`` is 12, ``(300)`` is -300, ``1,2,3`` is not a number); the
hypothesis cases format a number or a date the way people and programs write it and read
it back.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlpmo.contract import periods
from xlpmo.contract.parse import date_problem, parse_date_text, parse_number, text_date
from xlpmo.errors import XLError
from xlpmo.excel import args
from xlpmo.io import importer

NUMBERS = [
    ("1,234.50", 1234.5, False), (" 12 ", 12.0, False), ("$1,200", 1200.0, False),
    ("$12", 12.0, False), ("(300)", -300.0, False), ("($5)", -5.0, False),
    ("-€5.5", -5.5, False), ("$-5", -5.0, False), ("12%", 0.12, True), ("-12 %", -0.12, True),
    ("1e3", 1000.0, False), (".5", 0.5, False), ("12.", 12.0, False), ("+7", 7.0, False),
    ("−7", -7.0, False), ("100-", -100.0, False), ("12 EUR", 12.0, False),
    ("EUR 1,000", 1000.0, False), ("1 234 567", 1234567.0, False),
    ("1\u00a0234.5", 1234.5, False), ("£ 12", 12.0, False),
]
NOT_NUMBERS = [
    "1,2,3", "abc", "1.234,50", "12,34", "1,2345", "1e999", "nan", "inf", "0x10", "--5",
    "(-5)", "$", "%", "()", "1 2", "=1+1", "1.2.3", "$12%", "12 eur", "5 5 5", "",
]


@pytest.mark.parametrize(("text", "value", "pct"), NUMBERS)
def test_numbers(text: str, value: float, pct: bool) -> None:
    assert parse_number(text) == pytest.approx((value, pct))


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(("text", "value"), [
    ("1.234,50", 1234.5), ("12,5", 12.5), ("1 234,5", 1234.5), ("-3,25 €", -3.25),
    ("1,234", 1.234),
])
def test_decimal_comma(text: str, value: float) -> None:
    assert parse_number(text, decimal_comma=True) == pytest.approx((value, False))


@pytest.mark.parametrize(("text", "value"), [
    *((t, v) for t, v, pct in NUMBERS if not pct), *((t, None) for t in NOT_NUMBERS if t),
])
def test_the_three_readers_agree(text: str, value: float | None) -> None:
    """The file reader, the worksheet functions and Import read numeric text alike (they
    disagreed: "1,2,3" was None / 123 / 123, "$12" was 12 / #VALUE! / 12)."""
    assert importer.to_amount(text) == (None if value is None else pytest.approx(value))
    if value is None:
        with pytest.raises(args.ArgError) as err:
            args.to_number(text)
        assert err.value.error is XLError.VALUE
    else:
        assert args.to_number(text) == pytest.approx(value)


def test_percentages_are_numbers_to_functions_but_not_amounts_to_import() -> None:
    assert args.to_number("5%") == pytest.approx(0.05)
    assert importer.to_amount("5%") is None


money = st.floats(-1e12, 1e12, allow_nan=False)


@given(money)
def test_formatted_amounts_read_back(x: float) -> None:
    rounded = round(x, 2)
    for text, expect in ((f"{x:,.2f}", rounded), (f"${abs(x):,.2f}", abs(rounded)),
                         (f"({abs(x):,.2f})", -abs(rounded)), (f"{x:.2f}", rounded),
                         (f"{abs(x):,.2f} EUR", abs(rounded))):
        value, pct = parse_number(text)  # type: ignore[misc]
        assert not pct and value == pytest.approx(expect, abs=0.006), text


@given(money)
def test_decimal_comma_amounts_read_back(x: float) -> None:
    text = f"{x:,.2f}".replace(",", " ").replace(".", ",")  # 1 234 567,89
    assert parse_number(text, decimal_comma=True)[0] == pytest.approx(  # type: ignore[index]
        round(x, 2), abs=0.006)


@given(st.floats(-1e6, 1e6, allow_nan=False))
def test_percentages_read_back(x: float) -> None:
    value, pct = parse_number(f"{x:.4f}%")  # type: ignore[misc]
    assert pct and value == pytest.approx(round(x, 4) / 100, abs=1e-9)


# -- dates ------------------------------------------------------------------------------------

T = pd.Timestamp


@pytest.mark.parametrize(("text", "dmy", "mdy"), [
    ("2026-01-15", T(2026, 1, 15), T(2026, 1, 15)),
    ("2026/01/15", T(2026, 1, 15), T(2026, 1, 15)),
    ("2026-01-15T10:30:00.000Z", T(2026, 1, 15, 10, 30), T(2026, 1, 15, 10, 30)),
    ("2026-01", T(2026, 1, 1), T(2026, 1, 1)),
    ("15/01/2026", T(2026, 1, 15), T(2026, 1, 15)),  # one real reading: no doubt
    ("01/15/2026", T(2026, 1, 15), T(2026, 1, 15)),
    ("02/01/2026", T(2026, 1, 2), T(2026, 2, 1)),
    ("02/01/26", T(2026, 1, 2), T(2026, 2, 1)),
    ("1/1/2026", T(2026, 1, 1), T(2026, 1, 1)),
    ("15.01.2026", T(2026, 1, 15), T(2026, 1, 15)),
    ("1/2026", T(2026, 1, 1), T(2026, 1, 1)),
    ("Jan-2026", T(2026, 1, 1), T(2026, 1, 1)), ("Jan 26", T(2026, 1, 1), T(2026, 1, 1)),
    ("September 2026", T(2026, 9, 1), T(2026, 9, 1)),
    ("15 Jan 2026", T(2026, 1, 15), T(2026, 1, 15)),
    ("15-Jan-26", T(2026, 1, 15), T(2026, 1, 15)),
    ("Jan 15, 2026", T(2026, 1, 15), T(2026, 1, 15)),
    ("9999-12-31", T(9999, 12, 31), T(9999, 12, 31)),
])
def test_dates(text: str, dmy: pd.Timestamp, mdy: pd.Timestamp) -> None:
    found = text_date(text)
    assert found is not None and (found.read("DMY"), found.read("MDY")) == (dmy, mdy)
    assert found.ambiguous == (dmy != mdy)
    assert parse_date_text(text) == dmy  # blank DateOrder: day-first
    assert parse_date_text(text, "DMY") == dmy
    assert parse_date_text(text, "MDY") == mdy


@pytest.mark.parametrize(("text", "problem"), [
    ("2026-13-45", "there is no month 13"), ("31/02/2026", "February 2026 has no day 31"),
    ("2026-02-30", "February 2026 has no day 30"), ("13/13/2026", "there is no month 13"),
    ("2026-13", "there is no month 13"),
])
def test_impossible_dates_say_why(text: str, problem: str) -> None:
    assert parse_date_text(text) is None
    assert date_problem(text) == problem


@pytest.mark.parametrize("text", ["abc", "12", "Q2", "next week", "2026.5.5.5", "Foo 2026"])
def test_not_dates(text: str) -> None:
    assert text_date(text) is None and date_problem(text) == ""


@given(st.dates(dt.date(1900, 1, 1), dt.date(9999, 12, 31)))
def test_dates_read_back_in_every_order(d: dt.date) -> None:
    day = T(d.year, d.month, d.day)
    assert parse_date_text(d.isoformat()) == day
    assert parse_date_text(f"{d.day}/{d.month}/{d.year}", "DMY") == day
    assert parse_date_text(f"{d.month}/{d.day}/{d.year}", "MDY") == day
    assert parse_date_text(f"{d.day:02d}-{d:%b}-{d.year}") == day
    found = text_date(f"{d.day}/{d.month}/{d.year}")
    assert found is not None and found.ambiguous == (d.day <= 12 and d.day != d.month)


@given(st.integers(1, periods.MAX_SERIAL))
def test_serials_respect_the_1900_gap(serial: int) -> None:
    """Excel: serial 1 is 1900-01-01, 59 is 1900-02-28, 61 is 1900-03-01 (60 is the
    29 February 1900 that never was); from 61 on, days since 1899-12-30."""
    date = periods.from_serial(serial)
    if serial < 60:
        assert date == T(1900, 1, 1) + pd.Timedelta(days=serial - 1)
    elif serial > 60:
        assert date == T(1900, 3, 1) + pd.Timedelta(days=serial - 61)
    if serial != 60:
        assert periods.to_serial(date) == serial
