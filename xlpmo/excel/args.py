"""Worksheet-function arguments in, Excel values out: the one place that normalises them.

Every runtime hands the catalogue functions (:mod:`xlpmo.functions`) different shapes:

- xlwings Lite / Office.js: lists of rows; blanks ``None``; dates as serial numbers;
  error cells as their text (``"#DIV/0!"``, the adapters ask for ``err_to_str``);
- classic xlwings (COM): the same lists, dates as ``datetime``, an omitted optional
  argument as the integer ``-2147352572``;
- plain Python: numbers, lists (1-D or lists of rows), ``None``, dates, ISO text.

The readers below accept all of them. An Excel error found in an input propagates
(:class:`ArgError` carrying it), a blank required input is ``#N/A``, a value of the wrong
type ``#VALUE!``, an impossible number ``#NUM!``. :func:`excel_function` wraps a catalogue
function so that it never raises: an :class:`ArgError` becomes its error text, any other
exception ``#VALUE!``; and converts the result with :func:`to_excel` (errors as text,
``NaN`` as ``#N/A``, Timestamps as ``datetime``, DataFrames as lists of rows).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from xlpmo.contract import periods
from xlpmo.contract.parse import parse_number
from xlpmo.errors import XLError

__all__ = [
    "COM_MISSING", "MAX_SPILL", "REQUIRED", "ArgError", "boolean", "cells", "choice", "clean_cell",
    "column", "date", "date_grid", "date_list", "error_of", "excel_function", "frame_rows", "grid",
    "integer", "is_blank", "like", "number", "number_grid", "optional_grid", "series",
    "series_cells", "shape", "single", "spill", "table", "table_array", "text", "to_excel",
    "to_number", "ungrid", "weekmask",
]

F = TypeVar("F", bound=Callable[..., Any])

#: what COM passes for an omitted optional argument (DISP_E_PARAMNOTFOUND)
COM_MISSING = -2147352572
#: rows of a sheet: no result can spill further, so a longer one is ``#NUM!`` at once (a
#: typo such as 10000000 periods would otherwise keep Excel busy for minutes)
MAX_SPILL = 1_048_576


class ArgError(Exception):
    """An argument that makes the whole result an Excel error."""

    def __init__(self, error: XLError, message: str = "") -> None:
        super().__init__(message or error.value)
        self.error = error


class _Missing:
    def __repr__(self) -> str:
        return "REQUIRED"


#: default of a required argument: a blank gives ``#N/A``
REQUIRED: Any = _Missing()


# -- single values ------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    """None, empty text, NaN, NaT or COM's omitted-argument marker."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value) == COM_MISSING
    return False


_type_u = np.frompyfunc(type, 1, 1)


def _of_type(kinds: np.ndarray, kind: type) -> np.ndarray:
    """Where an array of cell types (``_type_u(cells)``) is exactly ``kind``."""
    return np.asarray(np.equal(kinds, np.array(kind, dtype=object)), dtype=bool)


def _blank_mask(arr: np.ndarray) -> np.ndarray:
    """:func:`is_blank` of every cell of an object array, as a bool array of its shape.

    Cells of the exact types Office.js and COM send (``str``, ``float``, ``int``, ``bool``,
    None) are judged with array comparisons; any other type (numpy scalars, NaT, dates,
    subclasses ...) goes through :func:`is_blank` one by one, so the answer is the same.
    """
    kinds = _type_u(arr)
    mask = _of_type(kinds, type(None))
    known = mask.copy()
    for kind, blank in ((str, lambda v: v == ""), (float, lambda v: v != v),
                        (int, lambda v: v == COM_MISSING)):
        of_kind = _of_type(kinds, kind)
        if of_kind.any():
            mask[of_kind] = np.asarray(blank(arr[of_kind]), dtype=bool)
        known |= of_kind
    known |= _of_type(kinds, bool)
    if not known.all():
        odd = ~known
        mask[odd] = [is_blank(v) for v in arr[odd]]
    return mask


