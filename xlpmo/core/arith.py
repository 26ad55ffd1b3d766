"""Vectorised arithmetic with Excel's undefined cases.

The core computes in float arrays (NaN = missing input) with the error codes of
:mod:`xlpmo.core.xvalue`. At the boundary of an output table, every ratio becomes an object
Series that holds either a float or an :class:`~xlpmo.errors.XLError`: ``#DIV/0!`` where the
denominator is 0, ``#N/A`` where an input is missing. Nothing is silently replaced by 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.core.xvalue import DIV0, NA, NUM, OK, codes_of, errors_of
from xlpmo.errors import XLError

__all__ = ["as_float", "divide", "divide_float", "error_codes", "overflowed", "with_errors"]

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
    """The error code of num/den per element (:mod:`xlpmo.core.xvalue`): ``OK``, ``NA``,
    ``DIV0`` or ``NUM``.

    An infinite input (a sum past the largest double) is ``#NUM!``, as Excel's overflowed
    sum is. Missing input wins over a zero denominator, as a missing cell is the cause.
    """
    n, d = np.broadcast_arrays(_arr(num), _arr(den))
    codes = np.full(n.shape, OK, dtype=np.int8)
    codes[np.isinf(n) | np.isinf(d)] = NUM
    codes[d == 0] = DIV0
    codes[np.isnan(n) | np.isnan(d)] = NA
    return codes


def overflowed(*arrays: ArrayLike) -> np.ndarray:
    """Where any of the (broadcast) arrays is ±inf: a sum that went past the largest double
    (about 1.8E308). Excel shows such a sum, and every formula using it, as ``#NUM!``; a
    status or flag computed from it is unknown there, not a colour or FALSE."""
    out = np.zeros(np.broadcast_shapes(*(np.shape(_arr(a)) for a in arrays)), dtype=bool)
    for a in arrays:
        out = out | np.isinf(_arr(a))
    return out


def with_errors(values: ArrayLike, errors: np.ndarray, index: Any = None) -> pd.Series:
    """Object Series of ``values`` with the errors put in their place.

    ``errors``: error codes (:mod:`xlpmo.core.xvalue`), or an object array of
    :class:`~xlpmo.errors.XLError` members and None. Remaining NaN values (missing inputs
    without an error) become ``#N/A``, infinite ones (an overflow) ``#NUM!``.
    """
    floats = _arr(values)
    vals = floats.astype(object)
    vals[np.isnan(floats)] = XLError.NA
    vals[np.isinf(floats)] = XLError.NUM
    errors = np.asarray(errors)
    codes = errors.astype(np.int8) if errors.dtype.kind in "iu" else codes_of(errors)
    has_err = codes != OK
    vals[has_err] = errors_of(codes[has_err])
    return pd.Series(vals, index=index, dtype=object)


def divide(num: ArrayLike, den: ArrayLike, index: Any = None) -> pd.Series:
    """Excel-style num / den as an object Series (float, ``#DIV/0!``, ``#N/A`` or ``#NUM!``)."""
    return with_errors(divide_float(num, den), error_codes(num, den), index=index)


def as_float(column: ArrayLike) -> np.ndarray:
    """Object column with XLErrors -> float array with NaN in their place."""
    arr = np.asarray(column, dtype=object)
    return np.array([np.nan if isinstance(v, XLError) or v is None else v for v in arr],
                    dtype=float)
