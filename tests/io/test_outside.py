"""Rows typed right below, and month columns typed right of, an input table but outside it
(LibreOffice and scripts do not grow an Excel table as Excel does): an Error naming the first
of them, never left out silently. Before, such a row's cost or progress, or such a month's
plan, was simply not read, with exit 0 and no finding."""

from __future__ import annotations

import datetime as dt
import shutil
import warnings
from pathlib import Path

import numpy as np
import openpyxl
from helpers.paths import TEMPLATE

from xlpmo.cli import main
from xlpmo.contract import tables
from xlpmo.io.outside import columns_right, rows_below, search_limits
from xlpmo.io.reader import read_workbook

OCT = "L"  # tblActuals' Oct 2026 column in the template


def _template(tmp_path: Path) -> tuple[Path, openpyxl.Workbook]:
    path = tmp_path / "Book.xlsx"
    shutil.copy(TEMPLATE, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes on what it does not keep
        wb = openpyxl.load_workbook(path)
    assert wb["Actuals"].tables["tblActuals"].ref == "A1:N7"
    assert wb["Actuals"][f"{OCT}1"].value == "Oct 2026"
    return path, wb


def _evm(path: Path) -> dict[str, dict]:
    t = read_workbook(path).tables["tblEVM"]
    i = t.header.index("ProjectID")
    return {r[i]: dict(zip(t.header, r, strict=True)) for r in t.rows}


def _checks(path: Path) -> list[tuple]:
    return [tuple(r) for r in read_workbook(path).tables["tblChecks"].rows]


def test_a_cost_typed_under_the_table_is_an_error_naming_its_cell(tmp_path: Path,
                                                                   capsys) -> None:
    path, wb = _template(tmp_path)
    wb["Actuals"]["A8"], wb["Actuals"]["B8"] = "PRJ-101", "Travel"
    wb["Actuals"][f"{OCT}8"] = 5000  # a late invoice, typed in LibreOffice under the table
    wb.save(path)
    assert main(["refresh", str(path), "--no-backup", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "Error: Actuals!A8: 1 row right below tblActuals is outside the table" in out
    assert _evm(path)["PRJ-101"]["AC"] == 228970  # the template's AC: the row is not read
    [error] = [c for c in _checks(path) if c[0] == "Error"]
    assert error[1:3] == ("tblActuals", "Actuals!A8")
    assert "Resize tblActuals to take it in" in error[3]


def test_totals_notes_and_rows_after_a_blank_row_are_not_data(tmp_path: Path,
                                                              capsys) -> None:
    path, wb = _template(tmp_path)
    act = wb["Actuals"]
    act["A8"], act[f"{OCT}8"] = "Total", 151452  # a totals line the user keeps under it
    act["A10"], act["B10"], act[f"{OCT}10"] = "PRJ-101", "Travel", 5000  # after a blank row
    wb["Progress"]["A29"] = "checked by JB, 3 Nov"  # a note in the first column only
    wb.save(path)
    assert main(["refresh", str(path), "--no-backup", "--quiet"]) == 0
    assert "right below" not in capsys.readouterr().out
    assert not [c for c in _checks(path) if "right below" in str(c[3])]


def test_rows_below_counts_the_block_up_to_its_first_blank_row() -> None:
    rows = np.array([
        ["P1", 5, None],
        ["  ", None, "  "],  # white space only: blank, so the block ends here
        ["P2", 7, None],
    ], dtype=object)
    f = rows_below("tblProgress", "My Progress", 29, 2, rows)
    assert (f.severity, f.table, f.cell) == ("Error", "tblProgress", "'My Progress'!B29")
    assert f.message.startswith("1 row right below tblProgress is outside the table, so its ")
    two = rows_below("tblPlan", "Plan", 8, 1, [["Sub-total", 1, 2], ["P1", None, 3],
                                               ["P2", "x", None], ["Grand Total", 4, 4]])
    assert two.cell == "Plan!A9"  # the first data row, after the subtotal line
    assert two.message.startswith("2 rows right below tblPlan are outside the table, so their")
    assert rows_below("tblPlan", "Plan", 8, 1, [[None, 1, 2], ["P1", None, None]]) is None
    assert rows_below("tblPlan", "Plan", 8, 1, [["TOTAL", 9, 9], ["Average", 4.5, 4.5],
                                                ["max", 5, 5]]) is None  # summary lines
    assert rows_below("tblPlan", "Plan", 8, 1, [[None, None], ["P1", 3]]) is None
    assert rows_below("tblPlan", "Plan", 8, 1, np.empty((0, 3), dtype=object)) is None


def test_the_in_excel_refresh_names_the_row_too(tmp_path: Path) -> None:
    """The same row and a month column, read through xlwings' own server code from the JSON
    book Office.js sends (Excel with AutoExpand off, or after Undo of the expansion): the
    same Errors in tblChecks, and AC without the row."""
    from helpers.xlwings_server import book_payload, records, run_server

    path, wb = _template(tmp_path)
    wb["Actuals"]["A8"], wb["Actuals"]["B8"] = "PRJ-101", "Travel"
    wb["Actuals"][f"{OCT}8"] = 5000
    wb["Plan"]["O1"], wb["Plan"]["O2"] = "Jan 2027", 4000
    _stack_leave_under_holidays(wb)  # a table right under another: no data outside it
    wb.save(path)
    [run] = run_server([{"kind": "scripts", "payload": book_payload(str(path)),
                         "as_client": True, "steps": [{"script": "refresh"}]}])
    assert all("exception" not in step for step in run["steps"]), run["steps"]
    checks = records(run["payload"], "tblChecks")
    outside = [(c["Severity"], c["Table"], c["Cell"]) for c in checks
               if "outside the table" in str(c["Message"])]
    assert outside == [("Error", "tblPlan", "Plan!O1"), ("Error", "tblActuals", "Actuals!A8")]
    evm = {r["ProjectID"]: r for r in records(run["payload"], "tblEVM")}
    assert evm["PRJ-101"]["AC"] == 228970


def test_next_months_column_typed_right_of_the_plan_is_an_error(tmp_path: Path,
                                                                capsys) -> None:
    path, wb = _template(tmp_path)
    plan = wb["Plan"]
    assert plan.tables["tblPlan"].ref == "A1:N7" and plan["N1"].value == "Dec 2026"
    plan["O1"], plan["O2"] = "Jan 2027", 4000  # next month's plan, typed in LibreOffice
    plan["P1"], plan["P2"] = "Feb 2027", 3000
    wb["Projects"]["I1"], wb["Projects"]["I2"] = "Sponsor", "CFO"  # a column of their own
    wb.save(path)
    assert main(["refresh", str(path), "--no-backup", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert ("Error: Plan!O1: 2 columns ('Jan 2027', 'Feb 2027') right of tblPlan are "
            "outside the table, so their values are left out of every figure") in out
    assert "Projects!" not in out  # Sponsor is no contract column: the user's own
    [error] = [c for c in _checks(path) if c[0] == "Error"]
    assert error[1:3] == ("tblPlan", "Plan!O1")


def test_a_total_or_comment_column_right_of_the_plan_is_the_users_own(tmp_path: Path,
                                                                     capsys) -> None:
    path, wb = _template(tmp_path)
    plan = wb["Plan"]
    plan["O1"], plan["O2"] = "Total", 123456
    plan["P1"], plan["P2"] = "Comments", "re-phased in June"
    plan["R1"], plan["R2"] = "Jan 2027", 4000  # after a blank column: not next to it
    wb.save(path)
    assert main(["refresh", str(path), "--no-backup", "--quiet"]) == 0
    assert "right of" not in capsys.readouterr().out


def test_columns_right_names_contract_columns_the_table_lacks() -> None:
    projects = tables.spec("tblProjects")
    inside = ["ProjectID", "ProjectName"]
    f = columns_right(projects, "Projects", 1, 3, [["BAC", "Portfolio "], [100, None],
                                                   [None, "Digital"]], inside)
    assert (f.severity, f.table, f.cell) == ("Error", "tblProjects", "Projects!C1")
    assert f.message.startswith("2 columns ('BAC', 'Portfolio') right of tblProjects are ")
    # a column it has already, an empty one, a month (tblProjects is not time-phased)
    assert columns_right(projects, "Projects", 1, 3, [["ProjectName", "BAC", "Jan 2027"],
                                                      ["x", None, 5]], inside) is None
    plan = tables.spec("tblPlan")
    f = columns_right(plan, "Plan", 1, 15, [[46023.0], [7]], ["ProjectID"])  # 2026-01-01
    assert f.cell == "Plan!O1" and "('46023')" in f.message
    assert columns_right(plan, "Plan", 1, 15, [["Jan 2027"]], ["ProjectID"]) is None


def test_a_table_stacked_right_under_or_beside_another_is_no_data_outside_it(
        tmp_path: Path) -> None:
    """Two input tables touching on one sheet (tblLeave's header in the row under
    tblHolidays, tblMilestones in the column after tblProgress): each is its own table,
    read as such; nothing is said of either."""
    path, wb = _template(tmp_path)
    _stack_leave_under_holidays(wb)
    wb.save(path)
    book = read_workbook(path)
    assert book.tables["tblLeave"].rows == [["R001", dt.datetime(2026, 12, 1),
                                             dt.datetime(2026, 12, 2), 8]]
    assert not [f for f in book.findings if "outside the table" in f.message]


def _stack_leave_under_holidays(wb: openpyxl.Workbook) -> None:
    """tblLeave moved onto the Holidays sheet, its header in the row under tblHolidays."""
    from openpyxl.worksheet.table import Table

    hol = wb["Holidays"]
    n = int(hol.tables["tblHolidays"].ref.split(":")[1][1:])  # A1:C43
    rows = [["ResourceID", "Start", "End", "Hours"],
            ["R001", dt.datetime(2026, 12, 1), dt.datetime(2026, 12, 2), 8]]
    for i, row in enumerate(rows, start=n + 1):
        for j, v in enumerate(row, start=1):
            hol.cell(i, j, v)
    del wb["Leave"]
    hol.add_table(Table(displayName="tblLeave", ref=f"A{n + 1}:D{n + 2}"))


def test_search_limits_stop_short_of_the_next_table() -> None:
    assert search_limits((1, 1, 7, 14), [], 50, 20) == (50, 20)
    assert search_limits((1, 1, 7, 14), [(8, 1, 10, 3)], 50, 20) == (7, 20)  # right under
    assert search_limits((1, 1, 7, 3), [(1, 5, 7, 6)], 50, 20) == (50, 4)  # beside
    assert search_limits((1, 1, 7, 3), [(9, 5, 12, 6), (2, 9, 3, 9)], 50, 20) == (50, 8)
    assert search_limits((1, 1, 7, 3), [], 200_000, 20) == (100_007, 20)  # a bound
