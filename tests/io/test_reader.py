"""read_workbook: finding tables, raw values, sheet coordinates, fingerprints."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from helpers.paths import CORPUS as CORPUS_DIR
from helpers.reader_books import CONFIG, PLAN_LONG, PROJECTS, rezip, table_book, write_book
from hypothesis import given
from hypothesis import strategies as st

from xlpmo.errors import XLError, XlpmoError
from xlpmo.io import a1, extent, limits
from xlpmo.io.raw import RawTable, fingerprint
from xlpmo.io.reader import read_workbook

CORPUS = CORPUS_DIR / "poi__StructuredRefs-lots-with-lookups.xlsx"


# -- A1 helpers -------------------------------------------------------------------------------


@given(st.integers(1, 16384))
def test_column_letters_round_trip(n: int) -> None:
    assert a1.col_index(a1.col_letter(n)) == n


def test_addresses() -> None:
    assert a1.col_letter(28) == "AB" and a1.col_letter(16384) == "XFD"
    assert a1.CellRange.parse("F8:C5") == a1.CellRange(5, 3, 8, 6)
    assert a1.address("Plan", 14, 4) == "Plan!D14"
    assert a1.address("My Sheet", 5, 3) == "'My Sheet'!C5"
    assert a1.address("O'Brien", 1, 1) == "'O''Brien'!A1"
    assert a1.address("A1", 1, 1) == "'A1'!A1"  # a sheet named like a cell
    assert a1.split_address("'O''Brien'!B2") == ("O'Brien", "B2")


@given(st.integers(1, 10**8), st.integers(0, 10**9))
def test_number_regex_matches_exactly_the_larger_numbers(n: int, m: int) -> None:
    pattern = re.compile(b"(?:" + extent.num_gt(n) + b")")
    assert (pattern.fullmatch(str(m).encode()) is not None) == (m > n)


@given(st.integers(1, 16384), st.integers(1, 18278))
def test_letters_regex_matches_exactly_the_later_columns(c: int, d: int) -> None:
    pattern = re.compile(b"(?:" + extent.letters_gt(a1.letters_any(c)) + b")")
    assert (pattern.fullmatch(a1.letters_any(d).encode()) is not None) == (d > c)


# -- finding tables ---------------------------------------------------------------------------


def test_listobject_on_any_sheet_with_an_offset(tmp_path: Path) -> None:
    rows = [
        ["ProjectID", "Period", "Planned", "Note"],
        ["P1", dt.datetime(2026, 1, 1), 100, True],
        ["P2", "2026-02", "#DIV/0!", None],
        ["P3", 46054, 1.5, "x"],
    ]
    path = write_book(tmp_path / "b.xlsx", {"Notes": [("A1", [["hello"]])],
                                            "Data Sheet": [("C5", rows)]},
                      [("Data Sheet", "TBLPLAN", "C5:F8")])
    book = read_workbook(path)
    assert book.sheet_names == ["Notes", "Data Sheet"]
    t = book.tables["tblPlan"]  # keyed by the contract's spelling
    assert (t.name, t.sheet, t.ref, t.is_listobject) == ("tblPlan", "Data Sheet", "C5:F8", True)
    assert (t.first_row, t.first_col) == (5, 3)
    assert t.header == ["ProjectID", "Period", "Planned", "Note"]
    assert t.rows == [
        ["P1", dt.datetime(2026, 1, 1), 100.0, True],
        ["P2", "2026-02", XLError.DIV0, None],
        ["P3", 46054.0, 1.5, "x"],
    ]
    assert t.cell(0, 0) == "'Data Sheet'!C6"
    assert t.cell(1, 2) == "'Data Sheet'!E7"


def test_value_types_dates_times_and_formula_errors(tmp_path: Path) -> None:
    path = tmp_path / "v.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Timesheets")
    ws.write_row(0, 0, ["ResourceID", "Date", "Hours", "Billable"])
    ws.write_string(1, 0, "R1")
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws.write_datetime(1, 1, dt.datetime(2026, 3, 2, 9, 30), stamp)
    ws.write_number(1, 2, 0.3125, wb.add_format({"num_format": "hh:mm"}))
    ws.write_formula(1, 3, "=NA()", None, "#N/A")
    ws.write_string(2, 0, "   ")
    ws.write_formula(2, 2, '="7"', None, "7")
    ws.add_table(0, 0, 2, 3, {"name": "tblTimesheets", "columns": [
        {"header": h} for h in ["ResourceID", "Date", "Hours", "Billable"]]})
    wb.close()
    t = read_workbook(path).tables["tblTimesheets"]
    assert t.rows[0] == ["R1", dt.datetime(2026, 3, 2, 9, 30), 0.3125, XLError.NA]
    assert t.rows[1] == ["   ", None, "7", None]


def test_sheet_fallback_without_tables(tmp_path: Path) -> None:
    rows = [
        ["ProjectID", "ProjectName", None, "Ignored"],
        ["P1", "Alpha"],
        [None, None],
        ["P2", None],
        [None, None],
        [None, None],
    ]
    path = write_book(tmp_path / "s.xlsx", {"projects": [("A1", rows), ("A20", [[None]])],
                                            "Config": [("A1", CONFIG)]})
    book = read_workbook(path)
    t = book.tables["tblProjects"]
    assert not t.is_listobject and t.sheet == "projects"
    assert t.header == ["ProjectID", "ProjectName"]  # up to the first blank header
    assert t.rows == [["P1", "Alpha"], [None, None], ["P2", None]]  # to the last used row
    assert t.cell(2, 1) == "projects!B4"
    assert book.tables["tblConfig"].rows[1] == ["HoursPerDay", 7.5]


def test_sheet_fallback_refused_without_key_header_or_with_tables(tmp_path: Path) -> None:
    fc = [["ProjectID", "Period", "Kind", "Amount"], ["P1", "2026-01", "Actual", 5]]
    path = write_book(
        tmp_path / "f.xlsx",
        {"Plan": [("A1", [["Project", "2026-01"], ["P1", 3]])], "Forecast": [("A1", fc)]},
        [("Forecast", "tblForecastOut", "A1:D2")],
    )
    book = read_workbook(path)
    assert "tblPlan" not in book.tables  # row 1 has no ProjectID
    assert "tblForecast" not in book.tables  # the Forecast sheet holds an output table
    assert book.tables["tblForecastOut"].rows == [["P1", "2026-01", "Actual", 5.0]]
    [note] = book.findings
    assert note.severity == "Warning" and note.cell == "Plan!A1" and "ProjectID" in note.message


def test_listobject_wins_over_a_sheet_named_like_it(tmp_path: Path) -> None:
    path = write_book(
        tmp_path / "w.xlsx",
        {"Plan": [("A1", [["ProjectID"], ["WRONG"]])], "Other": [("B2", PLAN_LONG)]},
        [("Other", "tblPlan", "B2:E5")],
    )
    assert read_workbook(path).tables["tblPlan"].rows[0][0] == "P1"


def test_outputs_history_totals_row(tmp_path: Path) -> None:
    evm = [["ProjectID", "CPI"], ["P1", 1.1], ["P2", "#DIV/0!"], ["Total", None]]
    hist = [["ClosedOn", "ProjectID"], [dt.datetime(2026, 1, 31), "P1"]]
    path = write_book(tmp_path / "o.xlsx",
                      {"Dashboard": [("A1", evm)], "History": [("A1", hist)]},
                      [("Dashboard", "tblEVM", "A1:B4"), ("History", "tblHistory", "A1:B2")],
                      totals={"tblEVM": 1})
    book = read_workbook(path)
    assert book.tables["tblEVM"].rows == [["P1", 1.1], ["P2", XLError.DIV0]]
    assert book.tables["tblHistory"].rows == [[dt.datetime(2026, 1, 31), "P1"]]
    assert list(book.tables) == ["tblEVM", "tblHistory"]


def test_table_without_header_row_takes_column_names(tmp_path: Path) -> None:
    path = table_book(tmp_path / "h.xlsx", "tblProjects", PROJECTS, origin="B3")
    part = "xl/tables/table1.xml"
    fixed = rezip(path, tmp_path / "h2.xlsx", {part: lambda b: b.replace(
        b'ref="B3:D5"', b'ref="B4:D5"').replace(b'headerRowCount="1"', b'headerRowCount="0"')})
    t = read_workbook(fixed).tables["tblProjects"]
    assert t.header == ["ProjectID", "ProjectName", "BAC"]
    assert t.rows == [["P1", "Alpha", 250.0], ["P2", "Beta", None]]
    assert t.cell(0, 0) == "Projects!B4"


def test_date1904_workbook(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    wb = xlsxwriter.Workbook(path, {"date_1904": True})
    ws = wb.add_worksheet("Holidays")
    ws.write_row(0, 0, ["Date", "Name"])
    ws.write_datetime(1, 0, dt.datetime(2026, 12, 25), wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_row(1, 1, ["Christmas"])
    wb.close()
    book = read_workbook(path)
    assert book.date1904
    t = book.tables["tblHolidays"]
    assert t.date1904 and t.rows == [[dt.datetime(2026, 12, 25), "Christmas"]]


def test_fingerprint(tmp_path: Path) -> None:
    path = table_book(tmp_path / "f.xlsx", "tblPlan", PLAN_LONG)
    book = read_workbook(path)
    fp = book.fingerprint
    assert fp.size == path.stat().st_size and fp.mtime_ns == path.stat().st_mtime_ns
    assert fp.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert fingerprint(path) == fp
    os.utime(path, ns=(fp.mtime_ns + 10**9, fp.mtime_ns + 10**9))
    assert fingerprint(path) != fp
    assert book.path == path


def test_corpus_file_with_other_tables_reads(tmp_path: Path) -> None:
    if not CORPUS.exists():
        pytest.skip("corpus file not available")
    book = read_workbook(CORPUS)
    assert book.tables == {} and book.sheet_names
    with pytest.raises(KeyError):
        book.tables["tblPlan"]


# -- RawTable from ranges ---------------------------------------------------------------------


def test_from_values_like_the_excel_layer() -> None:
    t = RawTable.from_values(
        [["ProjectID", dt.date(2026, 1, 1), 46054.0], ["P1", "", dt.date(2026, 1, 2)],
         ["P2", float("nan")]],
        "'My Plan'!C5", name="tblPlan",
    )
    assert t.header == ["ProjectID", "2026-01-01", "46054"]
    assert t.rows == [["P1", None, dt.datetime(2026, 1, 2)], ["P2", None, None]]
    assert (t.sheet, t.first_row, t.first_col, t.ref) == ("My Plan", 5, 3, "C5:E7")
    assert t.cell(1, 2) == "'My Plan'!E7"
    assert len(RawTable.from_values([], "S!A1")) == 0


@pytest.mark.slow
def test_20k_rows_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    # (how fast against openpyxl: benchmarks/, not a timed test)
    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("Plan")
    ws.write_row(0, 0, ["ProjectID", "Period", "CostType", "Planned"])
    for i in range(1, 20_001):
        ws.write_row(i, 0, [f"P{i // 30}", f"2026-{i % 12 + 1:02d}", "Labour", i * 1.5])
    wb.close()
    t = read_workbook(path).tables["tblPlan"]
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True)["Plan"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert len(t) == len(rows) - 1 == 20_000
    assert t.rows[-1] == rows[-1]


def test_from_sheet_applies_the_sheet_rule() -> None:
    t = RawTable.from_sheet([["ProjectID", "BAC", "", "Note"], ["P1", 5, "", "x"],
                             [None, None, None, "y"], ["", "", "", ""]], "Projects", "tblProjects")
    assert t is not None and t.header == ["ProjectID", "BAC"]
    assert t.rows == [["P1", 5]]
    assert RawTable.from_sheet([["Name"], ["x"]], "Projects", "tblProjects") is None


def test_outputs_are_optional_and_never_block_the_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evm = [["ProjectID", "CPI"]] + [[f"P{i}", 1.0] for i in range(30)]
    path = write_book(tmp_path / "o.xlsx",
                      {"Plan": [("A1", PLAN_LONG)], "Dashboard": [("A1", evm)]},
                      [("Plan", "tblPlan", "A1:D4"), ("Dashboard", "tblEVM", "A1:B31")])
    assert list(read_workbook(path, outputs=False).tables) == ["tblPlan"]
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 20)  # Plan: 16 cells, Dashboard: 62
    book = read_workbook(path)
    assert list(book.tables) == ["tblPlan"]
    [note] = book.findings
    assert note.severity == "Warning" and "'Dashboard' are not read" in note.message
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 10)
    with pytest.raises(XlpmoError, match="'Plan' uses cells up to D4"):
        read_workbook(path)
