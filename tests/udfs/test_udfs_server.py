"""The xlwings layer through xlwings' real server code (the one xlwings Lite and Office.js use),
in a child process (:mod:`helpers.xlwings_server`): function metadata and calls, and the
commands (scripts) on a JSON book, with the returned actions applied as Excel would."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
from helpers.xlwings_server import (
    _table,
    book_payload,
    decode,
    err,
    read_table,
    records,
    run_server,
    serial,
    written_values,
)
from scipy.stats import beta as beta_dist
from scipy.stats import t as t_dist

from xlpmo.contract import tables as xlpmo_tables

# -- the function calls -------------------------------------------------------------------------

D = dt.datetime
N = None  # an omitted optional argument (Office.js sends null)
PV = [[100, 200, 300, 400]]
H = [[100], [120], [110], [130]]

#: (adapter, Office.js args, expected decoded result); every catalogue function at least once
CALLS: list[tuple[str, list, Any]] = [
    ("PMO_CV", [[[35000]], [[36000]]], [[-1000]]),
    ("PMO_SV", [[[35000]], [[40000]]], [[-5000]]),
    ("PMO_CPI", [[[35000]], [[36000]]], [[35000 / 36000]]),
    ("PMO_CPI", [[[1], [None], [err("#DIV/0!")], [4]], [[5], [6], [7], [0]]],
     [[0.2], ["#N/A"], ["#DIV/0!"], ["#DIV/0!"]]),
    ("PMO_CPI", [[[1, 2]], [[1], [2], [3]]], [[1.0, 2.0], [0.5, 1.0], [1 / 3, 2 / 3]]),
    ("PMO_SPI", [[[35000]], [[40000]]], [[0.875]]),
    ("PMO_EAC", [[[100000]], [[35000]], [[36000]], N, N, N, N], [[100000 * 36000 / 35000]]),
    ("PMO_EAC", [[[100000]], [[35000]], [[36000]], [["budget"]], N, N, N], [[101000]]),
    ("PMO_ETC", [[[100000]], [[35000]], [[36000]], [["BUDGET"]], N, N, N], [[65000]]),
    ("PMO_VAC", [[[100000]], [[35000]], [[36000]], [["BOTTOMUP"]], N, N, [[70000]]],
     [[-6000]]),
    ("PMO_TCPI", [[[100000]], [[35000]], [[36000]], N], [[65000 / 64000]]),
    ("PMO_ES", [PV, [[250]], N], [[1.75]]),
    ("PMO_SVT", [PV, [[250]], [[3]], N], [[-1.25]]),
    ("PMO_SPIT", [PV, [[250]], [[3]], N], [[1.75 / 3]]),
    ("PMO_IEACT", [PV, [[250]], [[3]], N], [[4 / (1.75 / 3)]]),
    ("PMO_FINISH", [[[serial(2026, 1, 1)]], [[100], [100]], [[100]], [[1]], N],
     [[D(2026, 2, 28)]]),  # on plan: the 2 planned months end on 28 February
    ("PMO_VARIANCE", [[[100], [200]], [[90], [250]], N], [[10], [-50]]),
    ("PMO_VARPCT", [[[200]], [[150]], N], [[0.25]]),
    ("PMO_VARPCT", [[[0]], [[err("#REF!")]], N], [["#REF!"]]),
    ("PMO_RAG", [[[0.93], [0.85], [1.2]], [[0.95]], [[0.9]], N], [["Amber"], ["Red"], ["Green"]]),
    ("PMO_FORECAST", [H, [[2]], N, N, N, N], [[120], [120]]),
    ("PMO_FORECAST", [[[100, 120, 110, 130]], [[2]], [["LINEAR"]], N, N, N], [[135, 143]]),
    ("PMO_FORECASTRANGE", [[[100], [120], [110], [130], [125]], [[1]], N, N, N], "band"),
    ("PMO_RUNRATE", [H, [[2]]], [[120]]),
    ("PMO_PHASE", [[[1000]], [[1, 2, 1]]], [[250, 500, 250]]),
    ("PMO_SCURVE", [[[1000]], [[4]], N], [[250], [500], [750], [1000]]),
    ("PMO_PERT", [[[1]], [[2]], [[6]], N], [[2.5]]),
    ("PMO_PERT", [[[5]], [[2]], [[6]], N], [["#NUM!"]]),
    ("PMO_WORKDAYS", [[[serial(2026, 1, 1)]], [[serial(2026, 1, 31)]],
                      [[serial(2026, 1, 1)], [None]], N], [[21]]),
    ("PMO_CAPACITY", [[[serial(2026, 1, 15)], [serial(2026, 2, 15)]], [[0.5]], N, N, N, N, N, N],
     [[88], [80]]),
    ("PMO_UTILISATION", [[[136]], [[160]]], [[0.85]]),
    ("PMO_OVERALLOCATED", [[[170]], [[160]]], [[True]]),
    ("PMO_PERIOD", [[[serial(2026, 2, 15)]]], [[D(2026, 2, 1)]]),
    ("PMO_PERIOD", [[["Mar-2026"]]], [[D(2026, 3, 1)]]),
    ("PMO_PERIODS", [[[serial(2026, 11, 15)]], [["2027-01-02"]]],
     [[D(2026, 11, 1)], [D(2026, 12, 1)], [D(2027, 1, 1)]]),
    ("PMO_VERSION", [], "version"),
    ("PMO_CPI", [[[None]], [[100]]], [["#N/A"]]),  # a blank required cell
    ("PMO_ES", [[[100, "x"]], [[5]], N], [["#VALUE!"]]),
]

# Every optional argument with a real value in at least one call (an adapter that drops or
# swaps one fails here); expected values by hand from the formulas in functions.md, scipy for
# the distributions. Cumulative PV [100, 300, 600, 1000] is the per-period PV above.
CPI_, SPI_ = 35000 / 36000, 35000 / 40000
CUM_PV = [[100, 300, 600, 1000]]
T_HALF = t_dist.ppf(0.9, 1) * math.sqrt(12.5) * math.sqrt(1 + 1 / 2)  # s of 130, 125
CALLS += [
    ("PMO_EAC", [[[100000]], [[35000]], [[36000]], [["COMPOSITE"]], [[40000]], N, N],
     [[36000 + 65000 / (CPI_ * SPI_)]]),
    ("PMO_EAC", [[[100000]], [[35000]], [[36000]], [["BOTTOMUP"]], N, N, [[70000]]],
     [[106000]]),
    ("PMO_EAC", [[[100000]], [[35000]], [[36000]], [["WEIGHTED"]], [[40000]], [[0.25]], N],
     [[36000 + 65000 / (0.25 * CPI_ + 0.75 * SPI_)]]),
    ("PMO_ETC", [[[100000]], [[35000]], [[36000]], [["WEIGHTED"]], [[40000]], [[0.5]], N],
     [[65000 / (0.5 * CPI_ + 0.5 * SPI_)]]),
    ("PMO_ETC", [[[100000]], [[35000]], [[36000]], [["BOTTOMUP"]], N, N, [[70000]]],
     [[70000]]),
    ("PMO_VAC", [[[100000]], [[35000]], [[36000]], [["WEIGHTED"]], [[40000]], [[0.6]], N],
     [[100000 - 36000 - 65000 / (0.6 * CPI_ + 0.4 * SPI_)]]),
    ("PMO_TCPI", [[[100000]], [[35000]], [[36000]], [[90000]]], [[65000 / 54000]]),
    ("PMO_ES", [CUM_PV, [[250]], [[True]]], [[1.75]]),
    ("PMO_SVT", [CUM_PV, [[250]], [[3]], [[True]]], [[-1.25]]),
    ("PMO_SPIT", [CUM_PV, [[250]], [[3]], [[True]]], [[1.75 / 3]]),
    ("PMO_IEACT", [CUM_PV, [[250]], [[3]], [[True]]], [[4 / (1.75 / 3)]]),
    ("PMO_FINISH", [[[serial(2026, 1, 1)]], [[100], [200]], [[100]], [[1]], [[True]]],
     [[D(2026, 2, 28)]]),  # cumulative 100, 200: ES 1 = AT, on plan: ends 28 February
    ("PMO_VARIANCE", [[[100], [300]], [[90], [340]], [[True]]], [[10], [-40]]),
    ("PMO_VARPCT", [[[200]], [[150]], [[True]]], [[0.25]]),
    # lower is better although amber > red: 0.93 is above Red (0.90)
    ("PMO_RAG", [[[0.93]], [[0.95]], [[0.9]], [[False]]], [["Red"]]),
    # exactly at a threshold is not beyond it: 0.10 is Amber, 0.05 Green
    ("PMO_RAG", [[[0.1], [0.05], [0.1000001]], [[0.05]], [[0.1]], [[False]]],
     [["Amber"], ["Green"], ["Red"]]),
    ("PMO_FORECAST", [H, [[2]], [["RUNRATE"]], [[4]], N, N], [[115], [115]]),
    # PLAN: 460 spent, 540 to reach 1000 along the remaining plan 100 : 200
    ("PMO_FORECAST", [H, [[2]], [["PLAN"]], N, [[1000]], [[100], [200]]], [[180], [360]]),
    ("PMO_FORECASTRANGE", [[[100], [120], [110], [130], [125]], [[1]], [["RUNRATE"]], [[0.8]],
                           [[2]]], [[127.5 - T_HALF, 127.5 + T_HALF]]),
    ("PMO_SCURVE", [[[1000]], [[4]], [["FRONT"]]],
     [[1000 * beta_dist.cdf(k / 4, 2, 4)] for k in range(1, 5)]),
    ("PMO_PERT", [[[1]], [[2]], [[6]], [[0.5]]], [[1 + 5 * beta_dist.ppf(0.5, 1.8, 4.2)]]),
    # Jan 2026 with a Fri/Sat weekend (Excel's weekend number 7): 31 − 10 days, less Jan 1
    ("PMO_WORKDAYS", [[[serial(2026, 1, 1)]], [[serial(2026, 1, 31)]],
                      [[serial(2026, 1, 1)]], [[7]]], [[20]]),
    # Mon-Thu from Jan 5 to Feb 20: January 16 days less the Jan 15 holiday, February 12;
    # × 7.5 h × 0.5 FTE, less 4 h of leave in January
    ("PMO_CAPACITY", [[[serial(2026, 1, 15)], [serial(2026, 2, 15)]], [[0.5]], [[7.5]],
                      [[serial(2026, 1, 15)]], [[serial(2026, 1, 5)]], [[serial(2026, 2, 20)]],
                      [[4], [0]], [["Mon-Thu"]]], [[15 * 3.75 - 4], [12 * 3.75]]),
]

# EACRANGE / FINISHRANGE (Lipke's statistical ranges, workbook.md "Statistical ranges"),
# expected values from scipy on the same formulas: σ of ln(periodic index) with n − 1,
# SE = σ/√n × √((N − n)/(N − 1)), z = norm.ppf((1 + c)/2), index bounds I·e^(±z·SE)
def _lipke_bounds(index: float, periodic: list[float], big_n: float, c: float
                  ) -> tuple[float, float]:
    import numpy as np
    from scipy.stats import norm, sem

    logs = np.log(periodic)
    se = sem(logs, ddof=1) * math.sqrt((big_n - len(logs)) / (big_n - 1))
    spread = math.exp(norm.ppf((1 + c) / 2) * se)
    return index / spread, index * spread


_CPI_LOW, _CPI_HIGH = _lipke_bounds(400 / 500, [0.8, 0.9, 0.7, 0.85], 10, 0.8)
_PERIODIC = [[0.8], [0.9], [0.7], [0.85], [None], [err("#DIV/0!")], [0], [-0.5]]


def _finish_range(confidence: float) -> Any:
    """FINISHRANGE on a straight plan of 100 a month for 10 months and EV 90, 180, 250, 330,
    400 (ES = EV/100: periodic SPI(t) 0.9, 0.9, 0.7, 0.8, 0.7; SPI(t) = 4/5): the dates lie
    within a day of the instant IEAC(t) months after 1 Jan 2026 (the day it falls in, or the
    day before when it ends at midnight)."""
    low, high = _lipke_bounds(0.8, [0.9, 0.9, 0.7, 0.8, 0.7], 10, confidence)

    def instant(months: float) -> dt.datetime:
        whole = math.floor(months)
        first = D(2026 + whole // 12, 1 + whole % 12, 1)
        after = D(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first + (after - first) * (months - whole)

    def check(result: Any) -> None:
        (got_low, got_high), = result
        for got, months in ((got_low, 10 / high), (got_high, 10 / low)):
            assert abs((got - instant(months)).total_seconds()) <= 86400, (got, months)
        assert got_low < got_high

    return check


CALLS += [
    ("PMO_EACRANGE", [[[1000]], [[400]], [[500]], _PERIODIC, [[10]], [[0.8]]],
     [[500 + 600 / _CPI_HIGH, 500 + 600 / _CPI_LOW]]),
    ("PMO_EACRANGE", [[[1000]], [[400]], [[500]], [[0.8], [0.9]], [[10]], N],
     [["#N/A", "#N/A"]]),  # fewer than 3 periodic values
    ("PMO_EACRANGE", [[[1000]], [[1000]], [[900]], [[0.8], [0.9]], [[10]], N],
     [[900, 900]]),  # complete: the cost is known
    ("PMO_FINISHRANGE", [[[serial(2026, 1, 1)]], [[100] * 10], [[90, 180, 250, 330, 400]], N],
     _finish_range(0.90)),
    ("PMO_FINISHRANGE", [[[serial(2026, 1, 1)]], [[100] * 10], [[90], [180], [250], [330],
                                                                  [400]], [[0.8]]],
     _finish_range(0.8)),
]

# whole Excel Tables with their header rows (dates as Office.js sends them: serials)
PROJECTS = [["ProjectID", "ProjectName", "Portfolio", "BAC"], ["P1", "Alpha", "Core", 1000],
            ["P2", "Beta", "Core", 200]]
PLAN = [["ProjectID", "Period", "Planned"],
        ["P1", serial(2026, 1, 1), 300], ["P1", serial(2026, 2, 1), 300],
        ["P1", serial(2026, 3, 1), 400], ["P2", serial(2026, 1, 1), 100],
        ["P2", serial(2026, 2, 1), 100]]
ACTUALS = [["ProjectID", "Period", "Actual"], ["P1", serial(2026, 1, 1), 350],
           ["P1", serial(2026, 2, 1), 250], ["P2", serial(2026, 1, 1), 90]]
PROGRESS = [["ProjectID", "Period", "PercentComplete"], ["P1", serial(2026, 2, 1), 0.5],
            ["P2", serial(2026, 2, 1), 0.9]]
FORECAST_T = [["ProjectID", "Period", "Forecast"], ["P1", serial(2026, 3, 1), 450]]
RESOURCES = [["ResourceID", "Name", "FTE"], ["R1", "Ann", 1]]
TIMESHEETS = [["ResourceID", "ProjectID", "Date", "Hours"], ["R1", "P1", serial(2026, 2, 2), 100]]
ALLOCATIONS = [["ResourceID", "ProjectID", "Period", "Hours"],
               ["R1", "P1", serial(2026, 2, 1), 150]]
STATUS = [[serial(2026, 2, 28)]]
# the capacity plan: two developers (R2 half time), named work in Feb, unnamed demand in Mar
# for a developer (Percent of one full-time person) and a data scientist nobody is
CP_RESOURCES = [["ResourceID", "Role", "FTE"], ["R1", "Developer", 1], ["R2", "developer", 0.5]]
CP_ALLOCATIONS = [["ResourceID", "Role", "ProjectID", "Period", "Hours", "Percent"],
                  ["R1", None, "P1", serial(2026, 2, 1), 150, None],
                  [None, "Developer", "P1", serial(2026, 3, 1), None, 1],
                  [None, "Data Scientist", "P2", serial(2026, 3, 1), 40, None]]
CP_CONFIG = [["Setting", "Value"], ["StatusDate", serial(2026, 2, 28)], ["PlanningHorizon", 1]]

TABLE_CALLS: list[tuple[str, list]] = [
    ("PMO_EVM", [PROJECTS, PLAN, ACTUALS, PROGRESS, STATUS, N, N]),
    ("PMO_VARTABLE", [PLAN, ACTUALS, STATUS, N, N]),
    ("PMO_FORECASTTABLE", [PLAN, ACTUALS, FORECAST_T, STATUS, N, N]),
    ("PMO_UTILTABLE", [RESOURCES, TIMESHEETS, ALLOCATIONS, N, N,
                       [[serial(2026, 2, 1)], [serial(2026, 3, 1)]], N, N]),
    ("PMO_CAPACITYPLAN", [CP_RESOURCES, CP_ALLOCATIONS, N, N, CP_CONFIG, N]),
]


def _column(rows: list, spec: Any, name: str) -> list:
    """One column of a table function's rows given without their header row."""
    assert rows and rows[0][0] != spec.column_names[0], "header=FALSE still gave a header"
    return [row[spec.column_names.index(name)] for row in rows]


