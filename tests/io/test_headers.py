"""Headers (workbook.md v2 "Reading values"): decoded, trimmed, case ignored; near misses named.

Issue #10 item 6: a header with a line break (Excel and openpyxl store ``_x000a_`` in the
table part) silently dropped the column (BAC fell back to the plan sum) or the whole table
(ProjectID: an empty tblEVM, exit 0); a near-miss header (``Percent Complete``) gave a
warning per row and never named the header.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from helpers.tracker_books import base, tracker

from xlpmo.app.pipeline import refresh_file, validate_file
from xlpmo.io.headers import decode_xstring
from xlpmo.io.reader import read_workbook

D = dt.datetime
PROGRESS = [["ProjectID", "Period", "Percent Complete"], ["P1", D(2026, 3, 1), 0.5],
            ["P2", D(2026, 3, 1), 0.25], ["P3", D(2026, 3, 1), 0.1]]


@pytest.mark.parametrize(("text", "decoded"), [
    ("BAC_x000a_", "BAC\n"), ("Project_x000a_ID", "Project\nID"), ("A_x0009_B", "A\tB"),
    ("_x005F_x000a_", "_x000a_"), ("plain", "plain"), ("_x00e9_t_x00E9_", "été"),
])
def test_excel_escapes_are_decoded(text: str, decoded: str) -> None:
    assert decode_xstring(text) == decoded


def test_a_line_break_after_a_header_keeps_its_column(tmp_path: Path) -> None:
    projects = [["ProjectID", "BAC\n"], ["P1", 1200], ["P2", 1000], ["P3", 2000]]
    path = tracker(tmp_path / "t.xlsx", base(tblProjects=projects))
    with zipfile.ZipFile(path) as z:  # as Excel writes it in the table part
        assert b'name="BAC_x000a_"' in z.read("xl/tables/table2.xml")
    result = refresh_file(path, backup=False)
    evm = result.outputs["tblEVM"].set_index("ProjectID")
    assert evm.loc["P1", "BAC"] == 1200.0  # the typed BAC, not the plan's 1,000
    # the one finding is about the BAC read from that column (1,200 typed, a plan of 1,000)
    assert [(f.cell, f.message.split(":")[0]) for f in result.findings
            if f.severity != "Info"] == [
        ("Projects!B2", "BAC 1,200 is not the total of P1's plan in tblPlan (1,000)")]


def test_a_line_break_inside_project_id_is_one_warning_and_the_table_is_read(
        tmp_path: Path) -> None:
    projects = [["Project\nID", "BAC"], ["P1", 1000], ["P2", 1000], ["P3", 2000]]
    path = tracker(tmp_path / "t.xlsx", base(tblProjects=projects))
    result = refresh_file(path, backup=False)
    assert sorted(result.outputs["tblEVM"]["ProjectID"]) == ["P1", "P2", "P3"]
    [w] = [f for f in result.findings if f.severity != "Info"]
    assert (w.severity, w.cell) == ("Warning", "Projects!A1")
    assert w.message == ("header 'Project\\nID' is read as ProjectID: rename it to ProjectID, "
                         "the contract's name")


def test_a_near_miss_header_is_one_finding_naming_it(tmp_path: Path) -> None:
    path = tracker(tmp_path / "t.xlsx", base(tblProgress=PROGRESS))
    result = refresh_file(path, backup=False)
    found = [f for f in result.findings if f.table == "tblProgress" and f.severity != "Info"]
    assert [(f.severity, f.cell) for f in found] == [("Warning", "Progress!C1")]
    assert "rename it to PercentComplete" in found[0].message
    ev = result.outputs["tblEVM"].set_index("ProjectID")["EV"]
    assert ev.to_dict() == {"P1": 500.0, "P2": 250.0, "P3": 200.0}


def test_a_header_a_letter_away_is_suggested_once_not_per_row(tmp_path: Path) -> None:
    rows = [["ProjectID", "Period", "Percnt Complete"], *PROGRESS[1:]]
    path = tracker(tmp_path / "t.xlsx", base(tblProgress=rows))
    found = [f for f in validate_file(path).findings if f.table == "tblProgress"]
    assert [(f.severity, f.cell) for f in found] == [
        ("Warning", "Progress!C1"), ("Warning", "tblProgress")]
    assert found[0].message == ("header 'Percnt Complete' is not a column of tblProgress: did "
                                "you mean PercentComplete? The column is not read")
    assert found[1].message == ("tblProgress has neither a PercentComplete nor an Earned "
                                "column: no progress is read from it")


def test_a_plain_sheet_whose_first_header_is_a_near_miss_is_read(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Projects"
    for row in [["Project ID", "BAC"], ["P1", 10]]:
        ws.append(row)
    wb.save(tmp_path / "p.xlsx")
    raw = read_workbook(tmp_path / "p.xlsx").tables["tblProjects"]
    assert raw.header == ["Project ID", "BAC"] and raw.rows == [["P1", 10.0]]
