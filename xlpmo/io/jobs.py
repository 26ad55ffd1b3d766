"""The tables one write changes: their columns, where they go, what may stand in the way.

:func:`prepare` turns a DataFrame into a :class:`Job` (an existing table found by name on
any sheet, or a new one on its contract sheet); :func:`geometry` gives an existing table
its new range and each DataFrame column its sheet column (matched by name, month headers
by month); :func:`place_new` puts a new table below its sheet's content;
:func:`conflicts` says what the new range would overwrite; :func:`announce_rewrites` lets a
sheet be parsed without the rows that are rewritten whole; :func:`edit_job` applies a
:class:`~xlpmo.io.changes.TableEdit` (cells, added rows, new columns) and :func:`config_job`
sets tblConfig settings through one. :mod:`xlpmo.io.writer` renders and saves the jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables as contract
from xlpmo.contract.periods import parse_period
from xlpmo.contract.settings import upsert_settings
from xlpmo.errors import (
    InputError,
    WriteConflict,
    XlpmoError,
    occupied_cells_problem,
    overwrite_refusal,
)
from xlpmo.io.a1 import CellRange
from xlpmo.io.changes import TableEdit, column_position, settings_edit
from xlpmo.io.ooxml.follow import Resize
from xlpmo.io.ooxml.sheet import Worksheet
from xlpmo.io.ooxml.tablepart import TableColumnInfo, TablePart, check_table_name
from xlpmo.io.ooxml.workbook import Book, SheetEntry
from xlpmo.io.rowplan import RowPlan

__all__ = [
    "ColumnPlan", "Job", "announce_rewrites", "cell_style", "column_kind", "config_job",
    "conflicts", "data_rows", "edit_job", "geometry", "header_text", "merge_config",
    "new_table_frame", "place_new", "prepare", "resize_of",
]


# -- column plans ---------------------------------------------------------------------------


def header_text(label: Any) -> str:
    """A DataFrame column label as table header text (months as ``2026-01``)."""
    if isinstance(label, pd.Timestamp | np.datetime64) or hasattr(label, "strftime"):
        ts = pd.Timestamp(label)
        if ts == ts.normalize() and ts.day == 1:
            return ts.strftime("%Y-%m")
        return ts.isoformat() if ts != ts.normalize() else ts.strftime("%Y-%m-%d")
    return str(label)


def column_kind(spec: contract.TableSpec | None, header: str, label: Any, series: pd.Series) -> str:
    """The column's kind (month columns of time-phased tables are money)."""
    is_month = bool(spec is not None and spec.amount and header.lower() not in
                    {c.name.lower() for c in spec.columns} and parse_period(label) is not None)
    return contract.column_kind(spec, header, series, is_month)


@dataclass
class ColumnPlan:
    header: str
    series: pd.Series
    kind: str
    col: int = 0
    existing: TableColumnInfo | None = None


def column_plans(name: str, df: pd.DataFrame, spec: contract.TableSpec | None) -> list[ColumnPlan]:
    plans, seen = [], set()
    for i, label in enumerate(df.columns):
        header = header_text(label).strip()
        if not header:
            raise InputError(f"{name}: column {i + 1} has no name; a table header cannot be blank")
        if header.lower() in seen:
            raise InputError(f"{name}: the column name {header!r} appears twice")
        seen.add(header.lower())
        series = df.iloc[:, i]
        plans.append(ColumnPlan(header, series, column_kind(spec, header, label, series)))
    if not plans:
        raise InputError(f"{name}: a table needs at least one column")
    return plans


# -- jobs -----------------------------------------------------------------------------------


