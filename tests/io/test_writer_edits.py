"""The package writer's edits (xlpmo.io.changes.TableEdit): cells set, rows added, month
columns added, and nothing else of the table or the file changed; tblConfig settings by
the one upsert rule."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from xlpmo.errors import XlpmoError
from xlpmo.io.changes import TableEdit, append_edit, settings_edit
from xlpmo.io.raw import fingerprint
from xlpmo.io.reader import read_workbook
from xlpmo.io.writer import save_tables


def book(path: Path) -> Path:
    """tblActuals (long) with a user's calculated column ``Net`` and a note column, and a
    tblConfig whose StatusDate appears twice and which has an empty last row."""
    wb = xlsxwriter.Workbook(str(path))
    money = wb.add_format({"num_format": "#,##0.00", "bold": True})
    date = wb.add_format({"num_format": "d mmm yyyy"})
    ws = wb.add_worksheet("Actuals")
    ws.add_table(0, 0, 2, 5, {"name": "tblActuals", "columns": [
        {"header": "ProjectID"}, {"header": "Period"}, {"header": "CostType"},
        {"header": "Actual"}, {"header": "Net", "formula": "=[@Actual]*0.8"},
        {"header": "Note"}]})
    ws.write_row(1, 0, ["P1"])
    ws.write_datetime(1, 1, dt.datetime(2026, 1, 1), date)
    ws.write(1, 2, "Labour")
    ws.write_number(1, 3, 100, money)
    ws.write(1, 5, "typed by Ann")
    ws.write_row(2, 0, ["P2"])
    ws.write_datetime(2, 1, dt.datetime(2026, 1, 1), date)
    ws.write(2, 2, "Labour")
    ws.write_formula(2, 3, "=20*10", money, 200)
    ws.write(5, 0, "a note below the table")
    cfg = wb.add_worksheet("Config")
    cfg.add_table(0, 0, 4, 1, {"name": "tblConfig",
                               "columns": [{"header": "Setting"}, {"header": "Value"}]})
    cfg.write_row(1, 0, ["StatusDate"])
    cfg.write_datetime(1, 1, dt.datetime(2026, 1, 31), date)
    cfg.write_row(2, 0, ["Currency", "GBP"])
    cfg.write_row(3, 0, ["statusdate "])  # the same setting again: the reader takes this one
    cfg.write_datetime(3, 1, dt.datetime(2026, 2, 28), date)
    wb.close()
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_an_edit_sets_cells_and_appends_rows_leaving_the_rest(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx")
    before = parts(path)
    raw = read_workbook(path).tables["tblActuals"]
    edit = append_edit("tblActuals", raw.header, raw.rows,
                       [{"ProjectID": "=1+1", "Period": dt.datetime(2026, 2, 1),
                         "Actual": 5.5}], [])
    edit.cells[(0, "Actual")] = 150.0
    save_tables(path, {}, edits=[edit], expected=fingerprint(path), backup=False)
    wb = openpyxl.load_workbook(path)
    ws = wb["Actuals"]
    assert ws.tables["tblActuals"].ref == "A1:F4"
    assert [ws.cell(2, c).value for c in (1, 2, 3, 4, 6)] == [
        "P1", dt.datetime(2026, 1, 1), "Labour", 150, "typed by Ann"]
    assert ws["D3"].value == "=20*10"  # a formula not edited stays
    assert [ws.cell(4, c).value for c in (1, 2, 3, 4, 6)] == [
        "=1+1", dt.datetime(2026, 2, 1), None, 5.5, None]
    assert ws["A4"].data_type == "s"  # text, not a formula
    net = ws["E4"].value  # the table's calculated column, as the writer gives new rows
    assert net.startswith("=") and "#This Row" in net and "0.8" in net
    assert ws["D4"].number_format == "#,##0.00" and ws["D4"].font.b  # the column's style
    assert ws["A6"].value == "a note below the table"
    after = parts(path)
    changed = {n for n in before if after.get(n) != before[n]}
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/tables/table1.xml", "xl/workbook.xml",
                       "xl/styles.xml", "xl/calcChain.xml", "[Content_Types].xml",
                       "xl/_rels/workbook.xml.rels"}, changed
    assert after["xl/worksheets/sheet2.xml"] == before["xl/worksheets/sheet2.xml"]


def test_an_edit_adds_month_columns_at_the_right(tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Actuals")
    ws.add_table(0, 0, 1, 2, {"name": "tblActuals", "columns": [
        {"header": "ProjectID"}, {"header": "CostType"}, {"header": "Oct 2026"}]})
    ws.write_row(1, 0, ["P1", "Labour", 10])
    wb.close()
    edit = TableEdit("tblActuals", cells={(0, "2026-11"): 7.0, (0, "Oct 2026"): 11.0},
                     columns=["2026-11"])
    save_tables(path, {}, edits=[edit], expected=fingerprint(path), backup=False)
    t = read_workbook(path).tables["tblActuals"]
    assert t.header == ["ProjectID", "CostType", "Oct 2026", "2026-11"]
    assert t.rows == [["P1", "Labour", 11.0, 7.0]]


def test_an_edit_refuses_a_formula_cell_and_writes_nothing(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx")
    before = path.read_bytes()
    edit = TableEdit("tblActuals", cells={(1, "Actual"): 1.0})
    with pytest.raises(XlpmoError, match=r"Actuals!D3 in tblActuals holds a formula"):
        save_tables(path, {}, edits=[edit], expected=fingerprint(path), backup=False)
    assert path.read_bytes() == before
    with pytest.raises(XlpmoError, match="has no column 'Gross'"):
        save_tables(path, {}, edits=[TableEdit("tblActuals", cells={(0, "Gross"): 1.0})],
                    expected=fingerprint(path), backup=False)


def test_a_missing_table_is_created_by_its_edit(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx")
    edit = append_edit("tblImportLog", None, [], [{"Source": "a.csv", "Rows": 2}],
                       ["ImportedAt", "Source", "SHA256", "Table", "Rows", "Reference"])
    save_tables(path, {}, edits=[edit], expected=fingerprint(path), backup=False)
    t = read_workbook(path).tables["tblImportLog"]
    assert (t.sheet, t.header, t.rows) == (
        "ImportLog", ["ImportedAt", "Source", "SHA256", "Table", "Rows", "Reference"],
        [[None, "a.csv", None, None, 2.0, None]])


def test_a_setting_written_twice_in_tblconfig_is_set_in_every_row(tmp_path: Path) -> None:
    """StatusDate appears twice; the reader takes the last row. Writing only the first
    (as the writer did) left the status date unchanged."""
    path = book(tmp_path / "b.xlsx")
    save_tables(path, {}, {"StatusDate": dt.datetime(2026, 3, 31), "RefreshedBy": "Ann"},
                expected=fingerprint(path), backup=False)
    from xlpmo.io.coerce import coerce_inputs

    raw = read_workbook(path).tables
    inputs, _findings = coerce_inputs(raw)
    assert inputs.settings.StatusDate == dt.datetime(2026, 3, 31)
    assert [r[:2] for r in raw["tblConfig"].rows] == [
        ["StatusDate", dt.datetime(2026, 3, 31)], ["Currency", "GBP"],
        ["statusdate ", dt.datetime(2026, 3, 31)], ["RefreshedBy", "Ann"]]  # the empty row


def test_settings_edit_is_the_upsert_of_the_contract() -> None:
    header = ["Setting", "Value", "Note"]
    rows = [["StatusDate", 1, "x"], [None, None, "keep"], ["Currency", "GBP", None],
            [None, None, None]]
    edit = settings_edit("tblConfig", header, rows, {"currency": "EUR", "A": 1, "B": 2,
                                                     "C": 3})
    assert edit.cells == {(2, "Value"): "EUR", (1, "Value"): 1, (1, "Setting"): "A",
                          (3, "Value"): 2, (3, "Setting"): "B"}
    assert edit.rows == [{"Setting": "C", "Value": 3}]


def test_an_edit_of_a_filtered_table_keeps_its_filter_hidden_rows_and_notes(
        tmp_path: Path) -> None:
    """tblActuals filtered to CostType = Labour (row 3, Travel, hidden) with a user's Note
    column: rows an import adds go at the end and show (as rows typed into a filtered
    table do in Excel); the filter, the hidden row and every note stay as they were."""
    import re

    path = tmp_path / "f.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Actuals")
    ws.add_table(0, 0, 3, 3, {"name": "tblActuals", "columns": [
        {"header": "ProjectID"}, {"header": "CostType"}, {"header": "Actual"},
        {"header": "Note"}], "data": [["P1", "Labour", 10, "Ann's"], ["P2", "Travel", 20, "Bob's"],
                                      ["P3", "Labour", 30, None]]})
    ws.set_row(2, None, None, {"hidden": True})
    wb.close()
    filtered = ('<autoFilter ref="A1:D4"><filterColumn colId="1"><filters>'
                '<filter val="Labour"/></filters></filterColumn></autoFilter>')
    with zipfile.ZipFile(path) as z:
        entries = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in entries:
            if info.filename == "xl/tables/table1.xml":
                data = data.replace(b'<autoFilter ref="A1:D4"/>', filtered.encode())
            z.writestr(info, data)
    assert filtered.encode() in parts(path)["xl/tables/table1.xml"]
    raw = read_workbook(path).tables["tblActuals"]
    edit = append_edit("tblActuals", raw.header, raw.rows,
                       [{"ProjectID": "P4", "CostType": "Travel", "Actual": 5.0}], [])
    save_tables(path, {}, edits=[edit], expected=fingerprint(path), backup=False)
    after = parts(path)
    table = after["xl/tables/table1.xml"].decode()
    assert '<autoFilter ref="A1:D5"><filterColumn colId="1"><filters><filter val="Labour"/>' \
        in table
    sheet = after["xl/worksheets/sheet1.xml"].decode()
    hidden = {int(m[1]) for m in re.finditer(r'<row r="(\d+)"[^>]*\bhidden="(?:1|true)"', sheet)}
    assert hidden == {3}
    t = read_workbook(path).tables["tblActuals"]
    assert t.rows == [["P1", "Labour", 10.0, "Ann's"], ["P2", "Travel", 20.0, "Bob's"],
                      ["P3", "Labour", 30.0, None], ["P4", "Travel", 5.0, None]]
