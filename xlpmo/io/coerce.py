"""Raw cells -> the canonical typed inputs (:class:`xlpmo.contract.model.Inputs`), with findings.

One path for both sources: :func:`xlpmo.io.reader.read_workbook` (a file) and
:meth:`xlpmo.io.reader.RawTable.from_values` (ranges from the Excel layer) give
:class:`~xlpmo.io.reader.RawTable` objects; :func:`coerce_inputs` types them by the column
kinds of :mod:`xlpmo.contract.tables`, column by column (vectorised: only cells that fail get
a finding of their own).

Rules (shared/spec/workbook.md v2, "Reading values", and decisions where it is silent):

- Headers: see :mod:`xlpmo.io.headers` (decoded, trimmed, case ignored; near-miss names
  read with a Warning; month headers read as one set). A missing required column is an
  Error and the table is not read (an empty table stands in).
- Blank cells are ``None`` or text of spaces only. Rows blank in every column read are
  dropped silently. A blank or unreadable value in a required column drops its row
  (Error naming the cell); a required column blank in every row is one Error naming it.
- Numbers (kinds money, hours, number, fraction): numeric cells; numeric text read by
  :func:`xlpmo.io.parse.parse_number` (``"1,234.50"``, ``"$1,200"``, ``"(300)"``) with a
  Warning; ``"12%"`` is 0.12 in fraction and number columns and an Error in money/hours
  columns. Other text, TRUE/FALSE, dates and error values are Errors and read as blank.
- Percentages (PercentComplete, allocation Percent): see :mod:`xlpmo.io.percent`.
- Dates: date cells, Excel serial numbers (1900 or 1904 date system of the workbook; the
  1900 system's leap-year gap respected) and text read by :mod:`xlpmo.io.parse` under the
  ``DateOrder`` setting (an ambiguous text date with no DateOrder is read day-first with a
  Warning naming the cell). Time of day is dropped; periods become the first day of
  their month.
- Formula cells without a saved value (:class:`xlpmo.io.cellxml.Uncalculated`) are Errors,
  like error values: never 0 or blank.
- Booleans: TRUE/FALSE cells, ``yes``/``no``, ``y``/``n``, ``true``/``false``, 1/0;
  blank is the contract default (Billable blank = TRUE); anything else is an Error and
  reads as the default.
- IDs and text: text is trimmed; whole numbers become their digits (``101`` ->
  ``"101"``) so numeric project codes match across tables; a date becomes its ISO text
  (ID columns: with a Warning); error values are Errors (blank).
- Time-phased tables (tblPlan, tblActuals, tblForecast): long layout when the header has
  ``Period`` and the amount column, else wide layout when headers are months; an Info
  finding says which. Wide amounts are coerced as money (blank = 0) and reshaped by
  :func:`xlpmo.contract.periods.wide_to_long`.
- A required table present but unusable (a required column missing, every row rejected,
  or an unreadable StatusDate in tblConfig) is listed in ``Inputs.unusable``: refresh
  stops as for a missing table.
- Per table, column and kind of problem at most :data:`LIMIT` findings name cells; one
  more says how many further cells have the same problem.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from xlpmo.contract import periods, tables
from xlpmo.contract.model import TABLE_FIELDS, Inputs, empty_frame
from xlpmo.contract.settings import Settings
from xlpmo.errors import Finding, XLError
from xlpmo.io import headers
from xlpmo.io.cellxml import Uncalculated
from xlpmo.io.parse import date_problem, parse_number, text_date
from xlpmo.io.percent import read_fractions
from xlpmo.io.reader import RawTable, RawWorkbook, address, read_workbook

LIMIT = 20

_NUMBER_KINDS = ("money", "hours", "number", "fraction", "index", "periods")
_PCT_OK = ("number", "fraction")
_DEFAULTS = {"Billable": True}
_TRUE = frozenset({"true", "yes", "y", "1", "wahr", "vrai"})
_FALSE = frozenset({"false", "no", "n", "0", "falsch", "faux"})
_EPOCHS = {False: np.datetime64("1899-12-30", "ns"), True: np.datetime64("1904-01-01", "ns")}
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

    def add(self, severity: str, table: str, cell: str, message: str,
            changed: bool = False) -> None:
        self.findings.append(Finding(severity, table, cell, message, changed_number=changed))

    def cells(
        self, severity: str, table: str, cells: Callable[[int], str], positions: np.ndarray,
        message: Callable[[int], str], column: str, changed: bool = False,
    ) -> None:
        """One finding per position (up to LIMIT), then one for the rest."""
        for k in positions[:LIMIT]:
            self.add(severity, table, cells(int(k)), message(int(k)), changed)
        extra = len(positions) - LIMIT
        if extra > 0:
            self.add(severity, table, cells(int(positions[LIMIT])),
                     f"{extra:,} more cells in column {column} have the same problem", changed)


# -- classifying cells ------------------------------------------------------------------------

_BLANK, _TEXT, _NUMBER, _BOOL, _DATE, _ERROR, _OTHER = range(7)
_CODES = {type(None): _BLANK, str: _TEXT, float: _NUMBER, int: _NUMBER, bool: _BOOL,
          dt.datetime: _DATE, pd.Timestamp: _DATE, XLError: _ERROR, Uncalculated: _ERROR}


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
    left_out: np.ndarray | None = None  # values read but left out as Errors (fractions)
    table_order: str = ""  # the DateOrder setting

    def cell(self, k: int) -> str:
        return self.raw.cell(int(self.rows[k]), self.index)

    def flag(self, severity: str, mask: np.ndarray, message: Callable[[Any], str],
             suffix: str | None = None, changed: bool = False) -> None:
        """Findings for the cells in ``mask``; ``suffix`` defaults to the column's."""
        pos = np.flatnonzero(mask)
        end = self.suffix if suffix is None else suffix
        if len(pos):
            self.report.cells(severity, self.raw.name, self.cell, pos,
                              lambda k: message(self.values[k]) + end, self.name, changed)

    @property
    def header_cell(self) -> str:
        return self.raw.cell(-1, self.index)


