"""Months as periods: normalisation, header parsing, status period, wide/long layouts.

The period is the calendar month, identified by the date of its first day
(``2026-03-01``). Any date inside a month stands for that month; Excel date serials
(1900 date system) and text headers such as ``2026-01``, ``Jan-2026``, ``Jan 26`` are
read as months (shared/spec/workbook.md, "Periods").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract.parse import parse_date_text

__all__ = [
    "EXCEL_EPOCH", "LEAP_BUG_SERIAL", "MAX_SERIAL", "add_months", "from_month_index",
    "from_serial", "month_index", "month_start_scalar", "months_between", "parse_date",
    "parse_period", "period_columns", "period_range", "status_period", "to_serial",
    "wide_to_long",
]

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 0 in Excel's 1900 date system (after 1900-03-01)
MAX_SERIAL = 2958465  # 9999-12-31
#: Excel's 1900 system counts a 29 February 1900 that never was (serial 60, kept from Lotus
#: 1-2-3): serials below it are one day later than EXCEL_EPOCH + serial
LEAP_BUG_SERIAL = 60
_EPOCH_BEFORE_BUG = pd.Timestamp("1899-12-31")  # serial 0 for serials 1..59
_FIRST_AFTER_BUG = pd.Timestamp("1900-03-01")  # serial 61


def from_serial(serial: float) -> pd.Timestamp:
    """Excel 1900-system serial number -> Timestamp (``45658`` -> 2025-01-01; ``1`` ->
    1900-01-01). Excel's serial 60 is the 29 February 1900 that never was: it reads as
    28 February 1900, as python-calamine reads such a date cell."""
    serial = float(serial)
    epoch = _EPOCH_BEFORE_BUG if serial < LEAP_BUG_SERIAL else EXCEL_EPOCH
    return epoch + pd.to_timedelta(serial, unit="D")


def to_serial(value: Any) -> float:
    """Timestamp/date -> Excel 1900-system serial number (fraction = time of day): days
    since 1899-12-30 from 1900-03-01 on, since 1899-12-31 before (Excel's 1900 leap-year
    gap: 1900-02-28 is 59, 1900-03-01 is 61)."""
    ts = pd.Timestamp(value)
    epoch = _EPOCH_BEFORE_BUG if ts < _FIRST_AFTER_BUG else EXCEL_EPOCH
    return (ts - epoch) / pd.Timedelta(days=1)


def parse_date(value: Any, order: str = "") -> pd.Timestamp | None:
    """One cell value -> Timestamp, or None when it is blank or not a date.

    Accepts datetimes, dates, Excel serials (numbers 1..2958465) and dates typed as text,
    read by the one parser :func:`xlpmo.contract.parse.parse_date_text` (``2026-01-15``,
    ``15/01/2026``, month headers ``Jan-2026`` -> 2026-01-01); ``order`` is the DateOrder
    setting for text such as ``02/01/2026`` (blank: day-first).
    """
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value
    if isinstance(value, (dt.datetime, dt.date, np.datetime64)):
        return pd.Timestamp(value)
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        if np.isnan(value) or not 1 <= value <= MAX_SERIAL:
            return None
        return from_serial(value)
    if isinstance(value, str):
        return parse_date_text(value, order)
    return None


def parse_period(value: Any, order: str = "") -> pd.Timestamp | None:
    """One value (date, serial, month text) -> first day of its month, or None."""
    ts = parse_date(value, order)
    return None if ts is None else month_start_scalar(ts)


def month_start_scalar(value: Any) -> pd.Timestamp:
    """First day of the month of one date (time of day dropped)."""
    ts = pd.Timestamp(value)
    return pd.Timestamp(year=ts.year, month=ts.month, day=1)


def status_period(status_date: Any) -> pd.Timestamp:
    """The status period: the month that contains the status date."""
    return month_start_scalar(status_date)


def month_index(periods: pd.Series | np.ndarray) -> np.ndarray:
    """Months since 1970-01 as int64 (for fast arithmetic on periods)."""
    arr = np.asarray(periods, dtype="datetime64[ns]").astype("datetime64[M]")
    return arr.astype(np.int64)


def from_month_index(index: np.ndarray | int) -> pd.DatetimeIndex:
    """Inverse of :func:`month_index`."""
    arr = np.atleast_1d(np.asarray(index, dtype=np.int64)).astype("datetime64[M]")
    return pd.DatetimeIndex(arr.astype("datetime64[ns]"))


def months_between(start: Any, end: Any) -> int:
    """Whole months from the period of ``start`` to the period of ``end`` (end − start)."""
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    return (b.year - a.year) * 12 + (b.month - a.month)


def add_months(period: Any, months: float) -> pd.Timestamp:
    """The date ``months`` (possibly fractional) after the start of ``period``'s month.

    The fractional part is spread over the days of the month it lands in and the result is
    the day it falls in (``add_months(2026-01-01, 1.5)`` -> 2026-02-15; no time of day).
    """
    base = month_start_scalar(period)
    whole = int(np.floor(months))
    frac = float(months) - whole
    start = base + pd.DateOffset(months=whole)
    return start + pd.Timedelta(days=int(np.floor(frac * start.days_in_month)))


def period_range(start: Any, end: Any) -> pd.DatetimeIndex:
    """All months from the period of ``start`` to the period of ``end`` inclusive."""
    return pd.date_range(month_start_scalar(start), month_start_scalar(end), freq="MS")


def period_columns(columns: Iterable[Any]) -> dict[Any, pd.Timestamp]:
    """The columns of a wide table whose header is a month, mapped to that month."""
    found = {}
    for col in columns:
        period = parse_period(col)
        if period is not None:
            found[col] = period
    return found


def wide_to_long(
    wide: pd.DataFrame, amount: str, id_columns: list[str], periods: dict[Any, pd.Timestamp]
) -> pd.DataFrame:
    """Wide layout (one column per month) -> long layout ``id_columns + [Period, amount]``.

    ``periods`` maps each month column to its month (see :func:`period_columns`).
    Blank amounts become 0 (workbook.md: blank means 0); two columns of the same month
    are added together.
    """
    cols = list(periods)
    block = wide[cols]
    if all(isinstance(t, np.dtype) and t.kind in "fiub" for t in block.dtypes):
        values = block.to_numpy(float)  # numbers already (the coercion's): no per-column pass
        values = np.where(np.isnan(values), 0.0, values)
    else:
        values = block.apply(pd.to_numeric, errors="coerce").fillna(0.0).to_numpy(float)
    n_rows, n_periods = values.shape
    ids = {c: np.repeat(wide[c].to_numpy(), n_periods) for c in id_columns}
    long = pd.DataFrame(
        {
            **ids,
            "Period": np.tile(np.array(list(periods.values()), dtype="datetime64[ns]"), n_rows),
            amount: values.reshape(-1),
        }
    )
    months = long["Period"].iloc[:n_periods]
    if months.is_unique and not wide.duplicated(id_columns).any():
        return long  # nothing to add together: already one row per (row, month), row-major
    return long.groupby([*id_columns, "Period"], as_index=False, sort=False, dropna=False)[
        amount
    ].sum()
