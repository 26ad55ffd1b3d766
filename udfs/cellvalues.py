"""Values as a cell gets them from the Excel commands, one at a time or a column at a time.

- :func:`cell_value`: one value as the cell gets it in any runtime (errors as their text,
  missing as blank, NaN as ``#N/A``, Timestamps as datetimes, text that Excel would read
  as a formula, number or date protected with an apostrophe:
  :func:`xlpmo.io.importer.protect_text`);
- :func:`json_value`: the same for the JSON book of xlwings Lite / Office.js, then what
  xlwings' value setter sends for it (blank ``""``, numpy numbers as Python numbers, dates
  as ISO text), so the commands can hand whole tables to ``Range.raw_value``;
- :func:`json_rows`: a DataFrame's header and rows as :func:`json_value` gives them,
  converted column by column (by dtype; each distinct text and date converted once).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.errors import XLError
from xlpmo.io.importer import protect_text
from xlpmo.io.keyed import Formula

__all__ = ["cell_value", "json_rows", "json_value"]


def cell_value(value: Any) -> Any:
    """One value as the cell gets it: errors as their text (Excel enters them as error
    values), missing as blank, Timestamps as datetimes, text protected
    (:func:`xlpmo.io.importer.protect_text`). The writes apply it to every cell, exactly
    once."""
    if isinstance(value, XLError):
        return value.value
    if isinstance(value, Formula):  # a user's formula carried with its row (xlpmo_udfs.keep)
        return str(value)
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return XLError.NA.value
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str):
        return protect_text(value)
    return value


def _iso(value: dt.datetime) -> str:
    """A datetime as xlwings' value setter sends it: the date alone at midnight."""
    if value.time() == dt.time(0, 0):
        return value.date().isoformat()
    return value.replace(tzinfo=None).isoformat(sep=" ").split(".")[0]


def json_value(value: Any) -> Any:
    """One value as the JSON book's cell gets it: :func:`cell_value`
    (errors as their text, NaN as ``#N/A``, text protected), then what xlwings' value
    setter sends for it (blank ``""``, numpy numbers as Python numbers, dates as ISO text)."""
    value = cell_value(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.number):
        return float(value)
    return value


def _json_column(series: pd.Series) -> np.ndarray:
    """A DataFrame column as JSON cell values (:func:`json_value` of each, by dtype)."""
    kind = series.dtype.kind
    if kind == "f":
        values = series.to_numpy()
        out = values.astype(object)
        out[np.isnan(values)] = XLError.NA.value
        return out
    if kind in "iub":
        return series.to_numpy().astype(object)
    if kind == "M":
        stamps = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) else series
        codes, uniques = pd.factorize(stamps)
        texts = np.array([_iso(u.to_pydatetime()) for u in uniques] + [""], dtype=object)
        return texts[codes]  # code -1 (NaT) takes the last entry, ""
    values = series.to_numpy(dtype=object)
    cache: dict[Any, Any] = {}
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        t = type(v)
        if t is float:
            out[i] = XLError.NA.value if v != v else v
        elif t is str or t is pd.Timestamp:
            got = cache.get(v)
            if got is None:
                got = cache[v] = json_value(v)
            out[i] = got
        elif t is XLError:
            out[i] = v.value
        elif v is None:
            out[i] = ""
        else:
            out[i] = json_value(v)
    return out


def json_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """The DataFrame's header (its column names as text) and rows as JSON cell values."""
    header = [json_value(str(c)) for c in frame.columns]
    if frame.empty:
        return [header]
    grid = np.empty(frame.shape, dtype=object)
    for j in range(frame.shape[1]):
        grid[:, j] = _json_column(frame.iloc[:, j])
    return [header, *grid.tolist()]
