"""Chart series, defined names and CF/DV ranges follow a table the writer resizes.

- :mod:`xlpmo.io.ooxml.follow` on reference texts (hypothesis: a reference follows exactly when
  it covers the old data rows of the table's columns on its sheet);
- the real template refreshed with the 25-project sample, then with 2 projects: the CPI/SPI
  chart covers 25, then 2 rows; the other charts stay byte-identical; LibreOffice reads
  the 25 (2) points from the cells;
- a workbook with every kind of reference (quoted sheet names, relative refs, chartsheet,
  scatter, totals row, 2010 conditional formats, one-cell names);
- real files of the corpus: an Excel chart pointed at an Excel table, Excel's conditional
  formats over table columns (with and without a totals row).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from helpers.ooxml import load_openpyxl, tables_in_zip
from helpers.paths import CORPUS
from helpers.roundtrip import check_step
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from xlpmo.app.pipeline import refresh_file
from xlpmo.io.a1 import CellRange, col_letter
from xlpmo.io.ooxml.follow import Resize, follow_reference, follow_sqref
from xlpmo.io.writer import write_tables
from xlpmo.template.sample import sample_portfolio

TEMPLATE = Path(__file__).resolve().parents[2] / "workbook" / "PMO_Tracker.xlsx"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
SOFFICE = shutil.which("soffice")


def chart_refs(path: Path, part: str) -> list[str]:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read(part))
    return [f.text for f in root.iter(f"{C}f")]


def chart_caches(path: Path, part: str) -> int:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read(part))
    return sum(1 for el in root.iter() if isinstance(el.tag, str)
               and etree.QName(el).localname in ("numCache", "strCache"))


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


# -- reference texts ------------------------------------------------------------------------

RZ = Resize("tblX", "Data", 2, 4, 5, 9, 20)  # B:D, data rows 5..9 -> 5..20


@pytest.mark.parametrize("text, new", [
    ("Data!$B$5:$B$9", "Data!$B$5:$B$20"),
    ("Data!B5:B9", "Data!B5:B20"),                      # relative
    ("data!$C$5:C9", "data!$C$5:C20"),                  # sheet names are case-insensitive
    ("Data!$B$5:$D$9", "Data!$B$5:$D$20"),              # several columns of the table
    ("Data!$B$9:$B$5", "Data!$B$20:$B$5"),              # ends written bottom first
    (" Data!$D$5:$D$9 ", "Data!$D$5:$D$20"),
    ("Data!$B$4:$B$9", None),                           # header included
    ("Data!$B$5:$B$8", None),                           # not all data rows
    ("Data!$B$5:$B$10", None),                          # beyond the table
    ("Data!$A$5:$B$9", None),                           # a column outside the table
    ("Other!$B$5:$B$9", None),                          # another sheet
    ("$B$5:$B$9", None),                                # no sheet
    ("(Data!$B$5:$B$9,Data!$C$5:$C$9)", None),          # a union
    ("[1]Data!$B$5:$B$9", None),                        # another workbook
    ("Data!$B:$B", None),
    ("Data!$B$5", None),                                # one cell: not for names
])
def test_follow_reference(text: str, new: str | None) -> None:
    hit = follow_reference(text, [RZ])
    assert (hit[0] if hit else None) == new


def test_quoted_sheet_names_and_one_cell_data() -> None:
    rz = Resize("t", "It's data", 1, 1, 2, 2, 4)
    assert follow_reference("'It''s data'!$A$2:$A$2", [rz])[0] == "'It''s data'!$A$2:$A$4"
    assert follow_reference("'It''s data'!$A$2", [rz]) is None
    assert follow_reference("'It''s data'!$A$2", [rz], single=True)[0] == \
        "'It''s data'!$A$2:$A$4"
    assert follow_reference("'Its data'!$A$2:$A$2", [rz]) is None
    # sqref lists: each range on its own; one cell stays one cell
    assert follow_sqref("A2:A2 A2 B2:B9 A2:A2", [rz])[0] == "A2:A4 A2 B2:B9 A2:A4"
    assert follow_sqref("B2:B3", [rz]) is None


@st.composite
def geometry(draw: st.DrawFn) -> tuple[Resize, CellRange, str, str]:
    c1 = draw(st.integers(1, 30))
    c2 = draw(st.integers(c1, c1 + 5))
    top = draw(st.integers(1, 50))
    old_end = draw(st.integers(top, top + 40))
    new_end = draw(st.integers(top, top + 40))
    rz = Resize("t", draw(st.sampled_from(["Data", "My data", "O'Neil"])), c1, c2, top,
                old_end, new_end)
    near = st.integers(-2, 2)
    r1 = max(1, top + draw(st.sampled_from([0, 0, 0]) | near))
    r2 = max(r1, old_end + draw(st.sampled_from([0, 0, 0]) | near))
    a = max(1, draw(st.integers(c1 - 1, c2 + 1)))
    b = draw(st.integers(a, max(a, c2 + 1)))
    sheet = draw(st.sampled_from([rz.sheet, rz.sheet.upper(), "Other"]))
    anchors = draw(st.sampled_from(["$", ""]))
    return rz, CellRange(r1, a, r2, b), sheet, anchors


@settings(max_examples=300, deadline=None)
@given(geometry())
def test_follows_exactly_the_old_data_rows_of_the_table_columns(case) -> None:
    rz, rng, sheet, anc = case
    quoted = f"'{sheet.replace(chr(39), chr(39) * 2)}'" if re.search(r"[^A-Za-z]", sheet) \
        else sheet
    text = (f"{quoted}!{anc}{col_letter(rng.c1)}{anc}{rng.r1}:"
            f"{anc}{col_letter(rng.c2)}{anc}{rng.r2}")
    hit = follow_reference(text, [rz])
    exact = (sheet.lower() == rz.sheet.lower() and rng.r1 == rz.top and rng.r2 == rz.old_end
             and rz.c1 <= rng.c1 and rng.c2 <= rz.c2)
    assert (hit is not None) == exact
    if hit is not None:
        prefix, _, area = hit[0].rpartition("!")
        assert prefix == quoted
        assert CellRange.parse(area) == CellRange(rz.top, rng.c1, rz.new_end, rng.c2)
        assert area.count("$") == text.count("$")


# -- the template and the sample ------------------------------------------------------------


def _charts(path: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(path) as z:
        names = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    return {n: chart_refs(path, n) for n in names}


def _cpi_chart(path: Path) -> str:
    return next(n for n, refs in _charts(path).items()
                if any(r.startswith("Dashboard!") for r in refs))


def _evm_columns(path: Path) -> dict[str, str]:
    """tblEVM's ProjectID/CPI/SPIt data ranges as ``Dashboard!$M$26:$M$50``."""
    info = tables_in_zip(path)["tblevm"]
    ref = CellRange.parse(info.ref)
    out = {}
    for name in ("ProjectID", "CPI", "SPIt"):
        col = col_letter(ref.c1 + info.columns.index(name))
        out[name] = f"Dashboard!${col}${ref.r1 + 1}:${col}${ref.r2}"
    return out


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The template with the 25-project sample typed in and refreshed; then cut to 2."""
    tmp = tmp_path_factory.mktemp("follow")
    data = sample_portfolio()
    steps = {"template": tmp / "PMO_Tracker.xlsx"}
    shutil.copy(TEMPLATE, steps["template"])
    grown = tmp / "PMO_25.xlsx"
    write_tables(steps["template"], grown, data)
    steps["typed"] = tmp / "PMO_25_typed.xlsx"
    shutil.copy(grown, steps["typed"])
    result = refresh_file(grown, backup=False)
    assert len(result.outputs["tblEVM"]) == 25
    steps["25"] = grown
    keep = list(data["tblProjects"]["ProjectID"][:2])
    small = {name: df[df["ProjectID"].isin(keep)].reset_index(drop=True)
             for name, df in data.items() if "ProjectID" in df.columns}
    shrunk = tmp / "PMO_2.xlsx"
    write_tables(grown, shrunk, small)
    result = refresh_file(shrunk, backup=False)
    assert len(result.outputs["tblEVM"]) == 2
    steps["2"] = shrunk
    return steps


def test_template_chart_covers_tblevm_data_rows_as_built() -> None:
    info = tables_in_zip(TEMPLATE)["tblevm"]
    assert info.ref.startswith("M25:") and CellRange.parse(info.ref).rows == 2  # one blank row
    refs = chart_refs(TEMPLATE, _cpi_chart(TEMPLATE))
    cols = _evm_columns(TEMPLATE)
    assert set(refs) == {cols["ProjectID"], cols["CPI"], cols["SPIt"]}


@pytest.mark.parametrize("step, rows", [("25", 25), ("2", 2)])
def test_cpi_spi_chart_follows_tblevm(refreshed: dict[str, Path], step: str, rows: int) -> None:
    path = refreshed[step]
    cols = _evm_columns(path)
    assert cols["CPI"] == f"Dashboard!$Y$26:$Y${25 + rows}"
    part = _cpi_chart(path)
    # two series: categories ProjectID, values CPI / SPIt, each over all rows of the table
    assert chart_refs(path, part) == [cols["ProjectID"], cols["CPI"], cols["ProjectID"],
                                      cols["SPIt"]]
    assert chart_caches(path, part) == 0  # stale caches gone
    load_openpyxl(path)  # still a workbook openpyxl reads


def test_other_charts_and_drawings_stay_byte_identical(refreshed: dict[str, Path]) -> None:
    before, cpi = parts(refreshed["template"]), _cpi_chart(refreshed["template"])
    for step in ("25", "2"):
        after = parts(refreshed[step])
        same = [n for n in before if n.startswith(("xl/charts/", "xl/drawings/")) and n != cpi]
        assert len(same) >= 4
        assert all(after[n] == before[n] for n in same)
        assert after[cpi] != before[cpi]
    # the CPI/SPI chart changed in its four references and caches only
    a, b = etree.fromstring(before[cpi]), etree.fromstring(parts(refreshed["25"])[cpi])
    for tree in (a, b):
        for el in list(tree.iter(f"{C}numCache", f"{C}strCache")):
            el.getparent().remove(el)
        for f in tree.iter(f"{C}f"):
            f.text = "ref"
    assert etree.tostring(a, method="c14n") == etree.tostring(b, method="c14n")


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_draws_every_project(refreshed: dict[str, Path], tmp_path: Path) -> None:
    """LibreOffice reads the rewritten ranges and takes the points from the cells: its chart
    table has one row per project with the CPI and SPI of tblEVM; the Dashboard prints."""
    profile = (tmp_path / "lo-profile").as_uri()
    files = [refreshed["25"], refreshed["2"]]
    for target in ("ods", 'pdf:calc_pdf_Export:{"PageRange":{"type":"string","value":"2"}}'):
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
             "--convert-to", target, "--outdir", str(tmp_path), *map(str, files)],
            check=True, timeout=240, capture_output=True,
        )
    for path in files:
        assert (tmp_path / f"{path.stem}.pdf").read_bytes().startswith(b"%PDF")
        wb = load_openpyxl(path)
        ws = wb["Dashboard"]
        info = tables_in_zip(path)["tblevm"]
        ref = CellRange.parse(info.ref)
        expected = [[ws.cell(r, ref.c1 + info.columns.index(c)).value
                     for c in ("ProjectID", "CPI", "SPIt")] for r in range(ref.r1 + 1, ref.r2 + 1)]
        with zipfile.ZipFile(tmp_path / f"{path.stem}.ods") as z:
            objects = [z.read(n) for n in z.namelist()
                       if n.startswith("Object") and n.endswith("/content.xml")]
        chart = next(o for o in objects if b"Dashboard.Y26" in o)
        ranges = re.findall(rb'cell-range-address="([^"]*)"', chart)
        last = ref.r2
        assert {r.decode() for r in ranges} >= {f"Dashboard.Y26:Dashboard.Y{last}",
                                                f"Dashboard.AD26:Dashboard.AD{last}"}
        root = etree.fromstring(chart)
        t = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
        rows = root.find(f".//{t}table-rows")
        p = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
        got = [[cell.findtext(p) for cell in row.iter(f"{t}table-cell")]
               for row in rows.iter(f"{t}table-row")]
        assert [g[0] for g in got] == [e[0] for e in expected]
        for g, e in zip(got, expected, strict=True):
            for text, value in zip(g[1:], e[1:], strict=True):
                if isinstance(value, float):
                    assert float(text) == pytest.approx(value, rel=1e-9)


# -- every kind of reference ----------------------------------------------------------------

SHEET = "EU's sales"
Q = "'EU''s sales'"


def _book(path: Path, totals: bool = False) -> Path:
    """tblSales (Region, Units, Price) at B3 of ``EU's sales`` with 3 data rows, and
    charts/names/CF/DV over its columns and over other ranges."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(SHEET)
    other = wb.add_worksheet("Other")
    other.write_column("C4", [1, 2, 3])
    columns = [{"header": "Region"}, {"header": "Units"}, {"header": "Price"}]
    if totals:
        columns[0]["total_string"] = "Total"
        columns[1]["total_function"] = "sum"
    ws.add_table(f"B3:D{6 + totals}", {"name": "tblSales", "columns": columns, "total_row": totals,
                                       "data": [["N", 1, 10.0], ["S", 2, 20.0], ["E", 3, 30.0]]})
    charts = []

    def chart(kind: str, series: list[dict], sheet: str | None = None) -> None:
        c = wb.add_chart({"type": kind})
        for s in series:
            c.add_series(s)
        if sheet is None:
            ws.insert_chart(f"G{2 + 16 * len(charts)}", c)
        else:
            wb.add_chartsheet(sheet).set_chart(c)
        charts.append(c)

    chart("column", [{"name": f"={Q}!$C$3", "categories": f"={Q}!$B$4:$B$6",
                      "values": f"={Q}!$C$4:$C$6"}])                                  # follows
    chart("scatter", [{"name": "Price", "categories": f"={Q}!C4:C6",
                       "values": f"={Q}!D4:D6"}], sheet="Scatter")                    # follows
    chart("line", [{"values": f"={Q}!$C$4:$C$5"}])                                   # part
    chart("line", [{"values": "=Other!$C$4:$C$6"}])                                  # other sheet
    chart("line", [{"values": f"={Q}!$C$3:$C$6"}])                                   # with header
    wb.define_name("Units", f"={Q}!$C$4:$C$6")                                       # follows
    wb.define_name("FirstUnit", f"={Q}!$C$4")                                        # one cell
    wb.define_name("UnitsAndHeader", f"={Q}!$C$3:$C$6")
    red = wb.add_format({"bg_color": "#FFC7CE"})
    ws.conditional_format("C4:C6", {"type": "cell", "criteria": ">", "value": 2, "format": red})
    ws.conditional_format("D4:D6", {"type": "data_bar", "data_bar_2010": True})       # x14 ext
    ws.conditional_format("C4", {"type": "cell", "criteria": "<", "value": 0, "format": red})
    ws.data_validation("B4:B6", {"validate": "list", "source": ["N", "S", "E", "W"]})
    ws.data_validation("D4", {"validate": "decimal", "criteria": ">=", "value": 0})
    wb.close()
    return path