def _evm_with_config(rows: list) -> None:
    # CPI of P1 = 500 / 600 = 0.83: Red by the default 0.95 / 0.90, Green by 0.80 / 0.70
    assert _column(rows, xlpmo_tables.EVM, "ProjectID") == ["P1", "P2"]
    assert _column(rows, xlpmo_tables.EVM, "CostRAG")[0] == "Green"


def _variance_with_config(rows: list) -> None:
    # cumulative variance % -1/6, 0, 0.10, 0.55 against 0.30 / 0.50 (default: Red, Green,
    # Amber, Red)
    assert _column(rows, xlpmo_tables.VARIANCE, "RAG") == ["Green", "Green", "Green", "Red"]


def _forecast_with_projects(rows: list) -> None:
    # P1: EAC by BUDGET (tblConfig) = AC + BAC − EV = 600 + 500 = 1100 (CPI would say 1200;
    # without tblProjects/tblProgress no EAC, the run rate 300). ES = 1 + (500 − 300)/300 = 5/3
    # of AT 2, so IEAC(t) = 3 / (5/6) = 3.6 months: ForecastFinish falls in April and the
    # remaining 1100 − 600 = 500 (March's plan) is spread over March and April, 250 each
    kinds = list(zip(_column(rows, xlpmo_tables.FORECAST_OUT, "ProjectID"),
                     _column(rows, xlpmo_tables.FORECAST_OUT, "Kind"),
                     _column(rows, xlpmo_tables.FORECAST_OUT, "Amount"),
                     _column(rows, xlpmo_tables.FORECAST_OUT, "Cumulative"), strict=True))
    assert [k for k in kinds if k[:2] == ("P1", "Forecast")] == [
        ("P1", "Forecast", 250, 850), ("P1", "Forecast", 250, 1100)]


