"""Formulas without a saved value (workbook.md v2 "Reading values"; issue #10 item 8).

A file last saved by openpyxl keeps its formulas but no values (``<v></v>``); XlsxWriter
writes the placeholder ``<v>0</v>`` under every formula. Both were read as blank or 0 with no
finding (BAC 0, CPI 0). Now each such cell is an Error naming it and its row is not read.
The files here are built with openpyxl and XlsxWriter themselves.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from helpers.reader_books import rezip
from helpers.tracker_books import base, tracker

from xlpmo.app.pipeline import refresh_file, validate_file
from xlpmo.errors import XlpmoError
from xlpmo.io.cellxml import Uncalculated, uncalculated_cells
from xlpmo.io.reader import read_workbook

D = dt.datetime
PROJECTS = [["ProjectID", "BAC"], ["P1", "=500*2"], ["P2", 1000], ["P3", 2000]]


@pytest.mark.parametrize(("xml", "found"), [
    (b'<c r="B2"><f>1+1</f></c>', {(2, 2): Uncalculated("1+1")}),
    (b'<c r="B2" s="3"><f>SUM(A1:A3)</f><v></v></c>', {(2, 2): Uncalculated("SUM(A1:A3)")}),
    (b'<c r="C7"><f t="shared" si="0"/><v/></c>', {(7, 3): Uncalculated("")}),
    (b'<x:c r="AA10"><x:f>A1&amp;"x"</x:f></x:c>', {(10, 27): Uncalculated('A1&"x"')}),
    (b'<c r="B2"><f>1+1</f><v>2</v></c>', {}),
    (b'<c r="B2" t="str"><f>A1</f><v>x</v></c>', {}),
    (b'<c r="B2"><v>0</v></c><c r="C2"><is><t>f</t></is></c>', {}),
])
def test_formula_cells_without_a_value(xml: bytes, found: dict) -> None:
    assert uncalculated_cells(b"<sheetData><row>" + xml + b"</row></sheetData>") == found


def test_the_placeholder_zero_counts_only_for_a_writer_that_does_not_calculate() -> None:
    xml = b'<row><c r="B2"><f>A1*2</f><v>0</v></c><c r="C2" t="str"><f>"0"</f><v>0</v></c></row>'
    assert uncalculated_cells(xml) == {}
    assert uncalculated_cells(xml, "XlsxWriter") == {(2, 2): Uncalculated("A1*2", "XlsxWriter")}


def test_an_openpyxl_saved_formula_is_an_error_and_its_row_is_left_out(tmp_path: Path) -> None:
    path = tracker(tmp_path / "t.xlsx", base(tblProjects=PROJECTS))
    assert read_workbook(path).tables["tblProjects"].rows[0][1] == Uncalculated("500*2")
    result = refresh_file(path, backup=False)
    [error] = [f for f in result.findings if f.severity == "Error"]
    assert (error.table, error.cell) == ("tblProjects", "Projects!B2")
    assert error.message.startswith("formula =500*2 has no saved value (the file was last "
                                    "saved by a program that does not calculate formulas")
    assert error.message.endswith("; row ignored")
    evm = result.outputs["tblEVM"]
    assert sorted(evm["ProjectID"]) == ["P2", "P3"]  # P1 not computed on a BAC of 0 or blank


def test_the_same_file_with_its_values_saved_reads_them(tmp_path: Path) -> None:
    path = tracker(tmp_path / "t.xlsx", base(tblProjects=PROJECTS))
    sheet = "xl/worksheets/sheet2.xml"  # Projects: as Excel saves a calculated formula
    saved = rezip(path, tmp_path / "saved.xlsx", {sheet: lambda xml: xml.replace(
        b"<f>500*2</f><v></v>", b"<f>500*2</f><v>1000</v>")})
    result = refresh_file(saved, backup=False)
    assert not [f for f in result.findings if f.severity == "Error"]
    assert result.outputs["tblEVM"].set_index("ProjectID").loc["P1", "BAC"] == 1000.0


def xlsxwriter_book(path: Path, value: float | None) -> Path:
    wb = xlsxwriter.Workbook(path)
    tables = base(tblProjects=[["ProjectID", "BAC"], ["P1", None], ["P2", 1000], ["P3", 2000]])
    for name, rows in tables.items():
        ws = wb.add_worksheet(name[3:])
        for i, row in enumerate(rows[1:], start=1):
            for j, v in enumerate(row):
                if name == "tblProjects" and (i, j) == (1, 1):
                    if value is None:
                        ws.write_formula(i, j, "=500*2")
                    else:
                        ws.write_formula(i, j, "=500*2", None, value)
                elif isinstance(v, dt.datetime):
                    ws.write_datetime(i, j, v, wb.add_format({"num_format": "yyyy-mm-dd"}))
                elif v is not None:
                    ws.write(i, j, v)
        ws.add_table(0, 0, len(rows) - 1, len(rows[0]) - 1,
                     {"name": name, "columns": [{"header": str(h)} for h in rows[0]]})
    wb.close()
    return path


def test_xlsxwriters_placeholder_zero_is_an_error(tmp_path: Path) -> None:
    path = xlsxwriter_book(tmp_path / "x.xlsx", None)
    with zipfile.ZipFile(path) as z:
        assert b"<f>500*2</f><v>0</v>" in z.read("xl/worksheets/sheet2.xml")
    result = validate_file(path)
    [error] = [f for f in result.findings if f.severity == "Error"]
    assert error.cell == "Projects!B2"
    assert "holds only the placeholder 0 that XlsxWriter writes" in error.message


def test_a_value_xlsxwriter_was_given_is_read(tmp_path: Path) -> None:
    result = validate_file(xlsxwriter_book(tmp_path / "x.xlsx", 1000))
    assert not [f for f in result.findings if f.severity == "Error"]
    assert result.inputs.projects["BAC"].tolist() == [1000.0, 1000.0, 2000.0]


def test_a_status_date_formula_without_a_value_stops_refresh(tmp_path: Path) -> None:
    config = [["Setting", "Value"], ["StatusDate", "=EOMONTH(TODAY(),-1)"]]
    path = tracker(tmp_path / "t.xlsx", base(tblConfig=config))
    before = path.read_bytes()
    [error] = [f for f in validate_file(path).findings if f.severity == "Error"]
    assert error.cell == "Config!B2" and "=EOMONTH(TODAY(),-1) has no saved value" in \
        error.message
    with pytest.raises(XlpmoError, match="StatusDate"):
        refresh_file(path, backup=False)
    assert path.read_bytes() == before


def test_a_plan_amount_formula_without_a_value_leaves_its_row_out(tmp_path: Path) -> None:
    plan = [["ProjectID", "2026-01", "2026-02"], ["P1", 250, "=250*1"], ["P2", 250, 250],
            ["P3", 500, 500]]
    result = validate_file(tracker(tmp_path / "t.xlsx", base(tblPlan=plan)))
    [error] = [f for f in result.findings if f.severity == "Error"]
    assert error.cell == "Plan!C2" and error.message.endswith("; row ignored")
    assert sorted(set(result.inputs.plan["ProjectID"])) == ["P2", "P3"]