def _sales(n: int) -> pd.DataFrame:
    return pd.DataFrame({"Region": [f"R{i}" for i in range(n)],
                         "Units": np.arange(1, n + 1, dtype=float),
                         "Price": np.linspace(5, 50, n)})


def _sheet_root(path: Path, sheet_index: int = 1) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(f"xl/worksheets/sheet{sheet_index}.xml"))


def _sqrefs(path: Path) -> list[str]:
    root = _sheet_root(path)
    out = [el.get("sqref") for el in root.iter() if isinstance(el.tag, str)
           and etree.QName(el).localname in ("conditionalFormatting", "dataValidation")
           and el.get("sqref")]
    out += [el.text for el in root.iter("{http://schemas.microsoft.com/office/excel/2006/main}"
                                        "sqref")]
    return out


def _names(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("xl/workbook.xml"))
    return {el.get("name"): el.text for el in root.iter("{*}definedName")}


@pytest.mark.parametrize("totals", [False, True])
def test_every_kind_of_reference(tmp_path: Path, totals: bool) -> None:
    src = _book(tmp_path / "b.xlsx", totals)
    before_parts = parts(src)
    charts = {n: chart_refs(src, n) for n in sorted(before_parts)
              if re.fullmatch(r"xl/charts/chart\d+\.xml", n)}
    assert len(charts) == 5
    column = next(n for n, refs in charts.items() if f"{Q}!$B$4:$B$6" in refs)
    scatter = next(n for n, refs in charts.items() if f"{Q}!C4:C6" in refs)
    others = sorted(set(charts) - {column, scatter})
    before = src
    for step, n in enumerate((20, 4, 6)):
        after = tmp_path / f"s{step}.xlsx"
        df = _sales(n)
        report = write_tables(before, after, {"tblSales": df})
        check_step(before, after, report, {"tblSales": df})
        end = 3 + n
        assert chart_refs(after, column) == [
            f"{Q}!$C$3", f"{Q}!$B$4:$B${end}", f"{Q}!$C$4:$C${end}"]  # the name stays a cell
        assert chart_refs(after, scatter) == [f"{Q}!C4:C{end}", f"{Q}!D4:D{end}"]
        assert chart_caches(after, column) == 1  # the series name's own cache
        assert chart_caches(after, scatter) == 0
        names = _names(after)
        assert names["Units"] == f"{Q}!$C$4:$C${end}"
        assert names["FirstUnit"] == f"{Q}!$C$4"
        assert names["UnitsAndHeader"] == f"{Q}!$C$3:$C$6"
        assert sorted(_sqrefs(after)) == sorted([f"C4:C{end}", f"D4:D{end}", f"D4:D{end}", "C4",
                                                 f"B4:B{end}", "D4"])
        before = after
    final = parts(before)
    assert len(others) == 3
    for name in others:
        assert final[name] == before_parts[name]  # byte-identical
    assert {f.table for f in report.followed} == {"tblSales"}
    assert {f.where for f in report.followed} >= {
        "chart series categories", "chart series values", "chart series x values",
        "chart series y values", "defined name Units", "conditional formatting",
        "conditional formatting (2010)", "data validation"}
    wb = load_openpyxl(before)
    assert wb["Scatter"] is not None