def _rows_array(value: Any) -> np.ndarray | None:
    """A non-empty list (or tuple) of equal-length, non-empty lists (or tuples) as a 2-D
    object array in one C loop; None for anything else (or when a cell is itself a list
    numpy would unpack), so the caller takes its cell-by-cell path."""
    if type(value) not in (list, tuple) or not value:
        return None
    if not all(type(r) in (list, tuple) for r in value) or not value[0]:
        return None
    try:
        arr = np.array(value, dtype=object)
    except ValueError:
        return None
    return arr if arr.shape == (len(value), len(value[0])) else None


def error_of(value: Any) -> XLError | None:
    """The Excel error a cell value stands for, else None.

    Accepts :class:`XLError`, its text (``"#N/A"``) and Office.js' rich error value
    (``{"type": "Error", "basicValue": "#DIV/0!"}``).
    """
    if isinstance(value, dict) and value.get("type") == "Error":
        return XLError.parse(value.get("basicValue")) or XLError.VALUE
    if isinstance(value, (str, XLError)):
        return XLError.parse(value)
    return None


def _is_array(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray, pd.Series, pd.Index))


def cells(value: Any) -> list[Any]:
    """Every cell of an argument, row by row (a scalar is one cell)."""
    if isinstance(value, pd.DataFrame):
        return list(value.to_numpy(dtype=object).ravel())
    if not _is_array(value):
        return [value]
    out: list[Any] = []
    for item in value:
        if _is_array(item):
            out.extend(cells(item))
        else:
            out.append(item)
    return out


def shape(value: Any) -> tuple[int, int] | None:
    """``(rows, columns)`` of a list of rows, ``(1, n)`` … for 1-D, None for a scalar."""
    if not _is_array(value):
        return None
    items = list(value)
    if items and all(_is_array(r) for r in items):
        widths = {len(list(r)) for r in items}
        if len(widths) != 1:
            raise ArgError(XLError.VALUE, "ragged range")
        return len(items), widths.pop()
    return None if len(items) == 1 and not _is_array(items[0]) else (len(items), 0)


def single(value: Any) -> Any:
    """The one cell of a single-cell argument; a larger range is ``#VALUE!``."""
    if not _is_array(value) and not isinstance(value, pd.DataFrame):
        return value
    flat = cells(value)
    if len(flat) != 1:
        raise ArgError(XLError.VALUE, "a single cell was expected, not a range")
    return flat[0]


def _blank_or_error(value: Any, default: Any) -> tuple[bool, Any]:
    """(True, result) when a single value is blank (default / #N/A) or an error (raises)."""
    err = error_of(value)
    if err is not None:
        raise ArgError(err)
    if is_blank(value):
        if default is REQUIRED:
            raise ArgError(XLError.NA, "required input is blank")
        return True, default
    return False, None


def _text_number(text: str) -> float | None:
    """Numeric text as the one parser reads it (:func:`xlpmo.contract.parse.parse_number`:
    ``"1,200"``, ``"$12"``, ``"(300)"``, ``"5%"`` = 0.05); None for other text."""
    parsed = parse_number(text)
    return None if parsed is None else parsed[0]


def to_number(value: Any) -> float:
    """One non-blank, non-error cell -> float like Excel arithmetic does, else ``#VALUE!``.

    Numeric text (``"1,200"``, ``"$12"``, ``"5%"``; :func:`xlpmo.contract.parse.parse_number`) is
    read and a date is its serial; TRUE/FALSE is
    ``#VALUE!``, as in the core's arithmetic (a flag is not an amount).
    """
    if isinstance(value, (bool, np.bool_)):
        raise ArgError(XLError.VALUE, "TRUE/FALSE where a number belongs")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        number = _text_number(value)
        if number is None:
            raise ArgError(XLError.VALUE, f"text {value!r} where a number belongs")
        return number
    if isinstance(value, (dt.date, pd.Timestamp, np.datetime64)):
        return float(periods.to_serial(value))
    raise ArgError(XLError.VALUE, f"{type(value).__name__} where a number belongs")


