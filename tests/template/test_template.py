"""The standard PMO workbook template (xlpmo.template.builder, workbook/PMO_Tracker.xlsx)."""

from __future__ import annotations

import itertools
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from lxml import etree

from xlpmo.contract import tables
from xlpmo.contract.periods import parse_period
from xlpmo.contract.settings import EAC_METHODS
from xlpmo.errors import XLError, XlpmoError
from xlpmo.template.builder import build_workbook
from xlpmo.template.content import COLUMN_NOTES, LIVE_EXAMPLES
from xlpmo.template.layout import DASH_TABLE_ROW, MAX_ROW, OUTPUT_PLACES
from xlpmo.template.sample import STATUSES, example_rows, sample_portfolio

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "workbook" / "PMO_Tracker.xlsx"
WIDE = ("tblPlan", "tblActuals", "tblForecast")
NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "r": "http://schemas.openxmlformats.org/package/2006/relationships",
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("tpl") / "t.xlsx", example_rows())


@pytest.fixture(scope="module")
def book() -> openpyxl.Workbook:
    return openpyxl.load_workbook(TEMPLATE)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _tables(wb: openpyxl.Workbook) -> dict[str, tuple[str, str]]:
    return {t.name: (ws.title, t.ref) for ws in wb for t in ws.tables.values()}


