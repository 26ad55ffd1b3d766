"""Real exports and small workbooks for the import tests: CSV as finance systems and Excel
write them (UTF-8 with BOM, Windows-1252, semicolons with decimal commas), an XLSX export
(XlsxWriter, as a report tool saves one), a SAP-style list with a header block, and a
workbook with a wide tblActuals (one column per month) holding known amounts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import xlsxwriter


def csv_bytes(rows: list[list[Any]], delimiter: str = ",", encoding: str = "utf-8",
              bom: bool = False) -> bytes:
    """Rows as a CSV file's bytes (CRLF line ends, as Excel writes them)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_export(path: Path, rows: list[list[Any]], above: list[list[Any]] = ()) -> Path:
    """An XLSX export: ``above`` (a title block) then a blank row, then ``rows`` (header
    first). Dates as dates, numbers as numbers, text as text."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Export")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    r = 0
    for line in above:
        ws.write_row(r, 0, line)
        r += 1
    if above:
        r += 1
    for row in rows:
        for c, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write_datetime(r, c, v, date)
            elif isinstance(v, str):
                ws.write_string(r, c, v)
            elif v is not None:
                ws.write(r, c, v)
        r += 1
    wb.close()
    return path


def sap_list(rows: list[list[str]]) -> bytes:
    """A SAP GUI list export ("Local file", unconverted, tab-separated) as Windows-1252:
    a header block (report title, company code, ledger, selection, blank lines) above
    the table, amounts with decimal commas and trailing minus, a totals line below."""
    block = [
        ["Actual Line Items: WBS elements"],
        [],
        ["Company Code", "1000"],
        ["Ledger", "0L"],
        ["Posting date", "01.03.2026 - 31.03.2026"],
        [],
    ]
    total = ["", "", "", "", "*", "Total"]
    lines = ["\t".join(r) for r in [*block, *rows, total]]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def add_table(wb: Any, sheet: str, name: str, rows: list[list[Any]],
              date_format: str = "d mmm yyyy", money_format: str | None = None) -> Any:
    """A new sheet holding ``rows`` (header first) as the Excel Table ``name`` (XlsxWriter):
    datetimes with ``date_format``, floats with ``money_format`` when given."""
    ws = wb.add_worksheet(sheet)
    date = wb.add_format({"num_format": date_format})
    money = wb.add_format({"num_format": money_format}) if money_format else None
    ws.add_table(0, 0, len(rows) - 1, len(rows[0]) - 1, {
        "name": name, "columns": [{"header": h} for h in rows[0]]})
    for i, row in enumerate(rows[1:], start=1):
        for j, v in enumerate(row):
            if isinstance(v, dt.datetime):
                ws.write_datetime(i, j, v, date)
            elif isinstance(v, float) and money is not None:
                ws.write_number(i, j, v, money)
            elif v is not None:
                ws.write(i, j, v)
    return ws


def wide_book(path: Path, march: float = 59000.0, formula: bool = False) -> Path:
    """A small standard workbook whose tblActuals is wide (one column per month): P05
    Labour holds 40,000 in January, 50,000 in February and ``march`` in March (a formula
    ``=50000+9000`` there when ``formula``); P06 Labour 10,000 in January. Status date
    31 Mar 2026. Month headers as the template writes them (``Jan 2026``)."""
    wb = xlsxwriter.Workbook(str(path))
    money = wb.add_format({"num_format": "#,##0"})

    def table(sheet: str, name: str, rows: list[list[Any]]) -> Any:
        return add_table(wb, sheet, name, rows, money_format="#,##0")

    table("Config", "tblConfig", [["Setting", "Value"],
                                  ["StatusDate", dt.datetime(2026, 3, 31)]])
    table("Projects", "tblProjects", [
        ["ProjectID", "ProjectName", "Portfolio", "BAC"],
        ["P05", "Warehouse", "Ops", 400000.0], ["P06", "Payroll", "Ops", 100000.0]])
    table("Plan", "tblPlan", [
        ["ProjectID", "CostType", "Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026"],
        ["P05", "Labour", 40000.0, 60000.0, 60000.0, 60000.0],
        ["P06", "Labour", 10000.0, 10000.0, 10000.0, 10000.0]])
    ws = table("Actuals", "tblActuals", [
        ["ProjectID", "CostType", "Jan 2026", "Feb 2026", "Mar 2026"],
        ["P05", "Labour", 40000.0, 50000.0, march], ["P06", "Labour", 10000.0, None, None]])
    if formula:
        ws.write_formula(1, 4, "=50000+9000", money, march)
    table("Resources", "tblResources", [["ResourceID", "Name", "FTE"], ["R1", "Ann", 1.0]])
    table("Timesheets", "tblTimesheets", [
        ["ResourceID", "ProjectID", "Date", "Hours", "Billable"],
        ["R1", "P05", dt.datetime(2026, 3, 2), 7.5, True]])
    wb.close()
    return path