def number(value: Any, default: Any = REQUIRED) -> Any:
    """A single numeric argument (blank -> ``default``, or ``#N/A`` when required)."""
    value = single(value)
    done, result = _blank_or_error(value, default)
    return result if done else to_number(value)


def integer(value: Any, default: Any = REQUIRED, minimum: int | None = None,
            maximum: int | None = None) -> Any:
    """A whole number (truncated like Excel); below ``minimum`` or above ``maximum`` is
    ``#NUM!``."""
    value = single(value)
    done, result = _blank_or_error(value, default)
    if done:
        return result
    result = to_number(value)
    if not math.isfinite(result):
        raise ArgError(XLError.NUM)
    whole = math.trunc(result)
    if minimum is not None and whole < minimum:
        raise ArgError(XLError.NUM, f"must be at least {minimum}")
    if maximum is not None and whole > maximum:
        raise ArgError(XLError.NUM, f"must be at most {maximum}")
    return whole


def boolean(value: Any, default: Any = REQUIRED) -> Any:
    """TRUE/FALSE: booleans, numbers (0 is FALSE) or the text TRUE / FALSE."""
    value = single(value)
    done, result = _blank_or_error(value, default)
    if done:
        return result
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return bool(value != 0)
    if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
        return value.strip().upper() == "TRUE"
    raise ArgError(XLError.VALUE, f"{value!r} is not TRUE or FALSE")


def text(value: Any, default: Any = REQUIRED) -> Any:
    """A single text argument (numbers are turned into their text)."""
    value = single(value)
    done, result = _blank_or_error(value, default)
    if done:
        return result
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def choice(value: Any, options: Sequence[str], default: Any = REQUIRED) -> Any:
    """One of ``options`` (case-insensitive, returned as written in ``options``)."""
    word = text(value, default)
    if word is default:
        return word
    for option in options:
        if option.upper() == str(word).upper():
            return option
    raise ArgError(XLError.VALUE, f"{word!r} is not one of {', '.join(options)}")


def date(value: Any, default: Any = REQUIRED) -> Any:
    """A date: ``datetime``/``date``, an Excel serial number or ISO / month text."""
    value = single(value)
    done, result = _blank_or_error(value, default)
    if done:
        return result
    if isinstance(value, (bool, np.bool_)):
        raise ArgError(XLError.VALUE, "TRUE/FALSE where a date belongs")
    if isinstance(value, (int, float, np.integer, np.floating)) and not (
        0 <= value <= periods.MAX_SERIAL
    ):
        raise ArgError(XLError.NUM, f"{value} is not a date serial number")
    ts = periods.parse_date(value)
    if ts is None:
        raise ArgError(XLError.VALUE, f"{value!r} is not a date")
    return ts


# -- series -------------------------------------------------------------------------------


def series_cells(value: Any, blank: float = np.nan) -> tuple[np.ndarray, np.ndarray]:
    """A range -> (float array, object array of per-cell errors or None).

    Blanks become ``blank`` (NaN: empty, not 0), numbers/booleans/numeric text their
    value, other text ``#VALUE!`` in the error array, error cells their error.
    """
    flat = cells(value)
    values = np.full(len(flat), np.nan)
    errors = np.full(len(flat), None, dtype=object)
    for i, cell in enumerate(flat):
        err = error_of(cell)
        if err is not None:
            errors[i] = err
        elif is_blank(cell):
            values[i] = blank
        else:
            try:
                values[i] = to_number(cell)
            except ArgError as exc:
                errors[i] = exc.error
    return values, errors


