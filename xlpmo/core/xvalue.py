"""Values with Excel errors: float arrays with a parallel array of error codes.

The core's one error model: an ``int8`` error code per element (:data:`ERROR_OF_CODE`, 0 = a
valid number). :class:`XValue` keeps the core's arithmetic vectorised while following Excel's
rules for undefined cases: a zero denominator is ``#DIV/0!``, a missing input ``#N/A``, an
input error passes through (the leftmost operand's error wins, as in an Excel formula:
:func:`first_error`), text or booleans where a number belongs are ``#VALUE!``.

Cells and output columns hold :class:`~xlpmo.errors.XLError` members instead (object arrays);
:func:`codes_of` and :func:`errors_of` convert between the two at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.errors import XLError

#: error code -> XLError (code 0 = no error). Codes keep the error arithmetic vectorised.
ERROR_OF_CODE: tuple[XLError | None, ...] = (
    None, XLError.DIV0, XLError.NA, XLError.VALUE, XLError.NUM, XLError.NAME, XLError.REF,
    XLError.NULL,
)
CODE_OF_ERROR = {e: i for i, e in enumerate(ERROR_OF_CODE) if e is not None}
OK, DIV0, NA, VALUE, NUM = 0, 1, 2, 3, 4
_ERR_OBJECTS = np.array(ERROR_OF_CODE, dtype=object)
_type_of = np.frompyfunc(type, 1, 1)
_XLERROR_TYPE = np.empty((), dtype=object)  # the class as one cell (an Enum is iterable)
_XLERROR_TYPE[()] = XLError

__all__ = [
    "CODE_OF_ERROR", "DIV0", "ERROR_OF_CODE", "NA", "NUM", "OK", "VALUE", "XValue", "codes_of",
    "errors_of", "first_error", "to_output",
]


@dataclass(frozen=True)
class XValue:
    """A float array with a parallel array of Excel error codes (0 = a valid number).

    The arithmetic operators follow Excel: the first operand's error wins, then the
    second's; division by zero gives ``#DIV/0!``; a result past the largest double (an
    overflow, ±inf) gives ``#NUM!``, and so does an infinite input (a sum that overflowed
    before it got here). ``val`` is NaN wherever ``err`` is set.
    """

    val: np.ndarray
    err: np.ndarray

    @classmethod
    def of(cls, x: Any) -> XValue:
        """Any scalar / list / ndarray / Series (numbers, None, NaN, XLError) -> XValue."""
        if isinstance(x, XValue):
            return x
        if isinstance(x, pd.Series):
            numeric = _numeric(x.dtype)
            x = x.to_numpy(dtype=float, na_value=np.nan) if numeric else x.to_numpy(object)
        arr = x if isinstance(x, np.ndarray) else np.asarray(x, dtype=object)
        if _numeric(arr.dtype):
            val = arr.astype(float)
            err = np.where(np.isnan(val), NA, np.where(np.isinf(val), NUM, OK)).astype(np.int8)
            return cls(np.where(err == OK, val, np.nan), err)
        flat = arr.astype(object).reshape(-1)
        pairs = [_element(v) for v in flat]
        val = np.array([p[0] for p in pairs], dtype=float).reshape(arr.shape)
        err = np.array([p[1] for p in pairs], dtype=np.int8).reshape(arr.shape)
        return cls(val, err)

    @classmethod
    def error(cls, code: int, shape: tuple[int, ...] = ()) -> XValue:
        return cls(np.full(shape, np.nan), np.full(shape, code, dtype=np.int8))

    def _binary(self, other: Any, op: Any, reflected: bool = False) -> XValue:
        o = XValue.of(other)
        a, b = (o, self) if reflected else (self, o)
        err = first_error(a.err, b.err)
        with np.errstate(all="ignore"):
            val = op(a.val, b.val)
        return _overflowed(val, err)

    def __add__(self, other: Any) -> XValue:
        return self._binary(other, np.add)

    def __radd__(self, other: Any) -> XValue:
        return self._binary(other, np.add, reflected=True)

    def __sub__(self, other: Any) -> XValue:
        return self._binary(other, np.subtract)

    def __rsub__(self, other: Any) -> XValue:
        return self._binary(other, np.subtract, reflected=True)

    def __mul__(self, other: Any) -> XValue:
        return self._binary(other, np.multiply)

    def __rmul__(self, other: Any) -> XValue:
        return self._binary(other, np.multiply, reflected=True)

    def __truediv__(self, other: Any) -> XValue:
        return _divide(self, XValue.of(other))

    def __rtruediv__(self, other: Any) -> XValue:
        return _divide(XValue.of(other), self)

    def where(self, cond: np.ndarray, other: XValue) -> XValue:
        """Elementwise ``self if cond else other``."""
        return XValue(np.where(cond, self.val, other.val), np.where(cond, self.err, other.err))

    def finish(self) -> XValue:
        """NaN left without an error code (e.g. inf − inf) becomes ``#N/A``; ±inf is ``#NUM!``."""
        err = np.where((self.err == OK) & np.isnan(self.val), NA, self.err)
        err = np.where((err == OK) & np.isinf(self.val), NUM, err).astype(np.int8)
        return XValue(np.where(err == OK, self.val, np.nan), err)

    def objects(self) -> np.ndarray:
        """Object ndarray: floats, or XLError members where there is an error."""
        x = self.finish()
        out = x.val.astype(object)
        bad = x.err != OK
        out[bad] = _ERR_OBJECTS[x.err[bad]]
        return out


