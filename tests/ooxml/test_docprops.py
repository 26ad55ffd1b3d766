"""docProps/app.xml lists the sheet names: sheets the writer adds are listed with the
worksheets, on real files (Excel-written app.xml from the corpus, XlsxWriter's own)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from helpers.ooxml import sheets_in_zip
from helpers.paths import CORPUS
from lxml import etree

from xlpmo.contract import tables as contract
from xlpmo.io.ooxml.docprops import add_sheet_titles
from xlpmo.io.writer import write_tables

VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"


def checks_frame() -> pd.DataFrame:
    return pd.DataFrame([["Error", "tblPlan", "Plan!D14", "text 'abc'"]],
                        columns=contract.CHECKS.column_names)


def app_lists(path: Path) -> tuple[list[tuple[str, int]], list[str], str]:
    """(heading pairs, titles, the XML) of a file's docProps/app.xml."""
    xml = zipfile.ZipFile(path).read("docProps/app.xml")
    root = etree.fromstring(xml)
    values = [v[0].text for v in root.iter(f"{VT}variant")]
    pairs = [(values[i], int(values[i + 1])) for i in range(0, len(values), 2)]
    titles = [t.text for t in root.find("{*}TitlesOfParts").iter(f"{VT}lpstr")]
    return pairs, titles, xml.decode()


def test_added_sheet_joins_the_worksheets_before_the_charts(tmp_path: Path) -> None:
    src = CORPUS / "poi__WithChartSheet.xlsx"
    if not src.exists():
        pytest.skip("shared/corpus is not beside the checkout")
    out = tmp_path / "o.xlsx"
    write_tables(src, out, {"tblChecks": checks_frame()})
    pairs, titles, xml = app_lists(out)
    before_pairs, before_titles, before_xml = app_lists(src)
    assert before_pairs == [("Worksheets", 6), ("Charts", 1)]
    assert pairs == [("Worksheets", 7), ("Charts", 1)]
    assert titles == [*before_titles[:6], "Checks", before_titles[6]]
    assert re.search(r'<vt:vector size="8" baseType="lpstr">', xml)
    # nothing else in the part changes
    assert xml.replace("<vt:lpstr>Checks</vt:lpstr>", "").replace('size="8"', 'size="7"') \
        .replace("<vt:i4>7</vt:i4>", "<vt:i4>6</vt:i4>") == before_xml


def test_writing_existing_tables_leaves_app_xml_byte_identical(tmp_path: Path) -> None:
    src = tmp_path / "b.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("Checks")
    ws.add_table("A1:D2", {"name": "tblChecks",
                           "columns": [{"header": h} for h in contract.CHECKS.column_names]})
    wb.close()
    out = tmp_path / "o.xlsx"
    write_tables(src, out, {"tblChecks": checks_frame()})
    assert (zipfile.ZipFile(out).read("docProps/app.xml")
            == zipfile.ZipFile(src).read("docProps/app.xml"))


def test_several_new_sheets_in_workbook_order_before_the_named_ranges(tmp_path: Path) -> None:
    src = tmp_path / "b.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    wb.add_worksheet("Notes")
    wb.define_name("Rate", "=Notes!$A$1")  # a Named Ranges group after the worksheets
    wb.close()
    assert app_lists(src)[:2] == ([("Worksheets", 1), ("Named Ranges", 1)], ["Notes", "Rate"])
    out = tmp_path / "o.xlsx"
    evm = pd.DataFrame(columns=contract.EVM.column_names)
    write_tables(src, out, {"tblChecks": checks_frame(), "tblEVM": evm})
    sheets = list(sheets_in_zip(out))
    assert sheets == ["Notes", "Checks", contract.EVM.sheet]
    assert app_lists(out)[:2] == ([("Worksheets", 3), ("Named Ranges", 1)], [*sheets, "Rate"])


def test_file_without_app_xml_is_written_without_one(tmp_path: Path) -> None:
    src = tmp_path / "b.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    wb.add_worksheet("Notes")
    wb.close()
    stripped = tmp_path / "s.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(stripped, "w") as zout:
        for item in zin.infolist():
            if item.filename == "docProps/app.xml":
                continue
            data = zin.read(item.filename)
            if item.filename == "_rels/.rels":
                data = re.sub(rb'<Relationship [^>]*extended-properties"[^>]*/>', b"", data)
            if item.filename == "[Content_Types].xml":
                data = re.sub(rb'<Override PartName="/docProps/app.xml"[^>]*/>', b"", data)
            zout.writestr(item, data)
    out = tmp_path / "o.xlsx"
    write_tables(stripped, out, {"tblChecks": checks_frame()})
    assert "docProps/app.xml" not in zipfile.ZipFile(out).namelist()


@pytest.mark.parametrize("xml", [
    b"<Properties xmlns='http://schemas.openxmlformats.org/officeDocument/2006/"
    b"extended-properties'/>",  # no lists at all
    b"<Properties xmlns='http://schemas.openxmlformats.org/officeDocument/2006/"
    b"extended-properties' xmlns:vt='http://schemas.openxmlformats.org/officeDocument/2006/"
    b"docPropsVTypes'><HeadingPairs><vt:vector size='2' baseType='variant'><vt:variant>"
    b"<vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>x</vt:i4></vt:variant>"
    b"</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size='1' baseType='lpstr'>"
    b"<vt:lpstr>Sheet1</vt:lpstr></vt:vector></TitlesOfParts></Properties>",  # bad count
    b"<Properties xmlns='http://schemas.openxmlformats.org/officeDocument/2006/"
    b"extended-properties' xmlns:vt='http://schemas.openxmlformats.org/officeDocument/2006/"
    b"docPropsVTypes'><HeadingPairs><vt:vector size='2' baseType='variant'><vt:variant>"
    b"<vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant>"
    b"</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size='1' baseType='lpstr'>"
    b"<vt:lpstr>Renamed</vt:lpstr></vt:vector></TitlesOfParts></Properties>",  # stale list
])
def test_unrecognised_lists_are_left_alone(xml: bytes) -> None:
    tree = etree.ElementTree(etree.fromstring(xml))
    before = etree.tostring(tree)
    assert not add_sheet_titles(tree, ["Sheet1"], ["Checks"])
    assert etree.tostring(tree) == before
