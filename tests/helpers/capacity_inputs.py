"""Small canonical Inputs and a brute-force working-day count (capacity and utilisation
tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import _DTYPES, Inputs
from xlpmo.contract.settings import Settings


def make_inputs(resources=(), holidays=(), leave=(), allocations=(), timesheets=(),
                **settings_kw: Any) -> Inputs:
    settings_kw.setdefault("StatusDate", pd.Timestamp("2026-11-28"))
    return Inputs(
        settings=Settings(**settings_kw),
        resources=frame(tables.RESOURCES, list(resources)),
        holidays=frame(tables.HOLIDAYS, list(holidays)),
        leave=frame(tables.LEAVE, list(leave)),
        allocations=frame(tables.ALLOCATIONS, list(allocations)),
        timesheets=frame(tables.TIMESHEETS, list(timesheets)),
    )


def brute_workdays(start: D, end: D, holidays=(), weekmask: str = "1111100") -> int:
    """Independent day-by-day count of working days in [start, end] (start <= end)."""
    hol = set(holidays)
    n, day = 0, start
    while day <= end:
        if weekmask[day.weekday()] == "1" and day not in hol:
            n += 1
        day += dt.timedelta(days=1)
    return n




D = dt.date


def frame(spec: tables.TableSpec, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical input table (model.py dtypes) from row dicts; missing cells blank."""
    data = {}
    for col in spec.columns:
        values = [row.get(col.name) for row in rows]
        dtype = _DTYPES[col.kind]
        if dtype == "datetime64[ns]":
            data[col.name] = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
        elif dtype is float:
            data[col.name] = pd.Series([np.nan if v is None else v for v in values], dtype=float)
        elif dtype is bool:
            data[col.name] = pd.Series([True if v is None else v for v in values], dtype=bool)
        else:
            data[col.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)
