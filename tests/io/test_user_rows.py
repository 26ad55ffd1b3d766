"""What people add to and do with output tables survives a file refresh (issue #11, items 1-2).

- user columns (notes, owners, formulas) keep each cell with its row's key when rows are
  added, removed or reordered; a calculated column fills new rows; a cell whose key is gone
  is listed in tblChecks with its whole text;
- a filter on an output table selects the same rows after the write (value lists, custom,
  top-10 and average filters re-applied to the new rows' hidden flags), or is cleared with
  an Info; a sort is re-applied, or cleared with an Info.

Workbooks are built with XlsxWriter (shared strings, as Excel saves them); filters, sorts
and hidden rows are added to the parts by hand, as Excel writes them. Expected rows come
from reading the cases, not from the code.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter
from helpers.ooxml import load_openpyxl, tables_in_zip

from xlpmo.app.pipeline import refresh_file
from xlpmo.errors import XLError
from xlpmo.io.reader import read_workbook
from xlpmo.io.writer import write_tables

# -- building books ----------------------------------------------------------------------------


def build(path: Path, sheet: str, name: str, header: list[str], rows: list[list[Any]],
          formats: dict[str, str] | None = None, hidden: tuple[int, ...] = (),
          calculated: dict[str, str] | None = None) -> Path:
    """One table at A1 of ``sheet``; ``hidden``: sheet rows hidden (as a filter leaves
    them); ``calculated``: header -> calculated column formula (XlsxWriter writes it)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    fmts = {k: wb.add_format({"num_format": v}) for k, v in (formats or {}).items()}
    columns = []
    for h in header:
        col: dict[str, Any] = {"header": h}
        if h in fmts:
            col["format"] = fmts[h]
        if calculated and h in calculated:
            col["formula"] = calculated[h]
        columns.append(col)
    data = [[v for h, v in zip(header, r, strict=True) if not (calculated and h in calculated)]
            for r in rows]
    ws.add_table(0, 0, len(rows), len(header) - 1, {"name": name, "columns": columns,
                                                    "data": [r + [None] * (len(header)
                                                                           - len(r))
                                                             for r in data]})
    for r in hidden:
        ws.set_row(r - 1, None, None, {"hidden": True})
    wb.close()
    return path


def edit_part(path: Path, part: str, edit: Any) -> None:
    """Rewrite one part of the package with ``edit(text) -> text``."""
    with zipfile.ZipFile(path) as z:
        entries = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == part:
                data = edit(data.decode()).encode()
            z.writestr(info, data)


def table_part(path: Path, name: str) -> str:
    return tables_in_zip(path)[name.lower()].part


def add_filter(path: Path, name: str, inner: str) -> None:
    """Put ``inner`` (filterColumn / sortState elements) into the table's autoFilter."""
    def edit(xml: str) -> str:
        return re.sub(r'<autoFilter ref="([^"]+)"/>', rf'<autoFilter ref="\1">{inner}</autoFilter>',
                      xml)
    edit_part(path, table_part(path, name), edit)


def add_sort(path: Path, name: str, sort: str) -> None:
    """Put a table-level sortState after the autoFilter."""
    def edit(xml: str) -> str:
        return re.sub(r'(<autoFilter [^>]*/>|</autoFilter>)', rf"\1{sort}", xml, count=1)
    edit_part(path, table_part(path, name), edit)


def hidden_rows(path: Path, sheet: str = "Variance") -> set[int]:
    info = next(t for t in tables_in_zip(path).values() if t.sheet == sheet)
    xml = zipfile.ZipFile(path).read(info.sheet_part).decode()
    return {int(m[1]) for m in re.finditer(r'<row r="(\d+)"[^>]*\bhidden="(?:1|true)"', xml)}


def cells(path: Path, sheet: str, rng: str) -> list[list[Any]]:
    ws = load_openpyxl(path)[sheet]
    return [[c.value for c in row] for row in ws[rng]]


