"""The JSON book the Office.js client sends to an xlwings script, built from an .xlsx file.

Shared by the xlwings server tests (tests/test_udfs_server.py and the tests that use its
child process) and the in-Excel Refresh benchmark (benchmarks/scripts.py), so both send
the same payload: every sheet's values from A1 to its last used cell as lists of rows
(blanks as ``""``, dates as ISO text with ``Z``), and each sheet's Excel Tables.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from typing import Any

#: the xlwings version the payloads claim to come from
VERSION = "0.37.8"

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
    and no tables (its name still listed).
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
