"""Small trackers as real files, for the reading tests (shared/spec/workbook.md v2 "Reading
values"): each table an Excel Table at A1 of its own sheet, built with openpyxl, with number
formats where a test needs them (a percent-formatted PercentComplete column, a single cell).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table

D = dt.datetime

#: a small portfolio whose EV is hand arithmetic: EV = PercentComplete x BAC
CONFIG = [["Setting", "Value"], ["StatusDate", D(2026, 3, 31)]]
PROJECTS = [["ProjectID", "ProjectName", "BAC"],
            ["P1", "Alpha", 1000], ["P2", "Beta", 1000], ["P3", "Gamma", 2000]]
PLAN = [["ProjectID", "2026-01", "2026-02", "2026-03", "2026-04"],
        ["P1", 250, 250, 250, 250], ["P2", 250, 250, 250, 250], ["P3", 500, 500, 500, 500]]
ACTUALS = [["ProjectID", "Period", "Actual"], ["P1", D(2026, 3, 1), 800],
           ["P2", D(2026, 3, 1), 400], ["P3", D(2026, 3, 1), 1000]]
#: issue #10's typo: 150 % in a percent-formatted column (EV: P1 720, P2 300, P3 800)
TYPO_PROGRESS = [["ProjectID", "Period", "PercentComplete"],
                 ["P1", D(2026, 3, 1), 0.72],
                 ["P2", D(2026, 2, 1), 0.30],
                 ["P2", D(2026, 3, 1), 1.5],  # 150 %: a typo
                 ["P3", D(2026, 3, 1), 0.4]]


def tracker(path: Path, tables: Mapping[str, Sequence[Sequence[Any]]],
            formats: Mapping[str, Mapping[str, str]] | None = None,
            cell_formats: Mapping[str, Mapping[tuple[int, str], str]] | None = None,
            date1904: bool = False) -> Path:
    """One sheet per table (named like it without ``tbl``), the table an Excel Table at A1.

    ``formats[table][column]``: the number format of every data cell of that column;
    ``cell_formats[table][(data row index, column)]``: the format of one data cell;
    ``date1904``: the workbook uses the 1904 date system (openpyxl writes ``date1904="1"``).
    """
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    for name, rows in tables.items():
        ws = wb.create_sheet(name[3:])
        header = list(rows[0])
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                ws.cell(i + 1, j + 1, value)
        for column, code in (formats or {}).get(name, {}).items():
            j = header.index(column)
            for i in range(1, len(rows)):
                ws.cell(i + 1, j + 1).number_format = code
        for (i, column), code in (cell_formats or {}).get(name, {}).items():
            ws.cell(i + 2, header.index(column) + 1).number_format = code
        ref = f"A1:{get_column_letter(len(header))}{max(len(rows), 2)}"
        ws.add_table(Table(displayName=name, ref=ref))
    wb.save(path)
    return path


def base(**tables: Sequence[Sequence[Any]] | None) -> dict[str, Sequence[Sequence[Any]]]:
    """The small portfolio with tables added or replaced (None drops one)."""
    out: dict[str, Sequence[Sequence[Any]] | None] = {
        "tblConfig": CONFIG, "tblProjects": PROJECTS, "tblPlan": PLAN, "tblActuals": ACTUALS,
        **tables}
    return {k: v for k, v in out.items() if v is not None}
