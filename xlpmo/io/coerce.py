"""Raw cells -> the canonical typed inputs (:class:`xlpmo.contract.model.Inputs`), with findings.

One path for both sources: :func:`xlpmo.io.reader.read_workbook` (a file) and
:meth:`xlpmo.io.reader.RawTable.from_values` (ranges from the Excel layer) give
:class:`~xlpmo.io.reader.RawTable` objects; :func:`coerce_inputs` types them by the column
kinds of :mod:`xlpmo.contract.tables`, column by column (vectorised: only cells that fail get
a finding of their own).

Rules (shared/spec/workbook.md, and decisions where it is silent):

- Headers match case-insensitively after trimming spaces; extra columns are ignored;
  a duplicated header gives a Warning and the first one is read. A missing required
  column is an Error and the table is not read (an empty table stands in).
- Blank cells are ``None`` or text of spaces only. Rows blank in every column read are
  dropped silently. A blank or unreadable value in a required column drops its row
  (Error naming the cell).
- Numbers (kinds money, hours, number, fraction): numeric cells; numeric text
  (``"1,234.50"``, ``"$1,200"``, ``"(300)"`` = -300, ``" 12 "``) is read with a Warning;
  ``"12%"`` is 0.12 in fraction and number columns and an Error in money/hours columns.
  Other text, TRUE/FALSE, dates and error values are Errors and read as blank.
  Thousands separators are commas only; ``"1.234,50"`` is not a number.
- Dates: date cells, Excel serial numbers (1900 or 1904 date system of the workbook) and
  text read by :func:`xlpmo.contract.periods.parse_date` (ISO ``2026-01-15``, day first
  ``15/01/2026``, ``Jan-2026``). Time of day is dropped; periods become the first day of
  their month.
- Booleans: TRUE/FALSE cells, ``yes``/``no``, ``y``/``n``, ``true``/``false``, 1/0;
  blank is the contract default (Billable blank = TRUE); anything else is an Error and
  reads as the default.
- IDs and text: text is trimmed; whole numbers become their digits (``101`` ->
  ``"101"``) so numeric project codes match across tables; a date becomes its ISO text
  (ID columns: with a Warning); error values are Errors (blank).
- Fractions (PercentComplete, Percent): ``45%`` text is 0.45. PercentComplete holds
  values 0..1, or 0..100 when the column holds a value over 1 (then numeric cells are
  divided by 100, Info finding). Percent (allocations may exceed 100 %) is read as 0..100
  only when a value exceeds 2.
- Time-phased tables (tblPlan, tblActuals, tblForecast): long layout when the header has
  ``Period`` and the amount column, else wide layout when headers are months (text such
  as ``2026-01`` or ``Jan-26``, dates, or date serials from 20000 up); an Info finding
  says which. Wide amounts are coerced as money (blank = 0) and reshaped by
  :func:`xlpmo.contract.periods.wide_to_long`.
- Per table, column and kind of problem at most :data:`LIMIT` findings name cells; one
  more says how many further cells have the same problem.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from xlpmo.contract import periods, tables
from xlpmo.contract.model import TABLE_FIELDS, Inputs, empty_frame
from xlpmo.contract.settings import Settings
from xlpmo.errors import Finding, XLError
from xlpmo.io.reader import RawTable, RawWorkbook, address, col_letter, read_workbook

LIMIT = 20

_NUMBER_KINDS = ("money", "hours", "number", "fraction", "index", "periods")
_PCT_OK = ("number", "fraction")
_SCALE_ABOVE = {"PercentComplete": 1.0, "Percent": 2.0}
_DEFAULTS = {"Billable": True}
_TRUE = frozenset({"true", "yes", "y", "1", "wahr", "vrai"})
_FALSE = frozenset({"false", "no", "n", "0", "falsch", "faux"})
_RE_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_CURRENCY = "$€£¥₹"
_EPOCHS = {False: np.datetime64("1899-12-30", "ns"), True: np.datetime64("1904-01-01", "ns")}
_DAY_NS = 86_400_000_000_000
_MIN_SERIAL_HEADER = 20000  # 1954-10-03: smaller numbers in headers are not months
_type_u = np.frompyfunc(type, 1, 1)


# -- where rows came from ---------------------------------------------------------------------


@dataclass(frozen=True)
class SourceMap:
    """The sheet cells behind the rows of one canonical input frame.

    ``rows[i]`` is the 1-based sheet row of canonical row ``i``; ``columns`` maps each
    contract column read from the sheet to its 1-based sheet column. In the wide layout
    the amount of row ``i`` sits in sheet column ``amount_cols[i]``.
    """

    table: str
    sheet: str
    rows: np.ndarray
    columns: dict[str, int]
    amount: str | None = None
    amount_cols: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def cell(self, i: int, column: str | None = None) -> str:
        """The cell of canonical row ``i`` in ``column`` (the row's first read cell when
        the column is not on the sheet)."""
        if column is not None and column == self.amount and self.amount_cols is not None:
            col = int(self.amount_cols[i])
        elif column in self.columns:
            col = self.columns[column]
        else:
            col = min(self.columns.values(), default=1)
        return address(self.sheet, int(self.rows[i]), col)


# -- findings ---------------------------------------------------------------------------------


class _Report:
    """Collects findings; caps the cells named per (table, column, problem)."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, severity: str, table: str, cell: str, message: str) -> None:
        self.findings.append(Finding(severity, table, cell, message))

    def cells(
        self, severity: str, table: str, cells: Callable[[int], str], positions: np.ndarray,
        message: Callable[[int], str], column: str,
    ) -> None:
        """One finding per position (up to LIMIT), then one for the rest."""
        for k in positions[:LIMIT]:
            self.add(severity, table, cells(int(k)), message(int(k)))
        extra = len(positions) - LIMIT
        if extra > 0:
            self.add(severity, table, cells(int(positions[LIMIT])),
                     f"{extra:,} more cells in column {column} have the same problem")