def series(value: Any, blank: float = np.nan, allow_empty: bool = False) -> np.ndarray:
    """A range of numbers as a float array; any error cell makes the result that error.

    An argument with no cells, or only blanks where a number is needed, is ``#N/A``
    unless ``allow_empty``.
    """
    values, errors = series_cells(value, blank)
    err = XLError.first(errors)
    if err is not None:
        raise ArgError(err)
    if not allow_empty and (values.size == 0 or np.isnan(values).all()):
        raise ArgError(XLError.NA, "no numbers in the range")
    return values


def date_list(value: Any) -> list[pd.Timestamp]:
    """Every date of a range (blanks skipped); an error cell propagates, text not a date
    is ``#VALUE!``."""
    out = []
    for cell in cells(value):
        err = error_of(cell)
        if err is not None:
            raise ArgError(err)
        if is_blank(cell):
            continue
        out.append(date(cell))
    return out


def table(value: Any, name: str = "table") -> list[list[Any]]:
    """A whole Excel Table given as a 2-D range *with its header row* -> list of rows.

    Cells are kept as they are (the reader's coercion judges them), blanks become None;
    a single row (header only) is a table without data; a scalar or ragged range is
    ``#VALUE!``. :func:`table_array` gives the same rows as a 2-D object array.
    """
    return table_array(value, name).tolist()


def table_array(value: Any, name: str = "table", clean: bool = True) -> np.ndarray:
    """:func:`table` as a 2-D object array (header row first), built without a Python
    step per cell when the range is a list of equal rows (what Office.js and COM send).

    ``clean=False`` blanks only the header row and COM's omitted-argument marker in the
    data rows, leaving the other blanks (``""``, NaN, NaT) to a caller that turns them
    into None itself (:class:`xlpmo.io.raw.RawTable` does), so they are looked at once.
    """
    if isinstance(value, pd.DataFrame):  # cells as they are, blanks included
        body = value.to_numpy(dtype=object)
        arr = np.empty((len(body) + 1, body.shape[1]), dtype=object)
        for j, col in enumerate(value.columns):  # a tuple name must stay one cell
            arr[0, j] = col
        arr[1:] = body
        return arr
    arr = _rows_array(value)
    if arr is None:
        dims = shape(value)
        if dims is None:
            raise ArgError(XLError.VALUE, f"{name}: a table with its header row was expected")
        rows = [list(r) for r in value] if dims[1] else [list(value)]
        arr = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                arr[i, j] = cell
    if not arr.size:
        return arr
    if clean:
        arr[_blank_mask(arr)] = None
        return arr
    arr[0, _blank_mask(arr[0])] = None
    try:
        maybe = np.asarray(arr[1:] == COM_MISSING, dtype=bool)
    except (ValueError, TypeError):  # a cell that does not compare to a number (an array)
        maybe = np.ones(arr[1:].shape, dtype=bool)
    if maybe.any():  # a number equal to the marker: blank only when it is an integer
        body, cells = arr[1:], arr[1:][maybe]
        cells[_blank_mask(cells)] = None
        body[maybe] = cells
    return arr


def clean_cell(value: Any) -> Any:
    """One cell for the core's element-wise functions: an error -> :class:`XLError`, a blank
    -> None, numeric text -> float, a date -> its serial number; anything else unchanged
    (the core rules on it: TRUE/FALSE or other text is ``#VALUE!``)."""
    err = error_of(value)
    if err is not None:
        return err
    if is_blank(value):
        return None
    if isinstance(value, str):
        number = _text_number(value)
        return value if number is None else number
    if isinstance(value, (dt.date, pd.Timestamp, np.datetime64)):
        return float(periods.to_serial(value))
    return value