class _Table:
    """A raw table being coerced: classifies each column once, names cells, reports."""

    def __init__(self, raw: RawTable, report: _Report, order: str = "") -> None:
        self.raw = raw
        self.report = report
        self.order = order  # the DateOrder setting
        self.unusable = ""  # why the table cannot be used, when it cannot
        self.hints: dict[str, int] = {}  # missing required column -> header likely meant
        self.status_problem = ""  # tblConfig: why its StatusDate cannot be read
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
        return _Column(self.raw, name, j, rows, values, kinds, self.report, suffix,
                       table_order=self.order)


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


def _error_text(value: Any) -> str:
    """The message for an error cell (or a formula without a saved value)."""
    if isinstance(value, Uncalculated):
        return value.message()
    return f"{XLError.parse(value)} in an input cell"


def _flag_common(col: _Column, k: _Kinds, what: str, *, booleans: bool = True,
                 dates: bool = True) -> None:
    col.flag("Error", k.error, _error_text)
    if booleans:
        col.flag("Error", k.boolean, lambda v: f"{_show(v)} where {what} belongs")
    if dates:
        col.flag("Error", k.date, lambda v: f"a date ({_show(v)}) where {what} belongs")


# -- numbers ----------------------------------------------------------------------------------


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


def _pct(x: float) -> str:
    return f"{x * 100:,.10g} %"


