"""The rows of an existing table the file writer rewrites: user cells, filter and sort.

For each table :func:`xlpmo.io.writer.write_tables` rewrites in full, :func:`plan_rows`
works out, before anything is rendered:

- **user cells by key** (:mod:`xlpmo.io.keyed`): which old data row's cells each new row
  takes in the columns the refresh does not write, and the cells whose key is gone
  (tblChecks Info rows with their whole text);
- **sort** (the table's ``sortState``): the order of the new rows, as Excel's Reapply
  sorts them (:func:`xlpmo.io.refilter.sort_order`); a sort xlpmo cannot repeat is cleared
  with an Info;
- **filter** (``autoFilter/filterColumn``): which new rows the filter hides; every data
  row's ``hidden`` flag is set from it and rows that leave the table are shown again. A
  filter xlpmo cannot re-apply exactly is cleared (all rows shown) with an Info. A table
  without a filter keeps its rows' flags as they are.

:func:`patch_user_cells` then writes the user columns: a cell that changes row is copied
with its style (a formula's relative references move with it, as Excel's sort moves them;
a calculated column's formula is written afresh), a new row gets the calculated column's
formula or a blank cell in the column's style, and an unmoved cell is not touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from lxml import etree

from xlpmo.contract import tables as contract
from xlpmo.errors import Finding, WriteConflict, XLError
from xlpmo.io import keyed
from xlpmo.io.a1 import CellRange, cell_ref
from xlpmo.io.ooxml.autofilter import clear_filter, clear_sort, read_filter_state
from xlpmo.io.ooxml.cells import EPOCH_1900, EPOCH_1904, NUMBER, escape_text
from xlpmo.io.ooxml.formula import shift_formula
from xlpmo.io.ooxml.render import ColumnStyle
from xlpmo.io.ooxml.sheet import Worksheet, copy_cell
from xlpmo.io.ooxml.styles import DATE_KINDS
from xlpmo.io.ooxml.tablepart import TableColumnInfo, TablePart
from xlpmo.io.ooxml.workbook import Book
from xlpmo.io.refilter import SortKey, Unsupported, keeps, sort_order

__all__ = ["RowPlan", "apply_clears", "patch_user_cells", "plan_rows"]


@dataclass
class RowPlan:
    """What :func:`plan_rows` decided for one table (None: as before, by position)."""

    order: list[int] | None = None  # the DataFrame's rows in the order they are written
    source: list[int | None] | None = None  # per written row: old data row of its user cells
    hidden: list[bool] | None = None  # per written data row (None: flags left alone)
    clear_filter: bool = False  # the filter cannot be re-applied: remove it (all rows show)
    clear_sort: bool = False  # the sort cannot be repeated: remove it
    findings: list[Finding] = field(default_factory=list)
    notes: list[keyed.OrphanNote] = field(default_factory=list)


@dataclass
class _Table:
    """An existing table's geometry and its columns on the sheet."""

    name: str
    ws: Worksheet
    table: TablePart
    book: Book
    written: dict[int, Any]  # sheet column -> the ColumnPlan writing it

    @property
    def old(self) -> CellRange:
        return self.table.ref

    @property
    def first(self) -> int:
        return self.old.r1 + self.table.header_rows

    @property
    def last(self) -> int:
        return self.old.r2 - self.table.totals_rows

    def user_columns(self) -> list[tuple[int, TableColumnInfo]]:
        return [(self.old.c1 + i, info) for i, info in enumerate(self.table.columns)
                if self.old.c1 + i not in self.written]


# -- typed values of cells --------------------------------------------------------------------


