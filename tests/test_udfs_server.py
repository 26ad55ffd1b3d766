"""The xlwings layer through xlwings' real server code (the one xlwings Lite and Office.js use).

xlwings picks its decorators when it is first imported, so these checks run in a child
process started with ``XLWINGS_ON_SERVER=true`` and ``XLWINGS_LICENSE_KEY=noncommercial``
(xlwings PRO's noncommercial licence, for tests only): this very file, run as a script,
reads JSON requests on stdin and answers on stdout. The pytest process never sets those
variables, so other tests see xlwings as they always do.

Requests: ``meta`` (custom_functions_meta / custom_scripts_meta of the Lite plugin module
and :func:`xlpmo_udfs.catalogue.catalogue`), ``call`` (custom_functions_call with an
Office.js-shaped payload) and ``scripts`` (custom_scripts_call on a JSON book, the
returned actions applied to the book's JSON as Excel would, step after step).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonbook import VERSION, a1, book_payload, parse_a1, table_entry

from xlpmo import tables as xlpmo_tables  # no xlwings import: safe in both processes

SERVER_ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
CALL_BASE = {"caller_address": "Sheet1!B2", "version": VERSION, "client": "Office.js",
             "culture_info_name": "en-US", "date_format": "M/d/yyyy", "runtime": "1.4"}
ERROR_TYPES = {"#DIV/0!": "Div0", "#N/A": "NotAvailable", "#NAME?": "Name", "#NULL!": "Null",
               "#NUM!": "Num", "#REF!": "Ref", "#VALUE!": "Value"}
TEXT_OF_TYPE = {v: k for k, v in ERROR_TYPES.items()}
EPOCH = dt.datetime(1899, 12, 30)


def err(text: str) -> dict:
    """An error cell as Office.js sends it."""
    return {"type": "Error", "basicValue": text, "errorType": ERROR_TYPES[text]}


def serial(y: int, m: int, d: int) -> float:
    return float((dt.datetime(y, m, d) - EPOCH).days)


def decode(value: Any) -> Any:
    """An Office.js result cell back to plain values: error objects -> their text,
    date-formatted numbers -> datetime, "" -> None."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict) and value.get("type") == "Error":
        return TEXT_OF_TYPE[value["errorType"]]
    if isinstance(value, dict) and value.get("type") == "FormattedNumber":
        return EPOCH + dt.timedelta(days=value["basicValue"])
    return None if value == "" else value


# -- Excel applying a script's actions to the JSON book (jsonbook.book_payload builds it) --



_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")


def excel_enters(value: Any) -> Any:
    """What Excel stores when a script writes ``value`` (Office.js ``values`` setter),
    as it comes back in the next payload. A formula is refused outright: the commands
    must write values only."""
    if isinstance(value, str):
        assert not value.startswith("="), f"a formula was written: {value!r}"
        if value.startswith("'"):
            return value[1:]
        if _ISO_DATE.match(value):
            return value.replace(" ", "T") + (".000Z" if " " in value else "T00:00:00.000Z")
    return "" if value is None else value


def apply_actions(payload: dict, actions: list[dict]) -> dict:
    """Apply the actions a script returned to the JSON book, as the Office.js client does
    in Excel (the subset the commands use); unknown actions are recorded only."""
    sheets = payload["sheets"]
    for act in actions:
        func, args = act["func"], act["args"]
        sheet = sheets[act["sheet_position"]] if act.get("sheet_position") is not None else None
        if func == "setValues":
            grid = sheet["values"]
            r0, c0 = act["start_row"], act["start_column"]
            rows = act["values"]
            need_r, need_c = r0 + len(rows), c0 + max(len(r) for r in rows)
            width = max(need_c, max((len(r) for r in grid), default=0))
            for r in grid:
                r.extend([""] * (width - len(r)))
            while len(grid) < need_r:
                grid.append([""] * width)
            for i, row in enumerate(rows):
                for j, v in enumerate(row):
                    grid[r0 + i][c0 + j] = excel_enters(v)
        elif func in ("rangeClearContents", "rangeClear"):
            grid = sheet["values"]
            for i in range(act["start_row"], act["start_row"] + act["row_count"]):
                for j in range(act["start_column"], act["start_column"] + act["column_count"]):
                    if i < len(grid) and j < len(grid[i]):
                        grid[i][j] = ""
        elif func == "resizeTable":
            index, address = args
            old = sheet["tables"][index]
            sheet["tables"][index] = {**table_entry(old["name"], *parse_a1(address))}
        elif func == "addTable":
            address, _headers, _style, name = args
            sheet["tables"] = [t for t in sheet["tables"] if t.get("name")]
            sheet["tables"].append(table_entry(name, *parse_a1(address)))
        elif func == "addSheet":
            index, name = args
            sheets.insert(index, {"name": name, "values": [[]], "pictures": [], "shapes": [],
                                  "charts": [], "notes": [], "tables": [],
                                  "pivot_tables": [], "show_gridlines": True,
                                  "visibility": "Visible", "print_area": None})
        elif func == "sheetDelete":
            del sheets[act["sheet_position"]]
        elif func == "addChart":
            sheet["charts"].append({"name": args[0], "chart_type": args[1], "source": args[3]})
        elif func == "rangeSelect":
            payload["book"]["selection"] = a1(act["start_row"] + 1, act["start_column"] + 1,
                                              act["start_row"] + act["row_count"],
                                              act["start_column"] + act["column_count"])
            payload["book"]["active_sheet_index"] = act["sheet_position"]
    for s in sheets:  # the payload's values are a rectangle anchored at A1
        width = max((len(r) for r in s["values"]), default=0)
        for r in s["values"]:
            r.extend([""] * (width - len(r)))
    return payload