def checks_rows(path: Path) -> list[list[Any]]:
    return read_workbook(path).tables["tblChecks"].rows


CHECKS = pd.DataFrame({"Severity": pd.Series([], dtype=object),
                       "Table": pd.Series([], dtype=object),
                       "Cell": pd.Series([], dtype=object),
                       "Message": pd.Series([], dtype=object)})


# -- 1. user columns keep their row's key ------------------------------------------------------


def test_notes_stay_with_their_project_through_a_refresh(tmp_path: Path) -> None:
    """The issue's case on the real pipeline: a Comment column beside tblEVM; a project is
    inserted before the others and one removed; every note stays beside its ProjectID and
    the removed project's note is in tblChecks with its text."""
    from xlpmo.template.builder import build_workbook
    from xlpmo.template.sample import example_rows

    rows = example_rows()
    path = tmp_path / "pmo.xlsx"
    build_workbook(path, rows)
    first = refresh_file(path, backup=False)
    evm = first.outputs["tblEVM"]
    assert list(evm["ProjectID"]) == ["PRJ-101", "PRJ-102", "PRJ-103"]
    write_tables(path, path, {"tblEVM": evm.assign(Comment=[f"ask about {p}" for p in
                                                             evm["ProjectID"]])})
    projects = rows["tblProjects"]
    new = projects.iloc[[0]].assign(ProjectID="PRJ-100", ProjectName="Inserted first")
    projects = pd.concat([new, projects[projects["ProjectID"] != "PRJ-102"]],
                         ignore_index=True)
    write_tables(path, path, {"tblProjects": projects})

    result = refresh_file(path, backup=False)
    table = read_workbook(path).tables["tblEVM"]
    assert table.header[-1] == "Comment"
    got = {r[0]: r[-1] for r in table.rows}
    assert got == {"PRJ-100": None, "PRJ-101": "ask about PRJ-101",
                   "PRJ-103": "ask about PRJ-103"}
    notes = [r for r in checks_rows(path) if "ask about PRJ-102" in str(r[3])]
    assert len(notes) == 1
    severity, table_name, cell, message = notes[0]
    assert (severity, table_name) == ("Info", "tblEVM")
    assert "ProjectID PRJ-102" in message and message.endswith(": ask about PRJ-102")
    assert cell.startswith("Dashboard!")
    assert any("ask about PRJ-102" in f.message for f in result.findings)


def test_cells_follow_two_and_three_part_keys(tmp_path: Path) -> None:
    """tblVariance rows are ProjectID + Period (a month, stored as a date); tblForecastOut
    ProjectID + Period + Kind. New months go in the middle, one month goes."""
    src = build(tmp_path / "v.xlsx", "Variance", "tblVariance",
                ["ProjectID", "Period", "RAG", "Why"],
                [["P1", dt.datetime(2026, 1, 1), "Green", "on plan"],
                 ["P1", dt.datetime(2026, 2, 1), "Red", "late invoice"],
                 ["P2", dt.datetime(2026, 1, 1), "Amber", "P2 jan"]],
                formats={"Period": "mmm yyyy"})
    frame = pd.DataFrame({
        "ProjectID": ["P1", "P1", "P2", "P2"],
        "Period": pd.to_datetime(["2026-02-01", "2026-03-01", "2025-12-01", "2026-01-01"]),
        "RAG": ["Red", "Green", "Green", "Amber"]})
    report = write_tables(src, tmp_path / "o.xlsx", {"tblVariance": frame,
                                                     "tblChecks": CHECKS})
    grid = cells(tmp_path / "o.xlsx", "Variance", "A2:D5")
    assert [r[3] for r in grid] == ["late invoice", None, None, "P2 jan"]
    [info] = report.findings
    assert info.cell == "Variance!D2" and "ProjectID P1, Period 2026-01" in info.message
    assert info.message.endswith(": on plan")
    assert checks_rows(tmp_path / "o.xlsx") == [
        ["Info", "tblVariance", "Variance!D2", info.message]]

    src = build(tmp_path / "f.xlsx", "ForecastOut", "tblForecastOut",
                ["ProjectID", "Period", "Kind", "Amount", "Owner"],
                [["P1", dt.datetime(2026, 3, 1), "Actual", 5, "Ann"],
                 ["P1", dt.datetime(2026, 3, 1), "Forecast", 6, "Bob"]])
    frame = pd.DataFrame({"ProjectID": ["P1", "P1"],
                          "Period": pd.to_datetime(["2026-03-01", "2026-03-01"]),
                          "Kind": ["Forecast", "Actual"], "Amount": [1.0, 2.0]})
    write_tables(src, tmp_path / "o2.xlsx", {"tblForecastOut": frame})
    assert [r[4] for r in cells(tmp_path / "o2.xlsx", "ForecastOut", "A2:E3")] == \
        ["Bob", "Ann"]