def _typed(value: Any) -> Any:
    """A DataFrame value as the plain types :mod:`xlpmo.io.refilter` compares."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, XLError):
        return value
    if isinstance(value, str):
        return value
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return None if value != value else float(value)
    try:
        return pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)


def _cell_typed(t: _Table, c: etree._Element | None, as_date: bool = False) -> Any:
    """An old cell's value: dates (a number in a date style, or any number when
    ``as_date``) as Timestamps, errors as XLError, blank as None."""
    if c is None:
        return None
    shared = t.book.shared_strings() if c.get("t") == "s" else None
    value = t.ws.cell_value(c, shared)
    if c.get("t") == "e":
        return XLError.parse(value) or value
    if isinstance(value, float) and c.get("t") in (None, "n"):
        s = c.get("s")
        if as_date or (s and s.isdigit() and t.book.styles.is_date(int(s))):
            epoch = EPOCH_1904 if t.book.date1904 else EPOCH_1900
            return (epoch + pd.Timedelta(days=value)).round("s")
    return None if value == "" else value


def _code_of(t: _Table, c: etree._Element | None) -> str:
    s = c.get("s") if c is not None else None
    return t.book.styles.format_code(int(s)) if s and s.isdigit() else "General"


# -- formulas of old cells --------------------------------------------------------------------


class _Formulas:
    """Formula text of the cells of one column, shared formulas expanded."""

    def __init__(self, t: _Table, col: int) -> None:
        self.t, self.col = t, col
        self._anchors: dict[str, tuple[int, int, str]] | None = None

    def has_shared(self) -> bool:
        return any(f.get("t") == "shared" for f in self._column_formulas())

    def _column_formulas(self) -> list[etree._Element]:
        ws = self.t.ws
        out = []
        for r in range(self.t.first, self.t.last + 1):
            c = ws.cell(r, self.col)
            f = ws.formula(c) if c is not None else None
            if f is not None:
                out.append(f)
        return out

    def text(self, r: int, c: etree._Element) -> str | None:
        """The cell's formula (without ``=``), or None when it has none."""
        f = self.t.ws.formula(c)
        if f is None:
            return None
        if f.get("t") == "shared" and not f.text:
            return self._dependent(r, f.get("si") or "")
        return f.text or ""

    def _dependent(self, r: int, si: str) -> str:
        if self._anchors is None:
            self._anchors = self.t.ws.shared_formula_anchors()
        found = self._anchors.get(si)
        if found is None:
            raise WriteConflict(f"{self.t.ws.where(r, self.col)} uses a shared formula whose "
                             "first cell is missing; xlpmo cannot move it")
        row, col, text = found
        return shift_formula(text, r - row, self.col - col)


# -- the plan ---------------------------------------------------------------------------------


def _key_plans(t: _Table, plans: list[Any]) -> list[Any] | None:
    names = contract.row_key(t.name)
    if not names:
        return None
    found = []
    for name in names:
        plan = next((p for p in plans if p.header.lower() == name.lower()
                     and p.existing is not None), None)
        if plan is None:
            return None
        found.append(plan)
    return found


def _user_texts(t: _Table, columns: list[tuple[int, TableColumnInfo]]
                ) -> Callable[[int, int], tuple[str, str | None]]:
    formulas = {col: _Formulas(t, col) for col, _ in columns}

    def cell(j: int, k: int) -> tuple[str, str | None]:
        col, info = columns[k]
        r = t.first + j
        where = t.ws.where(r, col)
        c = t.ws.cell(r, col)
        if c is None:
            return where, None
        text = formulas[col].text(r, c)
        if text is not None:
            if info.calculated_formula is not None:
                return where, None  # the column's own formula: nothing typed
            return where, "=" + text
        return where, keyed.note_text(_cell_typed(t, c))

    return cell


def plan_rows(name: str, ws: Worksheet, table: TablePart, book: Book, plans: list[Any],
              n_rows: int, base_style: Callable[[int], int]) -> RowPlan:
    """The row plan of an existing table whose DataFrame (``plans``, ``n_rows`` rows)
    replaces all its data rows (see module docstring). Changes nothing: the filter or
    sort it cannot re-apply is removed by :func:`apply_clears` when the table is written."""
    t = _Table(name, ws, table, book, {p.col: p for p in plans})
    out = RowPlan()
    users = t.user_columns()
    key_plans = _key_plans(t, plans) if users else None
    n_old = max(t.last - t.first + 1, 0)
    if key_plans is not None:
        dates = [p.kind in DATE_KINDS for p in key_plans]
        old_keys = [keyed.key_of([_cell_typed(t, ws.cell(r, p.col), d)
                                  for p, d in zip(key_plans, dates, strict=True)])
                    for r in range(t.first, t.last + 1)]
        new_keys = [keyed.key_of(vals) for vals in zip(*[p.series.tolist() for p in key_plans],
                                                       strict=True)] if n_rows else []
        moved = keyed.carry(old_keys, new_keys)
        out.source = moved.source
        names = [p.header for p in key_plans]
        out.notes = keyed.orphan_notes(name, names, old_keys, moved.gone,
                                       [info.name for _, info in users], _user_texts(t, users))
        out.findings += [Finding("Info", n.table, n.where, n.message()) for n in out.notes]
    elif users:
        out.source = [i if i < n_old else None for i in range(n_rows)]

    state = read_filter_state(table)
    label = f"{ws.label}!{t.old}"
    if state.sort_problem is not None:
        out.clear_sort = True
        out.findings.append(Finding("Info", name, label, (
            f"{name} was sorted by {state.sort_problem}, which xlpmo cannot repeat: the sort "
            "was removed and the rows are in the refresh's order. Sort again in Excel.")))
    if not state.filtered and not state.sort:
        return out

    def values(offset: int) -> list[tuple[Any, str]]:
        col = t.old.c1 + offset
        plan = t.written.get(col)
        if plan is not None:
            style = ColumnStyle(book.styles, base_style(col), plan.kind)
            code = book.styles.format_code(style.index(NUMBER))
            vals = [_typed(v) for v in plan.series.tolist()] if n_rows else []
            return [(v, code) for v in vals]
        out_cells = []
        for i in range(n_rows):
            j = out.source[i] if out.source is not None else (i if i < n_old else None)
            c = ws.cell(t.first + j, col) if j is not None else None
            out_cells.append((_cell_typed(t, c), _code_of(t, c)))
        return out_cells

    if state.sort and n_rows > 1:
        columns = {k.column: [v for v, _ in values(k.column)] for k in state.sort}
        index = {offset: i for i, offset in enumerate(columns)}
        keys = [SortKey(index[k.column], k.descending) for k in state.sort]
        order = sort_order(list(columns.values()), keys)
        if order != list(range(n_rows)):
            out.order = order
            if out.source is not None:
                out.source = [out.source[i] for i in order]

    if not state.filtered:
        return out
    reason = state.problem
    shown = [True] * max(n_rows, 1)
    if reason is None:
        try:
            for offset, crit in state.criteria.items():
                cells = values(offset)
                if out.order is not None:
                    cells = [cells[i] for i in out.order]
                for i, keep in enumerate(keeps(cells, crit)):
                    shown[i] = shown[i] and keep
        except Unsupported as exc:
            reason = str(exc)
    if reason is not None:
        out.clear_filter = True
        shown = [True] * max(n_rows, 1)
        out.findings.append(Finding("Info", name, label, (
            f"{name} was filtered by {reason}, which xlpmo cannot re-apply exactly: the "
            "filter was cleared and every row shows. Filter again in Excel.")))
    out.hidden = [not s for s in shown]
    return out


