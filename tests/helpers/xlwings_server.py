"""The xlwings layer through xlwings' real server code (the one xlwings Lite and Office.js use).

xlwings picks its decorators when it is first imported, so these checks run in a child
process started with ``XLWINGS_ON_SERVER=true`` and ``XLWINGS_LICENSE_KEY=noncommercial``
(xlwings PRO's noncommercial licence, for tests only): this module, run as a script,
reads JSON requests on stdin and answers on stdout. The pytest process never sets those
variables, so other tests see xlwings as they always do.

Requests: ``meta`` (custom_functions_meta / custom_scripts_meta of the Lite plugin module
and :func:`xlpmo_udfs.catalogue.catalogue`), ``call`` (custom_functions_call with an
Office.js-shaped payload), ``scripts`` (custom_scripts_call on a JSON book, the
returned actions applied to the book's JSON as Excel would, step after step; with
``as_client`` each script gets the book without the sheets it excludes, as the Office.js
client sends it) and
``probe`` (a check of :mod:`helpers.officejs_probes` by name).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from typing import Any

SERVER_ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
VERSION = "0.37.8"
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


# -- the JSON book: what the Office.js client sends, and Excel applying the actions ----------

A1 = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def parse_a1(address: str) -> tuple[int, int, int, int]:
    m = A1.match(address.split("!")[-1])
    assert m, address
    r1, c1 = int(m[2]), col_number(m[1])
    r2, c2 = (int(m[4]), col_number(m[3])) if m[3] else (r1, c1)
    return r1, c1, r2, c2


def a1(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{col_letters(c1)}{r1}:{col_letters(c2)}{r2}"


def table_entry(name: str, r1: int, c1: int, r2: int, c2: int) -> dict:
    return {
        "name": name, "range_address": a1(r1, c1, r2, c2),
        "header_row_range_address": a1(r1, c1, r1, c2),
        "data_body_range_address": a1(r1 + 1, c1, r2, c2), "total_row_range_address": None,
        "show_headers": True, "show_totals": False, "table_style": "TableStyleMedium2",
        "show_autofilter": True, "row_count": r2 - r1 + 1, "column_count": c2 - c1 + 1,
        "show_table_style_first_column": False, "show_table_style_last_column": False,
        "show_table_style_row_stripes": True, "show_table_style_column_stripes": False,
    }


def json_cell(value: Any) -> Any:
    """A cell as Office.js sends it: dates as ISO text with Z, blanks as ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value


def book_payload(path: str, include: Iterable[str] | None = None,
                 exclude: Iterable[str] | None = None) -> dict:
    """Read an .xlsx with openpyxl into the JSON book the Office.js client sends.

    ``include`` / ``exclude``: sheet names, as a script's ``@script(include=..., exclude=...)``
    asks; as xlwings' Office.js client does, a sheet left out is sent with ``values`` ``[[]]``
    and no tables (its name still listed). Also used by benchmarks/scripts.py, so the
    benchmark sends the payload the tests send.
    """
    import openpyxl

    if include and exclude:
        raise ValueError("either include or exclude, not both (as xlwings)")
    keep = set(include) if include else None
    drop = set(exclude or ())
    wb = openpyxl.load_workbook(path, data_only=True)  # cell values, as Office.js sends
    sheets = []
    for ws in wb.worksheets:
        rows: list[list[Any]] = [[]]
        tables = []
        if (keep is None or ws.title in keep) and ws.title not in drop:
            rows = [[json_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
            rows = rows or [[]]
            tables = [table_entry(t.displayName, *parse_a1(t.ref)) for t in ws.tables.values()]
        sheets.append({"name": ws.title, "values": rows, "pictures": [], "shapes": [],
                       "charts": [], "notes": [], "tables": tables, "pivot_tables": [],
                       "show_gridlines": True, "visibility": "Visible", "print_area": None})
    return {"client": "Office.js", "version": VERSION,
            "book": {"name": os.path.basename(path), "active_sheet_index": 0,
                     "selection": "A1"},
            "names": [], "sheets": sheets}


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

    left_out = {m["function_name"]: m.get("exclude") or ""
                for m in server.custom_scripts_meta(lite)}

    def as_sent(payload: dict, script: str | None) -> dict:
        """The book as the Office.js client sends it to ``script``: the sheets the script
        excludes listed by name only (no values, no tables), as xlwings' client does."""
        sent = copy.deepcopy(payload)
        names = {n.strip() for n in left_out.get(script or "", "").split(",") if n.strip()}
        for sheet in sent["sheets"]:
            if sheet["name"] in names:
                sheet.update(values=[[]], tables=[], pivot_tables=[], charts=[])
        return sent

    async def scripts(req: dict) -> Any:
        payload = req["payload"]
        steps = []
        for step in req["steps"]:
            if step.get("selection"):
                sheet, cell = step["selection"]
                payload["book"]["active_sheet_index"] = next(
                    i for i, s in enumerate(payload["sheets"]) if s["name"] == sheet)
                payload["book"]["selection"] = cell
            book = xw.Book(json=as_sent(payload, step.get("script")) if req.get("as_client")
                           else copy.deepcopy(payload))
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
            elif req["kind"] == "probe":  # checks of helpers/officejs_probes.py
                from officejs_probes import PROBES

                out.append(PROBES[req["name"]](req))
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





def _table(ws, name: str, rows: list[list[Any]], top: int = 1, left: int = 1) -> None:
    from openpyxl.worksheet.table import Table

    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            ws.cell(top + i, left + j, v)
    ref = a1(top, left, top + len(rows) - 1, left + len(rows[0]) - 1)
    ws.add_table(Table(displayName=name, ref=ref))


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


def written_values(run: dict) -> list[Any]:
    return [v for step in run["steps"] for act in step["actions"]
            if act["func"] == "setValues" for row in act["values"] for v in row]


if __name__ == "__main__":
    _serve()
    sys.exit(0)
