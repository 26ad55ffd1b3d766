import pandas as pd
import pytest

from xlpmo.contract.periods import (
    add_months,
    months_between,
    parse_period,
    period_columns,
    wide_to_long,
)
from xlpmo.contract.settings import Settings, parse_workweek


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-01", "2026-01-01"),
        ("Jan-2026", "2026-01-01"),
        ("Jan 26", "2026-01-01"),
        ("January 2026", "2026-01-01"),
        ("2026-03-17", "2026-03-01"),
        ("17/03/2026", "2026-03-01"),
        (45658, "2025-01-01"),  # Excel serial of 2025-01-01
        (pd.Timestamp("2026-02-28 13:00"), "2026-02-01"),
    ],
)
def test_parse_period(value, expected):
    assert parse_period(value) == pd.Timestamp(expected)


@pytest.mark.parametrize("value", ["abc", "", None, True, "2026-13", -5, "Foo 2026"])
def test_parse_period_rejects(value):
    assert parse_period(value) is None


def test_months_between_and_add_months():
    assert months_between("2025-11-30", "2026-02-01") == 3
    assert add_months("2026-01-20", 1.5) == pd.Timestamp("2026-02-15")


def test_wide_to_long_sums_duplicate_months_and_blank_is_zero():
    wide = pd.DataFrame({"ProjectID": ["A", "B"], "Jan-26": [1.0, None], "2026-01": [2.0, 3.0],
                         "Feb 26": ["4", None]})
    long = wide_to_long(wide, "Planned", ["ProjectID"], period_columns(wide.columns))
    got = long.set_index(["ProjectID", "Period"])["Planned"].to_dict()
    jan, feb = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")
    assert got == {("A", jan): 3.0, ("A", feb): 4.0, ("B", jan): 3.0, ("B", feb): 0.0}


@pytest.mark.parametrize(
    "text, mask", [("Mon-Fri", "1111100"), ("0000011", "1111100"), ("Sun-Thu", "1111001"),
                   ("Mon,Wed,Fri", "1010100")]
)
def test_workweek(text, mask):
    assert parse_workweek(text) == mask


def test_settings_bad_value_keeps_default_and_names_cell():
    s, findings = Settings.from_pairs(
        [("StatusDate", "2026-06-30"), ("EACWeight", "abc"), ("CPIAmber", "96%")],
        ["Config!B2", "Config!B3", "Config!B4"],
    )
    assert s.StatusDate == pd.Timestamp("2026-06-30")
    assert s.EACWeight == 0.8 and s.CPIAmber == pytest.approx(0.96)
    assert [f.cell for f in findings] == ["Config!B3"]
    assert "text 'abc' where a number belongs" in findings[0].message
