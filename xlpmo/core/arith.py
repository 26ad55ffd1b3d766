"""Vectorised arithmetic with Excel's undefined cases.

The core computes in float arrays (NaN = missing input). At the boundary of an
output table, every ratio becomes an object Series that holds either a float or
an :class:`~xlpmo.errors.XLError`: ``#DIV/0!`` where the denominator is 0,
``#N/A`` where an input is missing. Nothing is silently replaced by 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.errors import XLError

ArrayLike = Any  # float ndarray, Series or scalar


def _arr(x: ArrayLike) -> np.ndarray:
    if isinstance(x, pd.Series):
        return pd.to_numeric(x, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(x, dtype=float)


def divide_float(num: ArrayLike, den: ArrayLike) -> np.ndarray:
    """num / den as floats; NaN where den is 0 or an input is NaN (no warnings)."""
    n, d = np.broadcast_arrays(_arr(num), _arr(den))
    out = np.full(n.shape, np.nan)
    ok = (d != 0) & ~np.isnan(d) & ~np.isnan(n)
    np.divide(n, d, out=out, where=ok)
    return out


def error_codes(num: ArrayLike, den: ArrayLike) -> np.ndarray:
    """The Excel error of num/den per element: ``None``, ``#N/A`` or ``#DIV/0!``.

    Missing input wins over a zero denominator, as a missing cell is the cause.
    """
    n, d = np.broadcast_arrays(_arr(num), _arr(den))
    codes = np.full(n.shape, None, dtype=object)
    codes[d == 0] = XLError.DIV0
    codes[np.isnan(n) | np.isnan(d)] = XLError.NA
    return codes


def with_errors(values: ArrayLike, errors: np.ndarray, index: Any = None) -> pd.Series:
    """Object Series of ``values`` with ``errors`` (non-None entries) put in their place.

    Remaining NaN values (missing inputs not caught by ``errors``) become ``#N/A``.
    """
    vals = _arr(values).astype(object)
    missing = np.isnan(_arr(values))
    vals[missing] = XLError.NA
    has_err = np.array([e is not None for e in errors], dtype=bool) if len(errors) else errors
    if len(errors):
        vals[has_err] = errors[has_err]
    return pd.Series(vals, index=index, dtype=object)


def divide(num: ArrayLike, den: ArrayLike, index: Any = None) -> pd.Series:
    """Excel-style num / den as an object Series (float, ``#DIV/0!`` or ``#N/A``)."""
    return with_errors(divide_float(num, den), error_codes(num, den), index=index)


def first_error(*columns: ArrayLike) -> np.ndarray:
    """Per element, the first XLError found across object columns (Excel propagation)."""
    arrays = [np.asarray(c, dtype=object) for c in columns]
    out = np.full(len(arrays[0]), None, dtype=object)
    for arr in reversed(arrays):  # earlier columns win
        is_err = np.array([isinstance(v, XLError) for v in arr], dtype=bool)
        out[is_err] = arr[is_err]
    return out


def as_float(column: ArrayLike) -> np.ndarray:
    """Object column with XLErrors -> float array with NaN in their place."""
    arr = np.asarray(column, dtype=object)
    return np.array([np.nan if isinstance(v, XLError) or v is None else v for v in arr],
                    dtype=float)
