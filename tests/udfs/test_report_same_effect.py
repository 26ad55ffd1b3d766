"""The Report command has the same effect in Excel and on a file (functions.md): the Report
button run through xlwings' real server code (the actions Office.js / xlwings Lite would
apply) against ``xlpmo report`` on the same workbook: the same cells, number formats, bold
rows, column widths, colour scale, and charts (name, type, position, size, source cells,
categories, title, axis titles and formats)."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

import openpyxl
import pytest
from helpers.canvas_checks import canvas_parts
from helpers.paths import TEMPLATE
from helpers.xlwings_server import book_payload, col_letters, run_server
from lxml import etree

from xlpmo.cli import main

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
KIND_OF_JS = {"Line": "lineChart", "ColumnClustered": "barChart", "XYScatter": "scatterChart"}


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("same")
    path = folder / "Tracker.xlsx"
    shutil.copy(TEMPLATE, path)
    mine = book_payload(str(TEMPLATE))  # a sheet called Report that xlpmo did not make
    mine["sheets"].append({"name": "Report", "values": [["Board notes"], ["keep me"]],
                           "pictures": [], "shapes": [], "charts": [], "notes": [],
                           "tables": [], "pivot_tables": [], "show_gridlines": True,
                           "visibility": "Visible", "print_area": None})
    result, refused = run_server([
        {"kind": "scripts", "payload": book_payload(str(TEMPLATE)),
         "steps": [{"script": "report"}, {"script": "report"}]},
        {"kind": "scripts", "payload": mine, "steps": [{"script": "report"}]}])
    assert "exception" not in result["steps"][0], result["steps"][0]
    assert main(["report", str(path), "--quiet", "--no-backup"]) == 0
    return {"excel": result, "file": path, "refused": refused}


def _sheet_actions(result: dict, step: int = 0) -> tuple[int, list[dict]]:
    actions = result["steps"][step]["actions"]
    add = next(a for a in actions if a["func"] == "addSheet" and a["args"][1] == "Report")
    index = add["args"][0]
    return index, [a for a in actions if a.get("sheet_position") == index]


def _cell(value):
    if value == "":
        return None
    if isinstance(value, str) and value.endswith("T00:00:00.000Z"):
        return dt.datetime.fromisoformat(value[:10])
    return value


def test_the_same_cells(both):
    excel = next(s for s in both["excel"]["payload"]["sheets"] if s["name"] == "Report")
    grid = [[_cell(v) for v in row] for row in excel["values"]]
    ws = openpyxl.load_workbook(both["file"])["Report"]
    file_grid = [[c.value for c in row] for row in ws.iter_rows(
        min_row=1, max_row=len(grid), max_col=max(len(r) for r in grid))]
    assert ws.max_row == len(grid)
    assert file_grid == grid
    assert grid[1][0].startswith("Made by xlpmo Report")


def test_the_same_formats_bold_rows_widths_and_colour_scale(both):
    _index, actions = _sheet_actions(both["excel"])
    ws = openpyxl.load_workbook(both["file"])["Report"]
    formats = [a for a in actions if a["func"] == "setNumberFormat"]
    assert formats
    for a in formats:
        for r in range(a["start_row"], a["start_row"] + a["row_count"]):
            for c in range(a["start_column"], a["start_column"] + a["column_count"]):
                cell = ws.cell(r + 1, c + 1)
                if cell.value is not None:
                    assert cell.number_format == a["args"][0], (cell.coordinate, a)
    bold = [a for a in actions if a["func"] == "setFontProperty" and a["args"] == ["bold", True]]
    bold_cells = {(r + 1, c + 1) for a in bold
                  for r in range(a["start_row"], a["start_row"] + a["row_count"])
                  for c in range(a["start_column"], a["start_column"] + a["column_count"])}
    file_bold = {(c.row, c.column) for row in ws.iter_rows() for c in row
                 if c.value is not None and c.font.b}
    assert file_bold == {rc for rc in bold_cells if ws.cell(*rc).value is not None}
    widths = {a["start_column"] + 1: a["args"][0] for a in actions
              if a["func"] == "setColumnWidth"}
    file_widths = {openpyxl.utils.column_index_from_string(k): v.width
                   for k, v in ws.column_dimensions.items() if v.customWidth}
    assert widths == {col: (chars * 7 + 5) * 0.75 for col, chars in file_widths.items()}
    # one colour scale per heatmap (utilisation; the capacity plan when the book has one)
    scales = [a for a in actions if a["func"] == "addConditionalFormat"]
    by_range = {str(cf.sqref): cf for cf in ws.conditional_formatting}
    assert scales and len(scales) == len(by_range)
    for scale in scales:
        first = f"{col_letters(scale['start_column'] + 1)}{scale['start_row'] + 1}"
        last = (f"{col_letters(scale['start_column'] + scale['column_count'])}"
                f"{scale['start_row'] + scale['row_count']}")
        rule = by_range[f"{first}:{last}"].rules[0].colorScale
        assert ([c.rgb[2:].lower() for c in rule.color]
                == [c[1:] for c in scale["args"][0]["colors"]])
        assert [float(v.val) for v in rule.cfvo] == scale["args"][0]["thresholds"]


def test_the_same_charts(both):
    _index, actions = _sheet_actions(both["excel"])
    adds = [a["args"] for a in actions if a["func"] == "addChart"]
    by_index: dict[int, dict] = {i: {} for i in range(len(adds))}
    for a in actions:
        if a["func"] == "setChartXAxisValues":
            by_index[a["args"][0]]["categories"] = a["args"][2]
        elif a["func"] == "setChartTitle":
            by_index[a["args"][0]]["title"] = a["args"][1]
        elif a["func"] == "setChartAxis":
            by_index[a["args"][0]][a["args"][1]] = a["args"][2]
        elif a["func"] == "setChartLegend":
            by_index[a["args"][0]]["legend"] = a["args"][2]
    _part, (drawing,), charts = canvas_parts(both["file"], "Report")
    with zipfile.ZipFile(both["file"]) as z:
        anchors = list(etree.fromstring(z.read(drawing)))
        parts = [etree.fromstring(z.read(c)) for c in charts]
    assert len(adds) == len(parts) == len(anchors) == 9
    for k, (args, anchor, chart) in enumerate(zip(adds, anchors, parts, strict=True)):
        name, js_type, sheet, source, _l, _t, width, height, plot_by, at, _style = args
        extra = by_index[k]
        assert anchor.find(f".//{XDR}cNvPr").get("name") == name
        col = int(anchor.find(f"{XDR}from/{XDR}col").text)
        row = int(anchor.find(f"{XDR}from/{XDR}row").text)
        assert f"${col_letters(col + 1)}${row + 1}" == at
        ext = anchor.find(f"{XDR}ext")
        assert (int(ext.get("cx")), int(ext.get("cy"))) == (width * 12700, height * 12700)
        assert chart.find(f".//{C}plotArea/{C}{KIND_OF_JS[js_type]}") is not None
        assert plot_by == "Columns"
        # the series: one per column of the source, named by its header cell
        first_col, last_col = source.split(":")[0].split("$")[1], source.split(":")[1].split("$")[1]
        top, bottom = source.split(":")[0].split("$")[2], source.split(":")[1].split("$")[2]
        series = chart.findall(f".//{C}ser")
        cols = [openpyxl.utils.column_index_from_string(c) for c in (first_col, last_col)]
        assert len(series) == cols[1] - cols[0] + 1
        for j, ser in enumerate(series):
            letter = col_letters(cols[0] + j)
            assert ser.find(f"{C}tx//{C}f").text == f"'{sheet}'!${letter}${top}"
            values = ser.find(f"{C}val//{C}f") if ser.find(f"{C}val") is not None \
                else ser.find(f"{C}yVal//{C}f")
            assert values.text == f"'{sheet}'!${letter}${int(top) + 1}:${letter}${bottom}"
            cats = ser.find(f"{C}cat//{C}f") if ser.find(f"{C}cat") is not None \
                else ser.find(f"{C}xVal//{C}f")
            assert cats.text == f"'{sheet}'!{extra['categories']}"
        title = "".join(t.text for t in chart.find(f"{C}chart/{C}title").iter(
            "{http://schemas.openxmlformats.org/drawingml/2006/main}t"))
        assert title == extra["title"]
        assert extra["legend"] == "Bottom"
        assert chart.find(f".//{C}legend/{C}legendPos").get("val") == "b"
        axes = [a for a in chart.find(f".//{C}plotArea") if a.tag in (f"{C}catAx", f"{C}valAx")]
        for axis, key in zip(axes, ("category", "value"), strict=True):
            want = extra[key]
            got_title = axis.find(f"{C}title")
            assert (None if got_title is None else "".join(
                t.text for t in got_title.iter(
                    "{http://schemas.openxmlformats.org/drawingml/2006/main}t"))) == want["title"]
            fmt = axis.find(f"{C}numFmt")
            assert (None if fmt is None else fmt.get("formatCode")) == want.get("number_format")


def test_report_again_in_excel_replaces_its_sheet_in_place(both):
    """The second run deletes the Report sheet it made and adds it back at the same place,
    with the same content (as on a file)."""
    first_index, first = _sheet_actions(both["excel"], 0)
    second = both["excel"]["steps"][1]["actions"]
    deleted = [a for a in second if a["func"] == "sheetDelete"]
    assert [a["sheet_position"] for a in deleted] == [first_index]
    index, again = _sheet_actions(both["excel"], 1)
    assert index == first_index
    strip = [{k: v for k, v in a.items() if k != "sheet_position"} for a in first]
    assert [{k: v for k, v in a.items() if k != "sheet_position"} for a in again
            if a["func"] != "sheetDelete"] == strip
    sheets = [s["name"] for s in both["excel"]["payload"]["sheets"]]
    assert sheets.count("Report") == 1


def test_excel_refuses_a_report_sheet_it_did_not_make(both):
    (step,) = both["refused"]["steps"]
    funcs = {a["func"] for a in step["actions"]}
    assert funcs == {"alert"}  # the same message as on a file, nothing else
    (alert,) = step["actions"]
    assert alert["args"][0].startswith("xlpmo: the sheet 'Report' was not made by xlpmo")
    assert "rename it" in alert["args"][0]
    report = next(s for s in both["refused"]["payload"]["sheets"] if s["name"] == "Report")
    assert report["values"][:2] == [["Board notes"], ["keep me"]]