def test_nothing_follows_when_the_rows_stay(tmp_path: Path) -> None:
    src = _book(tmp_path / "b.xlsx")
    report = write_tables(src, tmp_path / "o.xlsx", {"tblSales": _sales(3)})
    assert report.followed == []
    assert not [p for p in report.rewritten if "chart" in p or p == "xl/workbook.xml"]


def test_one_row_table_chart_data_follows_but_series_name_does_not(tmp_path: Path) -> None:
    path = tmp_path / "one.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.add_table("A1:B2", {"name": "tblOne", "columns": [{"header": "K"}, {"header": "V"}],
                           "data": [["a", 1]]})
    c = wb.add_chart({"type": "column"})
    c.add_series({"name": "=Data!$A$2", "categories": "=Data!$A$2", "values": "=Data!$B$2"})
    ws.insert_chart("D2", c)
    wb.close()
    write_tables(path, tmp_path / "o.xlsx", {"tblOne": pd.DataFrame({"K": list("abcd"),
                                                                     "V": [1.0, 2, 3, 4]})})
    assert chart_refs(tmp_path / "o.xlsx", "xl/charts/chart1.xml") == [
        "Data!$A$2", "Data!$A$2:$A$5", "Data!$B$2:$B$5"]


# -- real files -----------------------------------------------------------------------------

