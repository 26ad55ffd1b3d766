"""`xlpmo import` end to end on real files: the template, a wide book, exports as finance
systems write them. Expected amounts are the exports' own figures added by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from helpers.exports import csv_bytes, sap_list, wide_book, xlsx_export
from helpers.paths import TEMPLATE

from xlpmo.cli import main
from xlpmo.io.reader import read_workbook


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table(path: Path, name: str) -> list[dict]:
    t = read_workbook(path).tables[name]
    return [dict(zip(t.header, r, strict=True)) for r in t.rows]


def cell(path: Path, project: str, cost_type: str, month: str) -> float | None:
    rows = table(path, "tblActuals")
    return next(r[month] for r in rows if (r["ProjectID"], r["CostType"]) == (project, cost_type))


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    path = tmp_path / "Tracker.xlsx"
    shutil.copy(TEMPLATE, path)
    return path


@pytest.fixture
def wide(tmp_path: Path) -> Path:
    return wide_book(tmp_path / "Wide.xlsx")


def test_a_late_invoice_is_added_to_the_month_it_belongs_to(wide: Path, tmp_path: Path,
                                                            capsys) -> None:
    """The issue's case: £59,000 in March, a late £2,000 invoice for March -> £61,000."""
    export = tmp_path / "late.csv"
    export.write_bytes(csv_bytes([["Invoice No", "Project", "Posting Date", "Cost Type",
                                   "Amount (GBP)"],
                                  ["INV-7001", "P05", "2026-03-30", "Labour", "2,000.00"]]))
    assert main(["import", str(wide), str(export), "--quiet", "--no-backup"]) == 0
    assert cell(wide, "P05", "Labour", "Mar 2026") == 61000.0
    assert cell(wide, "P05", "Labour", "Feb 2026") == 50000.0  # other months as they were
    out = capsys.readouterr().out
    assert "1 amount(s) added" in out and "late.csv" in out
    log = table(wide, "tblImportLog")
    assert [(r["Source"], r["Table"], r["Rows"], r["Reference"]) for r in log] == [
        ("late.csv", "tblActuals", 1, "INV-7001")]
    assert log[0]["SHA256"] == sha(export)
    assert isinstance(log[0]["ImportedAt"], dt.datetime)


def test_importing_the_same_export_twice_changes_nothing_the_second_time(
        tracker: Path, tmp_path: Path, capsys) -> None:
    export = tmp_path / "finance.csv"
    export.write_bytes(csv_bytes([["Project", "Period", "Cost type", "Amount"],
                                  ["PRJ-101", "2026-11", "Labour", "12,500"],
                                  ["PRJ-101", "2026-11", "Labour", "500"],
                                  ["PRJ-102", "2026-10", "External", "102"]]))
    oct_ext = cell(tracker, "PRJ-102", "External", "Oct 2026")
    assert main(["import", str(tracker), str(export), "--quiet", "--no-backup"]) == 0
    assert cell(tracker, "PRJ-101", "Labour", "Nov 2026") == 13000.0  # 12,500 + 500
    assert cell(tracker, "PRJ-102", "External", "Oct 2026") == oct_ext + 102
    first = sha(tracker)
    capsys.readouterr()
    assert main(["import", str(tracker), str(export), "--quiet", "--no-backup"]) == 0
    assert sha(tracker) == first  # not a byte changed
    out = capsys.readouterr().out
    assert "nothing new in finance.csv" in out and "3 row(s) were all imported before" in out
    # the log: one row per whole row imported (no reference column), Rows = its copies
    log = table(tracker, "tblImportLog")
    assert sorted((r["Reference"], r["Rows"]) for r in log) == [
        ("PRJ-101 | 2026-11 | Labour | 12500", 1), ("PRJ-101 | 2026-11 | Labour | 500", 1),
        ("PRJ-102 | 2026-10 | External | 102", 1)]


