"""A1 references, ranges, and the XML of single cells.

Rows and columns are 1-based, as in Excel (``A1`` is row 1, column 1).

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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.errors import XLError, XlpmoError

MAX_ROWS = 1_048_576
MAX_COLS = 16_384
MAX_TEXT = 32_767

_LETTERS_CACHE: dict[str, int] = {}
_COL_CACHE: dict[int, str] = {}
_REF_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def col_letter(col: int) -> str:
    """1 -> ``A``, 27 -> ``AA``."""
    cached = _COL_CACHE.get(col)
    if cached is not None:
        return cached
    if not 1 <= col <= MAX_COLS:
        raise ValueError(f"column {col} is outside 1..{MAX_COLS}")
    n, out = col, ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    _COL_CACHE[col] = out
    return out


def col_index(letters: str) -> int:
    """``A`` -> 1, ``AA`` -> 27 (case-insensitive)."""
    cached = _LETTERS_CACHE.get(letters)
    if cached is not None:
        return cached
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"not a column: {letters!r}")
        n = n * 26 + ord(ch) - 64
    _LETTERS_CACHE[letters] = n
    return n


def ref_col(ref: str) -> int:
    """Column of an A1 reference, fast (``"AB12"`` -> 28)."""
    return col_index(ref.rstrip("0123456789"))


def letters_any(col: int) -> str:
    """Column letters of any column number, even past the sheet (16,385 -> ``XFE``)."""
    if 1 <= col <= MAX_COLS:
        return col_letter(col)
    n, out = col, ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def parse_ref(ref: str) -> tuple[int, int]:
    """``"B3"`` -> ``(3, 2)`` as (row, column); ``$`` anchors are ignored."""
    m = _REF_RE.match(ref.strip())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_index(m.group(1))


def cell_ref(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


@dataclass(frozen=True)
class CellRange:
    """A rectangle of cells, inclusive: rows ``r1..r2``, columns ``c1..c2``."""

    r1: int
    c1: int
    r2: int
    c2: int

    @classmethod
    def parse(cls, text: str) -> CellRange:
        """``"A1:C10"`` or ``"B2"`` (a sheet prefix ``Sheet1!`` is dropped)."""
        text = text.split("!")[-1].strip()
        first, _, last = text.partition(":")
        r1, c1 = parse_ref(first)
        r2, c2 = parse_ref(last) if last else (r1, c1)
        return cls(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))

    @classmethod
    def parse_sqref(cls, text: str) -> list[CellRange]:
        """Space-separated ranges (``sqref``/``mergeCell ref``); whole rows/columns skipped."""
        out = []
        for part in text.split():
            try:
                out.append(cls.parse(part))
            except ValueError:
                continue
        return out

    def __str__(self) -> str:
        a = f"{letters_any(self.c1)}{self.r1}"
        if (self.r1, self.c1) == (self.r2, self.c2):
            return a
        return f"{a}:{letters_any(self.c2)}{self.r2}"

    @property
    def rows(self) -> int:
        return self.r2 - self.r1 + 1

    @property
    def cols(self) -> int:
        return self.c2 - self.c1 + 1

    def contains(self, row: int, col: int) -> bool:
        return self.r1 <= row <= self.r2 and self.c1 <= col <= self.c2

    def contains_range(self, other: CellRange) -> bool:
        return (
            self.r1 <= other.r1 and other.r2 <= self.r2
            and self.c1 <= other.c1 and other.c2 <= self.c2
        )

    def intersects(self, other: CellRange) -> bool:
        return not (
            other.r2 < self.r1 or other.r1 > self.r2 or other.c2 < self.c1 or other.c1 > self.c2
        )

    def union(self, other: CellRange) -> CellRange:
        return CellRange(
            min(self.r1, other.r1), min(self.c1, other.c1),
            max(self.r2, other.r2), max(self.c2, other.c2),
        )

    def beyond_sheet(self) -> str | None:
        """Why the range does not fit on an Excel sheet (``row 1,200,001, past the sheet's
        last row 1,048,576``), or None when it fits."""
        over = []
        if self.r2 > MAX_ROWS:
            over.append(f"row {self.r2:,}, past the sheet's last row {MAX_ROWS:,}")
        if self.c2 > MAX_COLS:
            over.append(f"column {letters_any(self.c2)} ({self.c2:,}), past the sheet's last "
                        f"column {col_letter(MAX_COLS)} ({MAX_COLS:,})")
        return " and ".join(over) or None

    def check_bounds(self, what: str) -> None:
        """Raise when the range does not fit; ``what`` says who needs it
        (``tblForecastOut needs ForecastOut!A1:G1200001``)."""
        why = self.beyond_sheet()
        if why is not None:
            raise XlpmoError(f"{what}: that reaches {why}")


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