COMPLEX = CORPUS / ("dotnet__test_DocumentFormat.OpenXml.Tests.Assets_assets_TestFiles_"
                    "Complex01.xlsx")
CF_SAMPLES = CORPUS / "poi__ConditionalFormattingSamples.xlsx"


def _replace_part(src: Path, dst: Path, part: str, data: bytes) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, data if info.filename == part else zin.read(info.filename))


@pytest.mark.skipif(not COMPLEX.exists(), reason="corpus not available")
def test_excel_chart_over_an_excel_table_follows(tmp_path: Path) -> None:
    """Complex01's Excel chart (caches, 2010 style, extLst) pointed at its Table1 column."""
    with zipfile.ZipFile(COMPLEX) as z:
        xml = z.read("xl/charts/chart1.xml")
    assert xml.count(b"<c:f>Sheet1!$A$1:$A$5</c:f>") == 1
    src = tmp_path / "complex.xlsx"
    _replace_part(COMPLEX, src, "xl/charts/chart1.xml",
                  xml.replace(b"Sheet1!$A$1:$A$5", b"Sheet1!$B$18:$B$19"))
    assert tables_in_zip(src)["table1"].ref == "A17:C19"
    df = pd.DataFrame({"a": [f"k{i}" for i in range(9)], "b": np.arange(9.0), "c": "x"})
    after = tmp_path / "grown.xlsx"
    report = write_tables(src, after, {"Table1": df})
    check_step(src, after, report, {"Table1": df})
    assert chart_refs(after, "xl/charts/chart1.xml") == ["Sheet1!$B$18:$B$26"]
    assert chart_caches(after, "xl/charts/chart1.xml") == 0
    assert "xl/charts/chart1.xml" in report.rewritten


