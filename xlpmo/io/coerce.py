"""Raw cells -> the canonical typed inputs (:class:`xlpmo.contract.model.Inputs`), with findings.

One path for both sources: :func:`xlpmo.io.reader.read_workbook` (a file) and
:meth:`xlpmo.io.raw.RawTable.from_values` (ranges from the Excel layer) give
:class:`~xlpmo.io.raw.RawTable` objects; :func:`coerce_inputs` types them by the column
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
  :func:`xlpmo.contract.parse.parse_number` (``"1,234.50"``, ``"$1,200"``, ``"(300)"``) with a
  Warning; ``"12%"`` is 0.12 in fraction and number columns and an Error in money/hours
  columns. Other text, TRUE/FALSE, dates and error values are Errors and read as blank.
- Percentages (PercentComplete, allocation Percent): see :mod:`xlpmo.io.percent`.
- Dates: date cells, Excel serial numbers (1900 or 1904 date system of the workbook; the
  1900 system's leap-year gap respected) and text read by :mod:`xlpmo.contract.parse` under the
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
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import periods, tables
from xlpmo.contract.model import TABLE_FIELDS, Inputs, empty_frame
from xlpmo.contract.parse import date_problem, text_date
from xlpmo.contract.settings import Settings
from xlpmo.errors import Finding, XLError
from xlpmo.io import headers
from xlpmo.io.a1 import address
from xlpmo.io.cellxml import Uncalculated
from xlpmo.io.raw import RawTable, RawWorkbook
from xlpmo.io.reader import read_workbook
from xlpmo.io.values import (
    DEFAULTS,
    LIMIT,
    Column,
    Report,
    TableCells,
    ambiguous_text,
    blank_of,
    coerce_column,
    error_text,
    is_missing,
    numbers,
    show,
)

__all__ = ["LIMIT", "SourceMap", "coerce_inputs", "coerce_table", "load_inputs"]


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


# -- tables -----------------------------------------------------------------------------------


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}" + ("" if n == 1 else "s")


def _header(t: TableCells) -> headers.Header:
    return headers.Header(t.raw.header, t.raw.name, lambda j: t.raw.cell(-1, j))


def _match(t: TableCells, spec: tables.TableSpec) -> dict[str, int]:
    """Contract column -> raw column index (:func:`xlpmo.io.headers.match_columns`)."""
    where, found, t.hints = headers.match_columns(_header(t), spec.column_names,
                                                  set(spec.required_columns))
    t.report.findings.extend(found)
    return where


def _missing(t: TableCells, spec: tables.TableSpec, names: list[str]) -> None:
    for name in names:
        j = t.hints.get(name)
        cell = spec.name if j is None else t.raw.cell(-1, j)
        hint = "" if j is None else f" (is {t.raw.header[j].strip()!r} meant to be {name}?)"
        t.report.add("Error", spec.name, cell,
                     f"{spec.name} has no {name} column{hint}; the table is not read", True)
    t.unusable = f"it has no {' or '.join(names)} column"


def _read_columns(
    t: TableCells, columns: tuple[tables.Column, ...], where: dict[str, int], rows: np.ndarray,
    required: set[str], either: tuple[str, ...] = (),
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Coerce the contract columns; -> (columns, mask of rows whose required values read).
    ``either``: columns of which a row needs one value (ResourceID or Role); an unreadable
    one drops its row (never read as the other kind). Fraction columns (PercentComplete,
    Percent) are read last: a row already dropped for its ID or period has no say in
    whether the column is on a 0–100 scale (:mod:`xlpmo.io.percent`); its cells are still
    checked."""
    out: dict[str, np.ndarray] = {}
    keep, given, first = np.ones(len(rows), dtype=bool), np.zeros(len(rows), dtype=bool), None
    ordered = sorted(columns, key=lambda c: c.kind == "fraction")  # stable
    for c in ordered:
        j = where.get(c.name)
        if j is None:
            out[c.name] = blank_of(c.kind, len(rows))
            if c.name in DEFAULTS:
                out[c.name][:] = DEFAULTS[c.name]
            continue
        is_required, one_of = c.name in required, c.name in either
        if c.kind == "fraction" and first is not None:  # the either-rule first, once
            keep, first = _either(first, either, where, keep, given), None
        col = t.column(c.name, j, rows, "; row ignored" if is_required or one_of else
                       "; read as blank")
        values = coerce_column(col, c.kind, voters=keep.copy())
        out[c.name] = values
        keep &= ~col.uncalculated
        if col.left_out is not None:
            out[f"_left_out_{c.name}"] = col.left_out
        if is_required:
            missing = is_missing(values)
            if len(rows) > 1 and col.kinds.blank.all():  # one message for the column
                t.report.add("Error", t.raw.name, col.header_cell,
                             f"column {c.name} is blank in every row ({len(rows):,} rows): "
                             "no row is read", True)
            else:
                col.flag("Error", missing & col.kinds.blank, lambda _x, n=c.name: f"blank {n}")
            keep &= ~missing
        if one_of:
            missing = is_missing(values)
            keep, given, first = keep & (~missing | col.kinds.blank), given | ~missing, first or col
    if first is not None:
        keep = _either(first, either, where, keep, given)
    return out, keep