def _fractions(col: _Column) -> np.ndarray:
    """PercentComplete / Percent as fractions (:mod:`xlpmo.io.percent`), with findings; the
    cells left out are kept in ``col.left_out``."""
    typed, pct = _numbers(col, "fraction")
    mask = col.raw.percent_mask(col.index, col.rows)
    explicit = pct if mask is None else pct | mask
    got = read_fractions(col.name, typed, explicit, mask is not None)
    plain = typed[got.plain & (typed > 0)]
    if got.scaled:
        col.report.add(
            "Warning", col.raw.name, col.header_cell,
            f"{col.name}: its numbers without a percent format ({plain.min():g} to "
            f"{plain.max():g}) are read as percentages on a 0–100 scale ({plain.max():g} is "
            f"{plain.max():g} %); format the cells as percentages to say so", changed=True)
    elif got.doubt:
        col.report.add(
            "Warning", col.raw.name, col.header_cell,
            f"{col.name} holds only values above 1 ({plain.min():g} to {plain.max():g}): read "
            f"as fractions, {plain.min():g} = {_pct(plain.min())} (over-allocation); if you "
            f"meant {plain.min():g} %, type {plain.min():g}% or format the cells as percentages")

    def say(k: int, what: str) -> str:
        x = typed[k]
        if explicit[k]:
            return f"{col.name} {_pct(x)} {what}{end}"
        if got.scaled:
            return f"{col.name} {x:g} {what} (the column is read on a 0–100 scale){end}"
        return (f"{col.name} {x:g} {what} (percentages are fractions: {x:g} is {_pct(x)}; "
                f"type {x:g}% or format the cell as a percentage){end}")

    end = ("; left out (the project's previous progress row counts)"
           if col.name == "PercentComplete" else "; left out")
    for bad, what in ((got.too_high, "is above 100 %"), (got.negative, "is below 0")):
        col.report.cells("Error", col.raw.name, col.cell, np.flatnonzero(bad),
                         lambda k, w=what: say(k, w), col.name, changed=True)
    col.left_out = got.too_high | got.negative
    return got.values


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
        if not col.raw.date1904:  # Excel's 1900 leap-year gap: serials 1..59 a day later
            serial = serial + (serial < periods.LEAP_BUG_SERIAL)
        us[idx[ok]] = epoch + (serial[ok] * 86_400e6).round().astype("timedelta64[us]")
        bad = np.zeros(len(v), dtype=bool)
        bad[idx[~ok]] = True
        col.flag("Error", bad, lambda x: f"number {_show(x)} is not {what}")
    if k.text.any():
        _text_dates(col, us, what)
    _flag_common(col, k, what, dates=False)
    us = us.astype("datetime64[M]" if month else "datetime64[D]").astype("datetime64[us]")
    far = ~np.isnat(us) & ((us < _NS_FIRST) | (us > _NS_LAST))
    col.flag("Warning", far, lambda x: f"{_show(x)} is a date outside the years 1678–2261 "
             "that xlpmo handles", suffix=col.suffix.replace("blank", "blank (no date)"),
             changed=True)
    us[far] = np.datetime64("NaT")
    return us.astype("datetime64[ns]")


def _text_dates(col: _Column, us: np.ndarray, what: str) -> None:
    """Dates typed as text into ``us`` (:mod:`xlpmo.io.parse`, under the DateOrder)."""
    k = col.kinds
    order = col.table_order
    found = _map_unique(k.stripped[k.text], text_date)
    read = np.array([f.read(order) if f is not None else None for f in found], dtype=object)
    ok = np.not_equal(read, None)
    idx = np.flatnonzero(k.text)
    if ok.any():
        us[idx[ok]] = np.array([p.to_datetime64() for p in read[ok]]).astype("datetime64[us]")
    bad = np.zeros(len(us), dtype=bool)
    bad[idx[~ok]] = True
    col.flag("Error", bad, lambda x: f"text {x.strip()!r} where {what} belongs"
             + (f" ({p})" if (p := date_problem(x)) else ""))
    if not order:
        doubt = np.zeros(len(us), dtype=bool)
        doubt[idx[np.array([f is not None and f.ambiguous for f in found], dtype=bool)]] = True
        col.flag("Warning", doubt, lambda x: _ambiguous(x.strip()), suffix="", changed=True)


def _ambiguous(text: str) -> str:
    found = text_date(text)
    dmy, mdy = (found.dmy, found.mdy) if found is not None else (None, None)
    return (f"text date {text!r} is read day-first as {dmy:%d %B %Y} (month-first it "
            f"is {mdy:%d %B %Y}): set DateOrder in tblConfig to DMY or MDY to say which")


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
    col.flag("Error", k.error, _error_text)
    return out


# -- tables -----------------------------------------------------------------------------------


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}" + ("" if n == 1 else "s")


def _header(t: _Table) -> headers.Header:
    return headers.Header(t.raw.header, t.raw.name, lambda j: t.raw.cell(-1, j))


def _match(t: _Table, spec: tables.TableSpec) -> dict[str, int]:
    """Contract column -> raw column index (:func:`xlpmo.io.headers.match_columns`)."""
    where, found, t.hints = headers.match_columns(_header(t), spec.column_names,
                                                  set(spec.required_columns))
    t.report.findings.extend(found)
    return where


def _missing(t: _Table, spec: tables.TableSpec, names: list[str]) -> None:
    for name in names:
        j = t.hints.get(name)
        cell = spec.name if j is None else t.raw.cell(-1, j)
        hint = "" if j is None else f" (is {t.raw.header[j].strip()!r} meant to be {name}?)"
        t.report.add("Error", spec.name, cell,
                     f"{spec.name} has no {name} column{hint}; the table is not read", True)
    t.unusable = f"it has no {' or '.join(names)} column"


