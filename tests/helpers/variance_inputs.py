"""Small canonical Inputs for the variance and forecast-table tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs, empty_frame
from xlpmo.contract.settings import Settings


def make_inputs(plan: list[tuple], actuals: list[tuple] | None, status: str,
                projects: list[str] | None = None, forecast: list[tuple] | None = None,
                **config: float) -> Inputs:
    """Inputs with the given rows; ``actuals=None`` means the workbook has no tblActuals.

    (Also used by tests/test_forecast.py.)
    """
    present = {"tblConfig", "tblProjects", "tblPlan"}
    if actuals is not None:
        present.add("tblActuals")
    if forecast is not None:
        present.add("tblForecast")
    ids = projects if projects is not None else sorted({r[0] for r in plan})
    return Inputs(
        settings=Settings(StatusDate=pd.Timestamp(status), **config),
        projects=pd.DataFrame({"ProjectID": pd.Series(ids, dtype=object)}),
        plan=_long(plan, "Planned"),
        actuals=_long(actuals or [], "Actual"),
        forecast=_long(forecast or [], "Forecast"),
        present=frozenset(present),
    )





def _long(rows: list[tuple], amount: str) -> pd.DataFrame:
    """(ProjectID, 'YYYY-MM', CostType, amount) rows -> canonical long frame."""
    spec = {"Planned": tables.PLAN, "Actual": tables.ACTUALS, "Forecast": tables.FORECAST}[amount]
    if not rows:
        return empty_frame(spec)
    ids, months, costs, values = zip(*rows, strict=True)
    return pd.DataFrame({
        "ProjectID": pd.Series(ids, dtype=object),
        "Period": pd.to_datetime([f"{m}-01" for m in months]).astype("datetime64[ns]"),
        "CostType": pd.Series(costs, dtype=object),
        amount: np.array(values, dtype=float),
    })