# -- the child process --------------------------------------------------------------------------


def _serve() -> None:
    import asyncio

    import xlpmo_udfs.lite as lite
    import xlwings as xw
    import xlwings.server as server
    from xlpmo_udfs.catalogue import catalogue

    async def call(req: dict) -> Any:
        try:
            return await server.custom_functions_call(
                {**CALL_BASE, "func_name": req["func"], "args": req["args"]}, lite)
        except Exception as exc:  # reported to the test, which fails on it
            return {"exception": repr(exc)}

    async def scripts(req: dict) -> Any:
        payload = req["payload"]
        steps = []
        for step in req["steps"]:
            if step.get("selection"):
                sheet, cell = step["selection"]
                payload["book"]["active_sheet_index"] = next(
                    i for i, s in enumerate(payload["sheets"]) if s["name"] == sheet)
                payload["book"]["selection"] = cell
            book = xw.Book(json=copy.deepcopy(payload))
            try:
                if "run" in step:  # the classic ribbon's dispatcher, on the same Book API
                    from xlpmo_udfs import commands

                    commands.run(step["run"], book)
                else:
                    book = await server.custom_scripts_call(
                        lite, step["script"], typehint_to_value={xw.Book: book},
                        args=step.get("args", []))
            except Exception as exc:
                steps.append({"exception": repr(exc)})
                break
            actions = book.json()["actions"]
            payload = apply_actions(payload, copy.deepcopy(actions))
            steps.append({"actions": actions})
        return {"steps": steps, "payload": payload}

    async def main() -> list:
        out = []
        for req in json.load(sys.stdin):
            if req["kind"] == "meta":
                out.append({"functions": server.custom_functions_meta(lite),
                            "scripts": server.custom_scripts_meta(lite),
                            "catalogue": catalogue()})
            elif req["kind"] == "call":
                out.append(await call(req))
            elif req["kind"] == "scripts":
                out.append(await scripts(req))
        return out

    results = asyncio.run(main())
    sys.stdout.write("\n@@RESULTS@@\n" + json.dumps(results, default=str))


def run_server(requests: list[dict]) -> list:
    """Run ``requests`` in a child process with xlwings in server mode."""
    env = {**os.environ, **SERVER_ENV}
    proc = subprocess.run([sys.executable, __file__], input=json.dumps(requests, default=str),
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.split("\n@@RESULTS@@\n", 1)[1])


if __name__ == "__main__":
    _serve()
    sys.exit(0)


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
     [[D(2026, 3, 1)]]),
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

TABLE_CALLS: list[tuple[str, list]] = [
    ("PMO_EVM", [PROJECTS, PLAN, ACTUALS, PROGRESS, STATUS, N, N]),
    ("PMO_VARTABLE", [PLAN, ACTUALS, STATUS, N, N]),
    ("PMO_FORECASTTABLE", [PLAN, ACTUALS, FORECAST_T, STATUS, N, N]),
    ("PMO_UTILTABLE", [RESOURCES, TIMESHEETS, ALLOCATIONS, N, N,
                       [[serial(2026, 2, 1)], [serial(2026, 3, 1)]], N, N]),
]


def plain_args(args: list) -> list:
    """The same arguments for the plain-Python catalogue (None for an omitted one)."""
    return list(args)


# -- one child process for the whole module ---------------------------------------------------