def _utilisation_with_calendar(rows: list) -> None:
    # February 2026: 20 weekdays less the Feb 16 holiday, 7 h a day (tblConfig), less 14 h
    # of leave
    got = dict(zip(_column(rows, xlpmo_tables.UTILISATION, "Period"),
                   _column(rows, xlpmo_tables.UTILISATION, "CapacityHours"), strict=True))
    assert got == {D(2026, 2, 1): 19 * 7 - 14}


def _capacity_plan_with_calendar(rows: list) -> None:
    # Feb 2026: 20 weekdays less the Feb 16 company holiday = 19 days. R1 (FTE 1): 19 x 8 =
    # 152 h less 14 h of leave = 138; R2 (FTE 0.5): 19 x 8 x 0.5 = 76; Developer 214 h, named
    # demand 150, gap 64, 150 / 214 (Green: not above 0.9, not below 0.6). Mar 2026: 22 days,
    # 176 + 88 = 264 h, unnamed 100 % of 22 x 8 = 176. Data Scientist: nobody, 40 h in Mar.
    d = [D(2026, 2, 1), D(2026, 3, 1)]
    want = [
        ["Data Scientist", d[0], 0, 0, 0, 0, 0, 0, "#DIV/0!", "#DIV/0!"],
        ["Data Scientist", d[1], 0, 0, 0, 40, 40, -40, "#DIV/0!", "Red"],
        ["Developer", d[0], 1.5, 214, 150, 0, 150, 64, 150 / 214, "Green"],
        ["Developer", d[1], 1.5, 264, 0, 176, 176, 88, 176 / 264, "Green"],
    ]
    assert _column(rows, xlpmo_tables.CAPACITY_PLAN, "Group")[0] == "Data Scientist"
    assert close(rows, want), rows