def test_calculated_column_fills_new_rows_and_moved_formulas_keep_their_row(
        tmp_path: Path) -> None:
    """Flag is a calculated column: every row (new ones too) gets its formula. Ratio holds
    a plain formula over the row's own cells: moved down a row, it reads its new row."""
    src = build(tmp_path / "e.xlsx", "Dashboard", "tblEVM", ["ProjectID", "CPI", "Flag"],
                [["P1", 0.8, None], ["P2", 1.2, None]],
                calculated={"Flag": '=IF([@CPI]<0.9,"check","")'})
    edit_part(src, "xl/worksheets/sheet1.xml", lambda x: re.sub(
        r'(<row r="3".*?)</row>', r'\1<c r="D3"><f>B3*2</f><v>2.4</v></c></row>', x))
    edit_part(src, table_part(src, "tblEVM"), lambda x: x.replace(
        'ref="A1:C3"', 'ref="A1:D3"').replace('<tableColumns count="3">',
                                              '<tableColumns count="4">').replace(
        "</tableColumns>", '<tableColumn id="4" name="Ratio"/></tableColumns>'))
    frame = pd.DataFrame({"ProjectID": ["P0", "P9", "P2"], "CPI": [1.0, 0.5, 1.5]})
    report = write_tables(src, tmp_path / "o.xlsx", {"tblEVM": frame})
    grid = cells(tmp_path / "o.xlsx", "Dashboard", "A2:D4")
    flags = [r[2] for r in grid]
    assert all(isinstance(f, str) and f.startswith("=IF(") for f in flags), flags
    assert [r[3] for r in grid] == [None, None, "=B4*2"]  # P2 moved from row 3 to row 4
    assert report.formulas_changed
    # P1's calculated Flag is not a note: nothing to report
    assert not [f for f in report.findings if "Flag" in f.message]


def test_a_long_note_survives_whole(tmp_path: Path) -> None:
    """A note longer than a finding's message is still kept whole in tblChecks; one longer
    than a cell holds is split over rows."""
    text = "x" * 5000
    huge = "".join(chr(65 + i % 26) for i in range(32_767))
    src = build(tmp_path / "e.xlsx", "Dashboard", "tblEVM", ["ProjectID", "CPI", "Note"],
                [["P1", 1.0, text], ["P2", 1.0, huge]])
    write_tables(src, tmp_path / "o.xlsx", {
        "tblEVM": pd.DataFrame({"ProjectID": ["P3"], "CPI": [1.0]}), "tblChecks": CHECKS})
    rows = checks_rows(tmp_path / "o.xlsx")
    assert [r[2] for r in rows] == ["Dashboard!C2", "Dashboard!C3", "Dashboard!C3"]
    assert rows[0][3].endswith(": " + text)
    parts = [r[3] for r in rows[1:]]
    assert all(len(p) <= 32_767 for p in parts)
    assert "".join(p.split(" of 2) ", 1)[1] for p in parts) == huge


