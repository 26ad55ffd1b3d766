"""One column of raw cells -> typed values, with findings naming the cells.

The cell-level half of :mod:`xlpmo.io.coerce` (which matches headers and shapes tables):
:class:`TableCells` classifies each raw column once (blank, text, number, date, error ...),
:func:`coerce_column` types one contract column by its kind (shared/spec/workbook.md v2,
"Reading values"; the rules are listed in :mod:`xlpmo.io.coerce`), and :class:`Report`
collects the findings, at most :data:`LIMIT` naming cells per column and problem.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from xlpmo.contract import periods
from xlpmo.contract.parse import date_problem, parse_number, text_date
from xlpmo.errors import Finding, XLError
from xlpmo.io.cellxml import Uncalculated
from xlpmo.io.percent import EVIDENT, read_fractions
from xlpmo.io.raw import RawTable

LIMIT = 20

_NUMBER_KINDS = ("money", "hours", "number", "fraction", "index", "periods")
_PCT_OK = ("number", "fraction")
DEFAULTS = {"Billable": True}  # contract defaults of blank cells
_TRUE = frozenset({"true", "yes", "y", "1", "wahr", "vrai"})
_FALSE = frozenset({"false", "no", "n", "0", "falsch", "faux"})
_EPOCHS = {False: np.datetime64("1899-12-30", "ns"), True: np.datetime64("1904-01-01", "ns")}
_type_u = np.frompyfunc(type, 1, 1)


# -- findings ---------------------------------------------------------------------------------


class Report:
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
class Kinds:
    """What each cell of a column holds (boolean masks) and its trimmed text."""

    blank: np.ndarray  # None, or text of spaces only
    error: np.ndarray  # error values, and text such as "#N/A"
    number: np.ndarray
    text: np.ndarray  # non-blank text that is not an error value
    boolean: np.ndarray
    date: np.ndarray
    stripped: np.ndarray  # the trimmed text where ``text``

    def take(self, rows: np.ndarray) -> Kinds:
        return Kinds(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


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


def _classify(values: np.ndarray) -> Kinds:
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
    return Kinds(blank, error, codes == _NUMBER, is_str, codes == _BOOL, codes == _DATE,
                  stripped)


@dataclass
class Column:
    """One raw column being coerced: its values (rows kept) and how to name their cells."""

    raw: RawTable
    name: str  # contract column name
    index: int  # raw column index
    rows: np.ndarray  # raw data row indices of the values
    values: np.ndarray
    kinds: Kinds
    report: Report
    suffix: str  # what happens to a bad value: "; read as blank" / "; row ignored"
    left_out: np.ndarray | None = None  # values read but left out as Errors (fractions)
    table_order: str = ""  # the DateOrder setting

    @property
    def uncalculated(self) -> np.ndarray:
        """Formula cells without a saved value: their rows are not read (the value is not
        known, so it may be neither blank nor 0; workbook.md v2)."""
        out = np.zeros(len(self.values), dtype=bool)
        if self.kinds.error.any():
            idx = np.flatnonzero(self.kinds.error)
            out[idx] = [isinstance(v, Uncalculated) for v in self.values[idx]]
        return out

    def flag_errors(self) -> None:
        """Error values (``#N/A``: read as blank, as Excel would fail on them) and formulas
        without a saved value (their row is not read)."""
        unknown = self.uncalculated
        self.flag("Error", self.kinds.error & ~unknown, error_text)
        self.flag("Error", unknown, error_text, suffix="; row ignored", changed=True)

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


class TableCells:
    """A raw table being coerced: classifies each column once, names cells, reports."""

    def __init__(self, raw: RawTable, report: Report, order: str = "") -> None:
        self.raw = raw
        self.report = report
        self.order = order  # the DateOrder setting
        self.unusable = ""  # why the table cannot be used, when it cannot
        self.hints: dict[str, int] = {}  # missing required column -> header likely meant
        self.status_problem = ""  # tblConfig: why its StatusDate cannot be read
        self._kinds: dict[int, Kinds] = {}

    def kinds(self, j: int) -> Kinds:
        if j not in self._kinds:
            self._kinds[j] = _classify(self.raw.data[:, j] if len(self.raw.data) else
                                       np.empty(0, dtype=object))
        return self._kinds[j]

    def classify_numbers(self, cols: list[int]) -> None:
        """Classify many columns at once when together they hold only numbers and blanks
        (the month columns of a wide plan): each gets the :class:`Kinds` :func:`_classify`
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
            self._kinds[j] = Kinds(
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

    def column(self, name: str, j: int, rows: np.ndarray, suffix: str) -> Column:
        kinds = self.kinds(j)
        if len(rows) == len(self.raw.data):  # every row: no copy
            values = self.raw.data[:, j]
        else:
            kinds = kinds.take(rows)
            values = self.raw.data[rows, j] if len(rows) else np.empty(0, dtype=object)
        return Column(self.raw, name, j, rows, values, kinds, self.report, suffix,
                       table_order=self.order)


def _map_unique(texts: np.ndarray, fn: Callable[[str], Any]) -> np.ndarray:
    """Apply ``fn`` once per distinct text; object array aligned with ``texts``."""
    if not len(texts):
        return np.empty(0, dtype=object)
    codes, uniques = pd.factorize(texts)
    results = np.empty(len(uniques), dtype=object)
    results[:] = [fn(u) for u in uniques]
    return results[codes]


def show(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def error_text(value: Any) -> str:
    """The message for an error cell (or a formula without a saved value)."""
    if isinstance(value, Uncalculated):
        return value.message()
    return f"{XLError.parse(value)} in an input cell"


def _flag_common(col: Column, k: Kinds, what: str, *, booleans: bool = True,
                 dates: bool = True) -> None:
    col.flag_errors()
    if booleans:
        col.flag("Error", k.boolean, lambda v: f"{show(v)} where {what} belongs")
    if dates:
        col.flag("Error", k.date, lambda v: f"a date ({show(v)}) where {what} belongs")


# -- numbers ----------------------------------------------------------------------------------


def numbers(col: Column, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """-> (floats with NaN for blank/bad, mask of cells that were percentage text)."""
    v = col.values
    k = col.kinds
    out = np.full(len(v), np.nan)
    if k.number.any():
        out[k.number] = v[k.number].astype(float)
        bad = k.number & ~np.isfinite(out)
        out[bad] = np.nan
        col.flag("Error", bad, lambda x: f"{show(x)} is not a number")
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


def _fractions(col: Column, voters: np.ndarray | None = None) -> np.ndarray:
    """PercentComplete / Percent as fractions (:mod:`xlpmo.io.percent`), with findings; the
    cells left out are kept in ``col.left_out``. ``voters``: the rows whose plain numbers
    weigh on the column's scale (not those of rows already ignored); default all."""
    typed, pct = numbers(col, "fraction")
    mask = col.raw.percent_mask(col.index, col.rows)
    explicit = pct if mask is None else pct | mask
    got = read_fractions(col.name, typed, explicit, mask is not None, voters)
    plain = typed[got.plain & (typed > 0) & (True if voters is None else voters)]
    if got.scaled:
        col.report.add(
            "Warning", col.raw.name, col.header_cell,
            f"{col.name}: its numbers without a percent format ({plain.min():g} to "
            f"{plain.max():g}) are read as percentages on a 0–100 scale ({plain.max():g} is "
            f"{plain.max():g} %); format the cells as percentages to say so", changed=True)
    elif got.mixed:
        col.report.add(
            "Warning", col.raw.name, col.header_cell,
            f"{col.name} holds numbers above {EVIDENT[col.name]:g} without a percent format in "
            "a column not read on a 0–100 scale: they are left out (as fractions they would "
            f"be above {_pct(EVIDENT[col.name])}); type 50% or format the cells as percentages",
            changed=True)
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
        if mask is None:  # the Excel layer: the cell may well show "150 %"
            meant = f" (if you meant {x:g} %, type {x:g}%)" if 1 < x <= 100 else ""
            return f"{col.name} {x:g} ({_pct(x)}) {what}{meant}{end}"
        return (f"{col.name} {x:g} {what} (percentages are fractions: {x:g} is {_pct(x)}; "
                f"type {x:g}% or format the cell as a percentage){end}")

    end = ("; left out (the project's previous progress row counts)"
           if col.name == "PercentComplete" else "; left out")
    high = ("is above 100 %" if col.name == "PercentComplete" else
            f"is above {EVIDENT[col.name]:g} ({_pct(EVIDENT[col.name])}) in a column of fractions")
    for bad, what in ((got.too_high, high), (got.negative, "is below 0")):
        col.report.cells("Error", col.raw.name, col.cell, np.flatnonzero(bad),
                         lambda k, w=what: say(k, w), col.name, changed=True)
    col.left_out = got.too_high | got.negative
    return got.values


# -- dates ------------------------------------------------------------------------------------


_NS_FIRST = np.datetime64("1677-09-22", "us")  # whole days datetime64[ns] can hold
_NS_LAST = np.datetime64("2262-04-11", "us")


def _dates(col: Column, month: bool) -> np.ndarray:
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
        col.flag("Error", bad, lambda x: f"number {show(x)} is not {what}")
    if k.text.any():
        _text_dates(col, us, what)
    _flag_common(col, k, what, dates=False)
    us = us.astype("datetime64[M]" if month else "datetime64[D]").astype("datetime64[us]")
    far = ~np.isnat(us) & ((us < _NS_FIRST) | (us > _NS_LAST))
    col.flag("Warning", far, lambda x: f"{show(x)} is a date outside the years 1678–2261 "
             "that xlpmo handles", suffix=col.suffix.replace("blank", "blank (no date)"),
             changed=True)
    us[far] = np.datetime64("NaT")
    return us.astype("datetime64[ns]")


def _text_dates(col: Column, us: np.ndarray, what: str) -> None:
    """Dates typed as text into ``us`` (:mod:`xlpmo.contract.parse`, under the DateOrder);
    each distinct text is read once (a date column repeats a few hundred texts)."""
    k = col.kinds
    order = col.table_order
    codes, uniques = pd.factorize(k.stripped[k.text])
    found = [text_date(u) for u in uniques]
    read = [f.read(order) if f is not None else None for f in found]
    ok_u = np.array([r is not None for r in read], dtype=bool)
    day_u = np.array([np.datetime64("NaT") if r is None else r.to_datetime64() for r in read],
                     dtype="datetime64[us]")
    idx = np.flatnonzero(k.text)
    ok = ok_u[codes] if len(uniques) else np.zeros(0, dtype=bool)
    if ok.any():
        us[idx[ok]] = day_u[codes][ok]
    bad = np.zeros(len(us), dtype=bool)
    bad[idx[~ok]] = True
    col.flag("Error", bad, lambda x: f"text {x.strip()!r} where {what} belongs"
             + (f" ({p})" if (p := date_problem(x)) else ""))
    if not order and len(uniques):
        ambiguous_u = np.array([f is not None and f.ambiguous for f in found], dtype=bool)
        doubt = np.zeros(len(us), dtype=bool)
        doubt[idx[ambiguous_u[codes]]] = True
        col.flag("Warning", doubt, lambda x: ambiguous_text(x.strip()), suffix="", changed=True)


def ambiguous_text(text: str) -> str:
    found = text_date(text)
    dmy, mdy = (found.dmy, found.mdy) if found is not None else (None, None)
    return (f"text date {text!r} is read day-first as {dmy:%d %B %Y} (month-first it "
            f"is {mdy:%d %B %Y}): set DateOrder in tblConfig to DMY or MDY to say which")


# -- booleans, ids, text ----------------------------------------------------------------------


def _bools(col: Column, default: bool) -> np.ndarray:
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
        col.flag("Error", bad, lambda x: f"{show(x)} is not TRUE or FALSE")
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


def _texts(col: Column, is_id: bool) -> np.ndarray:
    v = col.values
    k = col.kinds
    out = np.full(len(v), None, dtype=object)
    out[k.text] = k.stripped[k.text]
    if k.number.any():
        out[k.number] = _number_text(v[k.number])
    if k.date.any():
        out[k.date] = [show(x) for x in v[k.date]]
        if is_id:
            col.flag("Warning", k.date, lambda x: f"a date ({show(x)}) as an ID, read as text",
                     suffix="")
    if k.boolean.any():
        if is_id:
            out[k.boolean] = None
            col.flag("Error", k.boolean, lambda x: f"{show(x)} is not an ID")
        else:
            out[k.boolean] = ["TRUE" if x else "FALSE" for x in v[k.boolean]]
    col.flag_errors()
    return out


def coerce_column(col: Column, kind: str, voters: np.ndarray | None = None) -> np.ndarray:
    """A column's cells as ``kind`` (findings on ``col``); ``voters``: for a fraction
    column, the rows that weigh on its scale (:func:`_fractions`)."""
    if kind in _NUMBER_KINDS:
        return _fractions(col, voters) if kind == "fraction" else numbers(col, kind)[0]
    if kind in ("date", "timestamp"):
        return _dates(col, month=False)
    if kind == "period":
        return _dates(col, month=True)
    if kind == "bool":
        return _bools(col, DEFAULTS.get(col.name, False))
    return _texts(col, is_id=kind == "id")


def blank_of(kind: str, n: int) -> np.ndarray:
    if kind in _NUMBER_KINDS:
        return np.full(n, np.nan)
    if kind in ("date", "timestamp", "period"):
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if kind == "bool":
        return np.full(n, False)
    return np.full(n, None, dtype=object)


def is_missing(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind == "M":
        return np.isnat(values)
    if values.dtype == bool:
        return np.zeros(len(values), dtype=bool)
    return np.equal(values, None)
