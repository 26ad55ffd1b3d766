"""read_workbook refuses hostile or foreign files with a clear XlpmoError, quickly."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers.reader_books import (
    PLAN_LONG,
    bomb_book,
    patch_zip_entry,
    rezip,
    table_book,
    write_book,
)

from xlpmo.errors import XlpmoError
from xlpmo.io import limits
from xlpmo.io.extent import extent
from xlpmo.io.reader import read_workbook

SHEET = "xl/worksheets/sheet1.xml"
TABLE = "xl/tables/table1.xml"
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="1"
 name="tblPlan" displayName="&lol9;" ref="A1:D4"><tableColumns count="1">
<tableColumn id="1" name="&lol9;"/></tableColumns></table>"""


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    return table_book(tmp_path / "plan.xlsx", "tblPlan", PLAN_LONG)


def refused(path: Path, *words: str) -> str:
    with pytest.raises(XlpmoError) as info:
        read_workbook(path)
    message = str(info.value)
    assert path.name in message or str(path) in message
    for word in words:
        assert word in message, message
    return message


# -- not an OOXML package ---------------------------------------------------------------------


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "Book.xlsx"
    path.write_text("ProjectID,Planned\nP1,100\n")
    refused(path, "not an Excel workbook", "CSV")
    path.write_bytes(b"<html><body>login</body></html>")
    refused(path, "web page")
    path.write_bytes(b"")
    refused(path, "empty")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    refused(tmp_path / "nope.xlsx", "does not exist")
    refused(tmp_path, "folder")