@pytest.mark.skipif(not CF_SAMPLES.exists(), reason="corpus not available")
@pytest.mark.parametrize("table, sheet, before, n, after", [
    ("Table1", 4, ["C4:C25", "D4:D25", "E4:E25"], 30, ["C4:C33", "D4:D33", "E4:E33"]),
    ("Table610", 12, ["B4:B11"], 3, ["B4:B6"]),            # above a totals row
])
def test_excel_conditional_formats_over_table_columns_follow(
        tmp_path: Path, table: str, sheet: int, before: list[str], n: int,
        after: list[str]) -> None:
    info = tables_in_zip(CF_SAMPLES)[table.lower()]
    assert sorted(_sqrefs_of(CF_SAMPLES, sheet)) == before
    # text only: the file's own column formats (dates ...) win over numbers
    df = pd.DataFrame({c: [f"v{i}-{j}" for i in range(n)] for j, c in enumerate(info.columns)})
    out = tmp_path / "o.xlsx"
    report = write_tables(CF_SAMPLES, out, {table: df})
    check_step(CF_SAMPLES, out, report, {table: df})
    assert sorted(_sqrefs_of(out, sheet)) == after
    assert all(f.table == table for f in report.followed)


def _sqrefs_of(path: Path, sheet_index: int) -> list[str]:
    root = _sheet_root(path, sheet_index)
    return [el.get("sqref") for el in root.iter("{*}conditionalFormatting")]


