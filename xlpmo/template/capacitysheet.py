"""The CapacityPlan sheet of the template: tblCapacityPlan as a heat map, a group picker and a
native chart of demand against capacity by month for the picked group.

- ``tblCapacityPlan`` at ``A1`` (:data:`xlpmo.template.layout.OUTPUT_PLACES`). Colour scales
  over whole columns (they follow the table's growth): Utilisation as tblUtilisation's
  (blue at 0, green at UtilisationTarget, red from 120 %), GapHours red below 0 through
  white at 0 to green above (full colour at one full-time person-month, 21 × HoursPerDay);
  the RAG column gets the RAG fills of every output table.
- The picker ``N2`` (two empty columns right of the table, room for a user column):
  the group whose months the chart shows; a list of the groups as Refresh writes them.
- ``ChartData!O:V``: formulas only (plain A1 references, SUMIFS/COUNTIFS/INDEX/EDATE, no
  dynamic arrays): the status month and the 12 months after it with the group's
  capacity and named / unnamed demand, and the group list for the picker (the k-th group
  is at row 2 + k × months per group, as Refresh writes the table: sorted by Group, then
  Period, every group with every month).
- The chart beside the table from ``M4``: named and unnamed demand as stacked columns,
  capacity as a line, by month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from xlpmo.contract import tables
from xlpmo.template.dashboard import S_FIRST, _col, _quote
from xlpmo.template.layout import MAX_ROW

if TYPE_CHECKING:
    from xlpmo.template.builder import Builder

SHEET = "CapacityPlan"
PICKER = (1, 13)  # CapacityPlan!N2
CHART_AT = (3, 12)  # CapacityPlan!M4
CHART_SIZE = (720, 380)
FIRST_COL = 14  # ChartData!O: the month block O:S, parameters in O2:P5
MONTHS = 13  # the status month and the 12 after it
GROUP_COL = 21  # ChartData!V: the group list
GROUPS = 40
GAP_COLOURS = ("#F8696B", "#FFFFFF", "#63BE7B")
_STATUS = 'INDEX(Config!$B:$B,MATCH("StatusDate",Config!$A:$A,0))'


def capacity_sheet(b: Builder) -> None:
    """Heat map, picker, ChartData block and chart (the table is already placed)."""
    ws = b.sheets[SHEET]
    _, row, col, headers = b.placed[tables.CAPACITY_PLAN.name]
    ws.set_column(col, col, 24)  # Group: role and team names
    b._heat_map(ws, row + 1, col + headers.index("Utilisation"))
    gap = col + headers.index("GapHours")
    full = 21 * float(b.settings.HoursPerDay)
    low, mid, high = GAP_COLOURS
    ws.conditional_format(row + 1, gap, MAX_ROW, gap, {
        "type": "3_color_scale",
        "min_type": "num", "min_value": -full, "min_color": low,
        "mid_type": "num", "mid_value": 0, "mid_color": mid,
        "max_type": "num", "max_value": full, "max_color": high,
    })
    _picker(b)
    _chart_data(b)
    _chart(b)


def default_group(b: Builder) -> str:
    """The picker's first value: the group with the most negative GapHours after the status
    month in the given tblCapacityPlan; else (by Role) the Role most often named by unnamed
    demand after the status month; else the first (A to Z) group of tblResources; else
    blank."""
    plan = b.data.get(tables.CAPACITY_PLAN.name)
    status = pd.Timestamp(b.settings.StatusDate).to_period("M").to_timestamp()
    if plan is not None and len(plan):
        ahead = plan[pd.to_datetime(plan["Period"]) > status]
        gap = pd.to_numeric(ahead["GapHours"], errors="coerce")
        if gap.notna().any():
            return str(ahead.loc[gap.idxmin(), "Group"])
    by = b.settings.CapacityBy
    alloc = b.data.get(tables.ALLOCATIONS.name)
    if by == "Role" and alloc is not None and {"ResourceID", "Role"} <= set(alloc.columns):
        later = pd.to_datetime(alloc["Period"], errors="coerce") > status
        asked = _names(alloc.loc[later & alloc["ResourceID"].isna(), "Role"])
        if len(asked):
            counts = asked.value_counts()
            return min(counts.index[counts == counts.max()], key=str.casefold)
    resources = b.data.get(tables.RESOURCES.name)
    if resources is not None and by in resources:
        names = sorted(set(_names(resources[by])), key=str.casefold)
        if names:
            return names[0]
    return ""


def _names(cells: pd.Series) -> pd.Series:
    """Non-blank cells as text with white space collapsed."""
    text = cells.dropna().astype(str).map(lambda v: " ".join(v.split()))
    return text[text != ""]


def _picker(b: Builder) -> None:
    ws = b.sheets[SHEET]
    r, c = PICKER
    ws.write_string(r - 1, c - 1, "Demand vs capacity by month for one group",
                    b.fmt(None, bold=True, font_size=12))
    ws.write_string(r, c - 1, "Group", b.fmt(None, bold=True))
    ws.write_string(r, c, default_group(b), b.fmt(None, bg_color="#FFF2CC", border=1,
                                                  bold=True))
    first, last = S_FIRST + 1, S_FIRST + GROUPS
    letter = xl_col_to_name(GROUP_COL)
    b.wb.define_name("CapacityGroups", f"=ChartData!${letter}${first}:INDEX(ChartData!"
                     f"${letter}${first}:${letter}${last},MAX(1,ChartData!$P$5))")
    ws.data_validation(r, c, r, c, {
        "validate": "list", "source": "=CapacityGroups", "error_type": "warning",
        "input_title": "Group of the chart",
        "input_message": "A Role or Team of the Group column of tblCapacityPlan.",
    })
    ws.set_column(c - 1, c - 1, 12)
    ws.set_column(c, c, 22)


def _chart_data(b: Builder) -> None:
    ws = b.sheets["ChartData"]
    bold = b.fmt(None, bold=True)
    t = {name: _col(b, tables.CAPACITY_PLAN.name, name) for name in (
        "Group", "Period", "CapacityHours", "NamedDemandHours", "UnnamedDemandHours")}
    sheet, row, col, _ = b.placed[tables.CAPACITY_PLAN.name]
    first_group = f"{_quote(sheet)}!${xl_col_to_name(col)}${row + 2}"
    picker = f"{SHEET}!{xl_rowcol_to_cell(*PICKER, row_abs=True, col_abs=True)}"
    o = FIRST_COL
    ws.write_string(0, o, "Helper for the CapacityPlan chart: formulas only.", bold)
    params = (
        ("Group", f"={picker}", None),
        ("Status month", f"=DATE(YEAR({_STATUS}),MONTH({_STATUS}),1)", "period"),
        ("Months per group",
         f'=IF(COUNTA({t["Group"]})<2,0,COUNTIF({t["Group"]},{first_group}))', None),
        ("Groups", f'=IF($P$4=0,0,ROUND((COUNTA({t["Group"]})-1)/$P$4,0))', None),
    )
    for i, (label, formula, kind) in enumerate(params, start=1):
        ws.write_string(i, o, label)
        ws.write_formula(i, o + 1, formula, b.fmt(kind))
    ws.write_row(S_FIRST - 1, o, ["Month", "Capacity", "Named demand", "Unnamed demand",
                                  "Demand"], bold)
    for i in range(MONTHS):
        r = S_FIRST + i
        month = f"$O{r + 1}"
        ws.write_formula(r, o, f'=IF(ISNUMBER($P$3),EDATE($P$3,{i}),"")', b.fmt("period"))
        found = f'COUNTIFS({t["Group"]},$P$2,{t["Period"]},{month})=0'
        for k, name in enumerate(("CapacityHours", "NamedDemandHours", "UnnamedDemandHours"),
                                 start=1):
            ws.write_formula(r, o + k, f'=IF({found},NA(),SUMIFS({t[name]},{t["Group"]},$P$2,'
                             f'{t["Period"]},{month}))', b.fmt("hours"))
        ws.write_formula(r, o + 4, f"=Q{r + 1}+R{r + 1}", b.fmt("hours"))
    ws.write_string(S_FIRST - 1, GROUP_COL, "Groups", bold)
    for k in range(GROUPS):
        ws.write_formula(S_FIRST + k, GROUP_COL,
                         f'=IF({k}<$P$5,INDEX({t["Group"]},{row + 2}+{k}*$P$4),"")')
    ws.set_column(o, o, 16)
    ws.set_column(o + 1, o + 4, 14)
    ws.set_column(GROUP_COL, GROUP_COL, 22)


def _chart(b: Builder) -> None:
    first, last = S_FIRST + 1, S_FIRST + MONTHS
    months = f"=ChartData!$O${first}:$O${last}"
    demand = b.wb.add_chart({"type": "column", "subtype": "stacked"})
    for letter, name, colour in (("Q", "Named demand", "#4472C4"),
                                 ("R", "Unnamed demand (not named yet)", "#ED7D31")):
        demand.add_series({
            "name": name, "categories": months,
            "values": f"=ChartData!${letter}${first}:${letter}${last}",
            "fill": {"color": colour}, "gap": 60,
        })
    capacity = b.wb.add_chart({"type": "line"})
    capacity.add_series({
        "name": "Capacity", "categories": months,
        "values": f"=ChartData!$P${first}:$P${last}",
        "line": {"color": "#000000", "width": 2.25}, "marker": {"type": "none"},
    })
    demand.combine(capacity)
    # a static title: LibreOffice shows a cell-linked chart title as its cached value
    demand.set_title({"name": "Demand vs capacity of the group in N2 (hours)"})
    demand.set_x_axis({"num_format": "mmm yy", "num_font": {"rotation": -45}})
    demand.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    demand.set_legend({"position": "bottom"})
    demand.show_na_as_empty_cell()
    width, height = CHART_SIZE
    demand.set_size({"width": width, "height": height})
    b.sheets[SHEET].insert_chart(*CHART_AT, demand, {"x_offset": 4, "y_offset": 4})
