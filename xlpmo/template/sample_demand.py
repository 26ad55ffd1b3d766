"""Unnamed demand of the sample portfolios: tblAllocations rows with a Role and no ResourceID.

A PMO plans people it has not named yet ("two data engineers for the lakehouse from
next month"). These placeholder rows feed tblCapacityPlan (workbook.md). They are fixed
(no random draws), placed relative to the status month, so the rest of the sample does
not change with them. The sample portfolio's choice:

- Data Engineer is short of people in the quarter after the status date: two full-time
  placeholders for PRJ-103 (Percent 200 %) and one for PRJ-108, on top of the four data
  engineers' named work;
- Data Scientist is a role nobody in tblResources has (a Warning, and a group with no
  capacity in the plan);
- Developer, Test Analyst and UX Designer get some demand by Hours and by Percent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlpmo.contract import tables


@dataclass(frozen=True)
class Placeholder:
    """Demand for ``months`` months from ``first`` months after the status month."""

    role: str
    project: str
    first: int
    months: int
    hours: float | None = None
    percent: float | None = None


SAMPLE_DEMAND = (
    Placeholder("Data Engineer", "PRJ-103", 1, 5, percent=2.0),
    Placeholder("Data Engineer", "PRJ-108", 1, 3, percent=1.0),
    Placeholder("Developer", "PRJ-120", 1, 4, hours=120.0),
    Placeholder("Test Analyst", "PRJ-116", 3, 3, percent=0.5),
    Placeholder("Data Scientist", "PRJ-104", 2, 5, percent=0.5),
    Placeholder("UX Designer", "PRJ-123", 2, 2, hours=60.0),
)
EXAMPLE_DEMAND = (
    Placeholder("Developer", "PRJ-101", 1, 2, percent=0.5),
    Placeholder("Test Analyst", "PRJ-103", 1, 2, hours=40.0),
)


def unnamed_demand(placeholders: tuple[Placeholder, ...], status: pd.Timestamp) -> pd.DataFrame:
    """tblAllocations rows (contract columns) for the placeholders: one per month each."""
    base = pd.Timestamp(status).to_period("M").to_timestamp()
    rows = [
        {"ResourceID": np.nan, "Role": p.role, "ProjectID": p.project,
         "Period": base + pd.DateOffset(months=p.first + k),
         "Hours": np.nan if p.hours is None else p.hours,
         "Percent": np.nan if p.percent is None else p.percent}
        for p in placeholders for k in range(p.months)
    ]
    frame = pd.DataFrame(rows, columns=tables.ALLOCATIONS.column_names)
    frame["Period"] = pd.to_datetime(frame["Period"])
    return frame.sort_values(["Role", "Period", "ProjectID"], kind="stable")