def test_a_note_on_a_resolved_finding_is_listed_once(tmp_path: Path) -> None:
    """tblChecks rows are keyed by the whole finding: a note typed beside a finding that
    is still there stays with it; one beside a resolved finding becomes an Info."""
    src = build(tmp_path / "c.xlsx", "Checks", "tblChecks",
                ["Severity", "Table", "Cell", "Message", "Action"],
                [["Error", "tblPlan", "Plan!D4", "text 'x' where a number belongs", "fix D4"],
                 ["Warning", "tblPlan", "Plan!D9", "number as text", "ignore"]])
    frame = pd.DataFrame({"Severity": ["Error", "Warning"], "Table": ["tblPlan", "tblPlan"],
                          "Cell": ["Plan!D2", "Plan!D9"],
                          "Message": ["text 'y' where a number belongs", "number as text"]})
    write_tables(src, tmp_path / "o.xlsx", {"tblChecks": frame})
    rows = read_workbook(tmp_path / "o.xlsx").tables["tblChecks"].rows
    assert [r[4] for r in rows[:2]] == [None, "ignore"]
    assert rows[2][:3] == ["Info", "tblChecks", "Checks!E2"]
    assert rows[2][3].endswith(": fix D4") and "Cell Plan!D4" in rows[2][3]


# -- 2. filters and sorts ----------------------------------------------------------------------


def _variance(tmp_path: Path, hidden: tuple[int, ...]) -> Path:
    """tblVariance filtered to RAG = Red (rows 3 and 5 hidden: Green and Amber)."""
    src = build(tmp_path / "v.xlsx", "Variance", "tblVariance", ["ProjectID", "Variance", "RAG"],
                [["P1", -50, "Red"], ["P2", 10, "Green"], ["P3", -70, "Red"],
                 ["P4", 0, "Amber"]], hidden=hidden)
    add_filter(src, "tblVariance",
               '<filterColumn colId="2"><filters><filter val="Red"/></filters></filterColumn>')
    return src


def test_value_filter_still_selects_the_same_rows(tmp_path: Path) -> None:
    """The issue's case: filtered to Red, a refresh with more rows must hide exactly the
    rows that are not Red (and show the Red ones); rows below the table are not left
    hidden."""
    src = _variance(tmp_path, hidden=(3, 5))
    frame = pd.DataFrame({"ProjectID": ["P0", "P1", "P2", "P3", "P4", "P5"],
                          "Variance": [1.0, -50.0, 10.0, -70.0, 0.0, -1.0],
                          "RAG": ["Green", "Red", "Green", "Red", "Amber", "red"]})
    write_tables(src, tmp_path / "o.xlsx", {"tblVariance": frame})
    assert hidden_rows(tmp_path / "o.xlsx") == {2, 4, 6}  # P0, P2, P4 (match ignores case)
    assert "<filter val=\"Red\"/>" in zipfile.ZipFile(tmp_path / "o.xlsx").read(
        table_part(tmp_path / "o.xlsx", "tblVariance")).decode()
    # shrinking: rows that leave the table are shown again
    src = _variance(tmp_path, hidden=(3, 5))
    write_tables(src, tmp_path / "o2.xlsx", {"tblVariance": frame.iloc[[2]]})
    assert hidden_rows(tmp_path / "o2.xlsx") == {2}


