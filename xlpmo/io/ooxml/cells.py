"""The XML of single cells: text escapes, dates as Excel serials, one value -> cell XML.

(A1 references and ranges are :mod:`xlpmo.io.a1`.)

Cell values are written as:

- numbers as ``<v>`` (shortest round-trip ``repr``); ``inf``/``-inf`` cannot be stored in
  a workbook and become ``#NUM!`` error cells;
- text as an inline string (``t="inlineStr"``), never as a formula, whatever it starts with;
- booleans as ``t="b"``; :class:`~xlpmo.errors.XLError` members as error cells ``t="e"``;
- dates and timestamps as Excel serial numbers (1900 or 1904 date system);
- ``None``/``NaN``/``NaT``/``pd.NA`` as a blank cell.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.errors import XLError

MAX_TEXT = 32_767


# -- text -----------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry, plus CR (parsers turn it into LF): written as _xHHHH_.
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# A literal "_x0041_" in the text must not be decoded as an escape by Excel.
_LITERAL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def escape_text(text: str) -> str:
    """Escape for an XML text node holding an OOXML string (ST_Xstring rules)."""
    if "_x" in text:
        text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _BAD_XML.search(text):
        text = _BAD_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


def escape_attr(text: str) -> str:
    return escape_text(text).replace('"', "&quot;")


def inline_string_body(text: str) -> str:
    return f'<is><t xml:space="preserve">{escape_text(text)}</t></is>'


# -- dates ----------------------------------------------------------------------------------

EPOCH_1900 = pd.Timestamp("1899-12-30")
EPOCH_1904 = pd.Timestamp("1904-01-01")
_FIRST_1900 = pd.Timestamp("1900-01-01")  # serial 1, the first date of the 1900 system
# Excel's 1900 system counts a 29 February 1900 that never was (serial 60): dates before
# 1900-03-01 are one serial lower than EPOCH_1900 gives (1900-01-01 is 1, 1900-02-28 is 59)
_FIRST_SAFE_1900 = pd.Timestamp("1900-03-01")


def to_naive(ts: pd.Timestamp) -> pd.Timestamp:
    """Wall-clock time without a timezone (a tz-aware value keeps its local wall time)."""
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def excel_serial(value: Any, date1904: bool = False) -> float | None:
    """A date/datetime -> Excel serial, or None when Excel cannot show it (before its first
    date, 1900-01-01 or 1904-01-01). In the 1900 system, dates before 1900-03-01 respect
    Excel's leap-year gap (1900-02-28 is 59, 1900-03-01 is 61)."""
    if isinstance(value, pd.Period):
        value = value.start_time
    # microseconds: a nanosecond Timedelta from 1899 overflows after the year 2192
    ts = to_naive(pd.Timestamp(value)).as_unit("us")
    epoch = EPOCH_1904 if date1904 else EPOCH_1900
    if ts < (epoch if date1904 else _FIRST_1900):
        return None
    gap = 0 if date1904 or ts >= _FIRST_SAFE_1900 else 1
    return (ts - epoch) / pd.Timedelta(days=1) - gap


def has_time(value: Any) -> bool:
    ts = pd.Timestamp(value.start_time if isinstance(value, pd.Period) else value)
    return bool(ts.hour or ts.minute or ts.second or ts.microsecond or ts.nanosecond)


def serials(values: pd.Series, date1904: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`excel_serial` for a datetime64 Series: (serials, has_time mask).

    Blank (NaT) and unrepresentable dates come back as NaN.
    """
    dts = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
    dts = dts.dt.as_unit("us")  # a nanosecond difference from 1899 overflows after 2192
    epoch = EPOCH_1904 if date1904 else EPOCH_1900
    floor = epoch if date1904 else _FIRST_1900
    out = ((dts - epoch) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan).copy()
    if not date1904:  # the leap-year gap: before 1900-03-01 one serial lower
        out -= (dts < _FIRST_SAFE_1900).to_numpy(dtype=bool, na_value=False)
    out[(dts < floor).to_numpy(dtype=bool, na_value=False)] = np.nan
    timed = ((dts != dts.dt.normalize()) & dts.notna()).to_numpy(dtype=bool, na_value=False)
    return out, timed


# -- one value -> (type attribute, body, value class) ----------------------------------------

# Value classes decide the number format a cell needs (see xlpmo.io.ooxml.styles).
NUMBER, DATE, DATETIME, OTHER = "number", "date", "datetime", "other"


def is_blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def number_text(x: float) -> str:
    """Shortest text that reads back as the same double."""
    return repr(float(x))


def encode_value(value: Any, date1904: bool = False) -> tuple[str, str, str] | None:
    """One Python value -> ``(t attribute, inner XML, value class)``; None for a blank cell.

    ``t`` is ``""`` for numbers (no attribute). Raises ValueError for text too long for a cell
    and TypeError for values that have no cell representation.
    """
    if is_blank(value):
        return None
    if isinstance(value, XLError):
        return ' t="e"', f"<v>{value.value}</v>", OTHER
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValueError(f"text of {len(value):,} characters is longer than a cell holds "
                             f"({MAX_TEXT:,})")
        return ' t="inlineStr"', inline_string_body(value), OTHER
    if isinstance(value, bool | np.bool_):
        return ' t="b"', "<v>1</v>" if value else "<v>0</v>", OTHER
    if isinstance(value, int | np.integer):
        return "", f"<v>{int(value)}</v>", NUMBER
    if isinstance(value, float | np.floating):
        if math.isinf(value):
            return ' t="e"', f"<v>{XLError.NUM.value}</v>", OTHER
        return "", f"<v>{number_text(value)}</v>", NUMBER
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp | np.datetime64 | pd.Period):
        serial = excel_serial(value, date1904)
        if serial is None:  # before 1900-01-01: Excel cannot show it as a date
            text = pd.Timestamp(getattr(value, "start_time", value)).isoformat()
            return ' t="inlineStr"', inline_string_body(text), OTHER
        klass = DATETIME if has_time(value) else DATE
        return "", f"<v>{number_text(serial)}</v>", klass
    if isinstance(value, dt.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return "", f"<v>{number_text(seconds / 86400)}</v>", NUMBER
    if hasattr(value, "item") and not isinstance(value, np.ndarray):  # numpy scalars, Decimal-like
        return encode_value(value.item(), date1904)
    try:
        as_float = float(value)  # Decimal, Fraction
    except (TypeError, ValueError):
        raise TypeError(
            f"{type(value).__name__} value {value!r} cannot be written to a cell"
        ) from None
    return encode_value(as_float, date1904)