def test_truncated_zip(plan: Path, tmp_path: Path) -> None:
    cut = tmp_path / "Cut.xlsx"
    cut.write_bytes(plan.read_bytes()[: plan.stat().st_size // 2])
    refused(cut, "damaged or incomplete")


def test_legacy_and_encrypted_ole(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    xls = tmp_path / "Book.xls"
    xls.write_bytes(ole + "Workbook".encode("utf-16-le") + b"\0" * 1000)
    assert refused(xls) == "Book.xls is a legacy .xls workbook: save it as .xlsx or .xlsm"
    enc = tmp_path / "Secret.xlsx"
    enc.write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000)
    refused(enc, "encrypted", "password")


def test_xlsb_and_ods(tmp_path: Path) -> None:
    xlsb = tmp_path / "Book.xlsb"
    with zipfile.ZipFile(xlsb, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/>'
            "</Relationships>"))
        z.writestr("xl/workbook.bin", b"\0\1\2")
    refused(xlsb, ".xlsb", "save it as .xlsx")
    ods = tmp_path / "Book.ods"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    refused(ods, "OpenDocument")
    other = tmp_path / "Archive.xlsx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "hello")
    refused(other, "not an Excel workbook")


# -- zip bombs ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gigabyte_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bomb")
    src = table_book(folder / "src.xlsx", "tblPlan", PLAN_LONG)
    return bomb_book(src, folder / "Bomb.xlsx", SHEET, 1 << 30)


def test_gigabyte_part_stops_at_the_ratio_cap(gigabyte_bomb: Path) -> None:
    tracemalloc.start()
    try:
        refused(gigabyte_bomb, "zip bomb", "200:1")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20


def test_gigabyte_part_stops_at_the_part_cap(gigabyte_bomb: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_RATIO", 10**9)
    refused(gigabyte_bomb, "zip bomb", "more than 512 MB")


def test_total_cap(plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 4096)
    refused(plan, "parts inflate to more than")


def test_sizes_the_zip_claims_are_not_trusted(plan: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    liar = rezip(plan, tmp_path / "Liar.xlsx", {SHEET: b" " * (20 << 20)})
    patch_zip_entry(liar, SHEET, size=100)
    monkeypatch.setattr(limits, "MAX_RATIO", 10**9)
    monkeypatch.setattr(limits, "MAX_PART_BYTES", 8 << 20)
    refused(liar, "inflates to more than 8 MB")


def test_zip_encryption_compression_and_checksum(plan: Path, tmp_path: Path) -> None:
    enc = patch_zip_entry(rezip(plan, tmp_path / "Enc.xlsx", {}), TABLE, flags=0x1)
    refused(enc, "encrypted")
    bz = rezip(plan, tmp_path / "Bz.xlsx", {}, compression=zipfile.ZIP_BZIP2)
    refused(bz, "compression Excel does not write")
    stored = rezip(plan, tmp_path / "Crc.xlsx", {}, compression=zipfile.ZIP_STORED)
    data = bytearray(stored.read_bytes())
    at = data.find(b"tblPlan")
    data[at] = ord("X")
    stored.write_bytes(bytes(data))
    refused(stored, "checksum")


# -- XML entity expansion ----------------------------------------------------------------------


def test_billion_laughs_in_a_table_part(plan: Path, tmp_path: Path) -> None:
    lol = rezip(plan, tmp_path / "Lol.xlsx", {TABLE: LAUGHS})
    tracemalloc.start()
    try:
        refused(lol, "DTD", TABLE)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20


def test_dtd_in_parts_calamine_would_parse(plan: Path, tmp_path: Path) -> None:
    def with_dtd(data: bytes) -> bytes:
        dtd = b'<!DOCTYPE x [<!ENTITY a "b">]>'
        if data.startswith(b"<?xml"):
            return data.replace(b"?>", b"?>" + dtd, 1)
        return dtd + data

    refused(rezip(plan, tmp_path / "Sheet.xlsx", {SHEET: with_dtd}), "DTD", SHEET)
    refused(rezip(plan, tmp_path / "Wb.xlsx", {"xl/workbook.xml": with_dtd}), "DTD")
    refused(rezip(plan, tmp_path / "Styles.xlsx", {"xl/styles.xml": with_dtd}), "DTD")
    padded = b'<?xml version="1.0"?><!--' + b"x" * 70_000 + b'--><!DOCTYPE x []><table/>'
    refused(rezip(plan, tmp_path / "Pad.xlsx", {TABLE: padded}), "no XML element")
    utf16 = LAUGHS.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"').decode()
    refused(rezip(plan, tmp_path / "U16.xlsx", {TABLE: utf16.encode("utf-16")}), "DTD")


def test_malformed_xml(plan: Path, tmp_path: Path) -> None:
    refused(rezip(plan, tmp_path / "Bad.xlsx", {TABLE: b"<table><oops></table>"}),
            "not well-formed", TABLE)
    garbage = rezip(plan, tmp_path / "Garbage.xlsx", {SHEET: b"<worksheet><sheetData><row>"})
    refused(garbage, "Plan")


# -- cells spread over the whole sheet (calamine would abort the process) -----------------------


def test_far_apart_cells_are_refused_not_fatal(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws["A1"] = "ProjectID"
    ws["XFD1048576"] = 1
    path = tmp_path / "Far.xlsx"
    wb.save(path)
    refused(path, "XFD1048576", "Delete the unused rows and columns")


@pytest.mark.parametrize("far", [
    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',  # dimension says A1:D4
    b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",  # other quotes
    b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',  # lower case
    b'<row r="900000"><c r="A900000"/><c r="AZ900000"><v>1</v></c></row>',  # 46.8 M cells
    b'<row\tr="1048576"><c\tr="XFD1048576"><v>1</v></c></row>',  # tab before the attribute
])
def test_far_cells_behind_a_false_dimension(plan: Path, tmp_path: Path, far: bytes) -> None:
    def add(data: bytes) -> bytes:
        assert b'<dimension ref="A1:D4"/>' in data
        return data.replace(b"</sheetData>", far + b"</sheetData>")

    path = rezip(plan, tmp_path / "Hidden.xlsx", {SHEET: add})
    refused(path, "more than xlpmo reads")


@pytest.mark.parametrize("far", [
    b'<row r="2000000"><c><v>1</v></c></row>',  # a row past Excel's last, cell without address
    b'<row r="5"><c r="A99999999999"><v>1</v></c></row>',
    b'<row r="5"><c r="XFE5"><v>1</v></c></row>',
])
def test_cells_beyond_excels_grid(plan: Path, tmp_path: Path, far: bytes) -> None:
    path = rezip(plan, tmp_path / "Beyond.xlsx",
                 {SHEET: lambda d: d.replace(b"</sheetData>", far + b"</sheetData>")})
    refused(path, "beyond Excel's last cell")


def test_extent_fast_path_agrees_with_full_scan(plan: Path) -> None:
    with zipfile.ZipFile(plan) as z:
        xml = z.read(SHEET)
    assert extent(xml) == (4, 4)
    assert extent(xml.replace(b"<dimension", b"<nodimension")) == (4, 4)
    wide = write_book(plan.parent / "w.xlsx", {"S": [("B2", [[1, 2], [3, 4]]), ("AA30", [[5]])]})
    with zipfile.ZipFile(wide) as z:
        assert extent(z.read(SHEET)) == (30, 27)


@pytest.mark.parametrize("dimension", [b"A1:AAAA4", b"A1:D123456789"])
def test_an_unusable_dimension_is_not_trusted_nor_fatal(plan: Path, tmp_path: Path,
                                                        dimension: bytes) -> None:
    # a <dimension> no cell reference can be (four letters, eight digits): the reader
    # scans every reference instead (it raised a bare ValueError before)
    path = rezip(plan, tmp_path / "Dim.xlsx", {SHEET: lambda d: d.replace(
        b'<dimension ref="A1:D4"/>', b'<dimension ref="' + dimension + b'"/>')})
    table = read_workbook(path).tables["tblPlan"]
    assert table.ref == "A1:D4" and table.rows[0][:2] == ["P1", "2026-01"]
