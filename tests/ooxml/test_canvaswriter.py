"""The canvas writer (the Report sheet in a file): chart, drawing and sheet parts that Excel's
schema order, openpyxl and LibreOffice accept; nothing else touched; its own sheet replaced,
anyone else's refused."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from helpers.canvas_checks import (
    canvas_parts,
    check_canvas_write,
    reachable,
    sample_canvas,
)
from helpers.libreoffice import SOFFICE, to_pdf
from helpers.libreoffice import text as pdf_text
from helpers.ooxml import load_openpyxl, zip_contents
from helpers.paths import TEMPLATE
from helpers.reader_books import rezip

from xlpmo.errors import XlpmoError
from xlpmo.io.canvaswriter import write_canvas
from xlpmo.io.ooxml.chart import Axis, Chart, Series


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    shutil.copy(TEMPLATE, path)
    return path


def test_a_new_canvas_sheet_touches_nothing_else(book: Path, tmp_path: Path):
    canvas = sample_canvas()
    out = tmp_path / "out.xlsx"
    report = write_canvas(book, out, canvas)
    counts = check_canvas_write(book, out, canvas)
    assert counts["charts"] == 4
    assert not report.removed
    wb = load_openpyxl(out)
    assert wb.sheetnames[-1] == "Report"
    ws = wb["Report"]
    assert ws["A1"].value == "PMO report" and ws["A1"].font.b
    assert ws["M5"].value == 0.95 and ws["M5"].number_format == "0.00"
    assert ws["L41"].number_format == "mmm yyyy"
    assert ws["N6"].value is None  # a blank stays blank: a gap in the chart, not a 0
    rules = ws.conditional_formatting
    scale = next(r for cf in rules for r in cf.rules).colorScale
    assert [c.rgb for c in scale.color] == ["FF9DC3E6", "FF63BE7B", "FFF8696B"]
    assert [float(v.val) for v in scale.cfvo] == [0.0, 0.8, 1.2]
    assert ws.column_dimensions["A"].width == 16


def test_running_again_replaces_its_own_sheet_in_place(book: Path, tmp_path: Path):
    first, second, third = (tmp_path / f"{n}.xlsx" for n in ("1", "2", "3"))
    write_canvas(book, first, sample_canvas(n_lines=3))
    # the same canvas again: the same bytes (drawing and chart parts keep their names)
    write_canvas(first, second, sample_canvas(n_lines=3))
    assert zip_contents(first) == zip_contents(second)
    # fewer charts: the extra chart parts go, with their content types and relationships
    write_canvas(second, third, sample_canvas(n_lines=1))
    check_canvas_write(second, third, sample_canvas(n_lines=1))
    _part, _drawings, charts = canvas_parts(third, "Report")
    assert len(charts) == 3
    names = set(zip_contents(third))
    assert len([n for n in names if n.startswith("xl/charts/chart")]) == len(
        [n for n in zip_contents(book) if n.startswith("xl/charts/chart")]) + 3
    with zipfile.ZipFile(first) as z1, zipfile.ZipFile(third) as z3:
        assert [n for n in z1.namelist() if "Report" in n] == []
        sheets_before = [n for n in z1.namelist() if n.startswith("xl/worksheets/sheet")]
        assert [n for n in z3.namelist() if n.startswith("xl/worksheets/sheet")] == sheets_before
    assert load_openpyxl(third).sheetnames == load_openpyxl(first).sheetnames


def test_parts_only_the_old_sheet_reached_are_removed_shared_ones_kept(book: Path,
                                                                      tmp_path: Path):
    """What Excel adds to a chart it saves (style and colour parts) goes with the chart; a part
    another sheet also uses stays."""
    first = tmp_path / "1.xlsx"
    write_canvas(book, first, sample_canvas())
    part, _drawings, charts = canvas_parts(first, "Report")
    chart_rels = charts[0].replace("charts/", "charts/_rels/") + ".rels"
    sheet_rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    dash_rels = "xl/worksheets/_rels/sheet2.xml.rels"  # the Dashboard
    ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    style = "http://schemas.microsoft.com/office/2011/relationships/chartStyle"
    printer = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
               "printerSettings")

    def add_rel(data: bytes, rid: str, kind: str, target: str) -> bytes:
        return data.replace(b"</Relationships>", f'<Relationship Id="{rid}" Type="{kind}" '
                            f'Target="{target}"/></Relationships>'.encode())

    decorated = rezip(first, tmp_path / "2.xlsx", {
        chart_rels: f'<?xml version="1.0"?><Relationships xmlns="{ns}"><Relationship '
                    f'Id="rId1" Type="{style}" Target="style1.xml"/></Relationships>'.encode(),
        "xl/charts/style1.xml": b'<cs:chartStyle xmlns:cs="http://schemas.microsoft.com/'
                                b'office/drawing/2012/chartStyle" id="201"/>',
        sheet_rels: lambda d: add_rel(add_rel(d, "rId8", printer,
                                              "../printerSettings/printerSettings1.bin"),
                                      "rId9", printer, "../printerSettings/shared.bin"),
        "xl/printerSettings/printerSettings1.bin": b"\0own",
        "xl/printerSettings/shared.bin": b"\0shared",
        dash_rels: lambda d: add_rel(d, "rId99", printer, "../printerSettings/shared.bin"),
        "[Content_Types].xml": lambda d: d.replace(b"</Types>", (
            b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.printerSettings"/><Override PartName="/xl/charts/'
            b'style1.xml" ContentType="application/vnd.ms-office.chartstyle+xml"/></Types>')),
    })
    assert {"xl/charts/style1.xml", "xl/printerSettings/shared.bin"} <= reachable(
        decorated, "Report")
    out = tmp_path / "3.xlsx"
    report = write_canvas(decorated, out, sample_canvas())
    names = set(zip_contents(out))
    assert "xl/charts/style1.xml" not in names
    assert "xl/printerSettings/printerSettings1.bin" not in names
    assert "xl/printerSettings/shared.bin" in names
    assert set(report.removed) >= {"xl/charts/style1.xml",
                                   "xl/printerSettings/printerSettings1.bin"}
    check_canvas_write(decorated, out, sample_canvas())


def test_a_sheet_of_that_name_it_did_not_make_is_refused(book: Path, tmp_path: Path):
    import openpyxl

    foreign = tmp_path / "foreign.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Report"
    wb.active["A2"] = "my own monthly report"
    wb.save(foreign)
    before = foreign.read_bytes()
    with pytest.raises(XlpmoError, match=r"'Report' was not made by xlpmo .*A2.*rename it"):
        write_canvas(foreign, foreign, sample_canvas())
    assert foreign.read_bytes() == before
    # case-insensitive, as Excel's sheet names
    lower = tmp_path / "lower.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "report"
    wb.active["A2"] = "my own monthly report"
    wb.save(lower)
    with pytest.raises(XlpmoError, match="'report' was not made by xlpmo"):
        write_canvas(lower, lower, sample_canvas())


def test_strict_workbooks_are_refused_with_a_reason(tmp_path: Path):
    from helpers.paths import CORPUS

    strict = [p for p in sorted(CORPUS.glob("*.xlsx"))
              if b"purl.oclc.org/ooxml/spreadsheetml/main" in _workbook_xml(p)][:1]
    if not strict:
        pytest.skip("no Strict OOXML file in the corpus")
    path = tmp_path / strict[0].name
    shutil.copy(strict[0], path)
    with pytest.raises(XlpmoError, match=r"Strict Open XML.*save it as an Excel Workbook"):
        write_canvas(path, path, sample_canvas())


def _workbook_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        name = next((n for n in z.namelist() if n.endswith("workbook.xml")), None)
        return z.read(name)[:3000] if name else b""


def test_chart_part_kinds_and_caches():
    chart = Chart("line", "T & <title>", Axis(None, "mmm yy"), Axis("Money", "#,##0"))
    chart.add_series(Series("'R'!$B$1", "Plan", "'R'!$B$2:$B$4", [1.0, None, 3.0],
                            "'R'!$A$2:$A$4", [46023.0, 46054.0, 46082.0]))
    xml = chart.xml().decode()
    assert "<a:t>T &amp; &lt;title&gt;</a:t>" in xml
    assert '<c:ptCount val="3"/><c:pt idx="0"><c:v>1.0</c:v></c:pt><c:pt idx="2">' in xml
    assert '<c:dispBlanksAs val="gap"/>' in xml
    with pytest.raises(ValueError, match="pie"):
        Chart("pie")


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_draws_the_charts(tmp_path: Path):
    """LibreOffice opens the file and draws every chart: the titles and axis titles, which
    exist only in the chart parts, are in the PDF it prints, and poppler renders the page."""
    import openpyxl

    small = tmp_path / "small.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "cover"
    wb.save(small)
    out = tmp_path / "charts.xlsx"
    write_canvas(small, out, sample_canvas())
    (pdf,) = to_pdf([out], tmp_path, tmp_path / "lo-profile")
    text = pdf_text(pdf, "-layout")
    for title in ("CPI and SPI", "CPI against SPI", "S-curve P0", "S-curve P1", "Money"):
        assert title in text, title
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "2", "-l", "2", str(pdf), str(png)],
                   check=True, timeout=60)
    assert any(p.stat().st_size > 5000 for p in tmp_path.glob("page*.png"))