CONFIG_T = [["Setting", "Value"], ["CPIAmber", 0.8], ["CPIRed", 0.7], ["VarianceAmber", 0.3],
            ["VarianceRed", 0.5], ["EACMethod", "BUDGET"], ["HoursPerDay", 7]]
NO_FORECAST = [["ProjectID", "Period", "Forecast"]]
HOLIDAYS_T = [["Date", "Country", "Name"], [serial(2026, 2, 16), None, "Company day"]]
LEAVE_T = [["ResourceID", "Start", "End", "Hours"],
           ["R1", serial(2026, 2, 9), serial(2026, 2, 10), 14]]
def _trend(rows: list) -> None:
    # one progress row each (Feb 2026): P1 PV 600, EV 500, AC 600, ES = 1 + 200/300 (plan
    # 300, 600), AT 2; P2 PV 200, EV 0.9 × 200, AC 90, ES = 1 + 80/100. PeriodCPI and
    # PeriodSPIt of a first row count from the start. EAC by CPI = BAC / CPI.
    assert rows[0] == xlpmo_tables.TREND.column_names
    got = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(got) == {"P1", "P2"} and got["P1"]["Period"] == D(2026, 2, 1)
    p1, p2 = got["P1"], got["P2"]
    assert close([p1["PV"], p1["EV"], p1["AC"], p1["CPI"], p1["SPI"]],
                 [600, 500, 600, 5 / 6, 5 / 6])
    assert close([p1["SPIt"], p1["PeriodCPI"], p1["PeriodSPIt"], p1["EAC"]],
                 [(5 / 3) / 2, 5 / 6, (5 / 3) / 2, 1200])
    assert close([p2["CPI"], p2["SPIt"], p2["EAC"]], [2.0, 0.9, 100])


def _trend_with_config(rows: list) -> None:
    # EACMethod BUDGET (tblConfig): P1 EAC = AC + BAC − EV = 600 + 500
    eac = dict(zip(_column(rows, xlpmo_tables.TREND, "ProjectID"),
                   _column(rows, xlpmo_tables.TREND, "EAC"), strict=True))
    assert eac == {"P1": 1100, "P2": 90 + 20}


#: the table functions with every optional table and FALSE for the header row
CALLS += [
    ("PMO_TREND", [PROJECTS, PLAN, ACTUALS, PROGRESS, STATUS, N, N], _trend),
    ("PMO_TREND", [PROJECTS, PLAN, ACTUALS, PROGRESS, STATUS, CONFIG_T, [[False]]],
     _trend_with_config),
    ("PMO_EVM", [PROJECTS, PLAN, ACTUALS, PROGRESS, STATUS, CONFIG_T, [[False]]],
     _evm_with_config),
    ("PMO_VARTABLE", [PLAN, ACTUALS, STATUS, CONFIG_T, [[False]]], _variance_with_config),
    ("PMO_FORECASTTABLE", [PLAN, ACTUALS, NO_FORECAST, STATUS, CONFIG_T, PROJECTS, PROGRESS,
                           [[False]]], _forecast_with_projects),
    ("PMO_UTILTABLE", [RESOURCES, TIMESHEETS, ALLOCATIONS, HOLIDAYS_T, LEAVE_T,
                       [[serial(2026, 2, 15)]], CONFIG_T, [[False]]],
     _utilisation_with_calendar),
    ("PMO_CAPACITYPLAN", [CP_RESOURCES, CP_ALLOCATIONS, HOLIDAYS_T, LEAVE_T, CP_CONFIG,
                          [[False]]], _capacity_plan_with_calendar),
]


def plain_args(args: list) -> list:
    """The same arguments for the plain-Python catalogue (None for an omitted one)."""
    return list(args)


# -- one child process for the whole module ---------------------------------------------------

