"""Excel's sheet limits (workbook.md "Limits"; issue #11 item 6): an output table that would
pass row 1,048,576 or column XFD is not written, an Error in tblChecks says which, why and
what to change, and the other tables are written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from helpers.ooxml import tables_in_zip

from xlpmo.errors import XlpmoError
from xlpmo.io.changes import TableEdit
from xlpmo.io.reader import read_workbook
from xlpmo.io.writer import save_tables, write_tables

ROWS = 1_048_576

CHECKS = pd.DataFrame({c: pd.Series(["Warning"] if c == "Severity" else ["x"], dtype=object)
                       for c in ("Severity", "Table", "Cell", "Message")})


def book(path: Path) -> Path:
    """tblEVM on Dashboard, and an earlier tblVariance at Variance!A3."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Dashboard")
    ws.add_table("A1:B2", {"name": "tblEVM", "columns": [{"header": "ProjectID"},
                                                          {"header": "CPI"}],
                           "data": [["P1", 1.0]]})
    ws = wb.add_worksheet("Variance")
    ws.write("A1", "Variance by month")
    ws.add_table("A3:B4", {"name": "tblVariance", "columns": [{"header": "ProjectID"},
                                                               {"header": "Planned"}],
                           "data": [["old", 5.0]]})
    wb.close()
    return path


def test_a_table_past_the_last_row_is_left_out_and_named(tmp_path: Path) -> None:
    """tblForecastOut with 1,048,576 data rows needs 1,048,577 rows with its header (new, at
    A1 of its sheet); tblVariance at row 3 with 1,048,574 rows reaches row 1,048,577. Both
    are left out with an Error each; tblEVM and tblChecks are written."""
    src = book(tmp_path / "b.xlsx")
    forecast = pd.DataFrame({"Amount": np.zeros(ROWS)})
    variance = pd.DataFrame({"Planned": np.zeros(ROWS - 2)})
    evm = pd.DataFrame({"ProjectID": ["P1", "P2"], "CPI": [0.9, 1.1]})
    report = write_tables(src, tmp_path / "o.xlsx", {
        "tblEVM": evm, "tblForecastOut": forecast, "tblVariance": variance,
        "tblChecks": CHECKS})
    assert sorted(report.not_written) == ["tblForecastOut", "tblVariance"]
    found = tables_in_zip(tmp_path / "o.xlsx")
    assert "tblforecastout" not in found
    assert found["tblvariance"].ref == "A3:B4"  # as it was
    assert found["tblevm"].ref == "A1:B3"
    back = read_workbook(tmp_path / "o.xlsx").tables
    assert back["tblVariance"].rows == [["old", 5.0]]
    rows = back["tblChecks"].rows
    assert [r[0] for r in rows] == ["Error", "Error", "Warning"]  # Errors first
    by_table = {r[1]: r for r in rows[:2]}
    forecast_row = by_table["tblForecastOut"]
    assert forecast_row[2] == "ForecastOut!A1"
    message = forecast_row[3]
    assert message.startswith("tblForecastOut was not written: it needs 1,048,576 rows "
                              "(one row per project and month) from row 1 down to row "
                              "1,048,577, past the last row of an Excel sheet (1,048,576).")
    assert "It was not created." in message
    assert "fewer months" in message and "PlanningHorizon" in message
    assert "would need" not in message  # the garbled "needs X would need X" is gone
    variance_row = by_table["tblVariance"]
    assert variance_row[2] == "Variance!A3"
    assert "down to row 1,048,577" in variance_row[3]
    assert "earlier refresh" in variance_row[3]  # its old figures are stale: said so


def test_a_table_past_the_last_column_is_left_out(tmp_path: Path) -> None:
    src = book(tmp_path / "b.xlsx")
    wide = pd.DataFrame([np.arange(16_385.0)], columns=[f"C{i}" for i in range(16_385)])
    report = write_tables(src, tmp_path / "o.xlsx", {"tblPlan": wide, "tblChecks": CHECKS})
    assert report.not_written == ["tblPlan"]
    [error] = [f for f in report.findings if f.severity == "Error"]
    assert "16,385 columns, past the last column of an Excel sheet (XFD, 16,384)" in \
        error.message
    assert "fewer columns" in error.message
    assert "tblplan" not in tables_in_zip(tmp_path / "o.xlsx")


def test_the_report_says_which_sheet_was_added(tmp_path: Path) -> None:
    src = book(tmp_path / "b.xlsx")
    report = write_tables(src, tmp_path / "o.xlsx", {"tblChecks": CHECKS})
    [checks] = report.tables
    assert (checks.name, checks.sheet, checks.created, checks.sheet_created) == (
        "tblChecks", "Checks", True, True)


def test_an_edit_past_the_last_row_refuses_the_whole_write(tmp_path: Path) -> None:
    """A command's edits are written together or not at all (Import actuals adds rows to
    tblActuals and records them in tblImportLog; one without the other would count the
    export twice or never): an edit that would pass row 1,048,576 refuses the write, it is
    never left out while the other edits are written."""
    path = tmp_path / "b.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Actuals")  # header on row 1,048,575, its one data row on the last
    ws.add_table(ROWS - 2, 0, ROWS - 1, 1, {"name": "tblActuals", "columns": [
        {"header": "ProjectID"}, {"header": "Actual"}], "data": [["P1", 1.0]]})
    wb.add_worksheet("ImportLog").add_table("A1:B2", {"name": "tblImportLog", "columns": [
        {"header": "Source"}, {"header": "Rows"}], "data": [["old.csv", 1]]})
    wb.close()
    before = path.read_bytes()
    edits = [TableEdit("tblActuals", rows=[{"ProjectID": "P2", "Actual": 2.0}]),
             TableEdit("tblImportLog", rows=[{"Source": "new.csv", "Rows": 1}])]
    with pytest.raises(XlpmoError, match=r"Nothing was written\. tblActuals needs "
                                         r"Actuals!A1048575:B1048577"):
        save_tables(path, {}, edits=edits, backup=False)
    assert path.read_bytes() == before
