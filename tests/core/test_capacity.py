"""Working days, holiday calendars and capacity (xlpmo.core.capacity)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from helpers.capacity_inputs import D, brute_workdays, make_inputs
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.contract.countries import resolve_country, unknown_countries
from xlpmo.contract.settings import parse_workweek
from xlpmo.core.capacity import (
    capacity,
    capacity_table,
    default_periods,
    weekmask_from,
    workdays,
)
from xlpmo.io.validate import validate

# -- helpers shared with test_utilisation -------------------------------------------------








def cap_of(table: pd.DataFrame, rid: str, month: str) -> float:
    row = table[(table["ResourceID"] == rid) & (table["Period"] == pd.Timestamp(month))]
    assert len(row) == 1
    return float(row["CapacityHours"].iloc[0])


# -- WORKDAYS: Microsoft's published examples --------------------------------------------


def test_networkdays_intl_microsoft_examples():
    # Microsoft support, "NETWORKDAYS.INTL function", Examples table.
    assert workdays(D(2006, 1, 1), D(2006, 1, 31)) == 22
    assert workdays(D(2006, 2, 28), D(2006, 1, 31)) == -21
    hol = ["2006-01-02", "2006-01-16"]
    # weekend 7 = Friday and Saturday
    assert workdays(D(2006, 1, 1), D(2006, 2, 1), hol, weekmask_from(7)) == 22
    # weekend string "0010001" = Wednesday and Sunday
    assert workdays(D(2006, 1, 1), D(2006, 2, 1), hol, weekmask_from("0010001")) == 20


# Microsoft's weekend-number table: number -> weekend days (0 = Monday)
@pytest.mark.parametrize(("number", "weekend"), [
    (1, {5, 6}), (None, {5, 6}), (2, {6, 0}), (3, {0, 1}), (4, {1, 2}), (5, {2, 3}),
    (6, {3, 4}), (7, {4, 5}), (11, {6}), (12, {0}), (13, {1}), (14, {2}), (15, {3}),
    (16, {4}), (17, {5}), ("Mon-Fri", {5, 6}), ("1111111", None),
])
def test_weekmask_from_excel_weekend_numbers(number, weekend):
    if weekend is None:  # Excel returns 0 for 1111111; the Workweek setting refuses it
        with pytest.raises(ValueError):
            weekmask_from(number)
        return
    assert weekmask_from(number) == "".join("0" if i in weekend else "1" for i in range(7))


@pytest.mark.parametrize("bad", [0, 8, 10, 18, 1.5, "Funday"])
def test_weekmask_from_rejects_unknown_weekends(bad):
    with pytest.raises(ValueError):
        weekmask_from(bad)


def test_networkdays_microsoft_examples():
    # Microsoft support, "NETWORKDAYS function", Example: 110, 109, 107.
    start, end = D(2012, 10, 1), D(2013, 3, 1)
    hol = [D(2012, 11, 22), D(2012, 12, 4), D(2013, 1, 21)]
    assert workdays(start, end) == 110
    assert workdays(start, end, hol[:1]) == 109
    assert workdays(start, end, hol) == 107


def test_week_without_working_days_is_zero_like_excel_1111111():
    assert workdays(D(2026, 1, 1), D(2026, 12, 31), weekmask="0000000") == 0


def test_holiday_on_weekend_or_outside_span_removes_nothing():
    # 2026-01-03 is a Saturday, 2026-02-02 outside the span; duplicates count once
    hol = ["2026-01-03", "2026-02-02", "2026-01-05", "2026-01-05", None]
    assert workdays("2026-01-01", "2026-01-31", hol) == 22 - 1


def test_single_day_and_excel_serials_and_time_of_day():
    assert workdays("2026-11-27", "2026-11-27") == 1  # Friday
    assert workdays("2026-11-28", "2026-11-28") == 0  # Saturday
    # serial 46023 = 2026-01-01 (1900 date system); time of day dropped
    assert workdays(46023, 46053.75) == 22
    assert workdays(pd.Timestamp("2026-01-01 18:00"), dt.datetime(2026, 1, 31, 1)) == 22


def test_vectorised_and_blank_dates():
    out = workdays(["2026-01-01", "2026-02-01", None], ["2026-01-31", "2026-02-28", "2026-03-01"])
    assert np.isnan(out[2])
    assert list(out[:2]) == [22, 20]
    ints = workdays(np.array(["2026-01-01", "2026-02-01"], dtype="datetime64[D]"),
                    np.datetime64("2026-12-31"))
    assert ints.dtype == np.int64
    assert list(ints) == [brute_workdays(D(2026, 1, 1), D(2026, 12, 31)),
                          brute_workdays(D(2026, 2, 1), D(2026, 12, 31))]


def test_bad_weekmask_is_a_clear_error():
    with pytest.raises(ValueError, match="weekmask_from"):
        workdays("2026-01-01", "2026-01-31", weekmask="Mon-Fri")


dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2060, 12, 31))
masks = st.text(alphabet="01", min_size=7, max_size=7).filter(lambda m: "1" in m)


@settings(max_examples=200, deadline=None)
@given(dates, dates, st.lists(dates, max_size=8), masks)
def test_workdays_equals_whole_weeks_plus_the_rest(start, end, hol, mask):
    # an oracle that does not use numpy's busday_count (which the code uses): whole weeks
    # hold mask.count("1") working days, the days left over are counted one by one, then
    # the distinct holidays on working days in the span are taken off
    lo, hi = min(start, end), max(start, end)
    weeks, rest = divmod((hi - lo).days + 1, 7)
    expected = weeks * mask.count("1") + sum(
        mask[(lo + dt.timedelta(days=weeks * 7 + i)).weekday()] == "1" for i in range(rest))
    expected -= sum(lo <= h <= hi and mask[h.weekday()] == "1" for h in set(hol))
    got = workdays(start, end, hol, mask)
    assert got == (expected if start <= end else -expected)
    assert workdays(end, start, hol, mask) == (-got if start != end else got)


@settings(max_examples=60, deadline=None)
@given(st.dates(D(2020, 1, 1), D(2030, 1, 1)), st.integers(0, 120), st.lists(dates, max_size=5),
       masks)
def test_workdays_equals_day_by_day_count(start, length, hol, mask):
    end = start + dt.timedelta(days=length)
    assert workdays(start, end, hol, mask) == brute_workdays(start, end, hol, mask)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(dates, dates), min_size=1, max_size=10), masks)
def test_workdays_vectorised_equals_elementwise(pairs, mask):
    starts, ends = [p[0] for p in pairs], [p[1] for p in pairs]
    vec = workdays(starts, ends, weekmask=mask)
    assert list(vec) == [workdays(s, e, weekmask=mask) for s, e in pairs]


# -- countries ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("GB", ("GB", None)), ("gbr", ("GB", None)), ("United Kingdom", ("GB", None)),
    ("UK", ("GB", None)), ("DEU", ("DE", None)), ("Germany", ("DE", None)),
    ("united states of america", ("US", None)), ("USA", ("US", None)),
    ("US-CA", ("US", "CA")), ("GB-SCT", ("GB", "SCT")), ("Scotland", ("GB", "SCT")),
    ("Guinea-Bissau", ("GW", None)), (" fr ", ("FR", None)),
    ("Narnia", None), ("", None), (None, None), ("GB-XXX", None),
])
def test_resolve_country(text, expected):
    assert resolve_country(text) == expected


# -- holiday calendars in capacity_table --------------------------------------------------

DEC26 = "2026-12-01"
DEC26_WEEKDAYS = brute_workdays(D(2026, 12, 1), D(2026, 12, 31))  # 23


def test_gb_resource_loses_christmas_and_observed_boxing_day_2026():
    inputs = make_inputs(resources=[
        {"ResourceID": "UK1", "Country": "GB"},
        {"ResourceID": "UK2", "Country": "United Kingdom"},
        {"ResourceID": "NONE"},
    ])
    table = capacity_table(inputs, pd.DatetimeIndex([DEC26]))
    # 25 Dec 2026 is a Friday; Boxing Day (Sat 26th) is observed on Monday 28 Dec
    gb_days = brute_workdays(D(2026, 12, 1), D(2026, 12, 31), [D(2026, 12, 25), D(2026, 12, 28)])
    assert gb_days == DEC26_WEEKDAYS - 2
    assert cap_of(table, "UK1", DEC26) == gb_days * 8
    assert cap_of(table, "UK2", DEC26) == gb_days * 8
    assert cap_of(table, "NONE", DEC26) == DEC26_WEEKDAYS * 8


def test_table_holidays_blank_country_for_everyone_else_by_country():
    inputs = make_inputs(
        resources=[{"ResourceID": "DE1", "Country": "DEU"}, {"ResourceID": "X", "Country": ""},
                   {"ResourceID": "FR1", "Country": "France"}],
        holidays=[
            {"Date": "2026-12-01", "Name": "Company day"},  # Tuesday, everyone
            {"Date": "2026-12-02", "Country": "Germany", "Name": "German site day"},  # Wed
            {"Date": "2026-12-05", "Country": "DE", "Name": "on a Saturday"},  # no effect
        ],
    )
    table = capacity_table(inputs, pd.DatetimeIndex([DEC26]))
    de_pkg = [D(2026, 12, 25)]  # Germany: 25 Dec (Fri); 26 Dec is a Saturday
    de_days = brute_workdays(D(2026, 12, 1), D(2026, 12, 31),
                             [D(2026, 12, 1), D(2026, 12, 2), *de_pkg])
    fr_days = brute_workdays(D(2026, 12, 1), D(2026, 12, 31), [D(2026, 12, 1), D(2026, 12, 25)])
    assert cap_of(table, "DE1", DEC26) == de_days * 8
    assert cap_of(table, "X", DEC26) == (DEC26_WEEKDAYS - 1) * 8
    assert cap_of(table, "FR1", DEC26) == fr_days * 8


def test_subdivision_rows_and_package_days():
    # Scotland keeps 2 January (Saturday in 2027 -> observed 4 Jan 2027); GB rows apply too
    inputs = make_inputs(
        resources=[{"ResourceID": "SC", "Country": "GB-SCT"},
                   {"ResourceID": "EN", "Country": "England"}],
        holidays=[{"Date": "2027-01-06", "Country": "GB", "Name": "UK office day"},
                  {"Date": "2027-01-07", "Country": "GB-SCT", "Name": "Scottish office day"}],
    )
    table = capacity_table(inputs, pd.DatetimeIndex(["2027-01-01"]))
    weekdays = brute_workdays(D(2027, 1, 1), D(2027, 1, 31))
    # both: New Year's Day Fri 1 Jan and UK office day; Scotland also 4 Jan and 7 Jan
    assert cap_of(table, "EN", "2027-01-01") == (weekdays - 2) * 8
    assert cap_of(table, "SC", "2027-01-01") == (weekdays - 4) * 8


def test_unknown_country_gives_warning_and_uses_table_days_only():
    inputs = make_inputs(
        resources=[{"ResourceID": "N1", "Country": "Narnia"}, {"ResourceID": "G", "Country": "GB"},
                   {"ResourceID": "B"}],
        holidays=[{"Date": "2026-12-03", "Country": "narnia", "Name": "Aslan day"}],
    )
    assert unknown_countries(inputs.resources).tolist() == [True, False, False]
    with_table = replace(inputs, present=inputs.present | {"tblResources"})
    findings = [f for f in validate(with_table) if "holidays package" in f.message]
    assert len(findings) == 1
    f = findings[0]
    assert (f.severity, f.table) == ("Warning", "tblResources")
    assert "'Narnia'" in f.message
    table = capacity_table(inputs, pd.DatetimeIndex([DEC26]))
    assert cap_of(table, "N1", DEC26) == (DEC26_WEEKDAYS - 1) * 8


# -- capacity_table -----------------------------------------------------------------------


def test_columns_order_and_shape():
    inputs = make_inputs(resources=[{"ResourceID": "B"}, {"ResourceID": "A"},
                                    {"ResourceID": "B", "FTE": 0.1}])
    table = capacity_table(inputs, pd.to_datetime(["2026-02-10", "2026-01-31", "2026-02-01"]))
    assert list(table.columns) == ["ResourceID", "Period", "CapacityHours"]
    assert list(table["ResourceID"]) == ["B", "B", "A", "A"]  # duplicate ID: first row kept
    assert list(table["Period"]) == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")] * 2
    assert cap_of(table, "B", "2026-01-01") == 22 * 8


def test_part_time_fte_hours_per_week_and_defaults():
    inputs = make_inputs(
        resources=[
            {"ResourceID": "PT", "FTE": 0.5, "HoursPerWeek": 37.5},
            {"ResourceID": "DEF"},  # HoursPerWeek blank = 5 × HoursPerDay, FTE blank = 1
            {"ResourceID": "ZERO", "FTE": 0.0},
        ],
        HoursPerDay=7.0,
    )
    table = capacity_table(inputs, pd.DatetimeIndex(["2026-01-01"]))
    assert cap_of(table, "PT", "2026-01-01") == pytest.approx(22 * 37.5 / 5 * 0.5)
    assert cap_of(table, "DEF", "2026-01-01") == pytest.approx(22 * 7.0)
    assert cap_of(table, "ZERO", "2026-01-01") == 0


def test_other_workweek_spreads_the_week_over_its_days():
    inputs = make_inputs(resources=[{"ResourceID": "R", "HoursPerWeek": 40}],
                         Workweek="Mon-Thu")
    table = capacity_table(inputs, pd.DatetimeIndex(["2026-01-01"]))
    days = brute_workdays(D(2026, 1, 1), D(2026, 1, 31), weekmask="1111000")
    assert cap_of(table, "R", "2026-01-01") == pytest.approx(days * 10)


def test_start_and_end_dates_mid_month():
    inputs = make_inputs(resources=[
        {"ResourceID": "NEW", "StartDate": "2026-03-16"},  # Monday
        {"ResourceID": "LEAVER", "EndDate": "2026-03-11"},  # Wednesday
        {"ResourceID": "GONE", "EndDate": "2026-01-15"},
    ])
    table = capacity_table(inputs, pd.DatetimeIndex(["2026-03-01"]))
    assert cap_of(table, "NEW", "2026-03-01") == brute_workdays(D(2026, 3, 16), D(2026, 3, 31)) * 8
    assert cap_of(table, "LEAVER", "2026-03-01") == brute_workdays(D(2026, 3, 1),
                                                                   D(2026, 3, 11)) * 8
    assert cap_of(table, "GONE", "2026-03-01") == 0


def test_leave_full_days_across_a_month_end():
    # Thu 29 Jan .. Tue 3 Feb 2026: 2 working days in each month
    inputs = make_inputs(
        resources=[{"ResourceID": "R", "FTE": 0.5}],
        leave=[{"ResourceID": "R", "Start": "2026-01-29", "End": "2026-02-03"}],
    )
    table = capacity_table(inputs, pd.DatetimeIndex(["2026-01-01", "2026-02-01"]))
    assert cap_of(table, "R", "2026-01-01") == (22 - 2) * 4
    assert cap_of(table, "R", "2026-02-01") == (20 - 2) * 4


def test_leave_hours_spread_over_working_days_of_the_span():
    # 30 h over Wed 28 Jan .. Tue 3 Feb 2026 = 5 working days (6 h each): Jan 3, Feb 2
    inputs = make_inputs(
        resources=[{"ResourceID": "R", "Country": "GB"}],
        leave=[{"ResourceID": "R", "Start": "2026-01-28", "End": "2026-02-03", "Hours": 30}],
    )
    table = capacity_table(inputs, pd.DatetimeIndex(["2026-01-01", "2026-02-01"]))
    jan = brute_workdays(D(2026, 1, 1), D(2026, 1, 31), [D(2026, 1, 1)])  # New Year's Day
    assert cap_of(table, "R", "2026-01-01") == pytest.approx(jan * 8 - 18)
    assert cap_of(table, "R", "2026-02-01") == pytest.approx(20 * 8 - 12)


def test_leave_on_holidays_weekends_outside_employment_and_unknown_resources():
    inputs = make_inputs(
        resources=[{"ResourceID": "R", "Country": "GB", "EndDate": "2026-12-29"}],
        leave=[
            # 21..31 Dec: working days 21-24 and 29 (25, 28 holidays; 30, 31 after EndDate)
            {"ResourceID": "R", "Start": "2026-12-21", "End": "2026-12-31"},
            {"ResourceID": "R", "Start": "2026-12-05", "End": "2026-12-06", "Hours": 8},  # w/e
            {"ResourceID": "R", "Start": "2026-12-10", "End": "2026-12-09"},  # end < start
            {"ResourceID": "NOBODY", "Start": "2026-12-01", "End": "2026-12-31"},
        ],
    )
    table = capacity_table(inputs, pd.DatetimeIndex([DEC26]))
    worked = brute_workdays(D(2026, 12, 1), D(2026, 12, 20))
    assert cap_of(table, "R", DEC26) == worked * 8


def test_leave_never_makes_capacity_negative():
    inputs = make_inputs(
        resources=[{"ResourceID": "R"}],
        leave=[{"ResourceID": "R", "Start": "2026-01-05", "End": "2026-01-05", "Hours": 100}],
    )
    table = capacity_table(inputs, pd.DatetimeIndex(["2026-01-01"]))
    assert cap_of(table, "R", "2026-01-01") == 22 * 8 - 100
    inputs.leave.loc[0, "Hours"] = 1000.0
    assert cap_of(capacity_table(inputs, pd.DatetimeIndex(["2026-01-01"])), "R",
                  "2026-01-01") == 0


def test_default_periods_span_allocations_timesheets_and_status():
    inputs = make_inputs(
        allocations=[{"ResourceID": "R", "ProjectID": "P", "Period": "2026-03-01", "Hours": 1}],
        timesheets=[{"ResourceID": "R", "ProjectID": "P", "Date": "2026-05-20", "Hours": 1}],
        StatusDate=pd.Timestamp("2026-07-15"),
    )
    assert list(default_periods(inputs)) == list(pd.date_range("2026-03-01", "2026-07-01",
                                                               freq="MS"))
    only_status = make_inputs(StatusDate=pd.Timestamp("2026-11-28"))
    assert list(default_periods(only_status)) == [pd.Timestamp("2026-11-01")]


@settings(max_examples=40, deadline=None)
@given(
    st.dates(D(2025, 1, 1), D(2026, 12, 31)), st.integers(0, 500),
    st.floats(0.1, 1.0), st.lists(st.dates(D(2025, 1, 1), D(2027, 12, 31)), max_size=6),
    st.sampled_from(["Mon-Fri", "Sun-Thu", "Mon-Sat", "Mon,Wed,Fri"]),
    st.one_of(st.none(), st.floats(0, 40)),
)
def test_sum_over_months_equals_capacity_over_the_whole_span(start, length, fte, hol, week,
                                                             leave_hours):
    end = start + dt.timedelta(days=length)
    mask = parse_workweek(week)
    holidays = [{"Date": h} for h in hol]
    leave_start = start + dt.timedelta(days=length // 3)
    leave_end = leave_start + dt.timedelta(days=length // 5)
    leave = [{"ResourceID": "R", "Start": leave_start, "End": leave_end, "Hours": leave_hours}]
    inputs = make_inputs(
        resources=[{"ResourceID": "R", "FTE": fte, "StartDate": start, "EndDate": end}],
        holidays=holidays, leave=leave, Workweek=week,
    )
    periods = pd.date_range("2024-12-01", "2028-06-01", freq="MS")  # covers every span
    total = capacity_table(inputs, periods)["CapacityHours"].sum()
    day = 5 * 8 / mask.count("1") * fte
    span_days = workdays(start, end, hol, mask)
    leave_days = workdays(leave_start, leave_end, hol, mask)
    expected_leave = leave_days * day if leave_hours is None else (
        leave_hours if leave_days else 0.0)
    # capacity is clipped at 0 when leave hours exceed the days they fall on: compare
    # exactly only when they cannot (full days, or at most a full day per leave day)
    if leave_hours is None or leave_hours <= leave_days * day:
        assert total == pytest.approx(span_days * day - expected_leave, abs=1e-9)
    assert total <= span_days * day + 1e-9


# -- CAPACITY worksheet form --------------------------------------------------------------


def test_capacity_function_per_period():
    out = capacity(["2026-01-15", "2026-02-28", None], fte=0.5, hours_per_day=7.5)
    assert out[0] == 22 * 7.5 * 0.5
    assert out[1] == 20 * 7.5 * 0.5
    assert np.isnan(out[2])
    assert capacity("2026-01-01") == 22 * 8.0


def test_capacity_function_dates_holidays_leave():
    got = capacity(
        pd.to_datetime(["2026-03-01", "2026-04-01", "2026-05-01"]),
        holidays=["2026-04-03", "2026-04-06"], start="2026-03-16", end="2026-05-12",
        leave_hours=[0, 16, 200],
    )
    assert got[0] == brute_workdays(D(2026, 3, 16), D(2026, 3, 31)) * 8
    assert got[1] == (brute_workdays(D(2026, 4, 1), D(2026, 4, 30)) - 2) * 8 - 16
    assert got[2] == 0  # 8 working days × 8 h − 200 h, clipped at 0
    assert capacity("2026-01-01", weekmask=parse_workweek("Sun-Thu")) == brute_workdays(
        D(2026, 1, 1), D(2026, 1, 31), weekmask="1111001") * 8