@pytest.fixture(scope="module")
def server(book_file, wide_file) -> dict:
    requests: list[dict] = [{"kind": "meta"}]
    requests += [{"kind": "call", "func": f, "args": a} for f, a, _ in CALLS]
    requests += [{"kind": "call", "func": f, "args": a} for f, a in TABLE_CALLS]
    requests += [{"kind": "scripts", "payload": book_payload(str(book_file)), "steps": s}
                 for s in SCRIPT_RUNS.values()]
    requests.append({"kind": "scripts", "payload": book_payload(str(wide_file)),
                     "steps": [{"script": "import_actuals"}, {"script": "import_actuals"},
                               {"script": "close_period"}, {"script": "close_period"}]})
    if TEMPLATE.exists():
        requests.append({"kind": "scripts", "payload": template_payload(), "as_client": True,
                         "steps": [{"script": "refresh"}, {"script": "import_actuals"},
                                   {"script": "import_actuals"}, {"script": "report"},
                                   {"script": "refresh"}]})
    requests.append({"kind": "scripts", "payload": bottom_up_payload(book_file),
                     "steps": [{"script": "refresh"}]})
    results = run_server(requests)
    runs_bottom_up = results.pop()
    meta = results[0]
    calls = results[1:1 + len(CALLS)]
    tables = results[1 + len(CALLS):1 + len(CALLS) + len(TABLE_CALLS)]
    rest = results[1 + len(CALLS) + len(TABLE_CALLS):]
    runs = dict(zip(SCRIPT_RUNS, rest[:len(SCRIPT_RUNS)], strict=True))
    runs["wide"] = rest[len(SCRIPT_RUNS)]
    if TEMPLATE.exists():
        runs["template"] = rest[len(SCRIPT_RUNS) + 1]
    runs["bottom_up"] = runs_bottom_up
    return {"meta": meta, "calls": calls, "tables": tables, "runs": runs}


def bottom_up_payload(book_file) -> dict:
    """The book with EACMethod BOTTOMUP in place of HoursPerDay (it has no tblForecast)."""
    payload = book_payload(str(book_file))
    config = next(s for s in payload["sheets"] if s["name"] == "Config")
    config["values"][2][:2] = ["EACMethod", "BOTTOMUP"]
    return payload


def close(actual: Any, expected: Any) -> bool:
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(close(a, e) for a, e in zip(actual, expected, strict=True)))
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return (isinstance(actual, (int, float)) and not isinstance(actual, bool)
                and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9))
    if isinstance(expected, dt.datetime) and isinstance(actual, dt.datetime):
        return abs((actual - expected).total_seconds()) < 1
    return actual == expected


def test_meta_lists_all_36_functions_with_help(server):
    import xlpmo.functions as pmo

    functions = server["meta"]["functions"]["functions"]
    names = sorted(f["name"] for f in functions)
    assert names == sorted(f"PMO.{n}" for n in pmo.__all__)
    for f in functions:
        assert f["id"] == "PMO_" + f["name"].split(".")[1]
        assert f["description"] and "\n" not in f["description"]
        for p in f["parameters"]:
            assert p["description"] and not p["description"].startswith("Positional"), (
                f["name"], p["name"])
    eac = next(f for f in functions if f["name"] == "PMO.EAC")
    assert [p["name"] for p in eac["parameters"]] == [
        "bac", "ev", "ac", "method", "pv", "weight", "etc"]
    assert [p.get("optional", False) for p in eac["parameters"]] == [False] * 3 + [True] * 4


def test_meta_lists_the_six_scripts(server):
    scripts = {s["function_name"]: s["name"] for s in server["meta"]["scripts"]}
    assert scripts == {"refresh": "Refresh", "validate": "Validate",
                       "import_actuals": "Import actuals", "close_period": "Close period",
                       "new_project": "New project", "report": "Report"}


def test_scripts_leave_out_the_sheets_they_never_read(server):
    """Issue #16: the Office.js client sends a script only what it reads; a pasted export
    (Import) and the Report sheet are left out where a script does not use them."""
    left_out = {s["function_name"]: s.get("exclude") for s in server["meta"]["scripts"]}
    assert left_out == {"refresh": "Import,Report", "validate": "Import,Report",
                        "close_period": "Import,Report", "new_project": "Import,Report",
                        "import_actuals": "Report", "report": "Import"}


def test_dashboard_buttons_run_refresh_validate_and_report(server):
    """xlwings registers a sheet button from the script's ``button`` reference: the
    template's shape name and the cell its hyperlink selects (test_template checks the
    shapes)."""
    buttons = {s["name"]: (s["button"], s["show_taskpane"]) for s in server["meta"]["scripts"]}
    assert buttons == {
        "Refresh": ("[xlpmo_refresh]Dashboard!F3", True),
        "Validate": ("[xlpmo_validate]Dashboard!H3", True),
        "Report": ("[xlpmo_report]Dashboard!J3", True),
        "Import actuals": (None, None), "Close period": (None, None), "New project": (None, None),
    }


def test_catalogue_comes_from_xlwings_and_matches_the_plain_one(server):
    from xlpmo_udfs.catalogue import catalogue

    from_server = server["meta"]["catalogue"]
    assert [e["name"] for e in from_server][:4] == ["CV", "SV", "CPI", "SPI"]
    assert from_server == catalogue()  # the no-op decorators' record says the same