def grid(value: Any) -> Any:
    """An element-wise argument as the core takes it: a scalar stays a (clean) scalar, a
    range becomes an object ndarray of clean cells in its own shape (1-D or rows x cols)."""
    if isinstance(value, pd.DataFrame):
        value = value.to_numpy(dtype=object)
    if not _is_array(value):
        return clean_cell(value)
    dims = shape(value)
    if dims is None:  # a one-element list is one cell
        return clean_cell(cells(value)[0])
    flat = [clean_cell(c) for c in cells(value)]
    arr = np.empty(len(flat), dtype=object)
    arr[:] = flat
    return arr.reshape(dims if dims[1] else (dims[0],))


def optional_grid(value: Any) -> Any:
    """Like :func:`grid`, but a blank single cell (an omitted argument) is None."""
    flat = cells(value)
    if len(flat) == 1 and is_blank(flat[0]):
        return None
    return grid(value)


def number_grid(value: Any, blank: float) -> Any:
    """Numbers as a float (scalar) or float ndarray in the range's shape; blanks become
    ``blank``; an error cell or text raises."""
    g = grid(value)
    if not isinstance(g, np.ndarray):
        return number(g, default=blank)
    values, errors = series_cells(g, blank)
    err = XLError.first(errors)
    if err is not None:
        raise ArgError(err)
    return values.reshape(g.shape)


def date_grid(value: Any) -> Any:
    """Dates as ``datetime64[D]`` (scalar or ndarray in the range's shape), NaT for blanks;
    an error cell raises it, a cell that is not a date is ``#VALUE!``."""
    g = grid(value)
    if not isinstance(g, np.ndarray):
        ts = date(g, default=None)
        return np.datetime64("NaT", "D") if ts is None else np.datetime64(ts.date(), "D")
    out = np.empty(g.shape, dtype="datetime64[D]")
    for idx, cell in np.ndenumerate(g):
        out[idx] = date_grid(cell)
    return out


#: Excel NETWORKDAYS.INTL weekend numbers -> non-working days (0 = Monday)
_WEEKEND_CODES = {
    1: (5, 6), 2: (6, 0), 3: (0, 1), 4: (1, 2), 5: (2, 3), 6: (3, 4), 7: (4, 5),
    **{10 + k: ((k + 5) % 7,) for k in range(1, 8)},
}


def weekmask(value: Any, default: str = "1111100") -> str:
    """A workweek argument -> numpy weekmask (7 characters, Monday first, 1 = working).

    Accepts ``Mon-Fri`` style text (:func:`xlpmo.contract.settings.parse_workweek`), Excel's weekend
    numbers of NETWORKDAYS.INTL (1 = Sat/Sun … 7 = Fri/Sat, 11 = Sunday only … 17 =
    Saturday only) and its 7-character string (1 = non-working). Blank: ``default``.
    ``"1111111"`` (no working day) is the all-zero mask, so WORKDAYS is 0 as Microsoft
    documents for NETWORKDAYS.INTL (the Workweek setting still refuses it).
    """
    from xlpmo.contract.settings import parse_workweek

    value = single(value)
    done, result = _blank_or_error(value, default)
    if done:
        return result
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        code = int(value) if float(value).is_integer() else -1
        if code not in _WEEKEND_CODES:
            raise ArgError(XLError.NUM, f"{value} is not a weekend number")
        off = _WEEKEND_CODES[code]
        return "".join("0" if d in off else "1" for d in range(7))
    if isinstance(value, str) and value.strip() == "1111111":
        return "0000000"
    try:
        return parse_workweek(value)
    except ValueError as exc:
        raise ArgError(XLError.VALUE, str(exc)) from None


def ungrid(result: Any) -> Any:
    """The core's element-wise result back in worksheet form (ndarray -> lists)."""
    if isinstance(result, (np.ndarray, pd.Series)):
        return np.asarray(result, dtype=object).tolist()
    return result


# -- results ------------------------------------------------------------------------------


