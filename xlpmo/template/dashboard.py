"""The Dashboard, its ChartData helper sheet, its native charts, and the Live sheet of the
template (:mod:`xlpmo.template.builder` calls these with its builder)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from xlpmo.contract.periods import EXCEL_EPOCH
from xlpmo.template import buttons as sheetbuttons
from xlpmo.template.content import LIVE_EXAMPLES, LIVE_INPUTS, LIVE_SERIES, lite_formula
from xlpmo.template.layout import (
    CHART_GAP,
    CHART_SIZES,
    DASH_TABLE_ROW,
    OUTPUT_PLACES,
    PICKER_CELL,
    TAB_DASH,
    TAB_HELPER,
)

__all__ = ["S_FIRST", "S_ROWS", "U_ROWS", "chart_data", "charts", "dashboard", "live"]

if TYPE_CHECKING:
    from xlpmo.template.builder import Builder


# Dashboard -------------------------------------------------------------------------------
def dashboard(b: Builder, project: str | None) -> None:
    ws = b.sheets["Dashboard"]
    ws.set_tab_color(TAB_DASH)
    ws.hide_gridlines(2)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, f"{b.title}: Dashboard", b.fmt(None, bold=True, font_size=16))
    ws.write_string(1, 0, "Status date", b.fmt(None, bold=True))
    ws.write_formula(
        1, 1, '=INDEX(Config!$B:$B,MATCH("StatusDate",Config!$A:$A,0))',
        b.fmt("date", bold=True), _status_serial(b),
    )
    ws.write_string(2, 0, "S-curve project", b.fmt(None, bold=True))
    projects = b.data.get("tblProjects")
    if project is None and projects is not None and len(projects):
        project = str(projects["ProjectID"].iloc[0])
    picker = b.fmt(None, bg_color="#FFF2CC", border=1, bold=True)
    r, c = PICKER_CELL
    ws.write_string(r, c, project or "", picker)
    b.wb.define_name(
        "ProjectList", "=Projects!$A$2:INDEX(Projects!$A:$A,MAX(2,COUNTA(Projects!$A:$A)))"
    )
    ws.data_validation(
        r, c, r, c,
        {"validate": "list", "source": "=ProjectList", "input_title": "S-curve project",
         "input_message": "Pick the project whose S-curve (PV, EV, AC) the chart shows.",
         "error_type": "warning"},
    )
    ws.write_string(
        1, 3, "Refresh fills the tables below; pick a project in B3 for its S-curve.",
        b.fmt(None, italic=True, font_color="#595959"),
    )
    for button in sheetbuttons.BUTTONS:
        ws.insert_textbox(button.row, button.col, button.script, {
            "width": 110, "height": 24, "object_position": 3,
            "url": f"internal:{sheetbuttons.SHEET}!{button.cell}",
            "tip": f"Run {button.script} (xlwings Lite; classic add-in: the PMO tab)",
            "fill": {"color": "#1F4E79"}, "line": {"none": True},
            "font": {"color": "#FFFFFF", "bold": True},
            "align": {"vertical": "middle", "horizontal": "center"},
        })
    label = b.fmt(None, bold=True, font_size=12)
    ws.write_string(DASH_TABLE_ROW - 1, 0, "Portfolios", label)
    ws.write_string(DASH_TABLE_ROW - 1, OUTPUT_PLACES["tblEVM"][2], "Projects", label)
    ws.set_column(0, 0, 16)
    ws.set_column(11, 11, 3)

def _status_serial(b: Builder) -> float:
    return float((pd.Timestamp(b.settings.StatusDate) - EXCEL_EPOCH) / pd.Timedelta(days=1))

# ChartData -------------------------------------------------------------------------------
S_FIRST = 12  # first data row (0-based) of the S-curve block, rows for 48 months
S_ROWS = 48
U_ROWS = 18  # utilisation block: 12 months to the status month, 6 after

def _col(b: Builder, table: str, column: str) -> str:
    """Whole-column A1 reference of a table column: ``Variance!$G:$G``."""
    sheet, _, col, headers = b.placed[table]
    letter = xl_col_to_name(col + headers.index(column))
    return f"{_quote(sheet)}!${letter}:${letter}"

def chart_data(b: Builder) -> None:
    ws = b.sheets["ChartData"]
    ws.set_tab_color(TAB_HELPER)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    bold = b.fmt(None, bold=True)
    ws.write_string(
        0, 0, "Helper for the Dashboard charts: formulas only, nothing to type here.", bold
    )
    v = {name: _col(b, "tblVariance", name) for name in ("ProjectID", "Period",
                                                          "Planned", "Actual")}
    p = {name: _col(b, "tblProgress", name) for name in ("ProjectID", "Period",
                                                          "PercentComplete", "Earned")}
    e = {name: _col(b, "tblEVM", name) for name in ("ProjectID", "BAC")}
    u = {name: _col(b, "tblUtilisation", name) for name in (
        "Period", "CapacityHours", "ActualHours", "AllocatedHours")}
    pr = {name: _col(b, "tblProjects", name) for name in ("ProjectID", "BAC")}
    picker = f"Dashboard!${xl_col_to_name(PICKER_CELL[1])}${PICKER_CELL[0] + 1}"
    params = [
        ("Title", f'="S-curve: "&{picker}'),
        ("Project", f"={picker}"),
        ("Status date", '=INDEX(Config!$B:$B,MATCH("StatusDate",Config!$A:$A,0))'),
        ("Status month", "=DATE(YEAR(B4),MONTH(B4),1)"),
        ("First month", f'=IF(COUNTIFS({v["ProjectID"]},B3,{v["Planned"]},">0")=0,"",'
                        f'MINIFS({v["Period"]},{v["ProjectID"]},B3,{v["Planned"]},">0"))'),
        ("Last month", f'=IF(B6="","",MAX(MAXIFS({v["Period"]},{v["ProjectID"]},B3,'
                       f'{v["Planned"]},">0"),MIN(B5,MAXIFS({v["Period"]},'
                       f'{v["ProjectID"]},B3,{v["Actual"]},">0"))))'),
        ("BAC", f'=IF(COUNTIF({e["ProjectID"]},B3)>0,SUMIFS({e["BAC"]},{e["ProjectID"]},B3),'
                f'IF(COUNTIFS({pr["ProjectID"]},B3,{pr["BAC"]},"<>")>0,'
                f'SUMIFS({pr["BAC"]},{pr["ProjectID"]},B3),'
                f'SUMIFS({v["Planned"]},{v["ProjectID"]},B3)))'),
        ("% scale", f'=IF(MAX({p["PercentComplete"]})>1,100,1)'),
        ("Uses Earned", f'=COUNTIFS({p["ProjectID"]},B3,{p["Earned"]},"<>")>0'),
        ("Utilisation target",
         '=IFERROR(INDEX(Config!$B:$B,MATCH("UtilisationTarget",Config!$A:$A,0)),0.8)'),
    ]
    formats = {"Status date": "date", "Status month": "period", "First month": "period",
               "Last month": "period", "BAC": "money", "Utilisation target": "fraction"}
    for i, (name, formula) in enumerate(params, start=1):
        ws.write_string(i, 0, name)
        ws.write_formula(i, 1, formula, b.fmt(formats.get(name)))
    # S-curve block: A = month, C = PV, D = EV, E = AC (cumulative)
    r0 = S_FIRST
    ws.write_row(r0 - 1, 0, ["Month", "", "PV", "EV", "AC"], bold)
    for i in range(S_ROWS):
        r = r0 + i
        a = f"A{r + 1}"
        if i == 0:
            month = '=IF($B$6="","",$B$6)'
        else:
            month = f'=IF(OR(A{r}="",A{r}>=$B$7),"",EDATE(A{r},1))'
        to_date = f'"<="&{a}'
        to_end = f'"<="&EOMONTH({a},0)'
        pct_ev = (f'MAXIFS({p["PercentComplete"]},{p["ProjectID"]},$B$3,{p["Period"]},'
                  f'{to_end})/$B$9*$B$8')
        earned_ev = f'MAXIFS({p["Earned"]},{p["ProjectID"]},$B$3,{p["Period"]},{to_end})'
        ws.write_formula(r, 0, month, b.fmt("period"))
        ws.write_formula(
            r, 2,
            f'=IF({a}="",NA(),SUMIFS({v["Planned"]},{v["ProjectID"]},$B$3,'
            f'{v["Period"]},{to_date}))',
            b.fmt("money"),
        )
        ws.write_formula(
            r, 3, f'=IF({a}="",NA(),IF({a}>$B$5,NA(),IF($B$10,{earned_ev},{pct_ev})))',
            b.fmt("money"),
        )
        ws.write_formula(
            r, 4,
            f'=IF({a}="",NA(),IF({a}>$B$5,NA(),SUMIFS({v["Actual"]},{v["ProjectID"]},$B$3,'
            f'{v["Period"]},{to_date})))',
            b.fmt("money"),
        )
    # utilisation block: G = month, H = capacity, I = actual, J = allocated,
    # K = utilisation, L = allocation, M = target
    ws.write_row(r0 - 1, 6, ["Month", "Capacity", "Actual", "Allocated", "Utilisation",
                             "Allocation", "Target"], bold)
    for i in range(U_ROWS):
        r = r0 + i
        g = f"G{r + 1}"
        ws.write_formula(r, 6, f'=IF(ISNUMBER($B$5),EDATE($B$5,{i - 11}),"")',
                         b.fmt("period"))
        for c, name in ((7, "CapacityHours"), (8, "ActualHours"), (9, "AllocatedHours")):
            ws.write_formula(r, c, f"=SUMIFS({u[name]},{u['Period']},{g})",
                             b.fmt("hours"))
        h, i_, j = (f"{x}{r + 1}" for x in "HIJ")
        ws.write_formula(r, 10, f"=IF(OR({h}=0,{g}>$B$5),NA(),{i_}/{h})",
                         b.fmt("fraction"))
        ws.write_formula(r, 11, f"=IF({h}=0,NA(),{j}/{h})", b.fmt("fraction"))
        ws.write_formula(r, 12, "=$B$11", b.fmt("fraction"))
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 12, 12)

# charts ----------------------------------------------------------------------------------
def charts(b: Builder) -> None:
    ws = b.sheets["Dashboard"]
    r0, r1 = S_FIRST, S_FIRST + S_ROWS - 1
    scurve = b.wb.add_chart({"type": "line"})
    for col, name, colour, dash in (
        ("C", "PV (planned)", "#4472C4", "dash"), ("D", "EV (earned)", "#70AD47", "solid"),
        ("E", "AC (actual)", "#C00000", "solid"),
    ):
        scurve.add_series({
            "name": name,
            "categories": f"=ChartData!$A${r0 + 1}:$A${r1 + 1}",
            "values": f"=ChartData!${col}${r0 + 1}:${col}${r1 + 1}",
            "line": {"color": colour, "width": 2.25, "dash_type": dash},
            "marker": {"type": "none"},
        })
    # a static title: LibreOffice shows a cell-linked chart title as its cached value
    scurve.set_title({"name": "S-curve of the project in B3 (cumulative)"})
    scurve.set_x_axis({"num_format": "mmm yy", "num_font": {"rotation": -45}})
    scurve.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    scurve.set_legend({"position": "bottom"})
    scurve.show_na_as_empty_cell()

    _, row, col, headers = b.placed["tblEVM"]
    # exactly tblEVM's data rows as built (one blank row when no outputs are given): the
    # writer rewrites a series over a whole table column when refresh resizes the table
    first, last = row + 2, row + 1 + max(1, len(b.data.get("tblEVM", ())))
    ids = xl_col_to_name(col + headers.index("ProjectID"))
    indices = b.wb.add_chart({"type": "column"})
    for name, colour in (("CPI", "#4472C4"), ("SPI", "#ED7D31")):
        letter = xl_col_to_name(col + headers.index(name))
        indices.add_series({
            "name": name,
            "categories": f"=Dashboard!${ids}${first}:${ids}${last}",
            "values": f"=Dashboard!${letter}${first}:${letter}${last}",
            "fill": {"color": colour},
        })
    indices.set_title({"name": "CPI and SPI by project (1 = on plan)"})
    indices.set_y_axis({"num_format": "0.00", "major_gridlines": {"visible": True}})
    indices.set_x_axis({"num_font": {"rotation": -45}})
    indices.set_legend({"position": "bottom"})

    u0, u1 = S_FIRST + 1, S_FIRST + U_ROWS
    util = b.wb.add_chart({"type": "column"})
    util.add_series({
        "name": "Utilisation (booked / capacity)",
        "categories": f"=ChartData!$G${u0}:$G${u1}",
        "values": f"=ChartData!$K${u0}:$K${u1}",
        "fill": {"color": "#70AD47"},
    })
    util.add_series({
        "name": "Allocation (planned / capacity)",
        "categories": f"=ChartData!$G${u0}:$G${u1}",
        "values": f"=ChartData!$L${u0}:$L${u1}",
        "fill": {"color": "#A9D18E"},
    })
    target = b.wb.add_chart({"type": "line"})
    target.add_series({
        "name": "Target",
        "categories": f"=ChartData!$G${u0}:$G${u1}",
        "values": f"=ChartData!$M${u0}:$M${u1}",
        "line": {"color": "#C00000", "dash_type": "dash", "width": 1.5},
        "marker": {"type": "none"},
    })
    util.combine(target)
    util.set_title({"name": "Team utilisation by month"})
    util.set_x_axis({"num_format": "mmm yy", "num_font": {"rotation": -45}})
    util.set_y_axis({"num_format": "0%", "major_gridlines": {"visible": True}})
    util.set_legend({"position": "bottom"})
    util.show_na_as_empty_cell()
    left = 2
    for chart, (width, height) in zip((scurve, indices, util), CHART_SIZES, strict=True):
        chart.set_size({"width": width, "height": height})
        # XlsxWriter turns the offset into the anchor column from the final widths
        ws.insert_chart(4, 0, chart, {"x_offset": left, "y_offset": 4})
        left += width + CHART_GAP

# Live ------------------------------------------------------------------------------------
def live(b: Builder) -> None:
    ws = b.sheets["Live"]
    ws.set_tab_color(TAB_HELPER)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    bold = b.fmt(None, bold=True)
    ws.write_string(0, 0, "Live worksheet functions (xlwings Lite)",
                    b.fmt(None, bold=True, font_size=16))
    ws.write_string(
        1, 0, "Each result cell calls an xlpmo function through the xlwings Lite add-in "
        "(namespace PMO, e.g. =PMO.CPI(EV, AC)). Without the add-in these cells show "
        "#NAME?: that is expected on this sheet only; every other sheet holds plain "
        "values written by Refresh.", b.fmt(None, italic=True, font_color="#595959"),
    )
    ws.write_string(3, 1, "Inputs", bold)
    for i, (label, value, kind) in enumerate(LIVE_INPUTS):
        ws.write_string(4 + i, 1, label)
        if isinstance(value, str):
            ws.write_datetime(4 + i, 2, pd.Timestamp(value).to_pydatetime(), b.fmt(kind))
        else:
            ws.write_number(4 + i, 2, value, b.fmt(kind))
    for i, (label, values) in enumerate(LIVE_SERIES):
        ws.write_string(4 + i, 4, label)
        ws.write_row(4 + i, 5, values, b.fmt("money"))
    top = 5 + len(LIVE_INPUTS)
    ws.write_row(top, 0, ["Function", "Formula", "Result", "What it does"], bold)
    scalar = [x for x in LIVE_EXAMPLES if not x.spill]
    for i, ex in enumerate(scalar):
        r = top + 1 + i
        ws.write_string(r, 0, f"PMO.{ex.name}")
        ws.write_string(r, 1, f"=PMO.{ex.name}({ex.args})")
        ws.write_dynamic_array_formula(r, 2, r, 2, lite_formula(ex.name, ex.args),
                                       b.fmt(ex.kind))
        ws.write_string(r, 3, ex.what)
    # spilling examples: each with free room below and to the right
    r = top + len(scalar) + 3
    ws.write_string(r - 1, 0, "Functions that spill (leave room below and right)", bold)
    for ex in (x for x in LIVE_EXAMPLES if x.spill):
        ws.write_string(r, 0, f"PMO.{ex.name}")
        ws.write_string(r, 1, f"=PMO.{ex.name}({ex.args})")
        if not ex.live:
            ws.write_string(r, 3, ex.what + " Type it where it has room to spill.")
            r += 2
            continue
        ws.write_string(r, 3, ex.what)
        ws.write_dynamic_array_formula(r + 1, 0, r + 1, 0, lite_formula(ex.name, ex.args),
                                       b.fmt(ex.kind))
        r += 9
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 44)
    ws.set_column(2, 2, 14)
    ws.set_column(3, 3, 52)
    ws.set_column(4, 4, 16)


def _quote(sheet: str) -> str:
    return f"'{sheet}'" if not sheet.isalnum() else sheet