def _either(first: Column, either: tuple[str, ...], where: dict[str, int], keep: np.ndarray,
            given: np.ndarray) -> np.ndarray:
    """Rows with none of the ``either`` columns given: an Error on the first, dropped."""
    names = " and ".join(n for n in either if n in where)
    first.flag("Error", keep & ~given, lambda _x: f"blank {names}")
    return keep & given


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
    report = Report()
    frame, source = _coerce_table(TableCells(raw, report), spec)
    return frame, source, report.findings


def _coerce_table(t: TableCells, spec: tables.TableSpec) -> tuple[pd.DataFrame, SourceMap | None]:
    where = _match(t, spec)
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
    if spec is tables.PROGRESS:
        _left_out_progress(cols, keep)
    _rejected(t, rows, keep)
    return _frame(spec, cols, keep), _source(t.raw, where, rows[keep])


def _rejected(t: TableCells, rows: np.ndarray, keep: np.ndarray) -> None:
    """A table whose every row was rejected cannot be used."""
    if len(rows) and not keep.any():
        t.unusable = f"every one of its {len(rows):,} rows was rejected"


def _time_phased(
    t: TableCells, spec: tables.TableSpec, where: dict[str, int]
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
        if any(f.severity == "Error" for f in found):
            message = (f"{spec.name} has no month column left to read (see the Errors on its "
                       "headers); the table is not read")
        elif "Period" in where or amount in where:
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
    t: TableCells, spec: tables.TableSpec, where: dict[str, int], months: dict[int, pd.Timestamp]
) -> tuple[pd.DataFrame, SourceMap]:
    """Wide layout -> long via :func:`periods.wide_to_long`, keeping each row's cells."""
    raw, amount = t.raw, spec.amount or ""
    ids = {name: j for name, j in where.items() if name in _ID_COLUMNS}
    t.classify_numbers(list(months))
    rows = t.used_rows([*ids.values(), *months])
    id_specs = tuple(c for c in spec.columns if c.name in _ID_COLUMNS)
    cols, keep = _read_columns(t, id_specs, ids, rows, {"ProjectID"})
    first_col: dict[pd.Timestamp, int] = {}
    period_of: dict[str, pd.Timestamp] = {}
    amounts: dict[str, np.ndarray] = {}
    typed = {}
    for j, month in months.items():  # one column per month (xlpmo.io.headers)
        first_col[month] = j
        col = t.column(f"{month:%Y-%m}", j, rows, "; read as 0")
        typed[j] = numbers(col, "money")[0]
        keep &= ~col.uncalculated
    wide = pd.DataFrame({name: pd.Series(cols[name][keep], dtype=object) for name in _ID_COLUMNS})
    for j, month in months.items():
        amounts[f"_m{j}"] = typed[j][keep]
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


def _config(t: TableCells) -> Settings:
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
                         f"{str(name).strip()}: {error_text(value)}; using the default", True)
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


def _status_date(t: TableCells, value: Any, cell: str, order: str) -> pd.Timestamp | None:
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
            t.report.add("Warning", t.raw.name, cell,
                         f"StatusDate: {ambiguous_text(value.strip())}", True)
    elif isinstance(value, (Uncalculated, XLError)):
        problem = error_text(value)
    if date is not None:
        return date.normalize()
    t.report.add("Error", t.raw.name, cell,
                 f"StatusDate {show(value)!r} cannot be read ({problem}): refresh stops, "
                 "as every figure depends on it", True)
    t.status_problem = f"StatusDate {show(value)!r} in {cell} cannot be read"
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
    report = Report()
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
        t = TableCells(table, report, order)
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