# -- classifying cells ------------------------------------------------------------------------

_BLANK, _TEXT, _NUMBER, _BOOL, _DATE, _ERROR, _OTHER = range(7)
_CODES = {type(None): _BLANK, str: _TEXT, float: _NUMBER, int: _NUMBER, bool: _BOOL,
          dt.datetime: _DATE, pd.Timestamp: _DATE, XLError: _ERROR}


@dataclass
class _Kinds:
    """What each cell of a column holds (boolean masks) and its trimmed text."""

    blank: np.ndarray  # None, or text of spaces only
    error: np.ndarray  # error values, and text such as "#N/A"
    number: np.ndarray
    text: np.ndarray  # non-blank text that is not an error value
    boolean: np.ndarray
    date: np.ndarray
    stripped: np.ndarray  # the trimmed text where ``text``

    def take(self, rows: np.ndarray) -> _Kinds:
        return _Kinds(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


_FAST = {"floating": _NUMBER, "integer": _NUMBER, "mixed-integer-float": _NUMBER,
         "string": _TEXT, "boolean": _BOOL, "datetime": _DATE, "empty": _BLANK}


def _type_codes(values: np.ndarray) -> np.ndarray:
    """A _BLANK/_TEXT/... code per cell; one C pass when the column holds one type."""
    if not len(values):
        return np.empty(0, dtype=np.int8)
    fast = _FAST.get(infer_dtype(values, skipna=True))
    if fast is not None:
        codes = np.full(len(values), fast, dtype=np.int8)
        codes[pd.isna(values)] = _BLANK  # the reader made every blank None
        return codes
    f, uniques = pd.factorize(_type_u(values))
    return np.array([_CODES.get(u, _OTHER) for u in uniques], dtype=np.int8)[f]


def _classify(values: np.ndarray) -> _Kinds:
    n = len(values)
    codes = _type_codes(values)
    stripped = np.empty(n, dtype=object)
    is_str = (codes == _TEXT) | (codes == _OTHER)
    blank = codes == _BLANK
    error = codes == _ERROR
    if is_str.any():
        f, uniques = pd.factorize(values[is_str])
        trimmed = np.empty(len(uniques), dtype=object)
        trimmed[:] = [str(u).strip() for u in uniques]
        err_text = np.array([t[:1] == "#" and XLError.parse(t) is not None for t in trimmed],
                            dtype=bool)
        stripped[is_str] = trimmed[f]
        empty = np.zeros(n, dtype=bool)
        empty[is_str] = trimmed[f] == ""
        as_err = np.zeros(n, dtype=bool)
        as_err[is_str] = err_text[f]
        blank |= empty
        error |= as_err
        is_str &= ~(empty | as_err)
    return _Kinds(blank, error, codes == _NUMBER, is_str, codes == _BOOL, codes == _DATE,
                  stripped)


@dataclass
class _Column:
    """One raw column being coerced: its values (rows kept) and how to name their cells."""

    raw: RawTable
    name: str  # contract column name
    index: int  # raw column index
    rows: np.ndarray  # raw data row indices of the values
    values: np.ndarray
    kinds: _Kinds
    report: _Report
    suffix: str  # what happens to a bad value: "; read as blank" / "; row ignored"

    def cell(self, k: int) -> str:
        return self.raw.cell(int(self.rows[k]), self.index)

    def flag(self, severity: str, mask: np.ndarray, message: Callable[[Any], str],
             suffix: str | None = None) -> None:
        """Findings for the cells in ``mask``; ``suffix`` defaults to the column's."""
        pos = np.flatnonzero(mask)
        end = self.suffix if suffix is None else suffix
        if len(pos):
            self.report.cells(severity, self.raw.name, self.cell, pos,
                              lambda k: message(self.values[k]) + end, self.name)


class _Table:
    """A raw table being coerced: classifies each column once, names cells, reports."""

    def __init__(self, raw: RawTable, report: _Report) -> None:
        self.raw = raw
        self.report = report
        self._kinds: dict[int, _Kinds] = {}

    def kinds(self, j: int) -> _Kinds:
        if j not in self._kinds:
            self._kinds[j] = _classify(self.raw.data[:, j] if len(self.raw.data) else
                                       np.empty(0, dtype=object))
        return self._kinds[j]

    def classify_numbers(self, cols: list[int]) -> None:
        """Classify many columns at once when together they hold only numbers and blanks
        (the month columns of a wide plan): each gets the :class:`_Kinds` :func:`_classify`
        would give it, without a pass per column. Otherwise nothing is done here and
        :meth:`kinds` classifies column by column."""
        todo = [j for j in dict.fromkeys(cols) if j not in self._kinds]
        n = len(self.raw.data)
        if len(todo) < 2 or not n:
            return
        block = self.raw.data[:, todo]
        if _FAST.get(infer_dtype(block.ravel(), skipna=True)) != _NUMBER:
            return
        blank = pd.isna(block)
        for k, j in enumerate(todo):
            self._kinds[j] = _Kinds(
                blank[:, k].copy(), np.zeros(n, dtype=bool), ~blank[:, k],
                np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool),
                np.empty(n, dtype=object))

    def used_rows(self, cols: list[int]) -> np.ndarray:
        """Indices of the rows with a non-blank value in any of ``cols``."""
        if not len(self.raw.data) or not cols:
            return np.arange(0)
        filled = np.zeros(len(self.raw.data), dtype=bool)
        for j in cols:
            filled |= ~self.kinds(j).blank
        return np.flatnonzero(filled)

    def column(self, name: str, j: int, rows: np.ndarray, suffix: str) -> _Column:
        kinds = self.kinds(j)
        if len(rows) == len(self.raw.data):  # every row: no copy
            values = self.raw.data[:, j]
        else:
            kinds = kinds.take(rows)
            values = self.raw.data[rows, j] if len(rows) else np.empty(0, dtype=object)
        return _Column(self.raw, name, j, rows, values, kinds, self.report, suffix)