@pytest.mark.parametrize("inner, hidden", [
    # Variance < 0 (custom): P0 1, P2 10, P4 0 hidden
    ('<filterColumn colId="1"><customFilters><customFilter operator="lessThan" val="0"/>'
     "</customFilters></filterColumn>", {2, 4, 6}),
    # -60 <= Variance <= 5 (and): P0 .. P5 = 1, -50, 10, -70, 0, -1 -> hide P2, P3
    ('<filterColumn colId="1"><customFilters and="1"><customFilter '
     'operator="greaterThanOrEqual" val="-60"/><customFilter operator="lessThanOrEqual" '
     'val="5"/></customFilters></filterColumn>', {4, 5}),
    # RAG begins with "R" or equals Amber (wildcards, or)
    ('<filterColumn colId="2"><customFilters><customFilter val="R*"/><customFilter '
     'val="amber"/></customFilters></filterColumn>', {2, 4}),
    # top 2 items of Variance: 10 and 1
    ('<filterColumn colId="1"><top10 val="2"/></filterColumn>', {3, 5, 6, 7}),
    # bottom 1: -70
    ('<filterColumn colId="1"><top10 top="0" val="1"/></filterColumn>', {2, 3, 4, 6, 7}),
    # above average (mean -110/6 = -18.3): 1, 10, 0, -1
    ('<filterColumn colId="1"><dynamicFilter type="aboveAverage"/></filterColumn>', {3, 5}),
    # (Non-blanks) of ProjectID, and Variance shown as "-50" or "10" (#,##0;[Red]-#,##0)
    ('<filterColumn colId="0"><customFilters><customFilter operator="notEqual" val=" "/>'
     '</customFilters></filterColumn><filterColumn colId="1"><filters><filter val="-50"/>'
     "<filter val=\"10\"/></filters></filterColumn>", {2, 5, 6, 7}),
])
def test_other_simple_filters_are_reapplied(tmp_path: Path, inner: str,
                                            hidden: set[int]) -> None:
    src = build(tmp_path / "v.xlsx", "Variance", "tblVariance", ["ProjectID", "Variance", "RAG"],
                [["P1", -50, "Red"]])
    add_filter(src, "tblVariance", inner)
    frame = pd.DataFrame({"ProjectID": ["P0", "P1", "P2", "P3", "P4", "P5"],
                          "Variance": [1.0, -50.0, 10.0, -70.0, 0.0, -1.0],
                          "RAG": ["Green", "Red", "Green", "Red", "Amber", "red"]})
    write_tables(src, tmp_path / "o.xlsx", {"tblVariance": frame})
    assert hidden_rows(tmp_path / "o.xlsx") == hidden


def test_value_filter_on_formatted_numbers_and_months(tmp_path: Path) -> None:
    """Excel stores a value filter as the text shown: ``1,235`` for 1234.5 in ``#,##0``
    (rounded half up), ``-12.5%`` for -0.125 in ``0.0%``; months as date groups."""
    src = build(tmp_path / "v.xlsx", "Variance", "tblVariance",
                ["ProjectID", "Period", "Planned", "VariancePct"],
                [["P1", dt.datetime(2026, 1, 1), 1.0, 0.1]],
                formats={"Period": "mmm yyyy", "Planned": "#,##0", "VariancePct": "0.0%"})
    add_filter(src, "tblVariance", (
        '<filterColumn colId="1"><filters><dateGroupItem year="2026" month="2" '
        'dateTimeGrouping="month"/><dateGroupItem year="2025" dateTimeGrouping="year"/>'
        '</filters></filterColumn><filterColumn colId="2"><filters><filter val="1,235"/>'
        '<filter val="7"/></filters></filterColumn><filterColumn colId="3"><filters>'
        '<filter val="-12.5%"/><filter val="3.0%"/></filters></filterColumn>'))
    frame = pd.DataFrame({
        "ProjectID": ["A", "B", "C", "D", "E"],
        "Period": pd.to_datetime(["2026-02-01", "2025-07-01", "2026-02-01", "2026-03-01",
                                  "2026-02-01"]),
        "Planned": [1234.5, 6.5, 1234.4, 1234.5, 7.2],
        "VariancePct": [-0.125, 0.03, -0.125, 0.0299, 0.0301]})
    write_tables(src, tmp_path / "o.xlsx", {"tblVariance": frame})
    # A shown; B 6.5 -> "7", 3.0%; C "1,234" hidden; D March hidden; E 7 and 3.0%
    assert hidden_rows(tmp_path / "o.xlsx") == {4, 5}


