"""The canonical, typed input tables the core computes on.

The reader (file) and the Excel layer (ranges) both turn raw cells into this one
shape through :mod:`xlpmo.io.coerce`; the core never sees raw cells.

Canonical forms (all tables are DataFrames with exactly the contract's column
names; missing optional tables are empty frames with those columns):

- ``plan``/``actuals``/``forecast``: long layout ``ProjectID, Period, CostType, <amount>``;
  Period is ``datetime64[ns]`` at the first of the month; amounts float (blank = 0).
- ``projects``: ``ProjectID`` str; dates ``datetime64[ns]`` (NaT = blank); BAC float
  (NaN = blank, the core defaults it to the sum of Planned).
- ``progress``: PercentComplete as a fraction 0..1 (NaN = blank); Earned float.
- ``timesheets``: Billable bool (blank already read as True); Hours float.
- ``resources``: FTE / HoursPerWeek float, NaN = blank (the core applies defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.settings import Settings

__all__ = ["TABLE_FIELDS", "Inputs", "empty_frame"]

_DTYPES = {
    "id": object, "text": object, "bool": bool, "number": float, "money": float,
    "hours": float, "fraction": float, "index": float, "periods": float,
    "date": "datetime64[ns]", "period": "datetime64[ns]", "timestamp": "datetime64[ns]",
}


def empty_frame(spec: tables.TableSpec) -> pd.DataFrame:
    """An empty DataFrame with the table's columns and canonical dtypes."""
    return pd.DataFrame(
        {c.name: pd.Series(np.array([], dtype=_DTYPES[c.kind])) for c in spec.columns}
    )


def _field(spec: tables.TableSpec) -> pd.DataFrame:
    return field(default_factory=lambda: empty_frame(spec))


#: contract table name -> attribute of :class:`Inputs`
TABLE_FIELDS = {
    "tblProjects": "projects", "tblPlan": "plan", "tblActuals": "actuals",
    "tblProgress": "progress", "tblForecast": "forecast", "tblResources": "resources",
    "tblHolidays": "holidays", "tblLeave": "leave", "tblAllocations": "allocations",
    "tblTimesheets": "timesheets", "tblMilestones": "milestones",
}


@dataclass
class Inputs:
    """Every input table of the standard workbook, canonical and typed."""

    settings: Settings = field(default_factory=Settings)
    projects: pd.DataFrame = _field(tables.PROJECTS)
    plan: pd.DataFrame = _field(tables.PLAN)
    actuals: pd.DataFrame = _field(tables.ACTUALS)
    progress: pd.DataFrame = _field(tables.PROGRESS)
    forecast: pd.DataFrame = _field(tables.FORECAST)
    resources: pd.DataFrame = _field(tables.RESOURCES)
    holidays: pd.DataFrame = _field(tables.HOLIDAYS)
    leave: pd.DataFrame = _field(tables.LEAVE)
    allocations: pd.DataFrame = _field(tables.ALLOCATIONS)
    timesheets: pd.DataFrame = _field(tables.TIMESHEETS)
    milestones: pd.DataFrame = _field(tables.MILESTONES)
    present: frozenset[str] = frozenset()  # names of the tables the workbook actually has
    # table name -> xlpmo.io.coerce.SourceMap: the sheet cell behind each row (for findings)
    sources: dict[str, Any] = field(default_factory=dict)
    # required table present but unusable -> why (no ProjectID column, every row rejected),
    # and "StatusDate" -> why when tblConfig's cannot be read: refresh stops, as for a
    # missing table (workbook.md v2)
    unusable: dict[str, str] = field(default_factory=dict)

    def has(self, table: str) -> bool:
        """True when the workbook had the table (``tblActuals``), even if empty."""
        return table in self.present