def test_a_year_to_date_export_adds_only_the_invoices_not_imported_before(
        wide: Path, tmp_path: Path, capsys) -> None:
    header = ["Document Number", "WBS Element", "Posting Date", "Cost Element", "Amount"]
    feb = tmp_path / "ytd_feb.csv"
    feb.write_bytes(csv_bytes([header, ["D1", "P06", "2026-02-10", "Labour", "100"],
                               ["D2", "P06", "2026-02-11", "Labour", "200"]]))
    mar = tmp_path / "ytd_mar.csv"  # February's documents again, and two new ones
    mar.write_bytes(csv_bytes([header, ["D1", "P06", "2026-02-10", "Labour", "100"],
                               ["D2", "P06", "2026-02-11", "Labour", "200"],
                               ["D3", "P06", "2026-03-05", "Labour", "40"],
                               ["D3", "P06", "2026-03-05", "Labour", "2"],  # a 2-line doc
                               ["D4", "P06", "2026-03-09", "Labour", "8"]]))
    assert main(["import", str(wide), str(feb), "--quiet", "--no-backup"]) == 0
    assert cell(wide, "P06", "Labour", "Feb 2026") == 300.0
    capsys.readouterr()
    assert main(["import", str(wide), str(mar), "--quiet", "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert cell(wide, "P06", "Labour", "Feb 2026") == 300.0  # D1, D2 not counted twice
    assert cell(wide, "P06", "Labour", "Mar 2026") == 50.0  # 40 + 2 + 8
    assert "2 row(s) imported before were skipped (first: row 2, D1 on " in out
    assert "from ytd_feb.csv" in out
    log = table(wide, "tblImportLog")
    assert [(r["Source"], r["Reference"], r["Rows"]) for r in log] == [
        ("ytd_feb.csv", "D1", 1), ("ytd_feb.csv", "D2", 1), ("ytd_mar.csv", "D3", 2),
        ("ytd_mar.csv", "D4", 1)]


def test_equal_postings_without_a_reference_are_counted_not_collapsed(
        tmp_path: Path, capsys) -> None:
    book = wide_book(tmp_path / "Wide.xlsx")
    head = ["Project", "Month", "Cost type", "Amount"]
    one = tmp_path / "one.csv"  # two equal £500 postings: two postings
    one.write_bytes(csv_bytes([head, ["P06", "2026-03", "Labour", "500"],
                               ["P06", "2026-03", "Labour", "500"]]))
    more = tmp_path / "more.csv"  # the same two, and a third equal one
    more.write_bytes(csv_bytes([head, *[["P06", "2026-03", "Labour", "500"]] * 3]))
    assert main(["import", str(book), str(one), "--quiet", "--no-backup"]) == 0
    assert cell(book, "P06", "Labour", "Mar 2026") == 1000.0
    assert main(["import", str(book), str(more), "--quiet", "--no-backup"]) == 0
    assert cell(book, "P06", "Labour", "Mar 2026") == 1500.0
    log = table(book, "tblImportLog")
    assert [(r["Source"], r["Rows"]) for r in log] == [("one.csv", 2), ("more.csv", 1)]
    assert "1 export row(s) repeat an earlier row exactly" in capsys.readouterr().out


def test_new_projects_rows_and_months_in_the_wide_layout_and_unknown_ids_warned(
        wide: Path, tmp_path: Path, capsys) -> None:
    export = tmp_path / "apr.csv"
    export.write_bytes(csv_bytes([["Project", "Period", "Category", "Amount"],
                                  ["P05", "2026-04", "Labour", "7"],
                                  ["P05", "2026-03", "Travel", "3"],
                                  ["P99", "2026-04", "Labour", "1"]]))
    assert main(["import", str(wide), str(export), "--quiet", "--no-backup"]) == 0
    rows = table(wide, "tblActuals")
    assert list(rows[0]) == ["ProjectID", "CostType", "Jan 2026", "Feb 2026", "Mar 2026",
                             "Apr 2026"]  # the new month written like the others
    got = {(r["ProjectID"], r["CostType"]): (r["Mar 2026"], r["Apr 2026"]) for r in rows}
    assert got[("P05", "Labour")] == (59000.0, 7.0)
    assert got[("P05", "Travel")] == (3.0, None)
    assert got[("P99", "Labour")] == (None, 1.0)
    out = capsys.readouterr().out
    assert "Warning: tblActuals: ProjectID 'P99' imported into tblActuals is not in " \
           "tblProjects" in out
    assert "'P05'" not in out


@pytest.mark.parametrize(("formula", "text", "why"), [
    (True, None, "Actuals!E2 in tblActuals holds a formula"),
    (False, "59k", "Actuals!E2 ('59k') holds no amount to add to"),
])
def test_a_month_cell_without_an_amount_stops_the_import(tmp_path: Path, capsys,
                                                          formula: bool, text, why) -> None:
    """A formula is not overwritten by its value plus the import; text is not added to.
    The cell is named and nothing is written."""
    import openpyxl

    book = wide_book(tmp_path / "Wide.xlsx", formula=formula)
    if text:
        wb = openpyxl.load_workbook(book)
        wb["Actuals"]["E2"] = text
        wb.save(book)
    export = tmp_path / "late.csv"
    export.write_bytes(csv_bytes([["Project", "Period", "Cost type", "Amount"],
                                  ["P05", "2026-03", "Labour", "2000"]]))
    before = sha(book)
    assert main(["import", str(book), str(export), "--quiet"]) == 2
    assert why in capsys.readouterr().err
    assert sha(book) == before


# -- exports as they come ------------------------------------------------------------------------


def long_timesheets(tmp_path: Path) -> Path:
    return wide_book(tmp_path / "Book.xlsx")


def hours(path: Path) -> list[tuple]:
    return [(r["ResourceID"], r["ProjectID"], r["Date"], r["Hours"], r["Billable"])
            for r in table(path, "tblTimesheets")]


def test_csv_utf8_with_bom(wide: Path, tmp_path: Path) -> None:
    export = tmp_path / "bom.csv"
    export.write_bytes(csv_bytes([["Employee", "Project", "Date", "Hours", "Billable"],
                                  ["R1", "P05", "2026-03-03", "7.5", "Yes"],
                                  ["Zoë", "P05", "2026-03-03", "4", "No"]], bom=True))
    assert main(["import", str(wide), str(export), "--quiet", "--no-backup"]) == 0
    assert hours(wide)[1:] == [("R1", "P05", dt.datetime(2026, 3, 3), 7.5, True),
                               ("Zoë", "P05", dt.datetime(2026, 3, 3), 4.0, False)]


def test_csv_windows_1252_with_french_headers_mapped(wide: Path, tmp_path: Path,
                                                     capsys) -> None:
    export = tmp_path / "factures.csv"
    export.write_bytes(csv_bytes([["N° facture", "Projet", "Période", "Catégorie", "Montant €"],
                                  ["F-1", "P06", "2026-02", "Labour", "1200.75"]],
                                 encoding="cp1252"))
    maps = ["--map", "N° facture=Reference", "--map", "Projet=ProjectID", "--map",
            "Période=Period", "--map", "Catégorie=CostType", "--map", "Montant €=Actual"]
    assert main(["import", str(wide), str(export), "--quiet", "--no-backup", *maps]) == 0
    assert cell(wide, "P06", "Labour", "Feb 2026") == 1200.75
    assert table(wide, "tblImportLog")[0]["Reference"] == "F-1"
    # without the maps the export's columns are named and --map suggested
    capsys.readouterr()
    assert main(["import", str(wide), str(export), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "its columns: N° facture, Projet, Période, Catégorie, Montant €" in err
    assert '--map "Export column=ContractColumn"' in err


def test_csv_semicolons_with_decimal_commas(wide: Path, tmp_path: Path) -> None:
    export = tmp_path / "de.csv"
    export.write_bytes(csv_bytes([["Projekt", "Monat", "Kostenart", "Betrag"],
                                  ["P06", "02.2026", "Labour", "1.234,50"],
                                  ["P06", "03.2026", "Labour", "-0,75"]],
                                 delimiter=";", encoding="cp1252"))
    maps = ["--map", "Projekt=ProjectID", "--map", "Monat=Period", "--map",
            "Kostenart=CostType", "--map", "Betrag=Actual"]
    assert main(["import", str(wide), str(export), "--quiet", "--no-backup", *maps]) == 0
    assert cell(wide, "P06", "Labour", "Feb 2026") == 1234.5
    assert cell(wide, "P06", "Labour", "Mar 2026") == -0.75


def test_xlsx_export_with_a_title_block(wide: Path, tmp_path: Path) -> None:
    export = xlsx_export(tmp_path / "timesheets.xlsx", [
        ["Employee ID", "Project", "Work Date", "Hours", "Billable"],
        ["R1", "P06", dt.date(2026, 3, 4), 6.0, "Y"],
        ["R1", "0042", dt.date(2026, 3, 5), 2.0, "N"]],
        above=[["Timesheet export"], ["Generated", "2026-04-01"]])
    assert main(["import", str(wide), str(export), "--quiet", "--no-backup"]) == 0
    assert hours(wide)[1:] == [("R1", "P06", dt.datetime(2026, 3, 4), 6.0, True),
                               ("R1", "0042", dt.datetime(2026, 3, 5), 2.0, False)]


def test_sap_list_with_a_header_block(wide: Path, tmp_path: Path, capsys) -> None:
    export = tmp_path / "KSB1.txt"
    export.write_bytes(sap_list([
        ["Document Number", "WBS Element", "Posting Date", "Cost Element", "Amount in LC",
         "Currency"],
        ["4900012", "P05", "05.03.2026", "Labour", "1.500,00", "GBP"],
        ["4900013", "P05", "06.03.2026", "Labour", "250,00-", "GBP"],
        ["4900014", "P06", "09.03.2026", "Labour", "99,99", "GBP"]]))
    assert main(["import", str(wide), str(export), "--quiet", "--no-backup"]) == 0
    assert cell(wide, "P05", "Labour", "Mar 2026") == 59000 + 1500 - 250
    assert cell(wide, "P06", "Labour", "Mar 2026") == 99.99
    assert [r["Reference"] for r in table(wide, "tblImportLog")] == [
        "4900012", "4900013", "4900014"]
    out = capsys.readouterr().out
    assert "1 export row(s) left out (first: row 11: ProjectID is blank" in out  # the total


def test_the_export_is_read_before_the_workbook_is_touched(tracker: Path, tmp_path: Path,
                                                          capsys) -> None:
    before = sha(tracker)
    missing = tmp_path / "nope.csv"
    assert main(["import", str(tracker), str(missing), "--quiet"]) == 2
    assert "cannot read the export nope.csv" in capsys.readouterr().err
    empty = tmp_path / "blank.csv"
    empty.write_bytes(csv_bytes([["Project", "Period", "Amount"], ["", "", ""]]))
    assert main(["import", str(tracker), str(empty), "--quiet"]) == 2
    assert sha(tracker) == before


def test_import_touches_only_the_table_the_log_and_the_package_lists(tracker: Path,
                                                                     tmp_path: Path) -> None:
    with zipfile.ZipFile(tracker) as z:
        before = {n: z.read(n) for n in z.namelist()}
        sheet_of = _sheet_parts(z)
    export = tmp_path / "late.csv"
    export.write_bytes(csv_bytes([["Project", "Period", "Cost type", "Amount"],
                                  ["PRJ-102", "2026-10", "Labour", "2000"]]))
    assert main(["import", str(tracker), str(export), "--quiet", "--no-backup"]) == 0
    with zipfile.ZipFile(tracker) as z:
        after = {n: z.read(n) for n in z.namelist()}
    changed = {n for n in before if after.get(n) != before[n]}
    allowed = {sheet_of["Actuals"], sheet_of["ImportLog"], *_table_parts(sheet_of, before,
                                                                         ("Actuals", "ImportLog"))}
    assert changed <= allowed, changed - allowed


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    from lxml import etree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    wb = etree.fromstring(z.read("xl/workbook.xml"))
    rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    return {s.get("name"): "xl/" + target[s.get(f"{{{ns['r']}}}id")].lstrip("/").removeprefix("xl/")
            for s in wb.iterfind("m:sheets/m:sheet", ns)}


def _table_parts(sheet_of: dict[str, str], parts: dict[str, bytes], sheets: tuple) -> set[str]:
    from lxml import etree

    out = set()
    for sheet in sheets:
        part = sheet_of[sheet]
        rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rels in parts:
            for r in etree.fromstring(parts[rels]):
                if r.get("Type", "").endswith("/table"):
                    out.add("xl/tables/" + r.get("Target").rsplit("/", 1)[1])
    return out


def test_a_posting_that_cannot_be_read_makes_exit_1(wide: Path, tmp_path: Path,
                                                    capsys) -> None:
    """A posting (ID and amount typed) whose amount is unreadable is left out of the table:
    the rest is imported, the row named, exit 1 (the table holds less than the export). A
    totals line (no ID) and a line with no amount are not postings: they do not count."""
    export = tmp_path / "finance.csv"
    export.write_bytes(csv_bytes([
        ["Invoice No", "Project", "Posting Date", "Cost Type", "Amount (GBP)"],
        ["INV-1", "P05", "2026-03-30", "Labour", "2,000.00"],
        ["INV-2", "P05", "2026-03-30", "Labour", "=1+2"],      # a posting left out
        ["INV-3", "P06", "2026-03-30", "Labour", ""],          # nothing to add
        ["", "", "", "", "2,000.00"]]))                       # the total
    assert main(["import", str(wide), str(export), "--quiet", "--no-backup"]) == 1
    out = capsys.readouterr().out
    assert "3 export row(s) left out (first: row 3: Actual is blank or unreadable ('=1+2'))" \
        in out, out
    assert "exit 1: 1 posting(s) of the export could not be read" in out
    assert cell(wide, "P05", "Labour", "Mar 2026") == 61000.0  # the readable one is in
    clean = tmp_path / "clean.csv"
    clean.write_bytes(csv_bytes([
        ["Invoice No", "Project", "Posting Date", "Cost Type", "Amount (GBP)"],
        ["INV-4", "P05", "2026-03-30", "Labour", "10"],
        ["INV-5", "P06", "2026-03-30", "Labour", ""],
        ["", "", "", "", "10"]]))
    assert main(["import", str(wide), str(clean), "--quiet", "--no-backup"]) == 0
