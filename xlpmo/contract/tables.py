"""The table contract of the standard PMO workbook (shared/spec/workbook.md).

One place names every table, its sheet, its columns and their kinds. The reader
validates against it, the core produces outputs with exactly these columns, the
writer and the template lay them out from it.

Kinds: ``text``, ``id`` (non-blank text key), ``number``, ``money``, ``hours``,
``fraction`` (shown as %), ``index`` (a ratio such as CPI), ``date``, ``period``
(a month, stored as the date of its first day), ``bool``, ``periods`` (count of
months), ``timestamp``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = [
    "ACTUALS", "ALL", "ALLOCATIONS", "CHECKS", "CONFIG", "EVM", "FORECAST", "FORECAST_OUT",
    "HISTORY", "HOLIDAYS", "INPUTS", "LEAVE", "MILESTONES", "NUMBER_FORMATS", "OUTPUTS", "PLAN",
    "PORTFOLIO", "PROGRESS", "PROJECTS", "RESOURCES", "TIMESHEETS", "TREND", "UTILISATION",
    "VARIANCE", "Column", "TableSpec", "column_kind", "spec",
]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"
    required: bool = False


@dataclass(frozen=True)
class TableSpec:
    """An Excel Table of the contract.

    ``amount`` is set for time-phased money tables (long or wide layout): the name
    of the amount column in the long layout (``Planned``, ``Actual``, ``Forecast``).
    ``either`` names columns of which every row needs at least one (tblAllocations:
    ``ResourceID`` or ``Role``); the table needs at least one of them as a column.
    """

    name: str
    sheet: str
    columns: tuple[Column, ...]
    amount: str | None = None
    required: bool = False
    either: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name.lower() == name.lower():
                return c
        raise KeyError(name)


#: Excel number format of each column kind: the template and the writer show a kind alike.
NUMBER_FORMATS: dict[str, str] = {
    "money": "#,##0;[Red]-#,##0",
    "hours": "#,##0.00",
    "number": "0.00",
    "fraction": "0.0%",
    "index": "0.00",
    "periods": "0.00",
    "date": "d mmm yyyy",
    "period": "mmm yyyy",
    "timestamp": "yyyy-mm-dd hh:mm",
    "id": "@",
}


def column_kind(
    spec: TableSpec | None, name: Any, values: pd.Series, is_month: bool = False
) -> str:
    """The kind of a column to lay out: the contract's kind for a contract column, ``money``
    for a month column of a time-phased table, else guessed from the values' dtype."""
    if is_month:
        return "money"
    if spec is not None:
        try:
            return spec.column(str(name)).kind
        except KeyError:
            pass
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    return "text"


def _cols(*specs: str) -> tuple[Column, ...]:
    """``"**ProjectID:id"`` -> required Column; ``"BAC:money"`` -> optional Column."""
    out = []
    for spec in specs:
        required = spec.startswith("**")
        name, _, kind = spec.lstrip("*").partition(":")
        out.append(Column(name, kind or "text", required))
    return tuple(out)


# -- inputs ---------------------------------------------------------------------------------

CONFIG = TableSpec("tblConfig", "Config", _cols("**Setting", "**Value"), required=True)
PROJECTS = TableSpec(
    "tblProjects",
    "Projects",
    _cols(
        "**ProjectID:id", "ProjectName", "Portfolio", "Manager", "Status",
        "BaselineStart:date", "BaselineFinish:date", "BAC:money",
    ),
    required=True,
)
PLAN = TableSpec(
    "tblPlan", "Plan",
    _cols("**ProjectID:id", "Period:period", "CostType", "Planned:money"),
    amount="Planned", required=True,
)
ACTUALS = TableSpec(
    "tblActuals", "Actuals",
    _cols("**ProjectID:id", "Period:period", "CostType", "Actual:money"),
    amount="Actual",
)
FORECAST = TableSpec(
    "tblForecast", "Forecast",
    _cols("**ProjectID:id", "Period:period", "CostType", "Forecast:money"),
    amount="Forecast",
)
PROGRESS = TableSpec(
    "tblProgress", "Progress",
    _cols("**ProjectID:id", "**Period:period", "PercentComplete:fraction", "Earned:money"),
)
RESOURCES = TableSpec(
    "tblResources", "Resources",
    _cols(
        "**ResourceID:id", "Name", "Role", "Team", "FTE:number", "HoursPerWeek:hours",
        "CostRate:money", "Country", "StartDate:date", "EndDate:date",
    ),
)
HOLIDAYS = TableSpec("tblHolidays", "Holidays", _cols("**Date:date", "Country", "Name"))
LEAVE = TableSpec(
    "tblLeave", "Leave", _cols("**ResourceID:id", "**Start:date", "**End:date", "Hours:hours")
)
ALLOCATIONS = TableSpec(
    # a row with a Role and no ResourceID is unnamed demand (tblCapacityPlan)
    "tblAllocations", "Allocations",
    _cols(
        "ResourceID:id", "Role", "**ProjectID:id", "**Period:period", "Hours:hours",
        "Percent:fraction",
    ),
    either=("ResourceID", "Role"),
)
TIMESHEETS = TableSpec(
    "tblTimesheets", "Timesheets",
    _cols("**ResourceID:id", "**ProjectID:id", "**Date:date", "**Hours:hours", "Billable:bool"),
)
MILESTONES = TableSpec(
    "tblMilestones", "Milestones",
    _cols(
        "**ProjectID:id", "**Milestone", "BaselineDate:date", "ForecastDate:date",
        "ActualDate:date",
    ),
)