def test_a_series_follows_whole_or_not_at_all(tmp_path: Path) -> None:
    """Issue #11 item 4: categories over a whole table column with values over part of one
    (or values over a whole column with fixed categories) are both left as they were, and
    reported; a series whose references all cover whole columns follows."""
    path = tmp_path / "b.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.add_table("A1:C4", {"name": "tblS", "columns": [{"header": "K"}, {"header": "V"},
                                                        {"header": "W"}],
                           "data": [["a", 1, 4], ["b", 2, 5], ["c", 3, 6]]})
    c = wb.add_chart({"type": "column"})
    c.add_series({"name": "part", "categories": "=Data!$A$2:$A$4",
                  "values": "=Data!$B$2:$B$3"})                                   # left
    c.add_series({"name": "whole", "categories": "=Data!$A$2:$A$4",
                  "values": "=Data!$C$2:$C$4"})                                   # follows
    ws.insert_chart("E2", c)
    fixed = wb.add_chart({"type": "column"})
    fixed.add_series({"name": "fixed", "categories": "=Data!$A$2:$A$4",
                      "values": "=Data!$B$2:$B$4"})
    ws.insert_chart("E20", fixed)
    wb.close()
    src = tmp_path / "lit.xlsx"  # the second chart's categories as fixed values (strLit)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/charts/chart2.xml").decode()
    literal = ('<c:strLit><c:ptCount val="3"/>' + "".join(
        f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate("xyz")) + "</c:strLit>")
    xml = re.sub(r"<c:cat>.*?</c:cat>", f"<c:cat>{literal}</c:cat>", xml, flags=re.S)
    _replace_part(path, src, "xl/charts/chart2.xml", xml.encode())
    frame = pd.DataFrame({"K": list("abcde"), "V": np.arange(5.0), "W": np.arange(5.0)})
    report = write_tables(src, tmp_path / "o.xlsx", {"tblS": frame})
    assert chart_refs(tmp_path / "o.xlsx", "xl/charts/chart1.xml") == [
        "Data!$A$2:$A$4", "Data!$B$2:$B$3", "Data!$A$2:$A$6", "Data!$C$2:$C$6"]
    assert chart_refs(tmp_path / "o.xlsx", "xl/charts/chart2.xml") == ["Data!$B$2:$B$4"]
    left = [f for f in report.findings if "was not stretched" in f.message]
    assert [f.cell for f in left] == ["Data", "Data"]
    assert "('part')" in left[0].message
    assert "values (Data!$B$2:$B$3) cover only part of a column" in left[0].message
    assert "('fixed')" in left[1].message and "categories are fixed values" in left[1].message