def like(template: Any, values: Sequence[Any]) -> Any:
    """Lay ``values`` out in the shape of the range they came from.

    A scalar argument gives a scalar, a flat list a flat list, a column (list of
    one-cell rows) a column and a row a row, so a result spills the way its input runs.
    """
    dims = shape(template) if _is_array(template) else None
    if dims is None:
        return values[0] if len(values) == 1 and not _is_array(template) else list(values)
    rows, cols = dims
    if cols == 0:
        return list(values)
    if rows == 1:
        return [list(values)]
    if cols == 1:
        return [[v] for v in values]
    return [list(values[r * cols:(r + 1) * cols]) for r in range(rows)]


def spill(template: Any, values: Sequence[Any]) -> Any:
    """A series result running the way a series argument runs: a row for a row, a flat
    list for a flat (Python) list, else a column (a scalar or a block gives a column)."""
    if _is_array(template):
        if not any(_is_array(item) for item in template):  # a flat (Python) list
            return list(values)
        dims = shape(template)
        if dims is not None and dims[0] == 1 and dims[1] > 1:
            return [list(values)]
    return column(values)


def column(values: Sequence[Any]) -> list[list[Any]]:
    """A vertical spill: one value per row."""
    return [[v] for v in values]


def frame_rows(frame: pd.DataFrame, header: bool = True) -> list[list[Any]]:
    """A DataFrame as lists of rows, with its header row first unless ``header`` is False."""
    body = frame.to_numpy(dtype=object).tolist()
    rows = [list(map(str, frame.columns)), *body] if header else body
    if not rows:  # no header and no data: one blank row rather than an empty spill
        return [[None] * max(1, len(frame.columns))]
    return rows


def to_excel(value: Any) -> Any:
    """A core result as worksheet values.

    XLError -> its text; NaN / missing -> ``#N/A`` (never shown as NaN); numpy scalars ->
    Python numbers; Timestamps -> ``datetime``; NaT -> blank (None); DataFrame -> rows
    with a header; lists recurse.
    """
    if isinstance(value, pd.DataFrame):
        return to_excel(frame_rows(value))
    if isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        return [to_excel(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        arr = _rows_array(value)
        if arr is not None:  # rows of cells: the same conversion, in bulk
            return _excel_cells(arr).tolist()
        return [to_excel(v) for v in value]
    if isinstance(value, XLError):
        return value.value
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return XLError.NA.value
        if math.isinf(number):
            return XLError.NUM.value
        return number
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime(warn=False)
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _excel_cells(arr: np.ndarray) -> np.ndarray:
    """:func:`to_excel` of every cell of an object array (a new array of its shape).

    Python ``float`` cells are checked for NaN / infinity with array operations and
    ``str``, ``int``, ``bool`` and None cells are already worksheet values; cells of any
    other type (XLError, numpy scalars, Timestamps ...) go through :func:`to_excel` one
    by one, so the answer is the same as converting cell by cell.
    """
    out = arr.copy()
    kinds = _type_u(arr)
    floats = _of_type(kinds, float)
    if floats.any():
        numbers = arr[floats].astype(float)
        values = arr[floats]
        values[np.isnan(numbers)] = XLError.NA.value
        values[np.isinf(numbers)] = XLError.NUM.value
        out[floats] = values
    known = floats
    for kind in (str, int, bool, type(None)):
        known |= _of_type(kinds, kind)
    if not known.all():
        odd = ~known
        out[odd] = _to_excel_u(arr[odd])
    return out


_to_excel_u = np.frompyfunc(to_excel, 1, 1)


def excel_function(func: F) -> F:
    """Make a catalogue function Excel-safe: never raises, returns worksheet values.

    numpy's floating-point warnings are silenced: an overflow or 0/0 becomes inf/NaN, which
    :func:`to_excel` turns into the Excel error value the cell shows.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with np.errstate(all="ignore"):
                return to_excel(func(*args, **kwargs))
        except ArgError as exc:
            return exc.error.value
        except Exception:  # a bug or an input no rule foresaw: an error value, no traceback
            return XLError.VALUE.value

    return wrapper  # type: ignore[return-value]
