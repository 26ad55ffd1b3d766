"""The plain-Python worksheet catalogue (xlpmo.functions): normal, blank, error and
mismatched-length cases of every function, with hand-worked numbers."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xlpmo
import xlpmo.functions as pmo
from xlpmo.excel import args as xa

D = dt.datetime


def approx(value, expected):
    if isinstance(expected, list):
        assert isinstance(value, list) and len(value) == len(expected), value
        for v, e in zip(value, expected, strict=True):
            approx(v, e)
    elif isinstance(expected, float):
        assert isinstance(value, float) and math.isclose(value, expected, rel_tol=1e-9), value
    else:
        assert value == expected


CASES = [
    # earned value: the PMI-style worked example EV 35,000, AC 36,000, PV 40,000, BAC 100,000
    ("CV", (35000, 36000), -1000.0),
    ("SV", (35000, 40000), -5000.0),
    ("CPI", (35000, 36000), 35000 / 36000),
    ("SPI", (35000, 40000), 0.875),
    ("EAC", (100000, 35000, 36000), 100000 / (35000 / 36000)),
    ("EAC", (100000, 35000, 36000, "budget"), 101000.0),
    ("EAC", (100000, 35000, 36000, "COMPOSITE", 40000),
     36000 + 65000 / ((35000 / 36000) * 0.875)),
    ("EAC", (100000, 35000, 36000, "WEIGHTED", 40000, 0.5),
     36000 + 65000 / (0.5 * 35000 / 36000 + 0.5 * 0.875)),
    ("EAC", (100000, 35000, 36000, "BOTTOMUP", None, None, 70000), 106000.0),
    ("ETC", (100000, 35000, 36000, "BUDGET"), 65000.0),
    ("VAC", (100000, 35000, 36000, "BUDGET"), -1000.0),
    ("TCPI", (100000, 35000, 36000), 65000 / 64000),
    ("TCPI", (100000, 35000, 36000, 110000), 65000 / 74000),
    # element by element, shape kept
    ("CPI", ([[10], [20]], [[5], [40]]), [[2.0], [0.5]]),
    ("CV", ([1, 2, 3], [1, 1, 1]), [0.0, 1.0, 2.0]),
    # zero denominators, blanks, error cells, text, mismatched ranges
    ("CPI", (100, 0), "#DIV/0!"),
    ("SPI", (None, 100), "#N/A"),
    ("CPI", ("#REF!", 100), "#REF!"),
    ("CPI", (100, {"type": "Error", "basicValue": "#NUM!"}), "#NUM!"),
    ("CPI", ("abc", 100), "#VALUE!"),
    ("CPI", ("120", "100"), 1.2),
    ("CPI", ([1, 2], [1, 2, 3]), "#VALUE!"),
    ("EAC", (100, 50, 40, "nonsense"), "#VALUE!"),
    ("EAC", (100, 50, 40, "WEIGHTED", 60, 1.5), "#NUM!"),
    ("EAC", (100, 50, 40, "COMPOSITE"), "#N/A"),
    ("TCPI", (100, 50, 100), "#DIV/0!"),
    # earned schedule: PV 100/200/300/400 per month, EV 250 at month 3
    ("ES", ([100, 200, 300, 400], 250), 1.75),
    ("ES", ([[100, 300, 600, 1000]], 250, True), 1.75),
    ("ES", ([100, 200, 300, 400], 1000), 4.0),
    ("SVT", ([100, 200, 300, 400], 250, 3), -1.25),
    ("SPIT", ([100, 200, 300, 400], 250, 3), 1.75 / 3),
    ("IEACT", ([100, 200, 300, 400], 250, 3), 4 / (1.75 / 3)),
    ("ES", ([100, 200], None), "#N/A"),
    ("ES", ([None, None], 5), "#N/A"),
    ("ES", ([100, "#DIV/0!"], 5), "#DIV/0!"),
    ("SPIT", ([100, 200], 150, 0), "#DIV/0!"),
    ("FINISH", ("2026-01-15", [100, 100], 100, 1), D(2026, 2, 28)),  # on plan: PD = 2 months
    ("FINISH", (None, [100, 100], 100, 1), "#N/A"),
    ("FINISH", ("soon", [100, 100], 100, 1), "#VALUE!"),
    # variance
    ("VARIANCE", ([[100], [200]], [[90], [250]]), [[10.0], [-50.0]]),
    ("VARIANCE", (100, 120), -20.0),
    ("VARPCT", (200, 150), 0.25),
    ("VARPCT", (0, 10), "#DIV/0!"),
    ("VARIANCE", ([1, 2], [1, 2, 3]), "#VALUE!"),
    ("VARIANCE", (None, 5), "#N/A"),
    ("VARPCT", ("#N/A", 5), "#N/A"),
    ("RAG", (0.97, 0.95, 0.90), "Green"),
    ("RAG", (0.93, 0.95, 0.90), "Amber"),
    ("RAG", (0.85, 0.95, 0.90), "Red"),
    ("RAG", (0.07, 0.05, 0.10), "Amber"),  # amber < red: lower is better
    ("RAG", (0.12, 0.05, 0.10, False), "Red"),
    ("RAG", ([[0.8], [1.0], ["#DIV/0!"]], 0.95, 0.9), [["Red"], ["Green"], ["#DIV/0!"]]),
    ("RAG", (None, 0.95, 0.9), "#N/A"),
    ("RAG", (0.9, "x", 0.9), "#VALUE!"),
    # forecast
    ("RUNRATE", ([100, 120, 110, 130], 2), 120.0),
    ("RUNRATE", ([100, 120, 110, 130], 10), 115.0),
    ("RUNRATE", ([None, None],), "#N/A"),
    ("RUNRATE", ([1, 2], 0), "#NUM!"),
    ("FORECAST", ([[100], [120], [110], [130]], 2), [[120.0], [120.0]]),
    # LINEAR: y = 95 + 8x through (1..4) -> x = 5, 6 (Excel FORECAST.LINEAR)
    ("FORECAST", ([[100, 120, 110, 130]], 2, "LINEAR"), [[135.0, 143.0]]),
    ("FORECAST", ([100, 200], 2, "PLAN", 3, 1000, [100, 300]), [175.0, 525.0]),
    ("FORECAST", ([], 2), "#N/A"),
    ("FORECAST", ([1, 2], 0), "#NUM!"),
    ("FORECAST", ([1, 2], 2, "GUESS"), "#VALUE!"),
    ("FORECAST", ([1, "#VALUE!"], 2), "#VALUE!"),
    ("PHASE", (1000, [[1], [2], [1]]), [[250.0], [500.0], [250.0]]),
    ("PHASE", (1000, [0, 0]), "#DIV/0!"),
    ("SCURVE", (1000, 4), [[250.0], [500.0], [750.0], [1000.0]]),
    ("SCURVE", (1000, 2, "BELL"), [[500.0], [1000.0]]),  # symmetric: half at mid-point
    ("SCURVE", (1000, 0), "#NUM!"),
    ("SCURVE", (1000, 3, "ZIGZAG"), "#VALUE!"),
    ("PERT", (1, 2, 6), 2.5),
    ("PERT", (4, 4, 4, 0.3), 4.0),
    ("PERT", (5, 2, 6), "#NUM!"),
    ("PERT", (1, None, 6), "#N/A"),
    # resources
    ("WORKDAYS", ("2026-01-01", "2026-01-31"), 22),  # January 2026: 22 weekdays
    ("WORKDAYS", (D(2026, 1, 1), D(2026, 1, 31), [D(2026, 1, 1)]), 21),
    ("WORKDAYS", (46023, 46053), 22),  # the same dates as Excel serials
    ("WORKDAYS", ("2026-01-31", "2026-01-01"), -22),
    ("WORKDAYS", ("2026-01-01", "2026-01-31", None, 11), 27),  # Sunday-only weekend
    ("WORKDAYS", ("2026-01-01", "2026-01-31", None, "0000011"), 22),
    ("WORKDAYS", (None, "2026-01-31"), "#N/A"),
    ("WORKDAYS", ("2026-01-01", "nope"), "#VALUE!"),
    ("WORKDAYS", ("2026-01-01", "2026-01-31", None, 9), "#NUM!"),
    ("CAPACITY", ([[D(2026, 1, 1)], [D(2026, 2, 1)]],), [[176.0], [160.0]]),
    ("CAPACITY", ("2026-02-01", 0.5), 80.0),
    ("CAPACITY", ("2026-02-01", 1, 8, None, None, None, 20), 140.0),
    ("CAPACITY", ("2026-02-01", 1, 8, None, "2026-02-16"), 80.0),
    ("CAPACITY", ("2026-02-01", "#N/A"), "#N/A"),
    ("UTILISATION", (136, 160), 0.85),
    ("UTILISATION", (10, 0), "#DIV/0!"),
    ("UTILISATION", (None, 160), "#N/A"),
    ("OVERALLOCATED", (170, 160), True),
    ("OVERALLOCATED", (160, 160), False),
    ("OVERALLOCATED", ("#REF!", 160), "#REF!"),
    # helpers
    ("PERIOD", (46070,), D(2026, 2, 1)),  # serial 46070 = 2026-02-15
    ("PERIOD", ("Mar-2026",), D(2026, 3, 1)),
    ("PERIOD", (D(2026, 12, 31, 18),), D(2026, 12, 1)),
    ("PERIOD", (None,), "#N/A"),
    ("PERIOD", ("someday",), "#VALUE!"),
    ("PERIODS", ("2026-11-15", "2027-01-02"),
     [[D(2026, 11, 1)], [D(2026, 12, 1)], [D(2027, 1, 1)]]),
    ("PERIODS", ("2027-01-01", "2026-01-01"), "#NUM!"),
    ("VERSION", (), xlpmo.__version__),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_catalogue_case(name, args, expected):
    approx(getattr(pmo, name)(*args), expected)


def test_range_of_utilisation_keeps_shape():
    assert pmo.UTILISATION([[100], [0]], [[200], [0]]) == [[0.5], ["#DIV/0!"]]


def test_forecastrange_band_brackets_the_linear_forecast():
    history = [[100], [120], [110], [130], [125]]
    band = pmo.FORECASTRANGE(history, 3)
    centre = pmo.FORECAST(history, 3, "LINEAR")
    assert len(band) == 3
    for (low, high), (mid,) in zip(band, centre, strict=True):
        assert low < mid < high
        assert math.isclose(mid - low, high - mid)
    assert pmo.FORECASTRANGE([1, 2], 2) == "#DIV/0!"  # two periods: no residual spread


def test_unexpected_exception_becomes_value_error(monkeypatch):
    import xlpmo.core.evm

    def boom(*_args):
        raise RuntimeError("bug")

    monkeypatch.setattr(xlpmo.core.evm, "cpi", boom)
    assert pmo.CPI(1, 2) == "#VALUE!"


def test_first_docstring_line_is_the_wizard_description():
    for name in pmo.__all__:
        doc = getattr(pmo, name).__doc__
        first = doc.strip().splitlines()[0]
        assert 10 < len(first) <= 255, name


def test_all_37_functions():
    assert len(pmo.__all__) == 37
    assert all(callable(getattr(pmo, n)) for n in pmo.__all__)


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=8),
       st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=8))
def test_variance_is_elementwise_or_value_error(planned, actual):
    result = pmo.VARIANCE(planned, actual)
    if len(planned) != len(actual) and 1 not in (len(planned), len(actual)):
        assert result == "#VALUE!"
    elif len(planned) == len(actual) == 1:
        assert result == [planned[0] - actual[0]] or result == planned[0] - actual[0]
    else:
        n = max(len(planned), len(actual))
        p = planned * n if len(planned) == 1 else planned
        a = actual * n if len(actual) == 1 else actual
        assert result == [x - y for x, y in zip(p, a, strict=True)]


@given(st.floats(0, 1e9), st.lists(st.floats(0.01, 1e3), min_size=1, max_size=12))
def test_phase_adds_up_to_the_amount(amount, profile):
    spread = pmo.PHASE(amount, profile)
    assert math.isclose(sum(spread), amount, rel_tol=1e-9, abs_tol=1e-6)


# -- argument normalisation --------------------------------------------------------------


def test_excelargs_readers():
    assert xa.number([[5]]) == 5.0
    assert xa.number("5%") == 0.05
    with pytest.raises(xa.ArgError) as e:
        xa.number([[1, 2]])
    assert e.value.error.value == "#VALUE!"
    with pytest.raises(xa.ArgError) as e:
        xa.number(None)
    assert e.value.error.value == "#N/A"
    assert xa.number(None, default=3) == 3
    assert xa.number(xa.COM_MISSING, default=7) == 7  # COM's omitted argument
    assert xa.boolean("true") is True and xa.boolean(0) is False
    assert xa.date(46023).date() == dt.date(2026, 1, 1)
    assert xa.date("2026-01-01") == xa.date(D(2026, 1, 1))
    assert xa.choice("holt", ("RUNRATE", "HOLT")) == "HOLT"
    assert xa.weekmask("Mon-Fri") == "1111100" and xa.weekmask(1) == "1111100"
    assert xa.weekmask(7) == "1111001" and xa.weekmask(11) == "1111110"
    assert xa.table([["A", "B"], [1, ""]]) == [["A", "B"], [1, None]]


def test_to_excel_never_shows_nan():
    import numpy as np
    import pandas as pd

    from xlpmo.errors import XLError

    assert xa.to_excel([np.nan, XLError.DIV0, np.float64(2), pd.NaT, np.inf]) == [
        "#N/A", "#DIV/0!", 2.0, None, "#NUM!"]
    frame = pd.DataFrame({"A": [1.0, np.nan], "B": [pd.Timestamp("2026-01-01"), pd.NaT]})
    assert xa.to_excel(frame) == [["A", "B"], [1.0, D(2026, 1, 1)], ["#N/A", None]]


# -- whole-table functions (Excel Tables with their header rows) -------------------------------

PROJECTS = [["ProjectID", "ProjectName", "Portfolio", "BAC"], ["P1", "Alpha", "Core", 1000],
            ["P2", "Beta", "Core", 200]]
PLAN_WIDE = [["ProjectID", "2026-01", "2026-02", "2026-03"], ["P1", 300, 300, 400],
             ["P2", 100, 100, None]]
ACTUALS = [["ProjectID", "Period", "Actual"], ["P1", D(2026, 1, 1), 350], ["P1", 46054, 250],
           ["P2", "2026-01", 90]]
PROGRESS = [["ProjectID", "Period", "PercentComplete"], ["P1", "2026-02", 0.5],
            ["P2", "2026-02", 0.9]]


def as_records(rows):
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_evm_table_from_ranges():
    rows = pmo.EVM(PROJECTS, PLAN_WIDE, ACTUALS, PROGRESS, "2026-02-28")
    from xlpmo.contract import tables

    assert rows[0] == tables.EVM.column_names
    p1, p2 = as_records(rows)
    # P1 at end of February: PV 300+300, EV 50 % of 1000, AC 350+250 (serial 46054 = Feb 1)
    approx([p1["PV"], p1["EV"], p1["AC"], p1["CPI"]], [600.0, 500.0, 600.0, 500 / 600])
    # P2: BAC 200 given, EV 90 % = 180, AC 90, PV 200
    approx([p2["PV"], p2["EV"], p2["AC"], p2["SPI"]], [200.0, 180.0, 90.0, 0.9])
    assert p1["StatusDate"] == D(2026, 2, 28)
    no_header = pmo.EVM(PROJECTS, PLAN_WIDE, ACTUALS, PROGRESS, "2026-02-28", None, False)
    assert no_header == rows[1:]


def test_table_functions_blank_required_table_is_na():
    assert pmo.EVM(None, PLAN_WIDE, ACTUALS, PROGRESS) == "#N/A"
    assert pmo.VARTABLE(None, ACTUALS) == "#N/A"
    assert pmo.EVM(5, PLAN_WIDE, ACTUALS, PROGRESS) == "#VALUE!"  # not a table


def test_vartable_and_forecasttable():
    var = as_records(pmo.VARTABLE(PLAN_WIDE, ACTUALS, "2026-02-28"))
    jan = next(r for r in var if r["ProjectID"] == "P1" and r["Period"] == D(2026, 1, 1))
    approx([jan["Planned"], jan["Actual"], jan["Variance"]], [300.0, 350.0, -50.0])
    fc = pmo.FORECASTTABLE(PLAN_WIDE, ACTUALS, None, "2026-02-28")
    from xlpmo.contract import tables

    assert fc[0] == tables.FORECAST_OUT.column_names
    kinds = {r["Kind"] for r in as_records(fc)}
    assert kinds <= {"Actual", "Forecast"} and "Actual" in kinds


def test_forecasttable_with_projects_and_progress_ends_at_the_eac():
    """Given tblProjects and tblProgress, the remaining plan is scaled so each project's
    Cumulative ends at the EVM engine's EAC, as Refresh's tblForecastOut does (P1: BAC 1000,
    EV 500, AC 600, EAC = BAC/CPI = 1200), and runs to ForecastFinish: ES = 1 + 200/300,
    AT = 2, SPI(t) = 5/6, IEAC(t) = 3 / (5/6) = 3.6 months from January = April, so the ETC
    of 600 goes to March and April (the one planned month left, stretched over two: 300
    each); without them the run rate (300/month) carries it."""
    evm = {r["ProjectID"]: r for r in as_records(
        pmo.EVM(PROJECTS, PLAN_WIDE, ACTUALS, PROGRESS, "2026-02-28"))}
    approx(evm["P1"]["EAC"], 1200.0)
    steered = as_records(pmo.FORECASTTABLE(PLAN_WIDE, ACTUALS, None, "2026-02-28", None,
                                           PROJECTS, PROGRESS))
    p1 = [r for r in steered if r["ProjectID"] == "P1"]
    assert [r["Kind"] for r in p1] == ["Actual", "Actual", "Forecast", "Forecast"]
    assert [r["Period"].month for r in p1] == [1, 2, 3, 4]
    assert evm["P1"]["ForecastFinish"].month == 4
    approx([r["Amount"] for r in p1[2:]], [300.0, 300.0])
    approx(p1[-1]["Cumulative"], evm["P1"]["EAC"])
    plain = as_records(pmo.FORECASTTABLE(PLAN_WIDE, ACTUALS, None, "2026-02-28"))
    approx([r["Cumulative"] for r in plain if r["ProjectID"] == "P1"][-1], 900.0)


def test_utiltable():
    resources = [["ResourceID", "Name", "FTE"], ["R1", "Ann", 1]]
    timesheets = [["ResourceID", "ProjectID", "Date", "Hours"], ["R1", "P1", "2026-02-02", 100]]
    allocations = [["ResourceID", "ProjectID", "Period", "Hours"], ["R1", "P1", "2026-02", 150]]
    rows = as_records(pmo.UTILTABLE(resources, timesheets, allocations, None, None,
                                    [[D(2026, 2, 1)]]))
    assert len(rows) == 1
    feb = rows[0]  # February 2026: 20 working days x 8 h
    approx([feb["CapacityHours"], feb["AllocatedHours"], feb["ActualHours"]],
           [160.0, 150.0, 100.0])
    approx(feb["Utilisation"], 100 / 160)
    assert feb["OverAllocated"] is False


def test_catalogue_says_how_forecast_and_runrate_read_blanks():
    """Issue #10 item 9: the help says where LINEAR and RUNRATE part from Excel's
    FORECAST.LINEAR and AVERAGE (a blank between two amounts is 0 spend)."""
    catalogue = pytest.importorskip("xlpmo_udfs.catalogue").catalogue()
    entries = {e["name"]: e for e in catalogue}
    for name in ("FORECAST", "RUNRATE", "FORECASTRANGE"):
        history = next(p for p in entries[name]["parameters"] if p["name"] == "history")
        assert "blank between two amounts is 0 spend" in history["description"], name
    assert "FORECAST.LINEAR" in pmo.FORECAST.__doc__
    assert "without inner or trailing blanks" in pmo.FORECAST.__doc__
    assert "without inner or trailing blanks" in pmo.RUNRATE.__doc__
