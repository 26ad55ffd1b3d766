"""Where things go in the template: sheets in order, output table places, formats, styles and
colours (shared by the builder and the Dashboard)."""

from __future__ import annotations

from xlpmo.contract import tables

__all__ = [
    "CHART_GAP", "CHART_SIZES", "DASH_TABLE_ROW", "DATE_KINDS", "INPUT_STYLE", "MAX_ROW",
    "NUMBER_FORMATS", "NUMBER_KINDS", "OUTPUT_PLACES", "OUTPUT_STYLE", "PICKER_CELL",
    "RAG_COLOURS", "SCHEDULE_INDICES", "SHEET_ORDER", "WIDTHS",
]

MAX_ROW = 1_048_575  # last row index of a sheet (0-based)

# -- formats ---------------------------------------------------------------------------------

NUMBER_FORMATS = tables.NUMBER_FORMATS
DATE_KINDS = ("date", "period", "timestamp")
NUMBER_KINDS = ("money", "hours", "number", "fraction", "index", "periods")
WIDTHS = {"money": 13, "date": 12, "period": 10, "timestamp": 17, "fraction": 10, "bool": 10}

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
    "tblCapacityPlan": ("CapacityPlan", 0, 0),
    "tblTrend": ("Trend", 0, 0),
    "tblChecks": ("Checks", 0, 0),
}
PICKER_CELL = (2, 1)  # Dashboard!B3: the project of the S-curve
# Dashboard charts left to right (S-curve, CPI/SPI, utilisation): width x height in pixels,
# placed by pixel offset from column A with a gap between them, so they sit side by side
# whatever the widths the tables below give the columns; together no wider than columns
# A:K (tblPortfolio, widths below), the Dashboard's first print area
CHART_SIZES = ((380, 330), (380, 330), (380, 330))
CHART_GAP = 12

# -- printing ---------------------------------------------------------------------------------

#: Column widths (characters) of tblPortfolio on the Dashboard: its label and money columns
#: (A:K about 1,180 pixels, as wide as the charts above it)
DASH_PORTFOLIO_WIDTHS = {"Portfolio": 22.0, "money": 15.0}
#: tblEVM columns the Dashboard shows and prints: budget against the estimate with its
#: statistical range (EACLow, EACHigh) and the EAC realism test (BACAtRisk), the indices,
#: the finish and the RAGs. The others (EV, AC and VAC among them: the ingredients of CPI and
#: EAC, and BAC - EAC) are grouped (outline level 1) and collapsed, one click on the + above
#: them away; with them shown too the table would print below 8 points.
DASH_EVM_SHOWN = ("ProjectID", "ProjectName", "Portfolio", "BAC", "CPI", "SPIt", "EAC",
                  "ForecastFinish", "CostRAG", "ScheduleRAG", "EACLow", "EACHigh", "BACAtRisk")
#: Least column widths (characters) so that names, cell addresses and messages show whole
MIN_WIDTHS = {"ProjectName": 30.0, "Name": 24.0, "Portfolio": 16.0, "Manager": 18.0,
              "Milestone": 28.0, "Cell": 24.0, "Table": 16.0, "Message": 90.0}
#: Columns whose text wraps (long messages print whole)
WRAP_COLUMNS = ("Message",)
#: Page margins of the printed sheets (inches): left, right, top, bottom
PRINT_MARGINS = (0.4, 0.4, 0.6, 0.6)
SHEET_ORDER = (
    "Start", "Dashboard", "Variance", "ForecastOut", "Trend", "Utilisation", "CapacityPlan",
    "Checks", *(t.sheet for t in tables.INPUTS.values()), tables.IMPORT_LOG.sheet, "Live",
    "ChartData",
)
