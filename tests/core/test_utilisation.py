"""Resource utilisation (xlpmo.core.utilisation)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from helpers.capacity_inputs import brute_workdays, make_inputs
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.contract import tables
from xlpmo.core.utilisation import overallocated, utilisation, utilisation_table
from xlpmo.errors import XLError

D = dt.date
JAN, FEB = "2026-01-01", "2026-02-01"
JAN_H = 22 * 8.0  # January 2026: 22 weekdays
FEB_H = 20 * 8.0


def row(table: pd.DataFrame, rid: str, month: str) -> pd.Series:
    sel = table[(table["ResourceID"] == rid) & (table["Period"] == pd.Timestamp(month))]
    assert len(sel) == 1
    return sel.iloc[0]


def ts(rid, date, hours, billable=None, project="P1"):
    return {"ResourceID": rid, "ProjectID": project, "Date": date, "Hours": hours,
            "Billable": billable}


def alloc(rid, period, hours=None, percent=None, project="P1"):
    return {"ResourceID": rid, "ProjectID": project, "Period": period, "Hours": hours,
            "Percent": percent}


def test_exact_columns_and_dtypes():
    table = utilisation_table(make_inputs(resources=[{"ResourceID": "A"}]), [JAN])
    assert list(table.columns) == tables.UTILISATION.column_names
    for col in ("Utilisation", "BillableUtilisation", "Allocation"):
        assert table[col].dtype == object
    assert table["OverAllocated"].dtype == bool
    assert table["Period"].dtype == "datetime64[ns]"


def test_actual_billable_and_ratios():
    inputs = make_inputs(
        resources=[{"ResourceID": "A"}, {"ResourceID": "B"}],
        timesheets=[
            ts("A", "2026-01-05", 8, True), ts("A", "2026-01-31", 4, False),
            ts("A", "2026-02-02", 6),  # Billable blank = TRUE (canonical inputs: already True)
            ts("A", "2026-01-20", 2, True, project="P2"),
            ts("GHOST", "2026-01-05", 100),  # unknown resource: left out
            ts("A", "2025-12-31", 100),  # outside the periods: left out
        ],
    )
    table = utilisation_table(inputs, [JAN, FEB])
    a = row(table, "A", JAN)
    assert a["CapacityHours"] == JAN_H
    assert (a["ActualHours"], a["BillableHours"]) == (14.0, 10.0)
    assert a["Utilisation"] == pytest.approx(14 / JAN_H)
    assert a["BillableUtilisation"] == pytest.approx(10 / JAN_H)
    f = row(table, "A", FEB)
    assert (f["ActualHours"], f["BillableHours"]) == (6.0, 6.0)
    b = row(table, "B", JAN)
    assert (b["ActualHours"], b["Utilisation"], b["OverAllocated"]) == (0.0, 0.0, False)
    assert len(table) == 4


def test_blank_billable_in_an_object_column_counts_as_billable():
    inputs = make_inputs(resources=[{"ResourceID": "A"}],
                         timesheets=[ts("A", "2026-01-05", 8), ts("A", "2026-01-06", 4, False)])
    inputs.timesheets["Billable"] = pd.Series([None, False], dtype=object)
    assert row(utilisation_table(inputs, [JAN]), "A", JAN)["BillableHours"] == 8.0


def test_percent_allocations_hours_win_and_over_allocation():
    inputs = make_inputs(
        resources=[{"ResourceID": "A", "FTE": 0.5}, {"ResourceID": "B"}],
        allocations=[
            alloc("A", JAN, percent=0.5),
            alloc("A", JAN, hours=10, percent=0.9, project="P2"),  # Hours wins
            alloc("A", FEB, percent=0.6), alloc("A", FEB, percent=0.4, project="P2"),
            alloc("B", JAN, hours=JAN_H), alloc("B", FEB, hours=FEB_H + 0.5),
            alloc("B", FEB),  # neither Hours nor Percent: adds nothing
            alloc("GHOST", JAN, hours=500),
        ],
    )
    table = utilisation_table(inputs, [JAN, FEB])
    a = row(table, "A", JAN)
    assert a["CapacityHours"] == JAN_H / 2
    assert a["AllocatedHours"] == pytest.approx(0.5 * JAN_H / 2 + 10)
    assert a["Allocation"] == pytest.approx((0.25 * JAN_H + 10) / (JAN_H / 2))
    assert not a["OverAllocated"]
    a_feb = row(table, "A", FEB)
    assert a_feb["AllocatedHours"] == pytest.approx(FEB_H / 2)
    assert not a_feb["OverAllocated"]  # 60 % + 40 % is exactly full, not over
    assert not row(table, "B", JAN)["OverAllocated"]  # equal is not over
    b_feb = row(table, "B", FEB)
    assert b_feb["OverAllocated"]
    assert b_feb["Allocation"] == pytest.approx((FEB_H + 0.5) / FEB_H)


def test_percent_is_of_capacity_after_holidays_and_leave():
    inputs = make_inputs(
        resources=[{"ResourceID": "A", "Country": "GB"}],
        leave=[{"ResourceID": "A", "Start": "2026-12-14", "End": "2026-12-18"}],
        allocations=[alloc("A", "2026-12-01", percent=1.0)],
    )
    r = row(utilisation_table(inputs, ["2026-12-01"]), "A", "2026-12-01")
    days = brute_workdays(D(2026, 12, 1), D(2026, 12, 31), [D(2026, 12, 25), D(2026, 12, 28)])
    assert r["CapacityHours"] == (days - 5) * 8
    assert r["AllocatedHours"] == r["CapacityHours"]
    assert r["Allocation"] == 1.0
    assert not r["OverAllocated"]


def test_zero_capacity_gives_div0_and_overallocation_when_hours_allocated():
    inputs = make_inputs(
        resources=[{"ResourceID": "GONE", "EndDate": "2025-12-31"},
                   {"ResourceID": "IDLE", "EndDate": "2025-12-31"}],
        allocations=[alloc("GONE", JAN, hours=8), alloc("IDLE", JAN, percent=0.5)],
        timesheets=[ts("GONE", "2026-01-07", 3)],
    )
    table = utilisation_table(inputs, [JAN])
    gone = row(table, "GONE", JAN)
    assert gone["CapacityHours"] == 0
    assert gone["Utilisation"] is XLError.DIV0
    assert gone["BillableUtilisation"] is XLError.DIV0
    assert gone["Allocation"] is XLError.DIV0
    assert gone["OverAllocated"]
    idle = row(table, "IDLE", JAN)
    assert idle["AllocatedHours"] == 0  # 50 % of nothing
    assert idle["Allocation"] is XLError.DIV0
    assert not idle["OverAllocated"]


def test_default_periods_cover_allocations_timesheets_and_status():
    inputs = make_inputs(
        resources=[{"ResourceID": "A"}],
        allocations=[alloc("A", "2026-09-01", hours=1)],
        timesheets=[ts("A", "2026-10-12", 1)],
        StatusDate=pd.Timestamp("2026-11-28"),
    )
    table = utilisation_table(inputs)
    assert list(table["Period"]) == list(pd.date_range("2026-09-01", "2026-11-01", freq="MS"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "X"]),
                          st.dates(D(2025, 11, 1), D(2026, 4, 30)),
                          st.floats(0, 12), st.booleans()), max_size=40))
def test_hours_are_conserved_and_ratios_consistent(rows):
    inputs = make_inputs(
        resources=[{"ResourceID": "A"}, {"ResourceID": "B", "FTE": 0.5},
                   {"ResourceID": "C", "StartDate": "2026-02-10"}],
        timesheets=[ts(r, d, h, b) for r, d, h, b in rows],
    )
    table = utilisation_table(inputs, pd.date_range(JAN, "2026-03-01", freq="MS"))
    inside = [(r, h, b) for r, d, h, b in rows if r != "X" and D(2026, 1, 1) <= d <= D(2026, 3, 31)]
    assert table["ActualHours"].sum() == pytest.approx(sum(h for _, h, _ in inside))
    assert table["BillableHours"].sum() == pytest.approx(sum(h for _, h, b in inside if b))
    pos = table["CapacityHours"] > 0
    util = table.loc[pos, "Utilisation"].astype(float) * table.loc[pos, "CapacityHours"]
    np.testing.assert_allclose(util, table.loc[pos, "ActualHours"], atol=1e-9)
    assert all(v is XLError.DIV0 for v in table.loc[~pos, "Utilisation"])


# -- worksheet forms ----------------------------------------------------------------------


def test_utilisation_function():
    assert utilisation(120, 160) == 0.75
    assert utilisation(5, 0) is XLError.DIV0
    assert utilisation(None, 160) is XLError.NA
    assert utilisation("#N/A", 0) is XLError.NA  # input error propagates
    assert utilisation(8, "eight") is XLError.VALUE
    out = utilisation([80, 0, 10, None], [160, 160, 0, 1])
    assert list(out) == [0.5, 0.0, XLError.DIV0, XLError.NA]
    assert list(utilisation([40, 80], 160)) == [0.25, 0.5]  # a scalar broadcasts


def test_overallocated_function():
    assert overallocated(170, 168) is True
    assert overallocated(168, 168) is False
    assert overallocated(8, 0) is True
    assert overallocated(0, 0) is False
    assert overallocated(None, 10) is XLError.NA
    assert overallocated(XLError.DIV0, None) is XLError.DIV0
    out = overallocated(np.array([10.0, 200.0, np.nan]), pd.Series([160.0, 160.0, 160.0]))
    assert list(out) == [False, True, XLError.NA]