def _bounds(ref: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    return range_boundaries(ref)  # min_col, min_row, max_col, max_row (1-based)


def _headers(ws, ref: str) -> list:
    c0, r0, c1, _ = _bounds(ref)
    return [ws.cell(r0, c).value for c in range(c0, c1 + 1)]


# -- the committed file and determinism -------------------------------------------------------


def test_committed_template_equals_a_fresh_build(fresh):
    """Part for part (uncompressed), so another zlib cannot fail it: rebuild with
    ``python workbook/build_template.py`` after changing the template or example rows."""
    committed, built = _parts(TEMPLATE), _parts(fresh)
    assert sorted(committed) == sorted(built)
    changed = [name for name in built if committed[name] != built[name]]
    assert changed == [], f"rebuild workbook/PMO_Tracker.xlsx: {changed} differ"


def test_two_builds_give_identical_bytes(fresh, tmp_path):
    again = build_workbook(tmp_path / "again.xlsx", example_rows())
    assert again.read_bytes() == fresh.read_bytes()
    with zipfile.ZipFile(fresh) as z:
        stamps = {i.date_time for i in z.infolist()}
    assert len(stamps) == 1 and stamps.pop()[0] == 1980  # XlsxWriter's fixed zip timestamp
    core = _parts(fresh)["docProps/core.xml"].decode()
    assert "2026-01-01T00:00:00Z" in core and "<dc:title>PMO Tracker</dc:title>" in core


# -- tables -------------------------------------------------------------------------------------


def test_every_contract_table_is_an_excel_table_with_the_contract_columns(book):
    found = _tables(book)
    assert set(found) == set(tables.INPUTS) | set(tables.OUTPUTS) | {tables.IMPORT_LOG.name}
    for name, (sheet, ref) in found.items():
        spec = tables.spec(name)
        headers = _headers(book[sheet], ref)
        assert all(isinstance(h, str) for h in headers), name  # table headers are text
        if name in WIDE:
            assert headers[:2] == ["ProjectID", "CostType"], name
            months = [parse_period(h) for h in headers[2:]]
            assert all(m is not None for m in months), (name, headers)
            assert months == sorted(months) and len(set(months)) == len(months)
            assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", h) for h in headers[2:])
        else:
            assert headers == spec.column_names, name
        if name in tables.INPUTS or name == tables.IMPORT_LOG.name:
            assert sheet == spec.sheet and ref.startswith("A1:"), name
        else:
            want_sheet, row, col = OUTPUT_PLACES[name]
            c0, r0, _, _ = _bounds(ref)
            assert (sheet, r0 - 1, c0 - 1) == (want_sheet, row, col), name


def test_output_tables_have_a_header_and_one_empty_row(book):
    for name in [*tables.OUTPUTS, tables.IMPORT_LOG.name]:
        sheet, ref = _tables(book)[name]
        c0, r0, c1, r1 = _bounds(ref)
        assert r1 == r0 + 1, name
        assert all(book[sheet].cell(r1, c).value is None for c in range(c0, c1 + 1)), name


def test_example_rows_fill_the_input_tables(book):
    ex = example_rows()
    for name, frame in ex.items():
        _, r0, _, r1 = _bounds(_tables(book)[name][1])
        assert r1 - r0 == len(frame), name
    ws = book["Plan"]
    plan = ex["tblPlan"].iloc[:, 2:].to_numpy(float)
    cells = np.array([[c.value for c in row] for row in ws.iter_rows(2, 1 + len(plan), 3, 14)],
                     dtype=float)
    assert np.array_equal(np.nan_to_num(plan), np.nan_to_num(cells))


def _occupied(ws) -> list[tuple[int, int]]:
    return [(c.row, c.column) for row in ws.iter_rows() for c in row if c.value is not None]


def test_tables_can_grow_down_and_wide_tables_right(book):
    """Nothing below any table in its columns (the writer grows tables downward), nothing
    to the right of a wide table (months are added as columns)."""
    for name, (sheet, ref) in _tables(book).items():
        c0, _, c1, r1 = _bounds(ref)
        cells = _occupied(book[sheet])
        below = [(r, c) for r, c in cells if r > r1 and c0 <= c <= c1]
        assert below == [], (name, below[:5])
        if name in WIDE:
            assert [(r, c) for r, c in cells if c > c1] == [], name
    _, evm = _tables(book)["tblEVM"]
    _, port = _tables(book)["tblPortfolio"]
    assert _bounds(port)[2] < _bounds(evm)[0]  # side by side, disjoint columns


def test_charts_sit_above_the_dashboard_tables():
    drawing = etree.fromstring(_parts(TEMPLATE)["xl/drawings/drawing1.xml"])
    anchors = drawing.xpath("//xdr:twoCellAnchor", namespaces=NS)
    charts = [a for a in anchors if a.find("xdr:graphicFrame", NS) is not None]
    rows = [int(a.find("xdr:to/xdr:row", NS).text) for a in charts]
    assert len(rows) == 3 and max(rows) < DASH_TABLE_ROW - 1
    # the script buttons (text boxes) sit above the charts
    first_chart_row = min(int(a.find("xdr:from/xdr:row", NS).text) for a in charts)
    buttons = [a for a in anchors if a.find("xdr:sp", NS) is not None]
    assert len(buttons) == 3
    assert all(int(a.find("xdr:to/xdr:row", NS).text) < first_chart_row for a in buttons)


def test_dashboard_charts_sit_side_by_side():
    """Left to right (S-curve, CPI/SPI, utilisation) with a gap, none covering another:
    each chart's horizontal extent in pixels from its anchor cells and offsets and the
    Dashboard's column widths (Excel: a width of w characters is w x 7 pixels, rounded;
    64 pixels for a column without a width)."""
    parts = _parts(TEMPLATE)
    rid = etree.fromstring(parts["xl/workbook.xml"]).xpath(
        "//m:sheet[@name='Dashboard']/@r:id",
        namespaces={**NS, "r": "http://schemas.openxmlformats.org/officeDocument/2006/"
                                 "relationships"})[0]
    target = etree.fromstring(parts["xl/_rels/workbook.xml.rels"]).xpath(
        f"//r:Relationship[@Id='{rid}']/@Target", namespaces=NS)[0]
    sheet = etree.fromstring(parts[f"xl/{target}"])
    widths: dict[int, int] = {}
    for col in sheet.iterfind("m:cols/m:col", NS):
        for c in range(int(col.get("min")), int(col.get("max")) + 1):
            widths[c - 1] = int(float(col.get("width")) * 7 + 0.5)

    def x(anchor) -> float:
        col = int(anchor.find("xdr:col", NS).text)
        return sum(widths.get(c, 64) for c in range(col)) + \
            int(anchor.find("xdr:colOff", NS).text) / 9525

    drawing = etree.fromstring(parts["xl/drawings/drawing1.xml"])
    extents = [(x(a.find("xdr:from", NS)), x(a.find("xdr:to", NS)))
               for a in drawing.iterfind("xdr:twoCellAnchor", NS)
               if a.find("xdr:graphicFrame", NS) is not None]
    assert len(extents) == 3
    extents.sort()
    for (_, right), (left, _) in itertools.pairwise(extents):
        assert right + 10 <= left, extents


# -- validations, notes, formats ----------------------------------------------------------------


def _validations(ws) -> list:
    return list(ws.data_validations.dataValidation)


def _list_values(dv) -> list[str]:
    return dv.formula1.strip('"').split(",")


def test_list_validations(book):
    def find(sheet: str, column: str):
        ws = book[sheet]
        headers = _headers(ws, _tables(book)["tbl" + sheet][1])
        letter = openpyxl.utils.get_column_letter(headers.index(column) + 1)
        return [dv for dv in _validations(ws) if dv.type == "list"
                and f"{letter}2:{letter}{MAX_ROW + 1}" in str(dv.sqref)]

    (status,) = find("Projects", "Status")
    assert _list_values(status) == list(STATUSES)
    assert status.errorStyle in (None, "stop")  # stop is the default: no other values
    (billable,) = find("Timesheets", "Billable")
    assert _list_values(billable) == ["TRUE", "FALSE"]
    (country,) = find("Resources", "Country")
    assert set(_list_values(country)) == {"GB", "DE", "US", "FR"}
    assert country.errorStyle == "warning"  # other countries allowed
    config = book["Config"]
    rows = {config.cell(r, 1).value: r for r in range(2, config.max_row + 1)}
    by_cell = {str(dv.sqref): dv for dv in _validations(config) if dv.type == "list"}
    assert _list_values(by_cell[f"B{rows['EACMethod']}"]) == list(EAC_METHODS)
    assert _list_values(by_cell[f"B{rows['ScheduleIndex']}"]) == ["SPIt", "SPI"]


def test_every_column_has_a_note_on_its_header(book):
    for name in list(tables.INPUTS) + list(tables.OUTPUTS):
        spec = tables.spec(name)
        notes = COLUMN_NOTES[name]
        assert set(spec.column_names) <= set(notes), name
        assert all(len(n) <= 255 for n in notes.values()), name
        sheet, ref = _tables(book)[name]
        c0, r0, c1, _ = _bounds(ref)
        prompts = {}
        for dv in _validations(book[sheet]):
            for cr in dv.sqref.ranges:
                if cr.min_row == r0 == cr.max_row and dv.prompt:
                    for c in range(cr.min_col, cr.max_col + 1):
                        prompts[c] = dv.prompt
        assert set(range(c0, c1 + 1)) <= set(prompts), name


def test_number_formats(book):
    def fmt(sheet: str, cell: str) -> str:
        return book[sheet][cell].number_format

    assert fmt("Projects", "H2") == "#,##0;[Red]-#,##0"  # BAC
    assert fmt("Projects", "F2") == "d mmm yyyy"  # BaselineStart
    assert fmt("Progress", "B2") == "mmm yyyy" and fmt("Progress", "C2") == "0.0%"
    assert fmt("Plan", "C2") == "#,##0;[Red]-#,##0"
    assert fmt("Timesheets", "D2") == "#,##0.00"
    config = book["Config"]
    status_row = next(r for r in range(2, 20) if config.cell(r, 1).value == "StatusDate")
    assert config.cell(status_row, 2).number_format == "d mmm yyyy"
    assert config.cell(status_row, 2).value.year == 2026
    # the blank row of output tables carries the column formats for the writer to copy
    evm = book["Dashboard"]
    headers = _headers(evm, _tables(book)["tblEVM"][1])
    col = {h: i + 13 for i, h in enumerate(headers)}  # tblEVM starts in column M
    row = DASH_TABLE_ROW + 2
    assert evm.cell(row, col["CPI"]).number_format == "0.00"
    assert evm.cell(row, col["CVPct"]).number_format == "0.0%"
    assert evm.cell(row, col["ForecastFinish"]).number_format == "d mmm yyyy"


def test_frozen_header_rows(book):
    for spec in tables.INPUTS.values():
        assert book[spec.sheet].freeze_panes in ("A2", "B2", "C2"), spec.sheet
    assert book["Plan"].freeze_panes == "C2"  # header row and ProjectID, CostType


def _cf_rules(ws) -> list[tuple[str, object]]:
    return [(str(rng.sqref), rule) for rng in ws.conditional_formatting for rule in rng.rules]


def test_rag_and_heat_map_formats_cover_whole_columns(book):
    dash = book["Dashboard"]
    headers = _headers(dash, _tables(book)["tblEVM"][1])
    for column in ("CostRAG", "ScheduleRAG"):
        letter = openpyxl.utils.get_column_letter(13 + headers.index(column))
        ref = f"{letter}{DASH_TABLE_ROW + 2}:{letter}{MAX_ROW + 1}"
        words = {rule.formula[0] for sq, rule in _cf_rules(dash) if sq == ref}
        assert words == {'"Green"', '"Amber"', '"Red"'}, column
    var = {rule.formula[0] for sq, rule in _cf_rules(book["Variance"]) if sq.startswith("K2:")}
    assert var == {'"Green"', '"Amber"', '"Red"'}
    util = _cf_rules(book["Utilisation"])
    scales = [sq for sq, rule in util if rule.type == "colorScale"]
    assert f"G2:G{MAX_ROW + 1}" in scales  # tblUtilisation[Utilisation]


# -- charts, helper formulas, Live sheet --------------------------------------------------------


def test_three_native_charts_on_the_dashboard(book):
    parts = _parts(TEMPLATE)
    charts = sorted(n for n in parts if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    assert len(charts) == 4  # and the CapacityPlan sheet's (test_capacity_sheet.py)
    rels = etree.fromstring(parts["xl/drawings/_rels/drawing1.xml.rels"])
    targets = {t.split("/")[-1] for t in rels.xpath("//r:Relationship/@Target", namespaces=NS)}
    charts = [c for c in charts if c.split("/")[-1] in targets]
    assert len(charts) == 3
    wb_rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    wb_xml = etree.fromstring(parts["xl/workbook.xml"])
    rid = wb_xml.xpath("//m:sheet[@name='Dashboard']/@r:id", namespaces={
        **NS, "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"})[0]
    sheet_part = wb_rels.xpath(f"//r:Relationship[@Id='{rid}']/@Target", namespaces=NS)[0]
    sheet_rels = parts[f"xl/worksheets/_rels/{sheet_part.split('/')[-1]}.rels"].decode()
    assert "drawing1.xml" in sheet_rels

    refs = {}
    for name in charts:
        xml = etree.fromstring(parts[name])
        refs[name] = xml.xpath("//c:ser//c:f/text()", namespaces=NS)
    scurve = next(r for r in refs.values() if any(x.startswith("ChartData!$C") for x in r))
    assert {x.split("!")[0] for x in scurve} == {"ChartData"}
    indices = next(r for r in refs.values() if any(x.startswith("Dashboard!") for x in r))
    dash = book["Dashboard"]
    named = {dash[x.split("!")[1].replace("$", "").split(":")[0]].offset(-1, 0).value
             for x in indices}
    assert named == {"ProjectID", "CPI", "SPI"}  # the series read tblEVM's columns


def _sheet_xml(path: Path, sheet: str) -> str:
    parts = _parts(path)
    wb_xml = etree.fromstring(parts["xl/workbook.xml"])
    names = wb_xml.xpath("//m:sheet/@name", namespaces=NS)
    return parts[f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"].decode()


def test_chart_data_formulas_are_plain_a1_and_prefixed():
    xml = _sheet_xml(TEMPLATE, "ChartData")
    formulas = re.findall(r"<f>([^<]*)</f>", xml)
    assert len(formulas) > 100
    assert not any("[" in f for f in formulas)  # no structured references
    assert "cm=" not in xml and 't="array"' not in xml  # no dynamic arrays
    joined = "".join(formulas)
    assert "MAXIFS(" in joined and "MINIFS(" in joined
    assert not re.search(r"(?<!_xlfn\.)\b(MAXIFS|MINIFS)\(", joined)


def test_live_sheet_stores_office_js_functions_as_dynamic_arrays():
    xml = _sheet_xml(TEMPLATE, "Live")
    stored = re.findall(r'<c r="[A-Z]+\d+"[^>]*cm="1"[^>]*><f t="array" ref="[^"]+">'
                        r"_xldudf_PMO_([A-Z]+)\(", xml)
    assert sorted(set(stored)) == sorted({x.name for x in LIVE_EXAMPLES if x.live})
    assert "_xlfn._xldudf" not in xml and "PMO._xlfn" not in xml


def test_dashboard_buttons_are_named_shapes_linked_to_the_cells_they_cover():
    """Each sheet button (xlpmo.template.buttons) is a shape of its name on Dashboard whose
    hyperlink selects the cell under its top-left corner, as xlwings' sheet buttons need."""
    from xlpmo.template import buttons as sheetbuttons

    parts = _parts(TEMPLATE)
    names = etree.fromstring(parts["xl/workbook.xml"]).xpath("//m:sheet/@name", namespaces=NS)
    sheet = f"xl/worksheets/sheet{names.index(sheetbuttons.SHEET) + 1}.xml"
    [drawing] = re.findall(r'Target="../drawings/(drawing\d+\.xml)"',
                           parts[sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"]
                           .decode())
    xml = parts[f"xl/drawings/{drawing}"].decode()
    rels = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"',
                           parts[f"xl/drawings/_rels/{drawing}.rels"].decode()))
    anchors = re.findall(r"<xdr:twoCellAnchor.*?</xdr:twoCellAnchor>", xml, re.S)
    found = {}
    for anchor in anchors:
        m = re.search(r'<xdr:cNvPr id="\d+" name="([^"]+)"><a:hlinkClick [^>]*r:id="(rId\d+)"',
                      anchor)
        if m:
            col, row = (int(x) for x in re.search(
                r"<xdr:from><xdr:col>(\d+)</xdr:col>.*?<xdr:row>(\d+)</xdr:row>", anchor).groups())
            found[m[1]] = (rels[m[2]], col, row)
    assert found == {b.shape: (f"#{sheetbuttons.SHEET}!{b.cell}", b.col, b.row)
                     for b in sheetbuttons.BUTTONS}
    for b in sheetbuttons.BUTTONS:  # the cell under the shape is the cell in its name
        assert f"{chr(ord('A') + b.col)}{b.row + 1}" == b.cell


def test_udf_prefix_follows_the_ids_excel_saved_for_xlwings_custom_functions():
    """Excel lists the Office.js custom functions a workbook uses in its web-extension part
    as ``_xldudf_<NAMESPACE>_<NAME>``: in xlwings' own Excel-saved test workbook (corpus)
    HELLO of namespace XLWINGS is ``_xldudf_XLWINGS_HELLO``. UDF_PREFIX is that form for
    the namespace PMO."""
    import zipfile

    from helpers.paths import CORPUS

    from xlpmo.template.content import UDF_PREFIX

    saved = CORPUS / "xlwings__tests_udfs_udf_tests.xlsm"
    if not saved.exists():
        pytest.skip("shared/corpus is not beside the checkout")
    with zipfile.ZipFile(saved) as z:
        xml = z.read("xl/webextensions/webextension1.xml").decode()
    ids = re.findall(r"<we:customFunctionIds>([^<]+)</we:customFunctionIds>", xml)
    assert "_xldudf_XLWINGS_HELLO" in ids
    assert all(re.fullmatch(r"_xldudf_XLWINGS_[A-Z_]+", i) for i in ids), ids
    namespace = pytest.importorskip("xlpmo_udfs.functions").NAMESPACE
    assert f"_xldudf_{namespace}_" == UDF_PREFIX


def test_live_sheet_shows_every_catalogue_function(book):
    catalogue = pytest.importorskip("xlpmo_udfs.catalogue").catalogue()
    shown = {c.value for row in book["Live"].iter_rows(max_col=2) for c in row
             if isinstance(c.value, str) and c.value.startswith("=PMO.")}
    names = {re.match(r"=PMO\.([A-Z]+)\(", s)[1] for s in shown}
    params = {e["name"]: len(e["parameters"]) for e in catalogue}
    assert names == set(params)
    for ex in LIVE_EXAMPLES:
        assert _count_args(ex.args) <= params[ex.name], ex


def _count_args(args: str) -> int:
    """Top-level arguments of a formula's argument list (``"A1,F(B1,C1),"`` -> 3)."""
    depth, count = 0, 1 if args else 0
    for ch in args:
        depth += 1 if ch in "([" else -1 if ch in ")]" else 0
        count += ch == "," and depth == 0
    return count


def test_count_args():
    assert _count_args("") == 0
    assert _count_args('C5,C7,C8,"COMPOSITE",C6') == 5
    assert _count_args("C10,EOMONTH(C10,5)") == 2
    assert _count_args("tblPlan[#All],tblActuals[#All],,tblConfig[#All]") == 4


# -- building from other data ---------------------------------------------------------------


def test_outputs_and_error_values_are_written(tmp_path):
    data = example_rows()
    evm = pd.DataFrame({c: [None] for c in tables.EVM.column_names}, dtype=object)
    evm.loc[0, ["ProjectID", "BAC", "EV", "AC", "CPI", "CostRAG"]] = [
        "PRJ-101", 1000.0, 0.0, 0.0, XLError.DIV0, XLError.NA]
    data["tblEVM"] = evm
    path = build_workbook(tmp_path / "o.xlsx", data)
    xml = _sheet_xml(path, "Dashboard")
    assert re.search(r'<c r="Y26"[^>]*t="e"[^>]*><f>#DIV/0!</f><v>#DIV/0!</v>', xml)
    assert re.search(r'<c r="AJ26"[^>]*t="e"[^>]*><f>#N/A</f><v>#N/A</v>', xml)
    ws = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
    assert ws["M26"].value == "PRJ-101" and ws["Q26"].value == 1000


def test_text_is_never_written_as_a_formula(tmp_path):
    data = example_rows()
    data["tblProjects"].loc[0, "ProjectName"] = "=HYPERLINK(\"http://x\")"
    path = build_workbook(tmp_path / "t.xlsx", data)
    cell = openpyxl.load_workbook(path)["Projects"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_long_layout_and_missing_tables(tmp_path):
    data = {k: v for k, v in example_rows().items() if k in ("tblConfig", "tblProjects")}
    data["tblPlan"] = pd.DataFrame({
        "ProjectID": ["PRJ-101", "PRJ-101"], "Period": pd.to_datetime(["2026-01-01", "2026-02-01"]),
        "CostType": ["Labour", "Labour"], "Planned": [100.0, 200.0],
    })
    path = build_workbook(tmp_path / "l.xlsx", data, title="Long")
    wb = openpyxl.load_workbook(path)
    found = _tables(wb)
    assert set(found) == set(tables.INPUTS) | set(tables.OUTPUTS) | {tables.IMPORT_LOG.name}
    plan = wb["Plan"]
    assert _headers(plan, found["tblPlan"][1]) == list(data["tblPlan"].columns)
    assert plan["B2"].number_format == "mmm yyyy" and plan["D3"].value == 200
    assert found["tblTimesheets"][1] == "A1:E2"  # empty: header and one blank row


def test_month_columns_given_as_dates_get_text_headers(tmp_path):
    data = example_rows()
    plan = data["tblPlan"]
    plan.columns = [*plan.columns[:2], *pd.date_range("2026-01-01", periods=12, freq="MS")]
    path = build_workbook(tmp_path / "d.xlsx", data)
    wb = openpyxl.load_workbook(path)
    headers = _headers(wb["Plan"], _tables(wb)["tblPlan"][1])
    assert headers[2:4] == ["Jan 2026", "Feb 2026"] and headers[-1] == "Dec 2026"


def test_bad_data_is_refused(tmp_path):
    with pytest.raises(XlpmoError, match="unknown table"):
        build_workbook(tmp_path / "x.xlsx", {"tblNope": pd.DataFrame()})
    with pytest.raises(XlpmoError, match="tblEVM: columns must be exactly"):
        build_workbook(tmp_path / "y.xlsx", {"tblEVM": pd.DataFrame({"ProjectID": ["P"]})})


def test_the_sample_portfolio_builds(tmp_path):
    data = sample_portfolio()
    path = build_workbook(tmp_path / "s.xlsx", data, title="PMO Sample")
    refs = {}
    for name, xml in _parts(path).items():
        if name.startswith("xl/tables/"):
            table = etree.fromstring(xml)
            refs[table.get("name")] = table.get("ref")
    for name, frame in data.items():
        _, r0, _, r1 = _bounds(refs[name])
        assert r1 - r0 == len(frame), name


# -- with the other parts of xlpmo --------------------------------------------------------------


def test_reader_finds_every_table_and_the_months():
    from xlpmo.io.reader import read_workbook

    raw = read_workbook(TEMPLATE)
    assert set(raw.tables) >= set(tables.INPUTS) | set(tables.OUTPUTS)
    plan = raw.tables["tblPlan"]
    assert [parse_period(h) for h in plan.header[2:]] == list(
        pd.date_range("2026-01-01", periods=12, freq="MS"))


def test_writer_grows_the_output_tables_without_conflict(tmp_path):
    from xlpmo.io.writer import write_tables

    rng = np.random.default_rng(1)

    def frame(spec: tables.TableSpec, n: int) -> pd.DataFrame:
        out = {}
        for c in spec.columns:
            if c.kind in ("date", "period", "timestamp"):
                out[c.name] = pd.date_range("2026-01-01", periods=n, freq="D")
            elif c.kind in ("id", "text"):
                out[c.name] = [f"{c.name}{i}" for i in range(n)]
            elif c.kind == "bool":
                out[c.name] = rng.random(n) < 0.5
            else:
                out[c.name] = rng.random(n)
        return pd.DataFrame(out)

    sizes = {"tblEVM": 300, "tblPortfolio": 45, "tblVariance": 2000, "tblUtilisation": 900,
             "tblForecastOut": 700, "tblChecks": 60}
    outputs = {name: frame(tables.OUTPUTS[name], n) for name, n in sizes.items()}
    report = write_tables(TEMPLATE, tmp_path / "w.xlsx", outputs,
                          {"LastRefreshed": pd.Timestamp("2026-11-28 09:00"),
                           "RefreshedBy": "test"})
    written = {t.name: t for t in report.tables}
    for name, n in sizes.items():
        assert written[name].rows == n, name
    before, after = _parts(TEMPLATE), _parts(tmp_path / "w.xlsx")
    # the CPI/SPI chart follows tblEVM (300 rows); the other charts are untouched
    followed = {f.part for f in report.followed}
    assert {f.new.split("!")[1] for f in report.followed} == {
        "$M$26:$M$325", "$Y$26:$Y$325", "$Z$26:$Z$325"}
    kept = [p for p in before if p.startswith(("xl/charts/", "xl/drawings/"))
            and p not in followed]
    assert len(followed) == 1 and len(kept) >= 4 and all(after[p] == before[p] for p in kept)
    assert _sheet_xml(tmp_path / "w.xlsx", "ChartData") == _sheet_xml(TEMPLATE, "ChartData")