@dataclass
class Job:
    """One table to write: where it goes and what goes in it."""

    name: str
    book: Book
    entry: SheetEntry
    plans: list[ColumnPlan]
    n_rows: int  # data rows written (0 for an empty DataFrame)
    table: TablePart | None = None
    sheet_created: bool = False
    full: bool = True  # the DataFrame is the whole table (False: an edit, tblConfig settings)
    new: CellRange | None = None
    created: bool = False
    cell_values: dict[tuple[int, int], Any] = field(default_factory=dict)  # edited cells
    extra_rows: int = 0  # rows appended by an edit
    rows_styled: bool = False  # appended rows take the column's style (False: tblConfig)
    edit: bool = False  # a TableEdit's: written with the others or the write refused
    rowplan: RowPlan | None = None  # user cells by key, filter and sort (xlpmo.io.rowplan)

    @property
    def ws(self) -> Worksheet:
        """The job's worksheet, parsed on first use (see :func:`announce_rewrites`)."""
        return self.book.worksheet(self.entry)


def prepare(book: Book, name: str, df: pd.DataFrame) -> Job:
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"{name}: expected a DataFrame, got {type(df).__name__}")
    try:
        spec: contract.TableSpec | None = contract.spec(name)
    except KeyError:
        spec = None
    table = book.find_table(name)
    plans = column_plans(name, df, spec)
    if table is not None:
        if table.table_type != "worksheet":
            raise WriteConflict(f"the table {table.name} is linked to external data "
                             f"({table.table_type}); xlpmo will not write into it")
        entry = book.sheet_of_part(table.sheet_part)
        book.check_worksheet(entry)
        return Job(table.name, book, entry, plans, len(df), table=table)
    if spec is None:
        raise InputError(f"the workbook has no table {name!r} and it is not a table of the "
                         "xlpmo contract, so xlpmo does not know where to create it")
    check_table_name(spec.name)
    entry = book.sheet_entry(spec.sheet)
    sheet_created = entry is None
    if entry is None:
        entry = book.add_worksheet(spec.sheet)
    book.check_worksheet(entry)
    return Job(spec.name, book, entry, plans, len(df), sheet_created=sheet_created,
               created=True)


def geometry(job: Job) -> None:
    """New range of an existing table, and the sheet column of every DataFrame column."""
    table = job.table
    assert table is not None
    old = table.ref
    by_name = {c.name.strip().lower(): (i, c) for i, c in enumerate(table.columns)}
    by_period: dict[pd.Timestamp, tuple[int, TableColumnInfo]] = {}
    for i, c in enumerate(table.columns):  # month headers: "Jan 2026" matches 2026-01
        month = parse_period(c.name)
        if month is not None:
            by_period.setdefault(month, (i, c))
    appended = 0
    for plan in job.plans:
        hit = by_name.get(plan.header.lower())
        if hit is None and by_period:
            month = parse_period(plan.header)
            hit = by_period.get(month) if month is not None else None
        if hit is not None:
            plan.col, plan.existing = old.c1 + hit[0], hit[1]
        else:
            plan.col = old.c1 + old.cols + appended
            appended += 1
    if appended and table.header_rows == 0:
        raise InputError(f"the table {table.name} has no header row; xlpmo cannot add the "
                         "columns " + ", ".join(p.header for p in job.plans if p.existing is None))
    old_data = old.rows - table.header_rows - table.totals_rows
    n_data = max(job.n_rows, 1) if job.full else max(old_data + job.extra_rows, 1)
    job.new = CellRange(old.r1, old.c1, old.r1 + table.header_rows + n_data + table.totals_rows - 1,
                        old.c1 + old.cols + appended - 1)


def announce_rewrites(book: Book, jobs: list[Job], planned: dict[str, CellRange]) -> None:
    """Tell the book, before it parses the sheets, which rows are rewritten whole.

    When a DataFrame writes exactly an existing table's columns, the data rows the table
    keeps are replaced in every column, so their old cells are never looked at: the sheet
    is parsed without them (a 30,000-row output table would otherwise cost ~18 times its
    XML in memory). Not announced: the first data row (its styles are the columns' base
    styles), the totals row, rows that leave the table, and every row of a table whose old
    range meets another table's old or new range (the sheet is then parsed whole, so the
    refusal lists every cell in the way).
    """
    for job in jobs:
        table, new = job.table, job.new
        if table is None or new is None or job.created or not job.full:
            continue
        old = table.ref
        if sorted(p.col for p in job.plans) != list(range(old.c1, old.c2 + 1)):
            continue
        top = old.r1 + table.header_rows + 1
        end = min(old.r2, new.r2) - table.totals_rows
        if end < top:
            continue
        if any(other.ref.intersects(old)
               or planned.get(other.name.lower(), other.ref).intersects(old)
               for other in book.tables_on(table.sheet_part) if other is not table):
            continue
        book.expect_rewrite(table.sheet_part, CellRange(top, old.c1, end, old.c2))