def _coerce_column(col: _Column, kind: str) -> np.ndarray:
    if kind in _NUMBER_KINDS:
        return _fractions(col) if kind == "fraction" else _numbers(col, kind)[0]
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
    required: set[str],
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Coerce the contract columns; -> (columns, mask of rows whose required values read)."""
    out: dict[str, np.ndarray] = {}
    keep = np.ones(len(rows), dtype=bool)
    for c in columns:
        j = where.get(c.name)
        if j is None:
            out[c.name] = _blank_of(c.kind, len(rows))
            if c.name in _DEFAULTS:
                out[c.name][:] = _DEFAULTS[c.name]
            continue
        is_required = c.name in required
        col = t.column(c.name, j, rows, "; row ignored" if is_required else "; read as blank")
        values = _coerce_column(col, c.kind)
        out[c.name] = values
        if col.left_out is not None:
            out[f"_left_out_{c.name}"] = col.left_out
        if is_required:
            missing = _is_missing(values)
            if len(rows) > 1 and col.kinds.blank.all():  # one message for the column
                t.report.add("Error", t.raw.name, col.header_cell,
                             f"column {c.name} is blank in every row ({len(rows):,} rows): "
                             "no row is read", True)
            else:
                col.flag("Error", missing & col.kinds.blank, lambda _x, n=c.name: f"blank {n}")
            keep &= ~missing
    return out, keep


def _left_out_progress(cols: dict[str, np.ndarray], keep: np.ndarray) -> None:
    """A progress row whose PercentComplete was left out (an Error) and that has no Earned
    is dropped, so the project's previous progress row counts (workbook.md v2)."""
    left = cols.get("_left_out_PercentComplete")
    if left is not None:
        keep &= ~(left & np.isnan(cols["Earned"]))


def _frame(spec: tables.TableSpec, cols: dict[str, np.ndarray], keep: np.ndarray) -> pd.DataFrame:
    template = empty_frame(spec)
    return pd.DataFrame(
        {c.name: pd.Series(cols[c.name][keep], dtype=template[c.name].dtype)
         for c in spec.columns},
        columns=spec.column_names,
    )


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
    where = _match(t, spec)
    if spec.amount is not None:
        return _time_phased(t, spec, where)
    missing = [c for c in spec.required_columns if c not in where]
    if missing:
        _missing(t, spec, missing)
        return empty_frame(spec), None
    rows = t.used_rows(list(where.values()))
    cols, keep = _read_columns(t, spec.columns, where, rows, set(spec.required_columns))
    if spec is tables.PROGRESS:
        _left_out_progress(cols, keep)
    _rejected(t, rows, keep)
    return _frame(spec, cols, keep), _source(t.raw, where, rows[keep])


def _rejected(t: _Table, rows: np.ndarray, keep: np.ndarray) -> None:
    """A table whose every row was rejected cannot be used."""
    if len(rows) and not keep.any():
        t.unusable = f"every one of its {len(rows):,} rows was rejected (see the Errors)"


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
        _rejected(t, rows, keep)
        cols[amount] = np.nan_to_num(cols[amount], nan=0.0)  # blank means 0
        t.report.add("Info", spec.name, spec.name,
                     f"{spec.name}: long layout, {int(keep.sum()):,} rows")
        return _frame(spec, cols, keep), _source(t.raw, where, rows[keep])

    months, found = headers.month_columns(_header(t), set(where.values()), t.order,
                                          t.raw.date1904)
    t.report.findings.extend(found)
    if not months:
        if "Period" in where or amount in where:
            have, lack = ("Period", amount) if "Period" in where else (amount, "Period")
            message = (f"{spec.name} has a {have} column but no {lack} column, and no month "
                       "columns; the table is not read")
        else:
            message = (f"{spec.name} has neither Period and {amount} columns (long layout) "
                       "nor month columns such as 2026-01 (wide layout); the table is not read")
        t.report.add("Error", spec.name, spec.name, message, True)
        t.unusable = "it has neither a long nor a wide layout"
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
    for j, month in months.items():  # one column per month (xlpmo.io.headers)
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
    else:  # duplicated rows were added together: name the first of each
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
                 f"{spec.name}: wide layout, {_count(len(first_col), 'month')} "
                 f"({min(first_col):%Y-%m} "
                 f"to {max(first_col):%Y-%m}), {n_rows:,} rows")
    _rejected(t, rows, keep)
    return frame, _source(raw, ids, src_rows, amount=amount, amount_cols=amount_cols)


# -- the whole workbook -----------------------------------------------------------------------


