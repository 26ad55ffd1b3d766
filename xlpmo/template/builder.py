"""Build the standard PMO workbook (the template) with XlsxWriter.

:func:`build_workbook` writes every table of shared/spec/workbook.md as a native Excel
Table named as in :mod:`xlpmo.contract.tables`, with number formats, data-validation lists, header
notes, frozen headers, conditional formats, native charts, a ``Live`` sheet of worksheet
functions and a ``Start`` sheet. ``workbook/build_template.py`` builds the committed
``workbook/PMO_Tracker.xlsx`` from :func:`xlpmo.template.sample.example_rows`.

Layout (every table's top-left cell; the package writer grows output tables DOWNWARD and
refuses to overwrite other content, so nothing sits below any table in its columns):

- input tables at ``A1`` of their own sheets (``Config``, ``Projects``, ``Plan`` ...). The
  wide tables (``Plan``, ``Actuals``, ``Forecast``) grow to the right by a month column:
  nothing sits to their right. The ``Config`` sheet keeps a help block in ``D:F``, beside
  (not below) ``tblConfig``, which refresh grows downward by ``LastRefreshed`` and
  ``RefreshedBy`` rows.
- ``Dashboard``: rows 1-3 hold the title, the status date, the S-curve project picker
  (``B3``) and the xlwings Lite script buttons over ``F3``, ``H3``, ``J3``
  (:mod:`xlpmo.template.buttons`), rows 5-22 the three charts, row 24 the labels, and from
  row 25 the two output tables SIDE BY SIDE: ``tblPortfolio`` in ``A:K`` and ``tblEVM``
  in ``M:AK``. Each grows downward in its own columns, so neither can ever run into the
  other, whatever the number of portfolios or projects.
- ``tblVariance``, ``tblUtilisation``, ``tblChecks`` at ``A1`` of ``Variance``,
  ``Utilisation`` and ``Checks``.
- ``tblForecastOut`` at ``A1`` of its own sheet ``ForecastOut``. The contract puts both the
  input ``tblForecast`` and the output ``tblForecastOut`` on a sheet ``Forecast``; the wide
  input grows right (months) and down (projects), so no place on that sheet is safe for a
  second table that grows down. Tables are found by name on any sheet (workbook.md), so
  the output lives on ``ForecastOut``.
- ``ChartData``: A1-reference formulas (INDEX/MATCH, SUMIFS, MINIFS/MAXIFS, EDATE,
  EOMONTH; no dynamic arrays, no structured references) feeding the S-curve and the
  utilisation chart. They read whole columns of the output sheets, so they follow the
  tables' growth, and expect each table at ``A1`` of its sheet as laid out here.
- ``Live``: the worksheet functions (``=PMO.CPI(...)`` ...) at work. In the file they are
  stored the way Excel stores Office.js (xlwings Lite) custom functions, ``_xldudf_`` +
  namespace + ``_`` + name (``_xldudf_PMO_CPI(C5,C6)``), written as dynamic-array
  formulas (``cm="1"``) so results spill and Excel shows no implicit-intersection ``@``.
  Without the add-in they show ``#NAME?``; that is expected on that sheet only.

Formulas: the workbook uses ``use_future_functions`` so that XlsxWriter stores MINIFS and
MAXIFS as ``_xlfn.MINIFS`` / ``_xlfn.MAXIFS`` (Excel shows ``#NAME?`` for the bare names).
The ``_xldudf_`` names are left alone by that option (no word boundary before the name).
``strings_to_formulas`` / ``strings_to_numbers`` / ``strings_to_urls`` are off: text from
the data is always written as text, never as a formula.

Deterministic output: XlsxWriter stamps every zip entry with one fixed 1980 date and the
document properties carry the fixed :data:`CREATED` date, so the same data gives the same bytes
(for one XlsxWriter and zlib version; the test of the committed file compares the
uncompressed parts).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from xlpmo import __version__
from xlpmo.contract import tables
from xlpmo.contract.periods import EXCEL_EPOCH, parse_period, period_columns
from xlpmo.contract.settings import EAC_METHODS, Settings
from xlpmo.errors import XLError, XlpmoError
from xlpmo.template import buttons as sheetbuttons
from xlpmo.template.sample import COUNTRIES, STATUSES, month_header

CREATED = dt.datetime(2026, 1, 1, 0, 0, 0)  # fixed so two builds give the same bytes
MAX_ROW = 1_048_575  # last row index of a sheet (0-based)
UDF_PREFIX = "_xldudf_PMO_"  # how Excel stores an Office.js custom function PMO.NAME

# -- formats ---------------------------------------------------------------------------------

NUMBER_FORMATS = tables.NUMBER_FORMATS
_DATE_KINDS = ("date", "period", "timestamp")
_NUMBER_KINDS = ("money", "hours", "number", "fraction", "index", "periods")
_WIDTHS = {"money": 13, "date": 12, "period": 10, "timestamp": 17, "fraction": 10, "bool": 10}

INPUT_STYLE = "Table Style Medium 2"
OUTPUT_STYLE = "Table Style Medium 7"
TAB_INPUT, TAB_OUTPUT, TAB_DASH, TAB_HELPER = "#4472C4", "#70AD47", "#ED7D31", "#A5A5A5"
RAG_COLOURS = {  # text colour, fill
    "Green": ("#006100", "#C6EFCE"),
    "Amber": ("#9C5700", "#FFEB9C"),
    "Red": ("#9C0006", "#FFC7CE"),
}
SCHEDULE_INDICES = ("SPIt", "SPI")

# -- where the output tables go (sheet, first row, first column; 0-based) --------------------

DASH_TABLE_ROW = 24  # Excel row 25: header row of tblPortfolio and tblEVM
OUTPUT_PLACES: dict[str, tuple[str, int, int]] = {
    "tblPortfolio": ("Dashboard", DASH_TABLE_ROW, 0),
    "tblEVM": ("Dashboard", DASH_TABLE_ROW, 12),
    "tblVariance": ("Variance", 0, 0),
    "tblForecastOut": ("ForecastOut", 0, 0),
    "tblUtilisation": ("Utilisation", 0, 0),
    "tblChecks": ("Checks", 0, 0),
}
PICKER_CELL = (2, 1)  # Dashboard!B3: the project of the S-curve
# Dashboard charts left to right (S-curve, CPI/SPI, utilisation): width x height in pixels,
# placed by pixel offset from column A with a gap between them, so they sit side by side
# whatever the widths the tables below give the columns
CHART_SIZES = ((570, 350), (470, 350), (600, 350))
CHART_GAP = 20
SHEET_ORDER = (
    "Start", "Dashboard", "Variance", "ForecastOut", "Utilisation", "Checks",
    *(t.sheet for t in tables.INPUTS.values()), "Live", "ChartData",
)

# -- column notes (from shared/spec/workbook.md) ---------------------------------------------

_PROJECT = "Project key from tblProjects."
_RESOURCE = "Resource key from tblResources."
_MONTH = "Month: any date in it stands for the month."
COLUMN_NOTES: dict[str, dict[str, str]] = {
    "tblConfig": {
        "Setting": "Name of a setting (list and defaults on the right). Other rows are kept.",
        "Value": "The setting's value. Blank = the default.",
    },
    "tblProjects": {
        "ProjectID": "Required. Unique project key, never blank (e.g. PRJ-101). The other "
        "tables refer to projects by it.",
        "ProjectName": "Display name of the project.",
        "Portfolio": "Group for the roll-up in tblPortfolio on the Dashboard.",
        "Manager": "Project manager.",
        "Status": "Not started, Active, On hold or Closed.",
        "BaselineStart": "Baseline start date. Blank = first month with a Planned amount.",
        "BaselineFinish": "Baseline finish date. Blank = last month with a Planned amount.",
        "BAC": "Budget at completion (money). Blank = sum of the project's Planned amounts.",
    },
    "tblPlan": {
        "ProjectID": "Required. " + _PROJECT,
        "Period": _MONTH + " (long layout)",
        "CostType": "Optional split of the amounts, e.g. Labour, External, Re-plan.",
        "Planned": "Planned amount in the month (long layout). Blank = 0.",
    },
    "tblActuals": {
        "ProjectID": "Required. " + _PROJECT,
        "Period": _MONTH + " (long layout)",
        "CostType": "Optional split of the amounts, e.g. Labour, External.",
        "Actual": "Actual cost in the month (long layout). Blank = 0.",
    },
    "tblForecast": {
        "ProjectID": "Required. " + _PROJECT,
        "Period": _MONTH + " (long layout)",
        "CostType": "Optional split of the amounts, e.g. Labour, External.",
        "Forecast": "Forecast amount in the month (long layout). Blank = 0.",
    },
    "tblProgress": {
        "ProjectID": "Required. " + _PROJECT,
        "Period": "Required. " + _MONTH,
        "PercentComplete": "Cumulative physical % complete at the end of the month (0-100%). "
        "EV = % complete x BAC at the latest row at or before the status month.",
        "Earned": "Or: cumulative earned value in money (instead of PercentComplete).",
    },
    "tblResources": {
        "ResourceID": "Required. Unique resource key (e.g. R001).",
        "Name": "Person's name.",
        "Role": "Role, e.g. Developer.",
        "Team": "Team, e.g. Engineering.",
        "FTE": "Fraction of the full-time week worked (0.5 = half time). Blank = 1.",
        "HoursPerWeek": "Full-time hours per week. Blank = 5 x HoursPerDay (tblConfig).",
        "CostRate": "Cost per hour (money).",
        "Country": "Country code (GB, DE, US, FR ...): picks the public holidays.",
        "StartDate": "First working day on the team. Blank = always.",
        "EndDate": "Last working day on the team. Blank = open.",
    },
    "tblHolidays": {
        "Date": "Required. The day off.",
        "Country": "Country the holiday applies to. Blank = everyone (company day).",
        "Name": "Name of the holiday.",
    },
    "tblLeave": {
        "ResourceID": "Required. " + _RESOURCE,
        "Start": "Required. First day of leave.",
        "End": "Required. Last day of leave (inclusive).",
        "Hours": "Hours of leave in the span. Blank = every working day, full day.",
    },
    "tblAllocations": {
        "ResourceID": "Required. " + _RESOURCE,
        "ProjectID": "Required. " + _PROJECT,
        "Period": "Required. " + _MONTH,
        "Hours": "Planned hours in the month (or use Percent).",
        "Percent": "Or: % of the resource's capacity in the month.",
    },
    "tblTimesheets": {
        "ResourceID": "Required. " + _RESOURCE,
        "ProjectID": "Required. " + _PROJECT,
        "Date": "Required. Day worked.",
        "Hours": "Required. Hours booked.",
        "Billable": "TRUE or FALSE. Blank = TRUE.",
    },
    "tblMilestones": {
        "ProjectID": "Required. " + _PROJECT,
        "Milestone": "Required. Name of the milestone.",
        "BaselineDate": "Date in the baseline.",
        "ForecastDate": "Current forecast date. Slippage is counted in working days.",
        "ActualDate": "Date achieved. Blank = not yet.",
    },
    "tblEVM": {
        "ProjectID": "Project key.",
        "ProjectName": "Project name.",
        "Portfolio": "Portfolio of the project.",
        "StatusDate": "Data date of the figures (StatusDate in tblConfig).",
        "BAC": "Budget at completion (money).",
        "PV": "Planned value: cumulative Planned to the status month (money).",
        "EV": "Earned value: % complete x BAC, or Earned, at the status month (money).",
        "AC": "Actual cost: cumulative Actual to the status month (money).",
        "CV": "Cost variance EV - AC. Positive = under budget.",
        "CVPct": "CV / EV.",
        "SV": "Schedule variance EV - PV. Positive = ahead of plan.",
        "SVPct": "SV / PV.",
        "CPI": "Cost performance index EV / AC. Above 1 = under budget.",
        "SPI": "Schedule performance index EV / PV. Above 1 = ahead.",
        "ES": "Earned schedule (Lipke), in months from the first planned month.",
        "AT": "Actual time: months from the first planned month to the status month.",
        "SVt": "Schedule variance in time ES - AT (months). Positive = ahead.",
        "SPIt": "Time-based schedule index ES / AT. Above 1 = ahead.",
        "EAC": "Estimate at completion by the EACMethod setting (money).",
        "ETC": "Estimate to complete EAC - AC (money).",
        "VAC": "Variance at completion BAC - EAC. Positive = under budget.",
        "TCPI": "To-complete performance index (BAC - EV) / (BAC - AC).",
        "ForecastFinish": "Forecast finish date from earned schedule.",
        "CostRAG": "Green / Amber / Red: CPI against CPIAmber and CPIRed.",
        "ScheduleRAG": "Green / Amber / Red: SPIt or SPI (ScheduleIndex) against SPIAmber "
        "and SPIRed.",
    },
    "tblPortfolio": {
        "Portfolio": "Portfolio (from tblProjects).",
        "BAC": "Sum of the projects' BAC.",
        "PV": "Sum of PV.",
        "EV": "Sum of EV.",
        "AC": "Sum of AC.",
        "CV": "Sum EV - sum AC.",
        "SV": "Sum EV - sum PV.",
        "CPI": "Sum EV / sum AC (money summed first; indices are never averaged).",
        "SPI": "Sum EV / sum PV (money summed first).",
        "EAC": "Sum of the projects' EAC.",
        "VAC": "Sum BAC - sum EAC.",
    },
    "tblVariance": {
        "ProjectID": "Project key.",
        "Period": "Month.",
        "Planned": "Planned in the month.",
        "Actual": "Actual in the month.",
        "Variance": "Planned - Actual. Positive = under plan (favourable).",
        "VariancePct": "Variance / Planned.",
        "CumPlanned": "Running total of Planned.",
        "CumActual": "Running total of Actual.",
        "CumVariance": "CumPlanned - CumActual.",
        "CumVariancePct": "CumVariance / CumPlanned.",
        "RAG": "Green / Amber / Red: |CumVariancePct| against VarianceAmber and VarianceRed.",
    },
    "tblForecastOut": {
        "ProjectID": "Project key.",
        "Period": "Month.",
        "Kind": "Actual (to the status month) or Forecast (after it).",
        "Amount": "Amount in the month.",
        "Cumulative": "Running total of Amount.",
        "Low": "Low end of the forecast band.",
        "High": "High end of the forecast band.",
    },
    "tblUtilisation": {
        "ResourceID": "Resource key.",
        "Period": "Month.",
        "CapacityHours": "Working hours available: working days x hours per day x FTE, less "
        "holidays and leave.",
        "AllocatedHours": "Planned hours from tblAllocations.",
        "ActualHours": "Hours booked in tblTimesheets.",
        "BillableHours": "Billable hours booked.",
        "Utilisation": "ActualHours / CapacityHours.",
        "BillableUtilisation": "BillableHours / CapacityHours.",
        "Allocation": "AllocatedHours / CapacityHours.",
        "OverAllocated": "TRUE when AllocatedHours > CapacityHours.",
    },
    "tblChecks": {
        "Severity": "Error, Warning or Info.",
        "Table": "Table with the problem.",
        "Cell": "Sheet and cell, e.g. Plan!D14.",
        "Message": "What is wrong and how to fix it.",
    },
}
MONTH_NOTES = {
    "tblPlan": "Planned cost (PV) in this month, not cumulative. Blank = 0; negative = "
    "credit or re-plan. Add a month: a new column headed like 'Jan 2027'.",
    "tblActuals": "Actual cost (AC) in this month, not cumulative. Blank = 0; credits are "
    "negative. Add a month: a new column headed like 'Jan 2027'.",
    "tblForecast": "Bottom-up forecast (ETC) for this month, after the status month. "
    "Blank = 0.",
}
SETTING_NOTES = {
    "StatusDate": "The data date. Blank = today.",
    "Currency": "Display only.",
    "HoursPerDay": "Full-time hours in a working day.",
    "Workweek": "Working days, e.g. Mon-Fri.",
    "EACMethod": "CPI, BUDGET, COMPOSITE, WEIGHTED or BOTTOMUP.",
    "EACWeight": "Weight of CPI in the WEIGHTED method.",
    "ScheduleIndex": "SPIt (earned schedule) or SPI: used for the schedule RAG.",
    "CPIAmber": "CPI below this is Amber.",
    "CPIRed": "CPI below this is Red.",
    "SPIAmber": "Schedule index below this is Amber.",
    "SPIRed": "Schedule index below this is Red.",
    "VarianceAmber": "|Cumulative variance %| above this is Amber.",
    "VarianceRed": "|Cumulative variance %| above this is Red.",
    "UtilisationTarget": "Target utilisation (for the utilisation RAG).",
}
SETTING_KINDS = {
    "StatusDate": "date", "HoursPerDay": "hours", "EACWeight": "index", "CPIAmber": "index",
    "CPIRed": "index", "SPIAmber": "index", "SPIRed": "index",
    "VarianceAmber": "fraction", "VarianceRed": "fraction", "UtilisationTarget": "fraction",
}

START_LINES = (
    "1. Config: set StatusDate (the data date) and the other settings.",
    "2. Projects and Plan: one row per project; phase its budget by month on Plan (one "
    "column per month, amounts per month, not cumulative).",
    "3. Each month: add Actuals and % complete on Progress; optionally Forecast, Resources, "
    "Allocations, Timesheets, Leave, Holidays and Milestones.",
    "4. Refresh (xlpmo ribbon or task pane, or `xlpmo refresh PMO_Tracker.xlsx`) fills "
    "Dashboard, Variance, ForecastOut, Utilisation and Checks.",
    "5. Fix anything listed on Checks; pick a project in Dashboard!B3 to see its S-curve.",
)


# -- the Live sheet --------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveExample:
    """One worksheet function shown at work: ``args`` are A1 references on the Live sheet."""

    name: str
    args: str
    what: str
    spill: bool = False
    kind: str = "number"  # number format of the result cell
    live: bool = True  # False: shown as text only (a whole table that would need room)


LIVE_INPUTS = (  # label, value, kind (rows 5-17, columns B:C)
    ("BAC", 100_000, "money"), ("PV (cumulative)", 40_000, "money"),
    ("EV (cumulative)", 35_000, "money"), ("AC (cumulative)", 36_000, "money"),
    ("Actual time AT (months)", 4, "periods"), ("Project start", "2026-01-01", "date"),
    ("Hours booked", 130, "hours"), ("Capacity hours", 150, "hours"),
    ("Optimistic (days)", 8, "number"), ("Most likely (days)", 10, "number"),
    ("Pessimistic (days)", 15, "number"), ("Amber below", 0.95, "index"),
    ("Red below", 0.90, "index"),
)
LIVE_SERIES = (  # label, values (columns E:J on rows 5-7)
    ("PV per month", (5_000, 10_000, 12_000, 13_000, 20_000, 25_000)),
    ("Actual per month", (6_000, 9_500, 12_500, 8_000)),
)
# C5.. in order of LIVE_INPUTS: BAC=C5 PV=C6 EV=C7 AC=C8 AT=C9 Start=C10 Hours=C11 Cap=C12
# O=C13 M=C14 P=C15 Amber=C16 Red=C17; PV series F5:K5, actual history F6:I6.
LIVE_EXAMPLES = (
    LiveExample("CV", "C7,C8", "Cost variance EV - AC.", kind="money"),
    LiveExample("SV", "C7,C6", "Schedule variance EV - PV.", kind="money"),
    LiveExample("CPI", "C7,C8", "Cost performance index EV / AC."),
    LiveExample("SPI", "C7,C6", "Schedule performance index EV / PV."),
    LiveExample("EAC", "C5,C7,C8", "Estimate at completion, CPI method: BAC / CPI.",
                kind="money"),
    LiveExample("EAC", 'C5,C7,C8,"COMPOSITE",C6', "EAC = AC + (BAC - EV) / (CPI x SPI).",
                kind="money"),
    LiveExample("ETC", "C5,C7,C8", "Estimate to complete EAC - AC.", kind="money"),
    LiveExample("VAC", "C5,C7,C8", "Variance at completion BAC - EAC.", kind="money"),
    LiveExample("TCPI", "C5,C7,C8", "To-complete performance index (BAC - EV) / (BAC - AC)."),
    LiveExample("ES", "F5:K5,C7", "Earned schedule in months (Lipke)."),
    LiveExample("SVT", "F5:K5,C7,C9", "Schedule variance in time ES - AT."),
    LiveExample("SPIT", "F5:K5,C7,C9", "Time-based schedule index ES / AT."),
    LiveExample("IEACT", "F5:K5,C7,C9", "Forecast duration: planned duration / SPIt."),
    LiveExample("FINISH", "C10,F5:K5,C7,C9", "Forecast finish date from earned schedule.",
                kind="date"),
    LiveExample("VARPCT", "C6,C8", "Variance % (Planned - Actual) / Planned.",
                kind="fraction"),
    LiveExample("RAG", "C7/C8,C16,C17", "Green / Amber / Red for an index."),
    LiveExample("RUNRATE", "F6:I6,3", "Average of the last 3 months.", kind="money"),
    LiveExample("PERT", "C13,C14,C15", "PERT mean (O + 4M + P) / 6."),
    LiveExample("WORKDAYS", 'C10,EOMONTH(C10,0),tblHolidays[Date]', "Working days in a span."),
    LiveExample("CAPACITY", "C10,1,8,tblHolidays[Date]",
                "Capacity hours of a full-time person in the month.", kind="hours"),
    LiveExample("UTILISATION", "C11,C12", "Hours / capacity.", kind="fraction"),
    LiveExample("OVERALLOCATED", "C11,C12", "TRUE where allocated > capacity."),
    LiveExample("PERIOD", "C10+40", "First day of the date's month.", kind="date"),
    LiveExample("VERSION", "", "xlpmo version."),
    LiveExample("FORECAST", 'F6:I6,3,"LINEAR"', "Next 3 months by linear trend (spills).",
                spill=True, kind="money"),
    LiveExample("SCURVE", '100000,6,"BELL"', "Planned cumulative S-curve (spills).",
                spill=True, kind="money"),
    LiveExample("FORECASTRANGE", "F6:I6,3", "Low / High band of the next 3 months (spills).",
                spill=True, kind="money"),
    LiveExample("PHASE", "100000,F5:K5", "Spreads 100,000 in proportion to a profile (spills).",
                spill=True, kind="money"),
    LiveExample("PERIODS", "C10,EOMONTH(C10,5)", "The months between two dates (spills).",
                spill=True, kind="period"),
    LiveExample("VARIANCE", "F5:I5,F6:I6", "Planned - Actual month by month (spills).",
                spill=True, kind="money"),
    LiveExample("VARTABLE", "tblPlan[#All],tblActuals[#All],,tblConfig[#All]",
                "The whole tblVariance table.", spill=True, live=False),
    LiveExample("FORECASTTABLE",
                "tblPlan[#All],tblActuals[#All],tblForecast[#All],,tblConfig[#All],"
                "tblProjects[#All],tblProgress[#All]",
                "The whole tblForecastOut table (scaled to each EAC).", spill=True, live=False),
    LiveExample("UTILTABLE",
                "tblResources[#All],tblTimesheets[#All],tblAllocations[#All],"
                "tblHolidays[#All],tblLeave[#All],,tblConfig[#All]",
                "The whole tblUtilisation table.", spill=True, live=False),
    LiveExample(
        "EVM",
        "tblProjects[#All],tblPlan[#All],tblActuals[#All],tblProgress[#All],,tblConfig[#All]",
        "The whole tblEVM table, live (spills).", spill=True,
    ),
)


def lite_formula(name: str, args: str) -> str:
    """The formula text Excel stores for ``=PMO.<name>(<args>)`` (an Office.js function)."""
    return f"={UDF_PREFIX}{name}({args})"


# -- public API ------------------------------------------------------------------------------


def build_workbook(
    path: str | Path,
    data: Mapping[str, pd.DataFrame],
    *,
    title: str = "PMO Tracker",
    project: str | None = None,
) -> Path:
    """Write the standard PMO workbook to ``path`` and return the path.

    ``data`` maps table names (``"tblProjects"`` ...) to DataFrames: input tables in the
    layout of :func:`xlpmo.template.sample.sample_portfolio` (wide ``tblPlan``/``tblActuals``/
    ``tblForecast`` with month headers as text or dates, or the long layout), and
    optionally output tables (``"tblVariance"`` ...) with exactly the contract's columns,
    whose values may be :class:`~xlpmo.errors.XLError` members. A missing input table is
    written empty (header and one blank row); output tables not given are written empty.
    ``project`` is the ProjectID shown in the Dashboard S-curve (default: the first).
    """
    path = Path(path)
    unknown = sorted(set(data) - set(tables.INPUTS) - set(tables.OUTPUTS))
    if unknown:
        raise XlpmoError(f"build_workbook: unknown table(s) {', '.join(unknown)}")
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "use_future_functions": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
        },
    )
    builder = _Builder(wb, data, title)
    try:
        builder.build(project)
    finally:
        wb.close()
    _name_button_shapes(path)
    return path


def _name_button_shapes(path: Path) -> None:
    """Give the Dashboard's button shapes their names (:mod:`xlpmo.template.buttons`).

    XlsxWriter names text boxes ``TextBox <n>``; xlwings registers a sheet button only
    where a shape has the name in its reference. Each shape is found by the cell its
    hyperlink selects; the zip is rewritten with the same entries in the same order.
    """
    by_target = {f"#{sheetbuttons.SHEET}!{b.cell}": b.shape for b in sheetbuttons.BUTTONS}
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    parts = {info.filename: data for info, data in entries}
    renamed = {}
    for name, data in parts.items():
        if not (name.startswith("xl/drawings/drawing") and name.endswith(".xml")):
            continue
        rels = parts.get(name.replace("xl/drawings/", "xl/drawings/_rels/") + ".rels", b"")
        ids = {rid.decode(): by_target[target.decode()] for rid, target in re.findall(
            rb'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels) if target.decode() in by_target}
        if not ids:
            continue
        text = data.decode("utf-8")
        for rid, shape in ids.items():
            text = re.sub(r'(<xdr:cNvPr id="\d+" name=")TextBox \d+(">\s*<a:hlinkClick '
                          r'[^>]*r:id="' + rid + r'")', r"\g<1>" + shape + r"\g<2>", text)
        renamed[name] = text.encode("utf-8")
    if len(renamed) != 1 or any(f'name="{b.shape}"'.encode() not in renamed_part
                                for renamed_part in renamed.values()
                                for b in sheetbuttons.BUTTONS):
        raise XlpmoError("build_workbook: the Dashboard's button shapes were not found")
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as out:
        for info, data in entries:
            out.writestr(info, renamed.get(info.filename, data))
    tmp.replace(path)


# -- implementation --------------------------------------------------------------------------


def _cells(series: pd.Series, kind: str) -> tuple[list[Any], list[int], list[XLError]]:
    """Python values for one column (None = blank) and the positions of error values."""
    values = series.to_numpy(dtype=object)
    errors: list[tuple[int, XLError]] = []
    if series.dtype == object:  # only object columns can hold XLError members
        is_err = pd.Series(values).map(lambda v: isinstance(v, XLError)).to_numpy(bool)
        errors = [(int(i), values[i]) for i in np.flatnonzero(is_err)]
    err_pos = [i for i, _ in errors]
    if err_pos:
        values = values.copy()
        values[err_pos] = None
    clean = pd.Series(values, dtype=object)
    if kind in _DATE_KINDS:
        stamps = pd.to_datetime(clean, errors="coerce")
        serial = (stamps - EXCEL_EPOCH) / pd.Timedelta(days=1)
        out = serial.astype(object).where(serial.notna(), None).tolist()
    elif kind in _NUMBER_KINDS:
        nums = pd.to_numeric(clean, errors="coerce")
        out = nums.astype(object).where(nums.notna(), None).tolist()
    elif kind == "bool":
        out = [None if _blank(v) else bool(v) for v in clean.tolist()]
    else:
        out = [None if _blank(v) else _text_or_value(v) for v in clean.tolist()]
    return out, err_pos, [e for _, e in errors]


def _blank(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _text_or_value(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return pd.Timestamp(value).to_pydatetime()
    return str(value)


class _Builder:
    def __init__(self, wb: xlsxwriter.Workbook, data: Mapping[str, pd.DataFrame], title: str):
        self.wb = wb
        self.data = data
        self.title = title
        self.sheets = {name: wb.add_worksheet(name) for name in SHEET_ORDER}
        self._formats: dict[tuple, Any] = {}
        self.settings = self._settings()
        self.placed: dict[str, tuple[str, int, int, list[str]]] = {}  # name -> sheet, r, c, cols

    # formats ---------------------------------------------------------------------------------
    def fmt(self, kind: str | None = None, **extra: Any) -> Any:
        key = (kind, tuple(sorted(extra.items())))
        if key not in self._formats:
            props = dict(extra)
            if kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def _settings(self) -> Settings:
        """The settings of the data's tblConfig (the status date defaults to CREATED, not
        today, so that the build stays deterministic)."""
        config = self.data.get("tblConfig")
        pairs = [] if config is None else list(config[["Setting", "Value"]].itertuples(False))
        settings, _ = Settings.from_pairs([("StatusDate", CREATED), *pairs])
        return settings

    # whole build -----------------------------------------------------------------------------
    def build(self, project: str | None) -> None:
        self.wb.set_properties(
            {
                "title": self.title,
                "subject": "PMO tracker: earned value, variance, forecasts, utilisation",
                "author": "xlpmo",
                "company": "",
                "keywords": "PMO, EVM, earned schedule, xlpmo",
                "comments": "The standard PMO workbook (contract version 1), built by xlpmo "
                f"{__version__}. Refresh with xlpmo.",
                "created": CREATED,
            }
        )
        self.wb.set_custom_property("xlpmo contract", "1")
        for name, spec in tables.INPUTS.items():
            self._input_table(spec, self.data.get(name))
        for name, spec in tables.OUTPUTS.items():
            sheet, row, col = OUTPUT_PLACES[name]
            self._output_table(spec, self.data.get(name), self.sheets[sheet], row, col)
        self._config_help()
        self._start()
        self._dashboard(project)
        self._chart_data()
        self._charts()
        self._live()
        self.sheets["Start"].activate()

    # tables ----------------------------------------------------------------------------------
    def _frame(self, spec: tables.TableSpec, df: pd.DataFrame | None) -> pd.DataFrame:
        if df is None:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in spec.column_names})
        return df

    def _headers(self, spec: tables.TableSpec, df: pd.DataFrame) -> tuple[list[str], set]:
        """Header texts, and the set of month columns (wide layout) among df.columns."""
        known = {c.lower() for c in spec.column_names}
        months = {c for c in period_columns(df.columns) if str(c).lower() not in known}
        headers = [month_header(parse_period(c)) if c in months else str(c) for c in df.columns]
        return headers, months

    def _write_table(
        self, ws: Any, spec: tables.TableSpec, df: pd.DataFrame, row: int, col: int,
        style: str, notes: Mapping[str, str], month_note: str | None = None,
    ) -> list[str]:
        headers, months = self._headers(spec, df)
        if len({h.lower() for h in headers}) != len(headers):
            raise XlpmoError(f"{spec.name}: two columns have the same header")
        kinds = [tables.column_kind(spec, c, df[c], c in months) for c in df.columns]
        n = max(1, len(df))
        columns = [
            {"header": h, "format": self.fmt(k)} for h, k in zip(headers, kinds, strict=True)
        ]
        ws.add_table(
            row, col, row + n, col + len(headers) - 1,
            {"name": spec.name, "style": style, "columns": columns},
        )
        for c, (name, kind) in enumerate(zip(df.columns, kinds, strict=True)):
            values, err_pos, errs = self._column_cells(df, name, kind, n)
            ws.write_column(row + 1, col + c, values, self.fmt(kind))
            for i, err in zip(err_pos, errs, strict=True):
                ws.write_formula(row + 1 + i, col + c, f"={err.value}", self.fmt(kind), err.value)
            note = notes.get(headers[c]) or (month_note if name in months else None)
            if note:
                ws.data_validation(
                    row, col + c, row, col + c,
                    {"validate": "any", "input_title": headers[c][:32],
                     "input_message": note[:255]},
                )
            ws.set_column(col + c, col + c, self._width(headers[c], kind, values))
        return headers

    def _column_cells(
        self, df: pd.DataFrame, name: Any, kind: str, n: int
    ) -> tuple[list[Any], list[int], list[XLError]]:
        if df.empty:
            return [None] * n, [], []
        return _cells(df[name], kind)

    @staticmethod
    def _width(header: str, kind: str, values: Sequence[Any]) -> float:
        base = _WIDTHS.get(kind, 9)
        texts = [len(v) for v in values[:2000] if isinstance(v, str)]
        longest = max(texts) if texts else 0
        return float(min(max(base, len(header) + 3, longest + 2), 40))

    def _input_table(self, spec: tables.TableSpec, df: pd.DataFrame | None) -> None:
        ws = self.sheets[spec.sheet]
        ws.set_tab_color(TAB_INPUT)
        frame = self._frame(spec, df)
        headers = self._write_table(
            ws, spec, frame, 0, 0, INPUT_STYLE, COLUMN_NOTES.get(spec.name, {}),
            MONTH_NOTES.get(spec.name),
        )
        self.placed[spec.name] = (spec.sheet, 0, 0, headers)
        wide = spec.amount is not None and "Period" not in headers
        ws.freeze_panes(1, (2 if "CostType" in headers else 1) if wide else 1)
        if spec.name == "tblConfig":
            ws.freeze_panes(1, 0)
            ws.set_column(1, 1, 16)  # values are dates, numbers and text
            self._config_validation(ws, frame)
        self._list_validations(ws, spec, headers)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)

    def _list_validations(self, ws: Any, spec: tables.TableSpec, headers: list[str]) -> None:
        lists = {
            ("tblProjects", "Status"): (list(STATUSES), "stop"),
            ("tblTimesheets", "Billable"): (["TRUE", "FALSE"], "stop"),
            ("tblResources", "Country"): (list(COUNTRIES), "warning"),
            ("tblHolidays", "Country"): (list(COUNTRIES), "warning"),
        }
        for (table, column), (values, style) in lists.items():
            if table != spec.name or column not in headers:
                continue
            c = headers.index(column)
            ws.data_validation(
                1, c, MAX_ROW, c,
                {
                    "validate": "list", "source": values, "error_type": style,
                    "error_title": column,
                    "error_message": f"{column} is one of: {', '.join(values)}."
                    + (" Other values are allowed." if style == "warning" else ""),
                },
            )

    def _config_validation(self, ws: Any, config: pd.DataFrame) -> None:
        if config.empty:
            return
        names = [str(s) for s in config["Setting"].tolist()]
        rules = {
            "EACMethod": {"validate": "list", "source": list(EAC_METHODS)},
            "ScheduleIndex": {"validate": "list", "source": list(SCHEDULE_INDICES)},
            "StatusDate": {
                "validate": "date", "criteria": "between",
                "minimum": dt.datetime(1990, 1, 1), "maximum": dt.datetime(2199, 12, 31),
            },
            "HoursPerDay": {
                "validate": "decimal", "criteria": "between", "minimum": 0.25, "maximum": 24,
            },
            "EACWeight": {
                "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
            },
        }
        for i, name in enumerate(names):
            kind = SETTING_KINDS.get(name)
            if kind:  # per-row number format of the Value cell
                value, err_pos, _ = _cells(config["Value"].iloc[i : i + 1], kind)
                if not err_pos and value[0] is not None:
                    ws.write(1 + i, 1, value[0], self.fmt(kind))
            if name in rules:
                rule = dict(rules[name])
                rule.update(
                    input_title=name[:32], input_message=SETTING_NOTES.get(name, "")[:255],
                    error_title=name, error_message=f"Not a valid {name}.",
                )
                ws.data_validation(1 + i, 1, 1 + i, 1, rule)

    def _output_table(
        self, spec: tables.TableSpec, df: pd.DataFrame | None, ws: Any, row: int, col: int
    ) -> None:
        if df is not None and list(df.columns) != spec.column_names:
            raise XlpmoError(
                f"{spec.name}: columns must be exactly {', '.join(spec.column_names)}"
            )
        frame = self._frame(spec, df)
        headers = self._write_table(
            ws, spec, frame, row, col, OUTPUT_STYLE, COLUMN_NOTES.get(spec.name, {})
        )
        self.placed[spec.name] = (ws.name, row, col, headers)
        for c, header in enumerate(headers):
            if header in ("CostRAG", "ScheduleRAG", "RAG"):
                self._rag_format(ws, row + 1, col + c)
        if spec.name == "tblUtilisation":
            self._heat_map(ws, row + 1, col + headers.index("Utilisation"))
            self._heat_map(ws, row + 1, col + headers.index("Allocation"))
            c = col + headers.index("OverAllocated")
            ws.conditional_format(
                row + 1, c, MAX_ROW, c,
                {"type": "cell", "criteria": "==", "value": "TRUE",
                 "format": self.fmt(None, font_color=RAG_COLOURS["Red"][0],
                                    bg_color=RAG_COLOURS["Red"][1])},
            )
        if spec.name == "tblChecks":
            c = col + headers.index("Severity")
            for value, colour in (("Error", "Red"), ("Warning", "Amber")):
                ws.conditional_format(
                    row + 1, c, MAX_ROW, c,
                    {"type": "cell", "criteria": "==", "value": f'"{value}"',
                     "format": self.fmt(None, font_color=RAG_COLOURS[colour][0],
                                        bg_color=RAG_COLOURS[colour][1])},
                )
        if ws.name != "Dashboard":
            ws.set_tab_color(TAB_OUTPUT)
            ws.freeze_panes(row + 1, col + 1)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
            ws.repeat_rows(row)

    def _rag_format(self, ws: Any, first_row: int, c: int) -> None:
        """Green/Amber/Red fills on a whole column below the header (follows growth)."""
        for value, (font, fill) in RAG_COLOURS.items():
            ws.conditional_format(
                first_row, c, MAX_ROW, c,
                {"type": "cell", "criteria": "==", "value": f'"{value}"',
                 "format": self.fmt(None, font_color=font, bg_color=fill)},
            )

    def _heat_map(self, ws: Any, first_row: int, c: int) -> None:
        target = float(self.settings.UtilisationTarget)
        ws.conditional_format(
            first_row, c, MAX_ROW, c,
            {
                "type": "3_color_scale",
                "min_type": "num", "min_value": 0, "min_color": "#9DC3E6",
                "mid_type": "num", "mid_value": target, "mid_color": "#63BE7B",
                "max_type": "num", "max_value": max(1.2, target + 0.2), "max_color": "#F8696B",
            },
        )

    # Config help -----------------------------------------------------------------------------
    def _config_help(self) -> None:
        ws = self.sheets["Config"]
        head = self.fmt(None, bold=True, bottom=1)
        ws.write_row(0, 3, ["Setting", "Default", "Meaning"], head)
        defaults = Settings()
        for i, name in enumerate(SETTING_NOTES, start=1):
            default = "today" if name == "StatusDate" else getattr(defaults, name)
            ws.write_string(i, 3, name)
            if isinstance(default, str):
                ws.write_string(i, 4, default or "(none)")
            else:
                ws.write_number(i, 4, float(default), self.fmt(SETTING_KINDS.get(name)))
            ws.write_string(i, 5, SETTING_NOTES[name])
        note_row = len(SETTING_NOTES) + 2
        ws.write_string(
            note_row, 3,
            "Refresh adds LastRefreshed and RefreshedBy rows to tblConfig. Keep the table in "
            "columns A:B; this help block may be deleted.",
            self.fmt(None, italic=True, font_color="#595959"),
        )
        ws.set_column(2, 2, 3)
        ws.set_column(3, 3, 18)
        ws.set_column(4, 4, 10)
        ws.set_column(5, 5, 60)

    # Start -----------------------------------------------------------------------------------
    def _start(self) -> None:
        ws = self.sheets["Start"]
        ws.set_tab_color(TAB_DASH)
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_column(0, 0, 3)
        ws.set_column(1, 1, 110)
        ws.write_string(0, 1, self.title, self.fmt(None, bold=True, font_size=18))
        ws.write_string(
            1, 1, "The standard PMO workbook: earned value, earned schedule, variance, "
            "forecasts and resource utilisation, refreshed by xlpmo.",
            self.fmt(None, italic=True, font_color="#595959"),
        )
        ws.write_string(3, 1, "How to use it", self.fmt(None, bold=True, font_size=13))
        for i, line in enumerate(START_LINES):
            ws.write_string(4 + i, 1, line, self.fmt(None, text_wrap=True))
        row = 5 + len(START_LINES)
        ws.write_string(row, 1, "Sheets", self.fmt(None, bold=True, font_size=13))
        link = self.fmt(None, font_color="#0563C1", underline=1)
        descriptions = {
            "Dashboard": "portfolio and project earned value, charts (output)",
            "Variance": "plan vs actual by project and month (output)",
            "ForecastOut": "actuals and forecast by month with a band (output)",
            "Utilisation": "capacity, allocation and booked hours by resource and month (output)",
            "Checks": "problems found in the inputs (output)",
            "Live": "the PMO.* worksheet functions at work (needs the xlwings Lite add-in)",
            "ChartData": "helper formulas for the Dashboard charts",
        }
        for spec in tables.INPUTS.values():
            descriptions[spec.sheet] = f"{spec.name} (input)"
        for i, sheet in enumerate(s for s in SHEET_ORDER if s != "Start"):
            ws.write_url(
                row + 1 + i, 1, f"internal:'{sheet}'!A1", link,
                string=f"{sheet}: {descriptions[sheet]}",
            )

    # Dashboard -------------------------------------------------------------------------------
    def _dashboard(self, project: str | None) -> None:
        ws = self.sheets["Dashboard"]
        ws.set_tab_color(TAB_DASH)
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.write_string(0, 0, f"{self.title}: Dashboard", self.fmt(None, bold=True, font_size=16))
        ws.write_string(1, 0, "Status date", self.fmt(None, bold=True))
        ws.write_formula(
            1, 1, '=INDEX(Config!$B:$B,MATCH("StatusDate",Config!$A:$A,0))',
            self.fmt("date", bold=True), self._status_serial(),
        )
        ws.write_string(2, 0, "S-curve project", self.fmt(None, bold=True))
        projects = self.data.get("tblProjects")
        if project is None and projects is not None and len(projects):
            project = str(projects["ProjectID"].iloc[0])
        picker = self.fmt(None, bg_color="#FFF2CC", border=1, bold=True)
        r, c = PICKER_CELL
        ws.write_string(r, c, project or "", picker)
        self.wb.define_name(
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
            self.fmt(None, italic=True, font_color="#595959"),
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
        label = self.fmt(None, bold=True, font_size=12)
        ws.write_string(DASH_TABLE_ROW - 1, 0, "Portfolios", label)
        ws.write_string(DASH_TABLE_ROW - 1, OUTPUT_PLACES["tblEVM"][2], "Projects", label)
        ws.set_column(0, 0, 16)
        ws.set_column(11, 11, 3)

    def _status_serial(self) -> float:
        return float((pd.Timestamp(self.settings.StatusDate) - EXCEL_EPOCH) / pd.Timedelta(days=1))

    # ChartData -------------------------------------------------------------------------------
    S_FIRST = 12  # first data row (0-based) of the S-curve block, rows for 48 months
    S_ROWS = 48
    U_ROWS = 18  # utilisation block: 12 months to the status month, 6 after

    def _col(self, table: str, column: str) -> str:
        """Whole-column A1 reference of a table column: ``Variance!$G:$G``."""
        sheet, _, col, headers = self.placed[table]
        letter = xl_col_to_name(col + headers.index(column))
        return f"{_quote(sheet)}!${letter}:${letter}"

    def _chart_data(self) -> None:
        ws = self.sheets["ChartData"]
        ws.set_tab_color(TAB_HELPER)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        bold = self.fmt(None, bold=True)
        ws.write_string(
            0, 0, "Helper for the Dashboard charts: formulas only, nothing to type here.", bold
        )
        v = {name: self._col("tblVariance", name) for name in ("ProjectID", "Period",
                                                              "Planned", "Actual")}
        p = {name: self._col("tblProgress", name) for name in ("ProjectID", "Period",
                                                              "PercentComplete", "Earned")}
        e = {name: self._col("tblEVM", name) for name in ("ProjectID", "BAC")}
        u = {name: self._col("tblUtilisation", name) for name in (
            "Period", "CapacityHours", "ActualHours", "AllocatedHours")}
        pr = {name: self._col("tblProjects", name) for name in ("ProjectID", "BAC")}
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
            ws.write_formula(i, 1, formula, self.fmt(formats.get(name)))
        # S-curve block: A = month, C = PV, D = EV, E = AC (cumulative)
        r0 = self.S_FIRST
        ws.write_row(r0 - 1, 0, ["Month", "", "PV", "EV", "AC"], bold)
        for i in range(self.S_ROWS):
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
            ws.write_formula(r, 0, month, self.fmt("period"))
            ws.write_formula(
                r, 2,
                f'=IF({a}="",NA(),SUMIFS({v["Planned"]},{v["ProjectID"]},$B$3,'
                f'{v["Period"]},{to_date}))',
                self.fmt("money"),
            )
            ws.write_formula(
                r, 3, f'=IF({a}="",NA(),IF({a}>$B$5,NA(),IF($B$10,{earned_ev},{pct_ev})))',
                self.fmt("money"),
            )
            ws.write_formula(
                r, 4,
                f'=IF({a}="",NA(),IF({a}>$B$5,NA(),SUMIFS({v["Actual"]},{v["ProjectID"]},$B$3,'
                f'{v["Period"]},{to_date})))',
                self.fmt("money"),
            )
        # utilisation block: G = month, H = capacity, I = actual, J = allocated,
        # K = utilisation, L = allocation, M = target
        ws.write_row(r0 - 1, 6, ["Month", "Capacity", "Actual", "Allocated", "Utilisation",
                                 "Allocation", "Target"], bold)
        for i in range(self.U_ROWS):
            r = r0 + i
            g = f"G{r + 1}"
            ws.write_formula(r, 6, f'=IF(ISNUMBER($B$5),EDATE($B$5,{i - 11}),"")',
                             self.fmt("period"))
            for c, name in ((7, "CapacityHours"), (8, "ActualHours"), (9, "AllocatedHours")):
                ws.write_formula(r, c, f"=SUMIFS({u[name]},{u['Period']},{g})",
                                 self.fmt("hours"))
            h, i_, j = (f"{x}{r + 1}" for x in "HIJ")
            ws.write_formula(r, 10, f"=IF(OR({h}=0,{g}>$B$5),NA(),{i_}/{h})",
                             self.fmt("fraction"))
            ws.write_formula(r, 11, f"=IF({h}=0,NA(),{j}/{h})", self.fmt("fraction"))
            ws.write_formula(r, 12, "=$B$11", self.fmt("fraction"))
        ws.set_column(0, 0, 18)
        ws.set_column(1, 1, 14)
        ws.set_column(2, 12, 12)

    # charts ----------------------------------------------------------------------------------
    def _charts(self) -> None:
        ws = self.sheets["Dashboard"]
        r0, r1 = self.S_FIRST, self.S_FIRST + self.S_ROWS - 1
        scurve = self.wb.add_chart({"type": "line"})
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

        _, row, col, headers = self.placed["tblEVM"]
        # exactly tblEVM's data rows as built (one blank row when no outputs are given): the
        # writer rewrites a series over a whole table column when refresh resizes the table
        first, last = row + 2, row + 1 + max(1, len(self.data.get("tblEVM", ())))
        ids = xl_col_to_name(col + headers.index("ProjectID"))
        indices = self.wb.add_chart({"type": "column"})
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

        u0, u1 = self.S_FIRST + 1, self.S_FIRST + self.U_ROWS
        util = self.wb.add_chart({"type": "column"})
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
        target = self.wb.add_chart({"type": "line"})
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
    def _live(self) -> None:
        ws = self.sheets["Live"]
        ws.set_tab_color(TAB_HELPER)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        bold = self.fmt(None, bold=True)
        ws.write_string(0, 0, "Live worksheet functions (xlwings Lite)",
                        self.fmt(None, bold=True, font_size=16))
        ws.write_string(
            1, 0, "Each result cell calls an xlpmo function through the xlwings Lite add-in "
            "(namespace PMO, e.g. =PMO.CPI(EV, AC)). Without the add-in these cells show "
            "#NAME?: that is expected on this sheet only; every other sheet holds plain "
            "values written by Refresh.", self.fmt(None, italic=True, font_color="#595959"),
        )
        ws.write_string(3, 1, "Inputs", bold)
        for i, (label, value, kind) in enumerate(LIVE_INPUTS):
            ws.write_string(4 + i, 1, label)
            if isinstance(value, str):
                ws.write_datetime(4 + i, 2, pd.Timestamp(value).to_pydatetime(), self.fmt(kind))
            else:
                ws.write_number(4 + i, 2, value, self.fmt(kind))
        for i, (label, values) in enumerate(LIVE_SERIES):
            ws.write_string(4 + i, 4, label)
            ws.write_row(4 + i, 5, values, self.fmt("money"))
        top = 5 + len(LIVE_INPUTS)
        ws.write_row(top, 0, ["Function", "Formula", "Result", "What it does"], bold)
        scalar = [x for x in LIVE_EXAMPLES if not x.spill]
        for i, ex in enumerate(scalar):
            r = top + 1 + i
            ws.write_string(r, 0, f"PMO.{ex.name}")
            ws.write_string(r, 1, f"=PMO.{ex.name}({ex.args})")
            ws.write_dynamic_array_formula(r, 2, r, 2, lite_formula(ex.name, ex.args),
                                           self.fmt(ex.kind))
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
                                           self.fmt(ex.kind))
            r += 9
        ws.set_column(0, 0, 18)
        ws.set_column(1, 1, 44)
        ws.set_column(2, 2, 14)
        ws.set_column(3, 3, 52)
        ws.set_column(4, 4, 16)


def _quote(sheet: str) -> str:
    return f"'{sheet}'" if not sheet.isalnum() else sheet


__all__ = ["build_workbook", "lite_formula"]