def conflicts(job: Job, book: Book, planned: dict[str, CellRange]) -> list[str]:
    """Why ``job`` may not take its new range (empty when it may).

    ``planned`` holds the new ranges of the other existing tables written in this call.
    """
    ws, region = job.ws, job.new
    assert region is not None
    own = job.table.ref if job.table is not None else None
    where = f"{job.name} needs {ws.label}!{region}"
    try:
        region.check_bounds(where)
    except XlpmoError as exc:
        return [str(exc)]
    problems = []
    cells = ws.occupied_cells(region, own)
    if cells:
        problems.append(occupied_cells_problem(ws.label, cells))
    merged = [m for m in ws.merged_ranges() if m.intersects(region)]
    if merged:
        problems.append("merged cells " + ", ".join(str(m) for m in merged[:8]))
    for other in book.tables_on(ws.part):
        if other is job.table:
            continue
        rng = planned.get(other.name.lower(), other.ref)
        if rng.intersects(region) or other.ref.intersects(region):
            problems.append(f"the table {other.name} ({rng})")
    for anchor, rng in ws.array_ranges():
        if rng.intersects(region) and not (own is not None and own.contains_range(rng)):
            problems.append(f"the array/spill range of {anchor} ({rng})")
    if not problems:
        return []
    return [overwrite_refusal(where, problems)]


def place_new(job: Job, book: Book, planned: dict[str, CellRange],
               placed: list[CellRange]) -> None:
    """Put a new table below the sheet's content (and tables placed before it) at column A."""
    bottom = job.ws.content_bottom()
    for table in book.tables_on(job.ws.part):
        bottom = max(bottom, table.ref.r2, planned.get(table.name.lower(), table.ref).r2)
    for rng in placed:
        bottom = max(bottom, rng.r2)
    top = bottom + 2 if bottom else 1
    job.new = CellRange(top, 1, top + max(job.n_rows, 1), len(job.plans))
    for i, plan in enumerate(job.plans):
        plan.col = 1 + i


def cell_style(ws: Worksheet, row: int, col: int) -> int:
    c = ws.cell(row, col)
    s = c.get("s") if c is not None else None
    return int(s) if s and s.isdigit() else 0


def resize_of(job: Job) -> Resize | None:
    """The job's change of data rows (before rendering), or None when they stay."""
    table, new = job.table, job.new
    if table is None or new is None or job.created:
        return None
    old = table.ref
    old_end, new_end = old.r2 - table.totals_rows, new.r2 - table.totals_rows
    if old_end == new_end:
        return None
    return Resize(table.name, job.entry.name, old.c1, old.c2, old.r1 + table.header_rows,
                  old_end, new_end)


def data_rows(job: Job) -> int:
    assert job.new is not None and job.table is not None
    return job.new.rows - job.table.header_rows - job.table.totals_rows


# -- edits and config -----------------------------------------------------------------------


def merge_config(df: pd.DataFrame, updates: Mapping[str, Any]) -> pd.DataFrame:
    cols = {str(c).lower(): c for c in df.columns}
    if "setting" not in cols or "value" not in cols:
        raise InputError("tblConfig needs the columns Setting and Value")
    out = df.copy()
    out[cols["value"]] = out[cols["value"]].astype(object)
    plan = upsert_settings(out[cols["setting"]].tolist(), out[cols["value"]].tolist(),
                           dict(updates))
    for i, value in plan.values.items():
        out.iloc[i, out.columns.get_loc(cols["value"])] = value
    for i, name in plan.names.items():
        out.iloc[i, out.columns.get_loc(cols["setting"])] = name
    if plan.appended:
        rows = [{**dict.fromkeys(out.columns), cols["setting"]: n, cols["value"]: v}
                for n, v in plan.appended]
        out = pd.concat([out, pd.DataFrame(rows, dtype=object)], ignore_index=True)
    return out