def _config(t: _Table) -> Settings:
    where = _match(t, tables.CONFIG)
    missing = [c for c in tables.CONFIG.required_columns if c not in where]
    if missing:
        _missing(t, tables.CONFIG, missing)
        return Settings()
    js, jv = where["Setting"], where["Value"]
    pairs, cells, status = [], [], None
    for i in t.used_rows([js]):
        name, value, cell = t.raw.data[i, js], t.raw.data[i, jv], t.raw.cell(int(i), jv)
        if str(name).strip().casefold() == "statusdate":
            status = (value, cell)
        elif isinstance(value, (Uncalculated, XLError)):
            t.report.add("Warning", t.raw.name, cell,
                         f"{str(name).strip()}: {_error_text(value)}; using the default", True)
        else:
            pairs.append((name, value))
            cells.append(cell)
    settings, found = Settings.from_pairs(pairs, cells)
    t.report.findings.extend(found)
    if status is None or status[0] is None or (isinstance(status[0], str)
                                               and not status[0].strip()):
        return settings  # blank StatusDate: today (workbook.md)
    date = _status_date(t, *status, settings.DateOrder)
    return settings if date is None else replace(settings, StatusDate=date)


def _status_date(t: _Table, value: Any, cell: str, order: str) -> pd.Timestamp | None:
    """The StatusDate cell -> its date; None (an Error, and tblConfig unusable: refresh
    stops, workbook.md v2) when it cannot be read."""
    problem = "it is not a date"
    date = None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        date = pd.Timestamp(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value <= periods.MAX_SERIAL:
            date = (periods.from_serial(value) if not t.raw.date1904 else
                    pd.Timestamp("1904-01-01") + pd.to_timedelta(float(value), unit="D"))
    elif isinstance(value, str):
        found = text_date(value)
        date = None if found is None else found.read(order)
        problem = date_problem(value) or problem
        if found is not None and found.ambiguous and not order:
            t.report.add("Warning", t.raw.name, cell, f"StatusDate: {_ambiguous(value.strip())}",
                         True)
    elif isinstance(value, (Uncalculated, XLError)):
        problem = _error_text(value)
    if date is not None:
        return date.normalize()
    t.report.add("Error", t.raw.name, cell,
                 f"StatusDate {_show(value)!r} cannot be read ({problem}): refresh stops, "
                 "as every figure depends on it", True)
    t.status_problem = f"StatusDate {_show(value)!r} in {cell} cannot be read"
    return None


def coerce_inputs(raw: dict[str, RawTable]) -> tuple[Inputs, list[Finding]]:
    """Raw input tables (keyed by table name, any case) -> canonical Inputs + findings.

    Output tables in ``raw`` are ignored. ``Inputs.present`` names the input tables the
    workbook has; one that cannot be read (a required column missing) is present with an
    empty frame and an Error finding, and a required one is also in ``Inputs.unusable``
    (with why), as is ``StatusDate`` when tblConfig's cannot be read. ``Inputs.sources`` maps
    each table read to its :class:`SourceMap`. tblConfig is read first: its DateOrder
    says how the other tables' dates typed as text read.
    """
    report = _Report()
    fields: dict[str, Any] = {}
    sources: dict[str, SourceMap] = {}
    present = set()
    unusable: dict[str, str] = {}
    specs = []
    for key, table in raw.items():
        try:
            spec = tables.spec(key)
        except KeyError:
            continue
        if spec.name in tables.INPUTS:
            specs.append((spec, table))
    specs.sort(key=lambda pair: pair[0] is not tables.CONFIG)  # stable: tblConfig first
    order = ""
    for spec, table in specs:
        present.add(spec.name)
        t = _Table(table, report, order)
        if spec is tables.CONFIG:
            fields["settings"] = _config(t)
            order = fields["settings"].DateOrder
        else:
            frame, source = _coerce_table(t, spec)
            fields[TABLE_FIELDS[spec.name]] = frame
            if source is not None:
                sources[spec.name] = source
        if t.unusable and spec.required:
            unusable[spec.name] = t.unusable
        if t.status_problem:
            unusable["StatusDate"] = t.status_problem
    inputs = Inputs(**fields, present=frozenset(present), sources=sources, unusable=unusable)
    return inputs, report.findings


def load_inputs(path: str | os.PathLike[str]) -> tuple[Inputs, list[Finding], RawWorkbook]:
    """Read a workbook file and coerce its inputs: (inputs, findings, raw workbook).

    The raw workbook holds the input tables only (``read_workbook(path, outputs=False)``).
    """
    book = read_workbook(path, outputs=False)
    inputs, findings = coerce_inputs(book.tables)
    return inputs, [*book.findings, *findings], book