@pytest.mark.parametrize("inner, why", [
    ('<filterColumn colId="2"><colorFilter dxfId="0"/></filterColumn>', "colour"),
    ('<filterColumn colId="1"><top10 percent="1" val="10"/></filterColumn>', "percent"),
    ('<filterColumn colId="1"><dynamicFilter type="thisMonth"/></filterColumn>', "thisMonth"),
])
def test_a_filter_that_cannot_be_reapplied_is_cleared_with_an_info(
        tmp_path: Path, inner: str, why: str) -> None:
    src = _variance(tmp_path, hidden=(3, 5))
    add_filter(src, "tblVariance", inner)  # no-op: the autoFilter already has children
    edit_part(src, table_part(src, "tblVariance"), lambda x: x.replace(
        "</autoFilter>", inner + "</autoFilter>"))
    frame = pd.DataFrame({"ProjectID": ["P1", "P2"], "Variance": [1.0, 2.0],
                          "RAG": ["Red", "Green"]})
    report = write_tables(src, tmp_path / "o.xlsx", {"tblVariance": frame,
                                                     "tblChecks": CHECKS})
    assert hidden_rows(tmp_path / "o.xlsx") == set()
    assert "filterColumn" not in zipfile.ZipFile(tmp_path / "o.xlsx").read(
        table_part(tmp_path / "o.xlsx", "tblVariance")).decode()
    [info] = report.findings
    assert info.severity == "Info" and why in info.message and "cleared" in info.message
    assert checks_rows(tmp_path / "o.xlsx")[0][:3] == ["Info", "tblVariance",
                                                       "Variance!A1:C5"]


def test_sort_is_reapplied(tmp_path: Path) -> None:
    """tblEVM sorted by CPI descending (errors first, blanks last, ties in the refresh's
    order), then ProjectID ascending; its user column follows the rows."""
    src = build(tmp_path / "e.xlsx", "Dashboard", "tblEVM", ["ProjectID", "CPI", "Note"],
                [["P1", 1.0, "n1"], ["P2", 0.5, "n2"]])
    add_sort(src, "tblEVM", '<sortState ref="A2:C3"><sortCondition descending="1" '
                            'ref="B2:B3"/><sortCondition ref="A2:A3"/></sortState>')
    frame = pd.DataFrame({"ProjectID": ["P2", "P1", "P4", "P3", "P5", "P6"],
                          "CPI": pd.Series([0.5, 1.0, None, 1.0, XLError.DIV0, "n/a"],
                                           dtype=object)})
    write_tables(src, tmp_path / "o.xlsx", {"tblEVM": frame})
    grid = cells(tmp_path / "o.xlsx", "Dashboard", "A2:C7")
    assert [r[0] for r in grid] == ["P5", "P6", "P1", "P3", "P2", "P4"]
    assert [r[2] for r in grid] == [None, None, "n1", None, "n2", None]
    assert 'descending="1"' in zipfile.ZipFile(tmp_path / "o.xlsx").read(
        table_part(tmp_path / "o.xlsx", "tblEVM")).decode()


def test_a_sort_that_cannot_be_repeated_is_cleared_with_an_info(tmp_path: Path) -> None:
    src = build(tmp_path / "e.xlsx", "Dashboard", "tblEVM", ["ProjectID", "CPI"],
                [["P1", 1.0], ["P2", 0.5]])
    add_sort(src, "tblEVM", '<sortState ref="A2:B3"><sortCondition sortBy="cellColor" '
                            'ref="B2:B3" dxfId="1"/></sortState>')
    frame = pd.DataFrame({"ProjectID": ["P2", "P1"], "CPI": [0.5, 1.0]})
    report = write_tables(src, tmp_path / "o.xlsx", {"tblEVM": frame})
    assert [r[0] for r in cells(tmp_path / "o.xlsx", "Dashboard", "A2:A3")] == ["P2", "P1"]
    assert "sortState" not in zipfile.ZipFile(tmp_path / "o.xlsx").read(
        table_part(tmp_path / "o.xlsx", "tblEVM")).decode()
    [info] = report.findings
    assert "colour" in info.message and "removed" in info.message