INPUTS: dict[str, TableSpec] = {
    t.name: t
    for t in (
        CONFIG, PROJECTS, PLAN, ACTUALS, PROGRESS, FORECAST, RESOURCES, HOLIDAYS, LEAVE,
        ALLOCATIONS, TIMESHEETS, MILESTONES,
    )
}

# -- outputs --------------------------------------------------------------------------------

EVM = TableSpec(
    "tblEVM", "Dashboard",
    _cols(
        "ProjectID:id", "ProjectName", "Portfolio", "StatusDate:date", "BAC:money", "PV:money",
        "EV:money", "AC:money", "CV:money", "CVPct:fraction", "SV:money", "SVPct:fraction",
        "CPI:index", "SPI:index", "ES:periods", "AT:periods", "SVt:periods", "SPIt:index",
        "EAC:money", "ETC:money", "VAC:money", "TCPI:index", "ForecastFinish:date",
        "CostRAG", "ScheduleRAG", "EACLow:money", "EACHigh:money", "FinishLow:date",
        "FinishHigh:date", "BACAtRisk:bool",
    ),
)
PORTFOLIO = TableSpec(
    "tblPortfolio", "Dashboard",
    _cols(
        "Portfolio", "BAC:money", "PV:money", "EV:money", "AC:money", "CV:money", "SV:money",
        "CPI:index", "SPI:index", "EAC:money", "VAC:money",
    ),
)
VARIANCE = TableSpec(
    "tblVariance", "Variance",
    _cols(
        "ProjectID:id", "Period:period", "Planned:money", "Actual:money", "Variance:money",
        "VariancePct:fraction", "CumPlanned:money", "CumActual:money", "CumVariance:money",
        "CumVariancePct:fraction", "RAG",
    ),
)
FORECAST_OUT = TableSpec(
    # workbook.md puts it on sheet "Forecast", where the input tblForecast (wide: grows right
    # and down) lives; no spot there is safe from growth, so it gets a sheet of its own.
    "tblForecastOut", "ForecastOut",
    _cols(
        "ProjectID:id", "Period:period", "Kind", "Amount:money", "Cumulative:money",
        "Low:money", "High:money",
    ),
)
UTILISATION = TableSpec(
    "tblUtilisation", "Utilisation",
    _cols(
        "ResourceID:id", "Period:period", "CapacityHours:hours", "AllocatedHours:hours",
        "ActualHours:hours", "BillableHours:hours", "Utilisation:fraction",
        "BillableUtilisation:fraction", "Allocation:fraction", "OverAllocated:bool",
    ),
)
CAPACITY_PLAN = TableSpec(
    "tblCapacityPlan", "CapacityPlan",
    _cols(
        "Group", "Period:period", "Headcount:number", "CapacityHours:hours",
        "NamedDemandHours:hours", "UnnamedDemandHours:hours", "DemandHours:hours",
        "GapHours:hours", "Utilisation:fraction", "RAG",
    ),
)
TREND = TableSpec(
    "tblTrend", "Trend",
    _cols(
        "ProjectID:id", "Period:period", "PV:money", "EV:money", "AC:money", "CPI:index",
        "SPI:index", "SPIt:index", "PeriodCPI:index", "PeriodSPIt:index", "EAC:money",
    ),
)
CHECKS = TableSpec("tblChecks", "Checks", _cols("Severity", "Table", "Cell", "Message"))
HISTORY = TableSpec(
    # Not in workbook.md's output list: written by the Close period command (functions.md).
    # Sheet "EVMHistory": Excel reserves the sheet name "History" (change tracking).
    "tblHistory", "EVMHistory", (Column("ClosedOn", "timestamp"), *EVM.columns),
)

IMPORT_LOG = TableSpec(
    # Written by Import actuals (functions.md): one row per reference imported (the export's
    # reference column, else the whole row as text), Rows = the export rows it stood for.
    "tblImportLog", "ImportLog",
    _cols("ImportedAt:timestamp", "Source", "SHA256", "Table", "Rows:number", "Reference"),
)

OUTPUTS: dict[str, TableSpec] = {
    t.name: t for t in (EVM, PORTFOLIO, VARIANCE, FORECAST_OUT, UTILISATION, CAPACITY_PLAN,
                        TREND, CHECKS)
}

ALL: dict[str, TableSpec] = {**INPUTS, **OUTPUTS, HISTORY.name: HISTORY,
                             IMPORT_LOG.name: IMPORT_LOG}

#: The key of each output table's rows (workbook.md, "User columns in output tables"): a
#: column a user adds to an output table keeps each cell with its row's key when a refresh
#: adds, removes or reorders rows (xlpmo.io.keyed). A new output table declares its key here.
#: tblChecks: a finding is what it says, so all four columns (a note on a finding that is
#: resolved is listed once as an Info, then goes with it).
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "tblEVM": ("ProjectID",),
    "tblPortfolio": ("Portfolio",),
    "tblVariance": ("ProjectID", "Period"),
    "tblForecastOut": ("ProjectID", "Period", "Kind"),
    "tblUtilisation": ("ResourceID", "Period"),
    "tblCapacityPlan": ("Group", "Period"),
    "tblTrend": ("ProjectID", "Period"),
    "tblChecks": ("Severity", "Table", "Cell", "Message"),
}


def row_key(name: str) -> tuple[str, ...]:
    """The key columns of an output table's rows (case-insensitive name); () when it has none."""
    for key, value in ROW_KEYS.items():
        if key.lower() == name.lower():
            return value
    return ()


def spec(name: str) -> TableSpec:
    """The TableSpec for a table name, case-insensitively (``tblplan`` -> PLAN)."""
    for key, value in ALL.items():
        if key.lower() == name.lower():
            return value
    raise KeyError(name)