@pytest.fixture(scope="module")
def server(book_file) -> dict:
    requests: list[dict] = [{"kind": "meta"}]
    requests += [{"kind": "call", "func": f, "args": a} for f, a, _ in CALLS]
    requests += [{"kind": "call", "func": f, "args": a} for f, a in TABLE_CALLS]
    requests += [{"kind": "scripts", "payload": book_payload(str(book_file)), "steps": s}
                 for s in SCRIPT_RUNS.values()]
    if TEMPLATE.exists():
        requests.append({"kind": "scripts", "payload": template_payload(),
                         "steps": [{"script": "refresh"}, {"script": "import_actuals"},
                                   {"script": "import_actuals"}, {"script": "report"}]})
    results = run_server(requests)
    meta = results[0]
    calls = results[1:1 + len(CALLS)]
    tables = results[1 + len(CALLS):1 + len(CALLS) + len(TABLE_CALLS)]
    rest = results[1 + len(CALLS) + len(TABLE_CALLS):]
    runs = dict(zip(SCRIPT_RUNS, rest[:len(SCRIPT_RUNS)], strict=True))
    if TEMPLATE.exists():
        runs["template"] = rest[len(SCRIPT_RUNS)]
    return {"meta": meta, "calls": calls, "tables": tables, "runs": runs}


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


def test_meta_lists_all_33_functions_with_help(server):
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
    if expected == "version":
        assert result == [[xlpmo.__version__]]
    elif expected == "band":
        (low, high), = result
        assert low < 135 < high  # the LINEAR forecast of period 6 lies inside
    else:
        assert close(result, expected), (func, result)
    flat = [c for row in raw for c in row] if isinstance(raw, list) else [raw]
    assert not any(isinstance(c, float) and math.isnan(c) for c in flat)  # NaN never shown


def test_table_functions_spill_their_tables_with_headers(server):
    from xlpmo import tables

    evm, var, fc, util = (decode(r) for r in server["tables"])
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


def _table(ws, name: str, rows: list[list[Any]], top: int = 1, left: int = 1) -> None:
    from openpyxl.worksheet.table import Table

    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            ws.cell(top + i, left + j, v)
    ref = a1(top, left, top + len(rows) - 1, left + len(rows[0]) - 1)
    ws.add_table(Table(displayName=name, ref=ref))


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


def read_table(payload: dict, name: str) -> tuple[str, list[list[Any]]]:
    """(sheet, cells with header) of an Excel Table in a JSON book."""
    for sheet in payload["sheets"]:
        for t in sheet["tables"]:
            if t["name"].lower() == name.lower():
                r1, c1, r2, c2 = parse_a1(t["range_address"])
                grid = sheet["values"]
                cells = [[(grid[r][c] if r < len(grid) and c < len(grid[r]) else "")
                          for c in range(c1 - 1, c2)] for r in range(r1 - 1, r2)]
                return sheet["name"], [[None if v == "" else v for v in row] for row in cells]
    raise KeyError(name)


def records(payload: dict, name: str) -> list[dict]:
    _sheet, cells = read_table(payload, name)
    return [dict(zip(cells[0], row, strict=True)) for row in cells[1:]
            if any(v is not None for v in row)]


def run_ok(server, name: str) -> dict:
    run = server["runs"][name]
    for step in run["steps"]:
        assert "exception" not in step, step
    return run


def written_values(run: dict) -> list[Any]:
    return [v for step in run["steps"] for act in step["actions"]
            if act["func"] == "setValues" for row in act["values"] for v in row]


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
    for name in ("tblVariance", "tblForecastOut", "tblUtilisation", "tblChecks"):
        _sheet, cells = read_table(payload, name)
        assert cells[0] == xlpmo_tables.spec(name).column_names
    util = {(r["ResourceID"]): r for r in records(payload, "tblUtilisation")
            if str(r["Period"]).startswith("2026-02")}
    assert close(util["R1"]["ActualHours"], 100)
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


def test_import_actuals_appends_new_rows_once_and_keeps_text(server):
    run = run_ok(server, "import")
    rows = records(run["payload"], "tblActuals")
    ids = [r["ProjectID"] for r in rows]
    assert ids.count("P1") == 2  # the P1 January row was already there
    assert "=1+2" in ids and "0042" in ids  # text stays text (written as '=1+2, '0042)
    new = [r for r in rows if str(r["Period"]).startswith("2026-03")]
    assert sorted((r["ProjectID"], r["Actual"]) for r in new) == [
        ("0042", 5.0), ("=1+2", -10.0), ("P2", 1250.5)]
    second = run["steps"][1]["actions"]
    assert len(rows) == 8  # 5 before, 3 added by the first run, none by the second
    assert second, "the second import still rewrites the table (unchanged)"
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


TEMPLATE = Path(__file__).resolve().parents[1] / "workbook" / "PMO_Tracker.xlsx"
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