@pytest.mark.parametrize("index", range(len(CALLS)),
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_function_call(server, index):
    import xlpmo

    func, _args, expected = CALLS[index]
    raw = server["calls"][index]
    assert not (isinstance(raw, dict) and "exception" in raw), raw
    result = decode(raw)
    if callable(expected):
        expected(result)
    elif expected == "version":
        assert result == [[xlpmo.__version__]]
    elif expected == "band":
        (low, high), = result
        assert low < 135 < high  # the LINEAR forecast of period 6 lies inside
    else:
        assert close(result, expected), (func, result)
    flat = [c for row in raw for c in row] if isinstance(raw, list) else [raw]
    assert not any(isinstance(c, float) and math.isnan(c) for c in flat)  # NaN never shown


def test_table_functions_spill_their_tables_with_headers(server):
    from xlpmo.contract import tables

    evm, var, fc, util, plan = (decode(r) for r in server["tables"])
    for result, spec in ((evm, tables.EVM), (var, tables.VARIANCE),
                         (fc, tables.FORECAST_OUT), (util, tables.UTILISATION)):
        assert not (isinstance(result, dict)), result
        assert result[0] == spec.column_names, (spec.name, result[:2])
    head = evm[0]
    p1 = dict(zip(head, evm[1], strict=True))
    assert p1["ProjectID"] == "P1"
    # P1 at the end of Feb 2026: PV 600, EV 50 % of 1000 = 500, AC 600
    assert close([p1["PV"], p1["EV"], p1["AC"]], [600, 500, 600])
    assert close(p1["CPI"], 500 / 600) and close(p1["SPI"], 500 / 600)
    u = dict(zip(util[0], util[1], strict=True))
    assert close([u["CapacityHours"], u["AllocatedHours"], u["ActualHours"]], [160, 150, 100])
    assert close(u["Utilisation"], 100 / 160)
    # PMO.CAPACITYPLAN: Feb 2026 has 20 weekdays, Mar 2026 22 (no holidays: no Country);
    # months Feb (first allocation = status month) .. Mar (PlanningHorizon 1)
    assert plan[0] == xlpmo_tables.CAPACITY_PLAN.column_names
    D26 = [D(2026, 2, 1), D(2026, 3, 1)]
    want = [  # Group, Period, Headcount, Capacity, Named, Unnamed, Demand, Gap, Util, RAG
        ["Data Scientist", D26[0], 0, 0, 0, 0, 0, 0, "#DIV/0!", "#DIV/0!"],
        ["Data Scientist", D26[1], 0, 0, 0, 40, 40, -40, "#DIV/0!", "Red"],
        # 20 d x 8 h x (1 + 0.5) = 240; 150 named; 150/240 = 0.625 (not below 0.8 - 0.2)
        ["Developer", D26[0], 1.5, 240, 150, 0, 150, 90, 0.625, "Green"],
        # 22 d x 8 h x 1.5 = 264; unnamed 100 % of 22 d x 8 h = 176; 176/264 = 2/3
        ["Developer", D26[1], 1.5, 264, 0, 176, 176, 88, 176 / 264, "Green"],
    ]
    assert close(plan[1:], want), plan


# -- the commands on a JSON book ------------------------------------------------------------------

SCRIPT_RUNS: dict[str, list[dict]] = {
    "refresh": [{"script": "refresh"}],
    "validate": [{"script": "validate"}],
    "import": [{"script": "import_actuals"}, {"script": "import_actuals"}],
    "close": [{"script": "close_period"}],
    "new_project": [{"script": "new_project", "args": ["P9", "Gamma", "", ""],
                     "selection": ("Projects", "B2")},  # on P1's row: Core, Ann
                    {"script": "new_project", "args": []}],
    "report": [{"script": "refresh"}, {"script": "report"}],
    "classic_run": [{"run": "refresh"}, {"run": "validate"}],
}




@pytest.fixture(scope="module")
def book_file(tmp_path_factory):
    """A small standard PMO workbook with real Excel Tables (openpyxl)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Config"
    _table(ws, "tblConfig", [["Setting", "Value"], ["StatusDate", D(2026, 2, 28)],
                             ["HoursPerDay", 8], ["LastRefreshed", None]])
    _table(wb.create_sheet("Projects"), "tblProjects", [
        ["ProjectID", "ProjectName", "Portfolio", "Manager", "Status", "BAC"],
        ["P1", "Alpha", "Core", "Ann", "Active", 1000],
        ["P2", "Beta", "Core", "Bob", "Active", 200],
        ["0042", "Gamma", "Growth", "Cy", "Active", 500]])
    _table(wb.create_sheet("Plan"), "tblPlan", [
        ["ProjectID", "CostType", "2026-01", "2026-02", "2026-03"],
        ["P1", "Labour", 300, 300, 400], ["P2", "Labour", 100, 100, None],
        ["0042", "Labour", 100, 200, 200]])
    _table(wb.create_sheet("Actuals"), "tblActuals", [
        ["ProjectID", "Period", "CostType", "Actual"],
        ["P1", D(2026, 1, 1), "Labour", 350], ["P1", D(2026, 2, 1), "Labour", 250],
        ["P2", D(2026, 1, 1), "Labour", 90], ["P2", D(2026, 2, 1), "Labour", "abc"],
        ["0042", D(2026, 1, 1), "Labour", 100]])
    _table(wb.create_sheet("Progress"), "tblProgress", [
        ["ProjectID", "Period", "PercentComplete", "Earned"],
        ["P1", D(2026, 2, 1), 0.5, None], ["P2", D(2026, 2, 1), 0.9, None],
        ["0042", D(2026, 2, 1), None, 250]])
    _table(wb.create_sheet("Resources"), "tblResources", [
        ["ResourceID", "Name", "FTE", "HoursPerWeek"], ["R1", "Ann", 1, 40],
        ["R2", "Bob", 0.5, 40]])
    _table(wb.create_sheet("Timesheets"), "tblTimesheets", [
        ["ResourceID", "ProjectID", "Date", "Hours", "Billable"],
        ["R1", "P1", D(2026, 2, 2), 100, True], ["R2", "P2", D(2026, 2, 3), 40, False]])
    _table(wb.create_sheet("Allocations"), "tblAllocations", [
        ["ResourceID", "ProjectID", "Period", "Hours", "Percent"],
        ["R1", "P1", D(2026, 2, 1), 150, None], ["R2", "P2", D(2026, 2, 1), None, 1.5]])
    dash = wb.create_sheet("Dashboard")  # an existing, stale tblEVM to be resized
    _table(dash, "tblEVM", [list(EVM_COLUMNS), ["OLD", *[None] * (len(EVM_COLUMNS) - 1)]])
    imp = wb.create_sheet("Import")  # a finance export pasted in
    for r, row in enumerate([
        ["Project Code", "Posting Date", "Cost Category", "Amount (GBP)"],
        ["P1", "2026-01-20", "Labour", "350"],       # already in tblActuals
        ["P2", "2026-03-05", "Labour", "1,250.50"],  # new
        ["=1+2", "2026-03-06", "Labour", "(10)"],    # text that must stay text
        ["0042", "2026-03-07", "Labour", "5"],       # an ID that must stay 0042
    ], start=1):
        for c, v in enumerate(row, start=1):
            cell = imp.cell(r, c, v)
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"  # text in the export, not a formula
    path = tmp_path_factory.mktemp("book") / "pmo.xlsx"
    wb.save(path)
    return path


EVM_COLUMNS = xlpmo_tables.EVM.column_names


@pytest.fixture(scope="module")
def wide_file(tmp_path_factory):
    """A wide tblActuals holding 59,000 for P05 Labour in March, and a late invoice of
    2,000 for that month pasted into a sheet named Import (helpers.exports.wide_book)."""
    import openpyxl
    from helpers.exports import wide_book

    path = wide_book(tmp_path_factory.mktemp("wide") / "wide.xlsx")
    wb = openpyxl.load_workbook(path)
    imp = wb.create_sheet("Import")
    for row in [["Invoice", "Project", "Posting Date", "Cost Type", "Amount"],
                ["INV-7001", "P05", "2026-03-30", "Labour", "2,000.00"]]:
        imp.append(row)
    wb.save(path)
    return path






def run_ok(server, name: str) -> dict:
    run = server["runs"][name]
    for step in run["steps"]:
        assert "exception" not in step, step
    return run




def test_refresh_in_excel_writes_the_compute_steps_findings(server):
    """Issue #10 item 10: the in-Excel Refresh puts the compute step's findings into
    tblChecks, as the file refresh does (EACMethod BOTTOMUP without tblForecast)."""
    run = run_ok(server, "bottom_up")
    checks = records(run["payload"], "tblChecks")
    found = [r for r in checks if "BOTTOMUP" in str(r["Message"])]
    assert [(r["Severity"], r["Table"]) for r in found] == [("Warning", "tblForecast")]
    evm = {r["ProjectID"]: r for r in records(run["payload"], "tblEVM")}
    assert evm["P1"]["EAC"] == "#N/A"


def test_refresh_writes_every_output_table(server):
    run = run_ok(server, "refresh")
    payload = run["payload"]
    evm = {r["ProjectID"]: r for r in records(payload, "tblEVM")}
    assert set(evm) == {"P1", "P2", "0042"}  # the stale OLD row is gone, 0042 kept as text
    p1 = evm["P1"]
    assert close([p1["PV"], p1["EV"], p1["AC"]], [600, 500, 600])
    assert close(p1["CPI"], 500 / 600)
    assert p1["StatusDate"].startswith("2026-02-28")
    portfolio = records(payload, "tblPortfolio")
    assert {"Core", "Growth"} <= {r["Portfolio"] for r in portfolio}
    for name in ("tblVariance", "tblForecastOut", "tblUtilisation", "tblTrend", "tblChecks"):
        _sheet, cells = read_table(payload, name)
        assert cells[0] == xlpmo_tables.spec(name).column_names
    util = {(r["ResourceID"]): r for r in records(payload, "tblUtilisation")
            if str(r["Period"]).startswith("2026-02")}
    assert close(util["R1"]["ActualHours"], 100)
    # tblCapacityPlan on its own new sheet: no Role column, so one group "(blank)", Feb 2026
    # (the status month) to Feb 2027 (PlanningHorizon 12)
    sheet, _cells = read_table(payload, "tblCapacityPlan")
    plan = records(payload, "tblCapacityPlan")
    assert sheet == "CapacityPlan" and len(plan) == 13
    feb = next(r for r in plan if str(r["Period"]).startswith("2026-02"))
    # Feb 2026: 20 weekdays x 8 h x (1 + 0.5 FTE) = 240 h; R1 150 h + R2 150 % of 80 h = 270 h
    assert feb["Group"] == "(blank)" and feb["RAG"] == "Red"
    assert close([feb["CapacityHours"], feb["NamedDemandHours"], feb["GapHours"]],
                 [240, 270, -30])
    config = {r["Setting"]: r["Value"] for r in records(payload, "tblConfig")}
    assert config["LastRefreshed"] and config["RefreshedBy"]
    assert not any(isinstance(v, str) and v.startswith("=") for v in written_values(run))


def test_validate_writes_checks_and_selects_the_bad_cell(server):
    run = run_ok(server, "validate")
    payload = run["payload"]
    checks = records(payload, "tblChecks")
    bad = [c for c in checks if c["Cell"] == "Actuals!D5"]
    assert bad, checks  # the text "abc" in Actual
    sheet = payload["sheets"][payload["book"]["active_sheet_index"]]["name"]
    first = next(c for c in checks if c["Severity"] == "Error" and "!" in c["Cell"]) if any(
        c["Severity"] == "Error" for c in checks) else bad[0]
    assert f"{sheet}!{payload['book']['selection'].split(':')[0]}" == first["Cell"]


def test_import_actuals_appends_the_export_once_and_keeps_text(server):
    run = run_ok(server, "import")
    payload = run["payload"]
    rows = records(payload, "tblActuals")
    # 5 rows before; the export's 4 appended by the first run, nothing by the second. The
    # P1 January posting is imported although the table holds an equal row: that row was
    # typed, not imported, and two equal postings are two postings (tblImportLog decides)
    assert len(rows) == 9
    assert [(r["ProjectID"], str(r["Period"])[:7], r["Actual"]) for r in rows[5:]] == [
        ("P1", "2026-01", 350), ("P2", "2026-03", 1250.5), ("=1+2", "2026-03", -10),
        ("0042", "2026-03", 5)]  # text stays text (written as '=1+2, '0042)
    assert [a["func"] for a in run["steps"][1]["actions"]] == []  # the second run: nothing
    log = records(payload, "tblImportLog")
    assert [(r["Source"], r["Table"], r["Rows"]) for r in log] == [
        ("sheet Import", "tblActuals", 1)] * 4
    assert log[0]["Reference"] == "P1 | 2026-01 | Labour | 350"  # the whole row, no reference
    assert "'=1+2" in written_values(run)


def test_close_period_snapshots_evm_and_moves_the_status_date(server):
    run = run_ok(server, "close")
    payload = run["payload"]
    history = records(payload, "tblHistory")
    assert [r["ProjectID"] for r in history] == ["P1", "P2", "0042"]
    assert all(r["StatusDate"].startswith("2026-02-28") for r in history)
    assert all(r["ClosedOn"] for r in history)
    config = {r["Setting"]: r["Value"] for r in records(payload, "tblConfig")}
    assert str(config["StatusDate"]).startswith("2026-03-31")


def test_a_late_invoice_is_added_to_its_month_once_in_excel(server):
    """functions.md: a late invoice of 2,000 on a month holding 59,000 makes 61,000 (the
    command set the cell to 2,000); imported twice, counted once."""
    run = run_ok(server, "wide")
    payload = run["payload"]
    actuals = {(r["ProjectID"], r["CostType"]): r for r in records(payload, "tblActuals")}
    assert actuals[("P05", "Labour")]["Mar 2026"] == 61000
    assert actuals[("P05", "Labour")]["Feb 2026"] == 50000
    assert [(r["Source"], r["Reference"], r["Rows"]) for r in
            records(payload, "tblImportLog")] == [("sheet Import", "INV-7001", 1)]
    assert [a["func"] for a in run["steps"][1]["actions"]] == []  # the second: nothing
    # Close period twice: March, then April, one snapshot each
    history = records(payload, "tblHistory")
    assert [(r["ProjectID"], str(r["StatusDate"])[:10]) for r in history] == [
        ("P05", "2026-03-31"), ("P06", "2026-03-31"), ("P05", "2026-04-30"),
        ("P06", "2026-04-30")]
    config = {r["Setting"]: r["Value"] for r in records(payload, "tblConfig")}
    assert str(config["StatusDate"]).startswith("2026-05-31")


def test_new_project_adds_project_and_plan_rows(server):
    run = run_ok(server, "new_project")
    payload = run["payload"]
    projects = records(payload, "tblProjects")
    # P9 as given, then the next after the highest number in the book's pattern: 0043
    assert [p["ProjectID"] for p in projects][-2:] == ["P9", "0043"]
    assert projects[-2]["ProjectName"] == "Gamma"
    assert (projects[-2]["Portfolio"], projects[-2]["Manager"]) == ("Core", "Ann")
    plan = [r["ProjectID"] for r in records(payload, "tblPlan")]
    assert plan[-2:] == ["P9", "0043"]


def test_report_builds_charts(server):
    run = run_ok(server, "report")
    payload = run["payload"]
    report = next(s for s in payload["sheets"] if s["name"] == "Report")
    names = [c["name"] for c in report["charts"]]
    assert "Portfolio CPI and SPI" in names
    assert {f"S-curve {p}" for p in ("P1", "P2", "0042")} <= set(names)
    actions = [a["func"] for step in run["steps"] for a in step["actions"]]
    assert "addConditionalFormat" in " ".join(actions) or any(
        "onditional" in a for a in actions)


def test_classic_run_dispatches_by_button_id(server):
    from xlpmo_udfs import commands

    assert set(commands.COMMANDS) == {"refresh", "validate", "import_actuals", "close_period",
                                      "new_project", "report"}
    run = run_ok(server, "classic_run")
    assert {r["ProjectID"] for r in records(run["payload"], "tblEVM")} == {"P1", "P2", "0042"}
    assert records(run["payload"], "tblChecks")
    with pytest.raises(ValueError):
        commands.run("format_disk", book=object())


def test_every_catalogue_function_is_called_through_xlwings():
    import xlpmo.functions as pmo

    called = {f for f, _a, _e in CALLS} | {f for f, _a in TABLE_CALLS}
    assert called == {f"PMO_{n}" for n in pmo.__all__}


def test_every_optional_argument_gets_a_real_value_in_some_call():
    """An adapter that drops an optional argument or swaps two passes every call that omits
    them; so each optional argument of each function has a value in at least one call."""
    import inspect

    import xlpmo.functions as pmo

    given = {(f, p.name) for f, args, *_ in [*CALLS, *TABLE_CALLS]
             for p, a in zip(inspect.signature(getattr(pmo, f[4:])).parameters.values(), args,
                             strict=False) if a is not None}
    optional = {(f"PMO_{n}", p.name) for n in pmo.__all__
                for p in inspect.signature(getattr(pmo, n)).parameters.values()
                if p.default is not inspect.Parameter.empty}
    assert sorted(optional - given) == []


TEMPLATE = Path(__file__).resolve().parents[2] / "workbook" / "PMO_Tracker.xlsx"
EXPORT = [["Project", "Period", "Cost type", "Amount"],
          ["PRJ-101", "2026-11", "Labour", "12,500"],
          ["PRJ-101", "2026-11", "Labour", "500"],
          ["NEW-9", "2026-11", "Labour", "100"]]


def template_payload() -> dict:
    """The committed template as the Office.js client would send it, with an export pasted
    into a sheet named Import."""
    payload = book_payload(str(TEMPLATE))
    payload["sheets"].append({"name": "Import", "values": EXPORT, "pictures": [], "shapes": [],
                              "charts": [], "notes": [], "tables": [], "pivot_tables": [],
                              "show_gridlines": True, "visibility": "Visible",
                              "print_area": None})
    return payload


@pytest.mark.skipif(not TEMPLATE.exists(), reason="no committed template")
def test_commands_on_the_committed_template(server):
    run = run_ok(server, "template")
    payload = run["payload"]
    evm = records(payload, "tblEVM")
    assert evm and all(r["ProjectID"] for r in evm)
    for r in evm:  # an index is a number or an Excel error, never NaN or a formula
        assert isinstance(r["CPI"], float) or str(r["CPI"]).startswith("#")
    _sheet, actuals = read_table(payload, "tblActuals")
    month = actuals[0].index("Nov 2026")  # the template's month headers
    rows = {(r[0], r[1]): r for r in actuals[1:]}
    # the export's November total for PRJ-101 Labour is set once: imported twice, not doubled
    assert rows[("PRJ-101", "Labour")][month] == 13000.0
    assert rows[("NEW-9", "Labour")][month] == 100.0
    assert len(rows) == len(actuals) - 1  # no duplicate rows
    report = next(s for s in payload["sheets"] if s["name"] == "Report")
    assert len(report["charts"]) >= 2
    # Refresh in Excel goes through app/commands.refresh: tblTrend on its Trend sheet, and
    # the compute step's findings in tblChecks. PRJ-101's first month (Apr 2026): EV 5,500,
    # AC 5,644, so EAC = BAC / CPI = 275,000 × 5,644 / 5,500 = 282,200
    sheet, _cells = read_table(payload, "tblTrend")
    trend = records(payload, "tblTrend")
    assert sheet == "Trend" and {r["ProjectID"] for r in trend} == {
        "PRJ-101", "PRJ-102", "PRJ-103"}
    first = next(r for r in trend if r["ProjectID"] == "PRJ-101")
    assert str(first["Period"]).startswith("2026-04-01")
    assert close([first["EV"], first["AC"], first["EAC"]], [5500, 5644, 282200])
    # PRJ-103's January (EV 0, AC 0: nothing grew) is left out of its EAC range
    left_out = [r for r in records(payload, "tblChecks")
                if "left out of the statistical EAC range" in str(r["Message"])]
    assert [(r["Severity"], r["Cell"]) for r in left_out] == [("Info", "Progress!B19")]
    assert "'PRJ-103'" in left_out[0]["Message"]
    # each script got the book as the client sends it (helpers.xlwings_server: as_client):
    # Refresh wrote nothing on Import or Report, and a Refresh after the Report left it
    names = [s["name"] for s in payload["sheets"]]
    for step in (run["steps"][0], run["steps"][4]):
        touched = {names[a["sheet_position"]] for a in step["actions"]
                   if a.get("sheet_position") is not None}
        assert "Dashboard" in touched and not touched & {"Import", "Report"}