def _map_unique(texts: np.ndarray, fn: Callable[[str], Any]) -> np.ndarray:
    """Apply ``fn`` once per distinct text; object array aligned with ``texts``."""
    if not len(texts):
        return np.empty(0, dtype=object)
    codes, uniques = pd.factorize(texts)
    results = np.empty(len(uniques), dtype=object)
    results[:] = [fn(u) for u in uniques]
    return results[codes]


def _show(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _flag_common(col: _Column, k: _Kinds, what: str, *, booleans: bool = True,
                 dates: bool = True) -> None:
    col.flag("Error", k.error, lambda v: f"{XLError.parse(v)} in an input cell")
    if booleans:
        col.flag("Error", k.boolean, lambda v: f"{_show(v)} where {what} belongs")
    if dates:
        col.flag("Error", k.date, lambda v: f"a date ({_show(v)}) where {what} belongs")


# -- numbers ----------------------------------------------------------------------------------


def parse_number(text: str) -> tuple[float, bool] | None:
    """Numeric text -> (value, was a percentage) or None (``"(1,200.5)"`` -> -1200.5)."""
    s = text.strip().replace("\u00a0", "")
    negative = len(s) > 2 and s[0] == "(" and s[-1] == ")"
    if negative:
        s = s[1:-1].strip()
    pct = s.endswith("%")
    if pct:
        s = s[:-1].strip()
    sign = ""
    if s[:1] in "+-" and s[:1]:
        sign, s = s[0], s[1:].strip()
    if s[:1] and s[0] in _CURRENCY:
        s = s[1:].strip()
    if s[:1] in "+-" and s[:1] and not sign:
        sign, s = s[0], s[1:].strip()
    if not s or not any(c.isdigit() for c in s) or not _RE_NUMBER.match(s):
        return None
    try:
        value = float(sign + s.replace(",", ""))
    except ValueError:
        return None
    if not np.isfinite(value):
        return None
    if negative:
        value = -value
    return (value / 100 if pct else value), pct


def _numbers(col: _Column, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """-> (floats with NaN for blank/bad, mask of cells that were percentage text)."""
    v = col.values
    k = col.kinds
    out = np.full(len(v), np.nan)
    if k.number.any():
        out[k.number] = v[k.number].astype(float)
        bad = k.number & ~np.isfinite(out)
        out[bad] = np.nan
        col.flag("Error", bad, lambda x: f"{_show(x)} is not a number")
    pct = np.zeros(len(v), dtype=bool)
    if k.text.any():
        parsed = _map_unique(k.stripped[k.text], parse_number)
        ok = np.array([p is not None for p in parsed], dtype=bool)
        is_pct = np.array([p is not None and p[1] for p in parsed], dtype=bool)
        if kind not in _PCT_OK:
            ok &= ~is_pct
        idx = np.flatnonzero(k.text)
        good = idx[ok]
        out[good] = [p[0] for p in parsed[ok]]
        pct[idx[ok & is_pct]] = True
        fails = np.zeros(len(v), dtype=bool)
        fails[idx[~ok]] = True
        pct_bad = np.zeros(len(v), dtype=bool)
        pct_bad[idx[~ok & is_pct]] = True
        col.flag("Error", pct_bad, lambda x: f"percentage {x.strip()!r} where an amount belongs")
        col.flag("Error", fails & ~pct_bad,
                 lambda x: f"text {x.strip()!r} where a number belongs")
        shown = np.zeros(len(v), dtype=bool)
        shown[good] = True
        col.flag("Warning", shown,
                 lambda x: f"number stored as text {x.strip()!r}, read as "
                           f"{parse_number(x)[0]:g}", suffix="")  # type: ignore[index]
    _flag_common(col, k, "a number")
    return out, pct


def _scale_percent(col: _Column, out: np.ndarray, pct: np.ndarray) -> np.ndarray:
    """0..100 columns -> fractions (workbook.md: PercentComplete 0–100 accepted)."""
    limit = _SCALE_ABOVE.get(col.name)
    numeric = ~pct & ~np.isnan(out)
    if limit is None or not numeric.any() or np.nanmax(out[numeric]) <= limit:
        return out
    out = out.copy()
    out[numeric] /= 100.0
    col.report.add("Info", col.raw.name, col.raw.name,
                   f"{col.name} holds values over {limit:g}: read as percentages 0–100 "
                   f"(e.g. 45 is 45 %)")
    return out


# -- dates ------------------------------------------------------------------------------------


_NS_FIRST = np.datetime64("1677-09-22", "us")  # whole days datetime64[ns] can hold
_NS_LAST = np.datetime64("2262-04-11", "us")


def _dates(col: _Column, month: bool) -> np.ndarray:
    """-> datetime64[ns] (NaT for blank/bad); dates at midnight, or month starts.

    Dates outside what datetime64[ns] holds (1677-09-22 .. 2262-04-11), such as the
    placeholder 9999-12-31, are read as blank with a Warning.
    """
    v = col.values
    k = col.kinds
    what = "a month" if month else "a date"
    us = np.full(len(v), np.datetime64("NaT"), dtype="datetime64[us]")
    if k.date.any():
        with warnings.catch_warnings():  # tz-aware datetimes: taken as they are
            warnings.simplefilter("ignore")
            codes, uniques = pd.factorize(v[k.date])  # dates repeat: convert each once
            us[k.date] = np.asarray(uniques, dtype=object).astype("datetime64[us]")[codes]
    if k.number.any():
        serial = v[k.number].astype(float)
        ok = (serial >= 1) & (serial <= periods.MAX_SERIAL)
        idx = np.flatnonzero(k.number)
        epoch = _EPOCHS[col.raw.date1904].astype("datetime64[us]")
        us[idx[ok]] = epoch + (serial[ok] * 86_400e6).round().astype("timedelta64[us]")
        bad = np.zeros(len(v), dtype=bool)
        bad[idx[~ok]] = True
        col.flag("Error", bad, lambda x: f"number {_show(x)} is not {what}")
    if k.text.any():
        parsed = _map_unique(k.stripped[k.text], periods.parse_date)
        ok = np.array([p is not None for p in parsed], dtype=bool)
        idx = np.flatnonzero(k.text)
        if ok.any():
            us[idx[ok]] = np.array([p.to_datetime64() for p in parsed[ok]]).astype(
                "datetime64[us]")
        bad = np.zeros(len(v), dtype=bool)
        bad[idx[~ok]] = True
        col.flag("Error", bad, lambda x: f"text {x.strip()!r} where {what} belongs")
    _flag_common(col, k, what, dates=False)
    us = us.astype("datetime64[M]" if month else "datetime64[D]").astype("datetime64[us]")
    far = ~np.isnat(us) & ((us < _NS_FIRST) | (us > _NS_LAST))
    col.flag("Warning", far, lambda x: f"{_show(x)} is a date outside the years 1678–2261 "
             "that xlpmo handles", suffix=col.suffix.replace("blank", "blank (no date)"))
    us[far] = np.datetime64("NaT")
    return us.astype("datetime64[ns]")


# -- booleans, ids, text ----------------------------------------------------------------------


def _bools(col: _Column, default: bool) -> np.ndarray:
    v = col.values
    k = col.kinds
    out = np.full(len(v), default, dtype=bool)
    out[k.boolean] = v[k.boolean].astype(bool)
    if k.number.any():
        nums = v[k.number].astype(float)
        idx = np.flatnonzero(k.number)
        out[idx[nums == 1]] = True
        out[idx[nums == 0]] = False
        bad = np.zeros(len(v), dtype=bool)
        bad[idx[(nums != 1) & (nums != 0)]] = True
        col.flag("Error", bad, lambda x: f"{_show(x)} is not TRUE or FALSE")
    if k.text.any():
        low = _map_unique(k.stripped[k.text], str.lower)
        idx = np.flatnonzero(k.text)
        yes = np.isin(low, list(_TRUE))
        no = np.isin(low, list(_FALSE))
        out[idx[yes]] = True
        out[idx[no]] = False
        bad = np.zeros(len(v), dtype=bool)
        bad[idx[~(yes | no)]] = True
        col.flag("Error", bad, lambda x: f"text {x.strip()!r} is not TRUE or FALSE")
    _flag_common(col, k, "TRUE or FALSE", booleans=False)
    return out


def _number_text(values: np.ndarray) -> np.ndarray:
    floats = values.astype(float)
    out = np.empty(len(values), dtype=object)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(floats) & (np.mod(floats, 1) == 0) & (np.abs(floats) < 2**53)
    out[whole] = [str(int(x)) for x in floats[whole]]
    out[~whole] = [repr(float(x)) for x in floats[~whole]]
    return out


def _texts(col: _Column, is_id: bool) -> np.ndarray:
    v = col.values
    k = col.kinds
    out = np.full(len(v), None, dtype=object)
    out[k.text] = k.stripped[k.text]
    if k.number.any():
        out[k.number] = _number_text(v[k.number])
    if k.date.any():
        out[k.date] = [_show(x) for x in v[k.date]]
        if is_id:
            col.flag("Warning", k.date, lambda x: f"a date ({_show(x)}) as an ID, read as text",
                     suffix="")
    if k.boolean.any():
        if is_id:
            out[k.boolean] = None
            col.flag("Error", k.boolean, lambda x: f"{_show(x)} is not an ID")
        else:
            out[k.boolean] = ["TRUE" if x else "FALSE" for x in v[k.boolean]]
    col.flag("Error", k.error, lambda x: f"{XLError.parse(x)} in an input cell")
    return out


# -- tables -----------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return text.strip().casefold()


def _loose(text: str) -> str:
    return re.sub(r"[\s_\-.]", "", text).casefold()


def _match_header(t: _Table) -> dict[str, int]:
    """Normalised header text -> raw column index (first one wins, duplicates reported)."""
    raw = t.raw
    first: dict[str, int] = {}
    for j, h in enumerate(raw.header):
        key = _norm(h)
        if not key:
            continue
        if key in first:
            a, b = col_letter(raw.first_col + first[key]), col_letter(raw.first_col + j)
            t.report.add("Warning", raw.name, raw.cell(-1, j),
                         f"header {h.strip()!r} appears twice (columns {a} and {b}): "
                         "the first one is read")
            continue
        first[key] = j
    return first


def _missing(t: _Table, spec: tables.TableSpec, names: list[str]) -> None:
    loose = {_loose(h): h for h in t.raw.header if h.strip()}
    for name in names:
        hint = loose.get(_loose(name))
        extra = f" (found {hint.strip()!r}: rename it to {name})" if hint else ""
        t.report.add("Error", spec.name, spec.name,
                     f"{spec.name} has no {name} column{extra}; the table is not read")


def _header_period(text: str) -> pd.Timestamp | None:
    """The month a wide-layout header names; None for other headers and for months outside
    what datetime64[ns] holds (``3162-07``, serial 461132: such a column is not a month)."""
    found = periods.parse_period(text)
    if found is None:
        try:
            number = float(text)
        except ValueError:
            return None
        if _MIN_SERIAL_HEADER <= number <= periods.MAX_SERIAL:
            found = periods.parse_period(number)
    if found is None or not _NS_FIRST <= np.datetime64(found, "us") <= _NS_LAST:
        return None
    return found


def _coerce_column(col: _Column, kind: str) -> np.ndarray:
    if kind in _NUMBER_KINDS:
        out, pct = _numbers(col, kind)
        return _scale_percent(col, out, pct) if kind == "fraction" else out
    if kind in ("date", "timestamp"):
        return _dates(col, month=False)
    if kind == "period":
        return _dates(col, month=True)
    if kind == "bool":
        return _bools(col, _DEFAULTS.get(col.name, False))
    return _texts(col, is_id=kind == "id")


def _blank_of(kind: str, n: int) -> np.ndarray:
    if kind in _NUMBER_KINDS:
        return np.full(n, np.nan)
    if kind in ("date", "timestamp", "period"):
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if kind == "bool":
        return np.full(n, False)
    return np.full(n, None, dtype=object)


def _is_missing(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind == "M":
        return np.isnat(values)
    if values.dtype == bool:
        return np.zeros(len(values), dtype=bool)
    return np.equal(values, None)


def _read_columns(
    t: _Table, columns: tuple[tables.Column, ...], where: dict[str, int], rows: np.ndarray,
    required: set[str], either: tuple[str, ...] = (),
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Coerce the contract columns; -> (columns, mask of rows whose required values read).
    ``either``: columns of which a row needs one value (ResourceID or Role); an unreadable
    one drops its row (never read as the other kind)."""
    out: dict[str, np.ndarray] = {}
    keep, given, first = np.ones(len(rows), dtype=bool), np.zeros(len(rows), dtype=bool), None
    for c in columns:
        j = where.get(c.name)
        if j is None:
            out[c.name] = _blank_of(c.kind, len(rows))
            if c.name in _DEFAULTS:
                out[c.name][:] = _DEFAULTS[c.name]
            continue
        is_required, one_of = c.name in required, c.name in either
        col = t.column(c.name, j, rows, "; row ignored" if is_required or one_of else
                       "; read as blank")
        values = _coerce_column(col, c.kind)
        out[c.name] = values
        if is_required:
            missing = _is_missing(values)
            col.flag("Error", missing & col.kinds.blank, lambda _x, n=c.name: f"blank {n}")
            keep &= ~missing
        if one_of:
            missing = _is_missing(values)
            keep, given, first = keep & (~missing | col.kinds.blank), given | ~missing, first or col
    if first is not None:
        names = " and ".join(n for n in either if n in where)
        first.flag("Error", keep & ~given, lambda _x: f"blank {names}")
        keep &= given
    return out, keep


def _frame(spec: tables.TableSpec, cols: dict[str, np.ndarray], keep: np.ndarray) -> pd.DataFrame:
    template = empty_frame(spec)
    return pd.DataFrame(
        {c.name: pd.Series(cols[c.name][keep], dtype=template[c.name].dtype)
         for c in spec.columns},
        columns=spec.column_names,
    )


def _where(spec_columns: list[str], header: dict[str, int]) -> dict[str, int]:
    return {name: header[_norm(name)] for name in spec_columns if _norm(name) in header}


def _source(raw: RawTable, where: dict[str, int], rows: np.ndarray, **extra: Any) -> SourceMap:
    return SourceMap(
        raw.name, raw.sheet, (raw.first_row + 1 + rows).astype(np.int64),
        {name: raw.first_col + j for name, j in where.items()}, **extra,
    )


def coerce_table(
    raw: RawTable, spec: tables.TableSpec
) -> tuple[pd.DataFrame, SourceMap | None, list[Finding]]:
    """One raw table -> (canonical frame, where its rows came from, findings)."""
    report = _Report()
    frame, source = _coerce_table(_Table(raw, report), spec)
    return frame, source, report.findings


def _coerce_table(t: _Table, spec: tables.TableSpec) -> tuple[pd.DataFrame, SourceMap | None]:
    header = _match_header(t)
    where = _where(spec.column_names, header)
    if spec.amount is not None:
        return _time_phased(t, spec, where)
    missing = [c for c in spec.required_columns if c not in where]
    if spec.either and not any(c in where for c in spec.either):
        missing.append(" or ".join(spec.either))
    if missing:
        _missing(t, spec, missing)
        return empty_frame(spec), None
    rows = t.used_rows(list(where.values()))
    cols, keep = _read_columns(t, spec.columns, where, rows, set(spec.required_columns),
                               spec.either)
    return _frame(spec, cols, keep), _source(t.raw, where, rows[keep])


def _time_phased(
    t: _Table, spec: tables.TableSpec, where: dict[str, int]
) -> tuple[pd.DataFrame, SourceMap | None]:
    amount = spec.amount or ""
    if "Period" in where and amount in where:
        if "ProjectID" not in where:
            _missing(t, spec, ["ProjectID"])
            return empty_frame(spec), None
        rows = t.used_rows(list(where.values()))
        cols, keep = _read_columns(t, spec.columns, where, rows, {"ProjectID", "Period"})
        cols[amount] = np.nan_to_num(cols[amount], nan=0.0)  # blank means 0
        t.report.add("Info", spec.name, spec.name,
                     f"{spec.name}: long layout, {int(keep.sum()):,} rows")
        return _frame(spec, cols, keep), _source(t.raw, where, rows[keep])

    taken = set(where.values())
    months = {j: m for j, h in enumerate(t.raw.header)
              if j not in taken and (m := _header_period(h)) is not None}
    if not months:
        if "Period" in where or amount in where:
            have, lack = ("Period", amount) if "Period" in where else (amount, "Period")
            message = (f"{spec.name} has a {have} column but no {lack} column, and no month "
                       "columns; the table is not read")
        else:
            message = (f"{spec.name} has neither Period and {amount} columns (long layout) "
                       "nor month columns such as 2026-01 (wide layout); the table is not read")
        t.report.add("Error", spec.name, spec.name, message)
        return empty_frame(spec), None
    if "ProjectID" not in where:
        _missing(t, spec, ["ProjectID"])
        return empty_frame(spec), None
    return _wide(t, spec, where, months)


_ID_COLUMNS = ("ProjectID", "CostType")


def _wide(
    t: _Table, spec: tables.TableSpec, where: dict[str, int], months: dict[int, pd.Timestamp]
) -> tuple[pd.DataFrame, SourceMap]:
    """Wide layout -> long via :func:`periods.wide_to_long`, keeping each row's cells."""
    raw, amount = t.raw, spec.amount or ""
    ids = {name: j for name, j in where.items() if name in _ID_COLUMNS}
    t.classify_numbers(list(months))
    rows = t.used_rows([*ids.values(), *months])
    id_specs = tuple(c for c in spec.columns if c.name in _ID_COLUMNS)
    cols, keep = _read_columns(t, id_specs, ids, rows, {"ProjectID"})
    wide = pd.DataFrame({name: pd.Series(cols[name][keep], dtype=object) for name in _ID_COLUMNS})
    first_col: dict[pd.Timestamp, int] = {}
    period_of: dict[str, pd.Timestamp] = {}
    amounts: dict[str, np.ndarray] = {}
    for j, month in months.items():
        if month in first_col:
            a, b = col_letter(raw.first_col + first_col[month]), col_letter(raw.first_col + j)
            t.report.add("Warning", spec.name, raw.cell(-1, j),
                         f"two columns for {month:%Y-%m} ({a} and {b}): their amounts are added")
        else:
            first_col[month] = j
        values, _ = _numbers(t.column(f"{month:%Y-%m}", j, rows, "; read as 0"), "money")
        amounts[f"_m{j}"] = values[keep]
        period_of[f"_m{j}"] = month
    wide = pd.concat([wide, pd.DataFrame(amounts, index=wide.index)], axis=1)
    long = periods.wide_to_long(wide, amount, list(_ID_COLUMNS), period_of)
    kept = rows[keep]
    n_rows, n_months = len(wide), len(period_of)
    simple = (len(first_col) == n_months and len(long) == n_rows * n_months
              and not wide.duplicated(list(_ID_COLUMNS)).any())
    month_cols = np.array([raw.first_col + first_col[m] for m in first_col], dtype=np.int64)
    if simple:  # one long row per (wide row, month), in that order
        src_rows = np.repeat(kept, n_months)
        amount_cols = np.tile(month_cols, n_rows)
    else:  # duplicated rows or months were added together: name the first of each
        keys = list(_ID_COLUMNS)
        first = wide[keys].astype(object).assign(_row=np.arange(n_rows)).drop_duplicates(keys)
        located = long[keys].astype(object).merge(first, how="left", on=keys)
        src_rows = kept[located["_row"].to_numpy(dtype=np.int64)]
        col_of = {m: raw.first_col + j for m, j in first_col.items()}
        amount_cols = long["Period"].map(col_of).to_numpy(dtype=np.int64)
    cost = long["CostType"].to_numpy(dtype=object, copy=True)  # a view may be read-only
    cost[pd.isna(cost)] = None
    frame = pd.DataFrame({
        "ProjectID": pd.Series(long["ProjectID"].to_numpy(dtype=object), dtype=object),
        "Period": pd.Series(long["Period"].to_numpy(dtype="datetime64[ns]")),
        "CostType": pd.Series(cost, dtype=object),
        amount: pd.Series(long[amount].to_numpy(dtype=float)),
    }, columns=spec.column_names)
    t.report.add("Info", spec.name, spec.name,
                 f"{spec.name}: wide layout, {len(first_col)} months ({min(first_col):%Y-%m} "
                 f"to {max(first_col):%Y-%m}), {n_rows:,} rows")
    return frame, _source(raw, ids, src_rows, amount=amount, amount_cols=amount_cols)


# -- the whole workbook -----------------------------------------------------------------------


def _config(t: _Table) -> Settings:
    where = _where(tables.CONFIG.column_names, _match_header(t))
    missing = [c for c in tables.CONFIG.required_columns if c not in where]
    if missing:
        _missing(t, tables.CONFIG, missing)
        return Settings()
    js, jv = where["Setting"], where["Value"]
    rows = t.used_rows([js])
    pairs = [(t.raw.data[i, js], t.raw.data[i, jv]) for i in rows]
    settings, found = Settings.from_pairs(pairs, [t.raw.cell(int(i), jv) for i in rows])
    t.report.findings.extend(found)
    return settings


def coerce_inputs(raw: dict[str, RawTable]) -> tuple[Inputs, list[Finding]]:
    """Raw input tables (keyed by table name, any case) -> canonical Inputs + findings.

    Output tables in ``raw`` are ignored. ``Inputs.present`` names the input tables the
    workbook has; one that cannot be read (a required column missing) is present with an
    empty frame and an Error finding. ``Inputs.sources`` maps each table read to its
    :class:`SourceMap`.
    """
    report = _Report()
    fields: dict[str, Any] = {}
    sources: dict[str, SourceMap] = {}
    present = set()
    for key, table in raw.items():
        try:
            spec = tables.spec(key)
        except KeyError:
            continue
        if spec.name not in tables.INPUTS:
            continue
        present.add(spec.name)
        t = _Table(table, report)
        if spec is tables.CONFIG:
            fields["settings"] = _config(t)
            continue
        frame, source = _coerce_table(t, spec)
        fields[TABLE_FIELDS[spec.name]] = frame
        if source is not None:
            sources[spec.name] = source
    inputs = Inputs(**fields, present=frozenset(present), sources=sources)
    return inputs, report.findings


def load_inputs(path: str | os.PathLike[str]) -> tuple[Inputs, list[Finding], RawWorkbook]:
    """Read a workbook file and coerce its inputs: (inputs, findings, raw workbook).

    The raw workbook holds the input tables only (``read_workbook(path, outputs=False)``).
    """
    book = read_workbook(path, outputs=False)
    inputs, findings = coerce_inputs(book.tables)
    return inputs, [*book.findings, *findings], book
