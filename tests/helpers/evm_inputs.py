"""Small canonical Inputs for the earned value, schedule and portfolio tests."""

from __future__ import annotations

from typing import Any

import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.contract.settings import Settings


def make_inputs(
    status: str,
    plan: dict[str, tuple[str, list[float]]],
    actuals: dict[str, tuple[str, list[float]]] | None = None,
    progress: list[tuple[Any, ...]] | None = None,
    forecast: dict[str, tuple[str, list[float]]] | None = None,
    projects: dict[str, dict[str, Any]] | None = None,
    **config: Any,
) -> Inputs:
    """Inputs for tests. ``actuals=None`` means the workbook has no tblActuals.

    ``progress``: rows (ProjectID, period, PercentComplete, Earned) with None for blank.
    ``projects``: extra tblProjects fields per project; projects default to the plan's.
    """
    ids = list(dict.fromkeys([*(projects or {}), *plan]))
    proj = pd.DataFrame([
        {"ProjectID": pid, "ProjectName": f"Project {pid}", "Portfolio": None, "Manager": None,
         "Status": None, "BaselineStart": None, "BaselineFinish": None, "BAC": None,
         **(projects or {}).get(pid, {})}
        for pid in ids
    ], columns=tables.PROJECTS.column_names)
    proj = proj.astype({"ProjectID": object, "ProjectName": object, "Portfolio": object,
                        "BaselineStart": "datetime64[ns]", "BaselineFinish": "datetime64[ns]",
                        "BAC": float})
    prog = pd.DataFrame(progress or [], columns=tables.PROGRESS.column_names).astype(
        {"ProjectID": object, "Period": "datetime64[ns]", "PercentComplete": float,
         "Earned": float})
    present = {"tblConfig", "tblProjects", "tblPlan", "tblProgress"}
    present |= {"tblActuals"} if actuals is not None else set()
    present |= {"tblForecast"} if forecast is not None else set()
    return Inputs(
        settings=Settings(StatusDate=pd.Timestamp(status), **config),
        projects=proj, plan=phased(plan, "Planned"), actuals=phased(actuals, "Actual"),
        progress=prog, forecast=phased(forecast, "Forecast"), present=frozenset(present),
    )


def row(table: pd.DataFrame, pid: str = "P1") -> pd.Series:
    return table.set_index("ProjectID").loc[pid]



def phased(spec: dict[str, tuple[str, list[float]]] | None, amount: str) -> pd.DataFrame:
    """{"P1": ("2026-01", [100, 200])} -> long table: P1 Jan 100, P1 Feb 200."""
    rows = [
        (pid, pd.Timestamp(first) + pd.DateOffset(months=k), "", float(v))
        for pid, (first, values) in (spec or {}).items()
        for k, v in enumerate(values)
    ]
    frame = pd.DataFrame(rows, columns=["ProjectID", "Period", "CostType", amount])
    return frame.astype({"ProjectID": object, "Period": "datetime64[ns]", "CostType": object,
                         amount: float})
