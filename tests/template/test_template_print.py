"""Printing the workbook: Dashboard, Variance, Utilisation and Checks print landscape, one page
wide, with repeated header rows, at a scale that keeps the text readable; project names and
the Checks' Cell column are wide enough to show; and LibreOffice's PDF of a refreshed
workbook shows it (the words of the Dashboard's tables at a readable size, every project
name whole)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers.libreoffice import SOFFICE, only_sheets, to_pdf
from helpers.libreoffice import text as pdf_text
from helpers.paths import TEMPLATE
from lxml import etree

from xlpmo.template.sample import sample_portfolio

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PRINTED = ("Dashboard", "Variance", "Utilisation", "Checks")
A4_LANDSCAPE_INCHES = 11.69
MIN_SCALE = 8 / 11  # 11-point text prints at 8 points or more


def _heights(pdf: Path) -> list[float]:
    """Printed heights (points) of the word ProjectID in a PDF."""
    html = pdf_text(pdf, "-bbox")
    words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">ProjectID<', html)
    return [float(y2) - float(y1) for y1, y2 in words]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _sheet(parts: dict[str, bytes], name: str) -> etree._Element:
    wb = etree.fromstring(parts["xl/workbook.xml"])
    rid = next(s.get(R) for s in wb.iter(f"{M}sheet") if s.get("name") == name)
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return etree.fromstring(parts[f"xl/{target}"])


def _names(parts: dict[str, bytes], sheet: str) -> dict[str, str]:
    wb = etree.fromstring(parts["xl/workbook.xml"])
    index = [s.get("name") for s in wb.iter(f"{M}sheet")].index(sheet)
    return {d.get("name"): d.text for d in wb.iter(f"{M}definedName")
            if d.get("localSheetId") == str(index)}


def _col(letters: str) -> int:
    return openpyxl.utils.column_index_from_string(letters)


def _areas(text: str | None, sheet_xml: etree._Element) -> list[tuple[int, int]]:
    """Column spans (first, last) of a print area; the used columns without one."""
    if text:
        spans = []
        for area in text.split(","):
            cells = area.split("!")[-1].replace("$", "")
            first, _, last = cells.partition(":")
            spans.append((_col(re.sub(r"\d", "", first)), _col(re.sub(r"\d", "", last))))
        return spans
    dim = sheet_xml.find(f"{M}dimension").get("ref").split(":")
    return [(_col(re.sub(r"\d", "", dim[0])), _col(re.sub(r"\d", "", dim[-1])))]


def _pixels(sheet_xml: etree._Element, first: int, last: int) -> float:
    """Printed width of columns first..last in pixels (hidden columns do not print;
    Excel's width w characters is w x 7 + 5 pixels, 64 for a column without a width)."""
    widths: dict[int, float] = {}
    hidden: set[int] = set()
    for col in sheet_xml.iterfind(f"{M}cols/{M}col"):
        for c in range(int(col.get("min")), int(col.get("max")) + 1):
            widths[c] = float(col.get("width"))
            if col.get("hidden") in ("1", "true"):
                hidden.add(c)
    return sum(0 if c in hidden else (widths[c] * 7 + 5 if c in widths else 64)
               for c in range(first, last + 1))


@pytest.mark.parametrize("sheet", PRINTED)
def test_prints_landscape_one_page_wide_at_a_readable_scale(sheet):
    parts = _parts(TEMPLATE)
    ws = _sheet(parts, sheet)
    setup = ws.find(f"{M}pageSetup")
    assert setup.get("orientation") == "landscape"
    assert setup.get("fitToWidth", "1") == "1" and setup.get("fitToHeight") == "0"
    assert ws.find(f"{M}sheetPr/{M}pageSetUpPr").get("fitToPage") == "1"
    names = _names(parts, sheet)
    # the header row of its tables repeats on every page
    titles = names["_xlnm.Print_Titles"]
    header_row = 25 if sheet == "Dashboard" else 1
    assert titles.endswith(f"${header_row}:${header_row}"), titles
    margins = ws.find(f"{M}pageMargins")
    printable = (A4_LANDSCAPE_INCHES - float(margins.get("left"))
                 - float(margins.get("right"))) * 96
    widest = max(_pixels(ws, a, b) for a, b in _areas(names.get("_xlnm.Print_Area"), ws))
    scale = min(1.0, printable / widest)
    assert scale >= MIN_SCALE, f"{sheet} prints at {scale:.0%}"


def test_the_dashboard_prints_its_charts_and_both_tables():
    """Page one: the charts and tblPortfolio (A:K); then tblEVM from its label row, each at
    the same readable scale (its detail columns grouped, one click away)."""
    parts = _parts(TEMPLATE)
    ws = _sheet(parts, "Dashboard")
    area = _names(parts, "Dashboard")["_xlnm.Print_Area"]
    evm = openpyxl.load_workbook(TEMPLATE)["Dashboard"].tables["tblEVM"].ref
    last = re.sub(r"\d", "", evm.split(":")[1])
    assert area == f"Dashboard!$A:$K,Dashboard!$M$24:${last}$1048576"
    book = openpyxl.load_workbook(TEMPLATE)
    dash = book["Dashboard"]
    hidden = {c: d.outlineLevel for d in dash.column_dimensions.values() if d.hidden
              for c in range(d.min, d.max + 1)}
    columns = range(_col("M"), _col(last) + 1)
    headers = [dash.cell(25, c).value for c in columns]
    shown = [h for h, c in zip(headers, columns, strict=True)
             if c not in hidden]
    # EAC with its statistical range and the EAC realism test (issue #15) show; EV, AC and
    # VAC (the ingredients of CPI and EAC, BAC - EAC) and the finish range are one click away
    assert shown == ["ProjectID", "ProjectName", "Portfolio", "BAC", "CPI", "SPIt", "EAC",
                     "ForecastFinish", "CostRAG", "ScheduleRAG", "EACLow", "EACHigh",
                     "BACAtRisk"]
    assert set(hidden.values()) == {1}  # grouped: one click on + shows them
    # the charts are inside the first print area (A:K)
    drawing = etree.fromstring(parts["xl/drawings/drawing1.xml"])
    ns = {"xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"}
    ends = [int(a.find("xdr:to/xdr:col", ns).text) for a in drawing.iterfind(
        "xdr:twoCellAnchor", ns) if a.find("xdr:graphicFrame", ns) is not None]
    assert len(ends) == 3 and max(ends) <= _col("K") - 1
    # every chart series over tblEVM reads a column that shows (a chart leaves out hidden
    # cells): CPI and SPI(t)
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    refs = [f.text for k, v in parts.items() if k.startswith("xl/charts/")
            for f in etree.fromstring(v).iter(f"{c}f") if f.text.startswith("Dashboard!")]
    letters = {re.sub(r"[\d$]", "", r.split("!")[1].split(":")[0]) for r in refs}
    assert letters and all(_col(x) not in hidden for x in letters), letters
    assert {dash.cell(25, _col(x)).value for x in letters} == {"ProjectID", "CPI", "SPIt"}
    del ws


def test_names_and_cell_addresses_have_room():
    book = openpyxl.load_workbook(TEMPLATE)
    longest = max(len(n) for n in sample_portfolio()["tblProjects"]["ProjectName"])

    def width(sheet: str, header: str, row: int = 1) -> float:
        ws = book[sheet]
        col = next(c.column_letter for c in ws[row] if c.value == header)
        return ws.column_dimensions[col].width

    assert width("Projects", "ProjectName") >= longest + 2
    assert width("Dashboard", "ProjectName", 25) >= longest + 2
    assert width("Checks", "Cell") >= len("'Resource Plan'!AB1234")
    assert width("Checks", "Message") >= 80
    assert book["Checks"]["D2"].alignment.wrap_text


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_the_dashboard_readably(tmp_path: Path):
    from xlpmo.app.pipeline import refresh_file
    from xlpmo.template.builder import build_workbook

    path = tmp_path / "Sample.xlsx"
    build_workbook(path, sample_portfolio())
    result = refresh_file(path, backup=False)
    names = [str(n) for n in result.outputs["tblEVM"]["ProjectName"]]
    out = only_sheets(path, tmp_path / "Print.xlsx", PRINTED)
    # the same word at 100 %, in whatever font LibreOffice uses here for Calibri
    calibration = tmp_path / "Calibration.xlsx"
    cal = openpyxl.Workbook()
    cal.active["A1"] = "ProjectID"
    cal.save(calibration)
    pdf, full_pdf = to_pdf([out, calibration], tmp_path, tmp_path / "lo-profile")
    full = _heights(full_pdf)
    heights = _heights(pdf)
    # the header of tblEVM on the Dashboard and of tblVariance: at least half size even with
    # a substitute font wider than Calibri (the template's widths are Calibri's; LibreOffice
    # with Carlito, Calibri's metric twin, prints at Excel's scale)
    assert heights and min(heights) >= 0.5 * max(full), (heights, full)
    text = pdf_text(pdf)
    flat = " ".join(text.split())
    missing = [n for n in names if n not in flat]
    assert not missing, missing
