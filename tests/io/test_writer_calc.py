"""Excel recalculates a written workbook when it opens it: ``fullCalcOnLoad="1"`` is set on
files that did not have it (issue #11 item 8). XlsxWriter and openpyxl always write the
flag, so the files here lack it: an Excel-saved file of the corpus, and XlsxWriter files
with the flag, or the whole ``calcPr``, taken out of ``workbook.xml``."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from helpers.ooxml import load_openpyxl, tables_in_zip
from helpers.paths import CORPUS

from xlpmo.io.writer import write_tables

BUDGET = CORPUS / "poi__simple-monthly-budget.xlsx"


def calc_pr(path: Path) -> str | None:
    xml = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    m = re.search(r"<calcPr\b[^>]*/?>", xml)
    return m.group(0) if m else None


def _rewrite_workbook_xml(src: Path, dst: Path, edit) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = edit(data.decode()).encode()
            zout.writestr(info, data)


@pytest.mark.skipif(not BUDGET.exists(), reason="shared/corpus not available")
def test_an_excel_saved_file_gets_full_calc_on_load(tmp_path: Path) -> None:
    before = calc_pr(BUDGET)
    assert before is not None and "fullCalcOnLoad" not in before  # as Excel saved it
    table = next(iter(tables_in_zip(BUDGET).values()))
    frame = pd.DataFrame({c: [f"{c} {i}" for i in range(3)] for c in table.columns})
    write_tables(BUDGET, tmp_path / "o.xlsx", {table.name: frame})
    after = calc_pr(tmp_path / "o.xlsx")
    assert after is not None and 'fullCalcOnLoad="1"' in after
    assert re.search(r'calcId="(\d+)"', after)[1] == re.search(r'calcId="(\d+)"', before)[1]


@pytest.mark.parametrize("edit", ["no flag", "no calcPr"])
def test_a_file_without_the_flag_gets_it(tmp_path: Path, edit: str) -> None:
    plain = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(plain))
    wb.add_worksheet("Dashboard").add_table("A1:B2", {
        "name": "tblEVM", "columns": [{"header": "ProjectID"}, {"header": "CPI"}],
        "data": [["P1", 1.0]]})
    wb.define_name("Rate", "=0.5")
    wb.close()
    src = tmp_path / "src.xlsx"
    if edit == "no flag":
        _rewrite_workbook_xml(plain, src, lambda x: x.replace(' fullCalcOnLoad="1"', ""))
        assert "fullCalcOnLoad" not in (calc_pr(src) or "")
    else:
        _rewrite_workbook_xml(plain, src, lambda x: re.sub(r"<calcPr\b[^>]*/>", "", x))
        assert calc_pr(src) is None
    write_tables(src, tmp_path / "o.xlsx", {"tblEVM": pd.DataFrame({
        "ProjectID": ["P1", "P2"], "CPI": [0.9, 1.1]})})
    assert 'fullCalcOnLoad="1"' in (calc_pr(tmp_path / "o.xlsx") or "")
    xml = zipfile.ZipFile(tmp_path / "o.xlsx").read("xl/workbook.xml").decode()
    assert xml.index("<definedNames") < xml.index("<calcPr")  # schema order kept
    load_openpyxl(tmp_path / "o.xlsx")