def edit_job(book: Book, table: TablePart, edit: TableEdit, rows_styled: bool = True) -> Job:
    """The job of a :class:`~xlpmo.io.changes.TableEdit`: its cells, rows and columns only.

    Refuses (XlpmoError) an edit of a cell that holds a formula (its value would replace
    the formula), a row the table does not have or a column it lacks that is not new.
    """
    if table.table_type != "worksheet":
        raise WriteConflict(f"the table {table.name} is linked to external data "
                         f"({table.table_type}); xlpmo will not write into it")
    entry = book.sheet_of_part(table.sheet_part)
    book.check_worksheet(entry)
    try:
        spec: contract.TableSpec | None = contract.spec(table.name)
    except KeyError:
        spec = None
    names = [c.name for c in table.columns]
    old = table.ref
    top = old.r1 + table.header_rows
    n_old = old.r2 - table.totals_rows - top + 1
    plans: list[ColumnPlan] = []
    col_of: dict[str, int] = {}
    added = 0  # new columns go at the right, in the order of first use (as geometry puts them)
    for header in edit.referenced():
        i = column_position(names, header)
        if i is None and header not in edit.columns:
            raise InputError(f"the table {table.name} has no column {header!r}")
        if i is None:
            col, label, added = old.c1 + old.cols + added, header, added + 1
        else:
            col, label = old.c1 + i, names[i]
        if all(p.col != col for p in plans):
            plan = ColumnPlan(label, pd.Series(dtype=object),
                              column_kind(spec, label, label, pd.Series(dtype=object)), col)
            plan.existing = table.columns[i] if i is not None else None
            plans.append(plan)
        col_of[header] = col
    job = Job(table.name, book, entry, plans, 0, table=table, full=False,
              rows_styled=rows_styled, edit=True)
    ws = job.ws
    for (i, header), value in edit.cells.items():
        if not 0 <= i < n_old:
            raise InputError(f"{table.name} has no data row {i + 1}")
        r, col = top + i, col_of[header]
        c = ws.cell(r, col)
        if c is not None and ws.is_formula(c):
            raise WriteConflict(f"{ws.where(r, col)} in {table.name} holds a formula; xlpmo "
                             "changes only values there. Replace the formula by its value "
                             "and run the command again.")
        job.cell_values[(r, col)] = value
    for k, row in enumerate(edit.rows):
        r = top + n_old + k
        values = {col_of[h]: v for h, v in row.items()}
        for plan in plans:
            job.cell_values[(r, plan.col)] = values.get(plan.col)
    job.extra_rows = len(edit.rows)
    return job


def new_table_frame(edit: TableEdit) -> pd.DataFrame:
    """A table that an edit creates: its header and added rows as a DataFrame."""
    header = list(edit.header or edit.referenced())
    rows = [[row.get(h) for h in header] for row in edit.rows]
    return pd.DataFrame(rows, columns=header, dtype=object)


def config_job(book: Book, table: TablePart, updates: Mapping[str, Any]) -> Job:
    entry = book.sheet_of_part(table.sheet_part)
    ws = book.worksheet(entry)
    names = [c.name for c in table.columns]
    lowered = [n.strip().lower() for n in names]
    if "setting" not in lowered or "value" not in lowered:
        raise InputError(f"the table {table.name} on {ws.label} needs the columns Setting and "
                         "Value to take the refresh stamp")
    old = table.ref
    top = old.r1 + table.header_rows
    end = old.r2 - table.totals_rows
    shared = None
    rows = []
    for r in range(top, end + 1):
        row = []
        for j in range(len(names)):
            c = ws.cell(r, old.c1 + j)
            if c is not None and c.get("t") == "s" and shared is None:
                shared = book.shared_strings()
            row.append(ws.cell_value(c, shared) if c is not None else None)
        rows.append(row)
    edit = settings_edit(table.name, names, rows, dict(updates))
    return edit_job(book, table, edit, rows_styled=False)