def apply_clears(table: TablePart, plan: RowPlan) -> None:
    """Remove the filter / sort the plan could not re-apply."""
    if plan.clear_filter:
        clear_filter(table)
    if plan.clear_sort:
        clear_sort(table)


# -- writing the user columns -----------------------------------------------------------------


def _moved_cell(t: _Table, formulas: _Formulas, info: TableColumnInfo, old_r: int, r: int,
                col: int) -> tuple[Any, bool]:
    """The payload for ``(r, col)`` taking the cell of ``(old_r, col)``; (payload, formula)."""
    ws = t.ws
    c = ws.cell(old_r, col)
    ref = cell_ref(r, col)
    if c is None:
        return None, False
    text = formulas.text(old_r, c)
    if text is None:
        return copy_cell(c, ref), False
    f = ws.formula(c)
    if info.calculated_formula is not None and (text == info.calculated_formula
                                                or f.get("t") == "shared"):
        text = info.calculated_formula
    else:
        text = shift_formula(text, r - old_r)
    copy = copy_cell(c, ref)
    fc = ws.formula(copy)
    kind = f.get("t")
    if kind == "array":
        rng = CellRange.parse(f.get("ref") or ref)
        if rng.rows * rng.cols > 1:
            raise WriteConflict(f"{ws.where(old_r, col)} holds an array formula over several "
                             "cells in a column of the table; xlpmo cannot move it with its "
                             "row. Make it a formula of one cell.")
        fc.set("ref", ref)
    else:
        for attr in ("t", "si", "ref"):
            fc.attrib.pop(attr, None)
    fc.text = text
    return copy, True


def patch_user_cells(name: str, ws: Worksheet, table: TablePart, book: Book,
                     plans: list[Any], rows: range, source: list[int | None] | None,
                     skip: set[tuple[int, int]], base_style: Callable[[int], int]) -> bool:
    """Queue the cells of the table's user columns for the new data ``rows`` (see module
    docstring). ``source`` is :attr:`RowPlan.source` (None: a new table row only gets its
    calculated formula or a blank; cells of rows that stay are not touched). Returns True
    when formula cells were written."""
    t = _Table(name, ws, table, book, {p.col: p for p in plans})
    formulas_added = False
    for col, info in t.user_columns():
        style = base_style(col)
        formulas = _Formulas(t, col)
        expand = source is not None and formulas.has_shared() and any(
            j is None or t.first + j != r for j, r in zip(source, rows, strict=False))
        for k, r in enumerate(rows):
            if (r, col) in skip:
                continue
            if source is None:
                j = None
                if t.first <= r <= t.last:
                    continue
            else:
                j = source[k] if k < len(source) else None
                if j is not None and t.first + j == r and not expand:
                    continue
            if j is not None:
                payload, formula = _moved_cell(t, formulas, info, t.first + j, r, col)
                ws.patch(r, col, payload)
                formulas_added |= formula
                continue
            ref = cell_ref(r, col)
            s = f' s="{style}"' if style else ""
            if info.calculated_formula:
                ws.patch(r, col, f'<c r="{ref}"{s}><f>{escape_text(info.calculated_formula)}'
                                 "</f></c>")
                formulas_added = True
            else:
                ws.patch(r, col, f'<c r="{ref}"{s}/>' if style else None)
    return formulas_added