def first_error(*codes: np.ndarray) -> np.ndarray:
    """Per element, the first non-zero error code across ``codes`` (Excel: left to right).

    ``=#N/A+#DIV/0!`` is ``#N/A``: the leftmost operand's error wins. The arrays broadcast.
    """
    out = np.asarray(codes[-1])
    for c in reversed(codes[:-1]):
        out = np.where(c != OK, c, out)
    return np.asarray(out, dtype=np.int8)


def codes_of(cells: Any) -> np.ndarray:
    """The error code of each cell (an array of the cells' shape): an
    :class:`~xlpmo.errors.XLError` member gives its code, anything else (a number, None,
    text, even an error's text) ``OK``."""
    arr = np.asarray(cells, dtype=object)
    codes = np.zeros(arr.shape, dtype=np.int8)
    if arr.size:
        is_err = np.asarray(np.equal(_type_of(arr), _XLERROR_TYPE), dtype=bool)
        if is_err.any():
            codes[is_err] = [CODE_OF_ERROR[e] for e in arr[is_err]]
    return codes


def errors_of(codes: np.ndarray) -> np.ndarray:
    """Error codes -> an object array of :class:`~xlpmo.errors.XLError` members (None
    where the code is ``OK``)."""
    return _ERR_OBJECTS[np.asarray(codes, dtype=np.int8)]


def _divide(num: XValue, den: XValue) -> XValue:
    err = first_error(num.err, den.err)
    err = np.where((err == OK) & (den.val == 0), DIV0, err).astype(np.int8)
    with np.errstate(all="ignore"):
        val = num.val / np.where(err == OK, den.val, 1.0)
    return _overflowed(val, err)


def _overflowed(val: np.ndarray, err: np.ndarray) -> XValue:
    """An operation's result: where its operands were numbers but it is not finite (the
    result is past the largest double, about 1.8E308), ``#NUM!``, as in Excel."""
    err = np.where((err == OK) & ~np.isfinite(val), NUM, err).astype(np.int8)
    return XValue(np.where(err == OK, val, np.nan), err)


def _numeric(dtype: Any) -> bool:
    return np.issubdtype(dtype, np.number) and not np.issubdtype(dtype, np.bool_)


def _element(v: Any) -> tuple[float, int]:
    """One cell value -> (float, error code)."""
    if isinstance(v, XLError):
        return np.nan, CODE_OF_ERROR[v]
    if v is None or v is pd.NA or v is pd.NaT:
        return np.nan, NA
    if isinstance(v, (bool, np.bool_)):
        return np.nan, VALUE
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if np.isnan(f):
            return np.nan, NA
        return (np.nan, NUM) if np.isinf(f) else (f, OK)
    if isinstance(v, str):
        parsed = XLError.parse(v)
        if parsed is not None:
            return np.nan, CODE_OF_ERROR[parsed]
        return (np.nan, NA) if not v.strip() else (np.nan, VALUE)
    return np.nan, VALUE


def _shape_like(*args: Any) -> Any:
    """The argument that decides the result's form: a Series, else an array, else scalar."""
    for a in args:
        if isinstance(a, pd.Series):
            return a
    for a in args:
        if isinstance(a, (np.ndarray, list, tuple)) and np.ndim(a) > 0:
            return a
    return None


def to_output(x: XValue, like: Any) -> Any:
    """XValue -> the caller's form: float/XLError scalar, object ndarray or object Series."""
    obj = x.objects()
    if like is None:
        return obj.reshape(-1)[0]
    if isinstance(like, pd.Series):
        return pd.Series(obj.reshape(-1), index=like.index, dtype=object)
    return obj
