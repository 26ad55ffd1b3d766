"""An xlwings Book as a workbook session: tables read from its ranges, changes written as
values (:class:`BookSession`, the Excel side of :class:`xlpmo.app.session.Session`).

Works on any xlwings Book: the classic add-in's ``Book.caller()`` (Windows COM) or the
book xlwings Lite / xlwings Server hand a script (built from the JSON the Office.js
client sends; its writes go back as actions).

- inputs: every contract table found in the book (Excel Tables by name on any sheet, or a
  sheet named like the table without ``tbl``), as :class:`xlpmo.io.raw.RawTable`
  (:func:`read_tables`);
- whole tables (outputs): values, never formulas (only a user's own formula that
  :mod:`xlpmo_udfs.keep` carries with its row), into the output Excel Tables, resized to
  the result (an Excel Table keeps at least one data row: an empty result leaves one blank
  row); a missing output table is created on its contract sheet (the sheet is added when
  missing), below whatever the sheet already holds;
- edits (:class:`xlpmo.io.changes.TableEdit`: Import actuals, Close period, New project,
  tblConfig settings): only the edited cells, the added rows and the new columns are
  written; the table is resized and Excel fills its calculated columns;
- all of one command's changes are placed and checked first (:func:`write_changes`): if one
  would grow over another table or over non-empty cells outside its own range, nothing is
  written and the message names those cells;
- text that Excel would read as a formula, number or date (``=cmd``, ``0042``) is written
  with a leading apostrophe (:func:`xlpmo.io.importer.protect_text`), so it stays text.

What the xlwings object model of Office.js cannot do (xlwings 0.37.8) and so this module
does not attempt: reading a cell's number format or formula synchronously (an edit that
adds to a cell holding a formula replaces it by the value; the file writer refuses it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.errors import (
    Finding,
    InputError,
    WriteConflict,
    XLError,
    XlpmoError,
    occupied_cells_problem,
    overwrite_refusal,
)
from xlpmo.io.a1 import CellRange, address, quote_sheet
from xlpmo.io.changes import TableEdit, column_position
from xlpmo.io.outside import columns_right, rows_below, search_limits
from xlpmo.io.raw import RawTable, as_2d, clean_values

from .cellvalues import cell_value, json_rows, json_value
from .officejs import block, is_json, read_block

#: a whole table to write: rows of values (header first) or a DataFrame (its columns the
#: header)
Cells = list[list[Any]] | pd.DataFrame
#: one whole table to write: (contract name, cells, sheet for a new table or None)
Job = tuple[str, Cells, "str | None"]

# -- reading the book -------------------------------------------------------------------------


def range_grid(rng: Any) -> np.ndarray:
    """A range's cells as a 2-D object array of raw values (:mod:`xlpmo.io.raw`: blanks
    None, error cells :class:`XLError`); from a JSON book by column
    (:func:`xlpmo_udfs.officejs.read_block`), else through xlwings' ``Range.value``."""
    if is_json(rng.sheet):
        n, m = rng.shape
        return read_block(rng.sheet, rng.row, rng.column, rng.row + n - 1, rng.column + m - 1)
    rows = rng.options(ndim=2, err_to_str=True).value or []
    return clean_values(as_2d([[XLError.parse(v) or v if isinstance(v, str) else v
                                for v in row] for row in rows]))


def range_values(rng: Any) -> list[list[Any]]:
    """A range's cells as lists of rows (:func:`range_grid`)."""
    return range_grid(rng).tolist()


def table_header(table: Any) -> list[str]:
    """The texts of an Excel Table's first row (its header), blanks as ``""``."""
    rng = table.range
    first = rng.sheet.range((rng.row, rng.column), (rng.row, rng.column + rng.shape[1] - 1))
    return [str(h) if h is not None else "" for h in range_grid(first)[0]]


def _origin(sheet: Any, rng: Any) -> str:
    return address(sheet.name, rng.row, rng.column)


def find_table(book: Any, name: str) -> Any | None:
    """The Excel Table called ``name`` (case-insensitive) on any sheet, or None."""
    for sheet in book.sheets:
        for table in sheet.tables:
            if table.name.lower() == name.lower():
                return table
    return None


def read_tables(book: Any, names: Sequence[str] | None = None) -> dict[str, RawTable]:
    """The contract tables of the book as RawTables, keyed by contract name: those named
    in ``names`` (case-insensitively; None: every contract table)."""
    wanted = None if names is None else {n.lower() for n in names}
    found: dict[str, Any] = {}
    sheets_with_tables = set()
    for sheet in book.sheets:
        for table in sheet.tables:
            sheets_with_tables.add(sheet.name)
            try:
                spec = tables.spec(table.name)
            except KeyError:
                continue
            if wanted is not None and spec.name.lower() not in wanted:
                continue
            rng = table.range
            found[spec.name] = RawTable.from_values(range_grid(rng), _origin(sheet, rng),
                                                    spec.name, is_listobject=True,
                                                    cleaned=True)
    for spec in tables.INPUTS.values():  # sheets named like the table, without Excel Tables
        if spec.name in found or (wanted is not None and spec.name.lower() not in wanted):
            continue
        for sheet in book.sheets:
            if sheet.name.lower() == spec.sheet.lower() and sheet.name not in sheets_with_tables:
                rng = sheet.used_range
                values = range_grid(rng)
                if len(values) and any(v is not None for v in values[0]):
                    found[spec.name] = RawTable.from_values(values, _origin(sheet, rng),
                                                            spec.name, cleaned=True)
    return found


_INPUT_NAMES = {name.lower() for name in tables.INPUTS}


def _box(rng: Any) -> tuple[int, int, int, int]:
    """A range's (first row, first column, last row, last column), 1-based."""
    return (rng.row, rng.column, rng.row + rng.shape[0] - 1, rng.column + rng.shape[1] - 1)


def outside_tables(book: Any) -> list[Finding]:
    """The Errors for data typed right below or right of an input Excel Table, outside it
    (:mod:`xlpmo.io.outside`; Excel grows a table as a row or column is typed next to it, but
    not with AutoExpand off, nor after Undo of the expansion, nor in a file saved by another
    program)."""
    out = []
    for sheet in book.sheets:
        boxes = {t.name: _box(t.range) for t in sheet.tables}
        used = None
        for table in sheet.tables:
            if table.name.lower() not in _INPUT_NAMES:
                continue
            spec = tables.spec(table.name)
            used = _box(sheet.used_range) if used is None else used
            top, left, bottom, right = boxes[table.name]
            last_row, last_col = search_limits(
                boxes[table.name], [b for n, b in boxes.items() if n != table.name],
                used[2], used[3])
            if last_row > bottom:
                out.append(rows_below(spec.name, sheet.name, bottom + 1, left, range_grid(
                    sheet.range((bottom + 1, left), (last_row, right)))))
            if last_col > right:
                out.append(columns_right(
                    spec, sheet.name, top, right + 1,
                    range_grid(sheet.range((top, right + 1), (bottom, last_col))),
                    table_header(table)))
    return [f for f in out if f is not None]


# -- writing the book -------------------------------------------------------------------------


def frame_cells(frame: pd.DataFrame) -> list[list[Any]]:
    """A DataFrame as rows of values with its header row first."""
    return [list(map(str, frame.columns)), *frame.to_numpy(dtype=object).tolist()]


def json_book(book: Any) -> bool:
    """The book is a JSON book (xlwings Lite / Server): whole tables are written with
    ``Range.raw_value`` as :mod:`xlpmo_udfs.cellvalues` makes them, not cell by cell
    through xlwings' value converters."""
    return is_json(book.sheets[0])


def _find_sheet(book: Any, name: str) -> Any | None:
    for sheet in book.sheets:
        if sheet.name.lower() == name.lower():
            return sheet
    return None


def sheet_named(book: Any, name: str) -> Any:
    """The sheet called ``name``, added at the end of the book when missing."""
    found = _find_sheet(book, name)
    if found is not None:
        return found
    return book.sheets.add(name=name, after=book.sheets[len(book.sheets) - 1])


def _written_bottoms(book: Any) -> dict[str, int]:
    """The last row each sheet (by lower-case name) got from :func:`write_changes` in this
    run: a script's reads do not see its own writes (xlwings Lite / Server), so two new
    tables on one new sheet (tblEVM and tblPortfolio on Dashboard) were both placed at A1."""
    memo = getattr(book, "_xlpmo_written_bottoms", None)
    if memo is None:
        memo = {}
        with contextlib.suppress(AttributeError, TypeError):
            book._xlpmo_written_bottoms = memo
    return memo


def _content_bottom(sheet: Any) -> int:
    """The last row a sheet holds (its cells and its tables); 0 when it is empty."""
    used = sheet.used_range
    bottom = 0
    if _non_empty(sheet, _range_of(used)):
        bottom = used.row + used.shape[0] - 1
    for table in sheet.tables:
        rng = table.range
        bottom = max(bottom, rng.row + rng.shape[0] - 1)
    return bottom


def _range_of(rng: Any) -> CellRange:
    return CellRange(rng.row, rng.column, rng.row + rng.shape[0] - 1,
                     rng.column + rng.shape[1] - 1)


@dataclass
class Placement:
    """Where one table's cells go: ``region`` on the sheet ``sheet_name`` (``sheet`` None
    when the sheet is still to be added), into the Excel Table ``table`` (None: a new
    table is added there). ``rows``: the whole table, header first; or, for an edit
    (:func:`plan_edit`), ``blocks``: only the cells to write, as (sheet row, sheet column,
    rows of values). ``raw``: the values are what the cells get in a JSON book
    (:func:`xlpmo_udfs.cellvalues.json_value`), written with ``Range.raw_value``; else
    :func:`~xlpmo_udfs.cellvalues.cell_value`'s, written with ``Range.value``."""

    name: str
    rows: list[list[Any]]
    sheet_name: str
    sheet: Any | None
    table: Any | None
    region: CellRange
    blocks: list[tuple[int, int, list[list[Any]]]] | None = None
    raw: bool = False

    @property
    def old(self) -> CellRange | None:
        return None if self.table is None else _range_of(self.table.range)


def final_rows(book: Any, cells: Cells) -> tuple[list[list[Any]], bool]:
    """``cells`` (header first: rows of values, or a DataFrame whose columns are the
    header) as the book's cells get them, and whether they are JSON values for
    ``Range.raw_value`` (a JSON book); an Excel Table keeps one data row, so a table
    without rows gets a blank one."""
    raw = json_book(book)
    if isinstance(cells, pd.DataFrame):
        rows = json_rows(cells) if raw else [[cell_value(v) for v in r]
                                             for r in frame_cells(cells)]
    else:
        value = json_value if raw else cell_value
        rows = [[value(v) for v in r] for r in cells]
    if len(rows) == 1:
        rows.append(["" if raw else None] * len(rows[0]))
    return rows, raw


def plan_table(book: Any, name: str, cells: Cells, sheet_name: str | None = None,
               planned: Sequence[Placement] = ()) -> Placement:
    """Where ``cells`` (header first, or a DataFrame) go: the Excel Table ``name`` resized
    from its top-left cell, or a new table on ``sheet_name`` (default: its contract sheet)
    at column A, two rows below what the sheet holds and what ``planned`` puts there."""
    rows, raw = final_rows(book, cells)
    height, width = len(rows), len(rows[0])
    table = find_table(book, name)
    if table is not None:
        sheet = table.parent
        top = table.range
        region = CellRange(top.row, top.column, top.row + height - 1, top.column + width - 1)
        return Placement(name, rows, sheet.name, sheet, table, region, raw=raw)
    sheet_name = sheet_name or tables.spec(name).sheet
    sheet = _find_sheet(book, sheet_name)
    key = sheet_name.lower()
    bottom = _written_bottoms(book).get(key, 0)
    if sheet is not None:
        bottom = max(bottom, _content_bottom(sheet))
    for other in planned:
        if other.sheet_name.lower() == key:
            bottom = max(bottom, other.region.r2)
    first = 1 if bottom == 0 else bottom + 3
    return Placement(name, rows, sheet_name, sheet, None,
                     CellRange(first, 1, first + height - 1, width), raw=raw)


def placement_problems(place: Placement, earlier: Sequence[Placement]) -> list[str]:
    """What ``place`` would overwrite that is not its own: another table on its sheet (where
    it is, or where an ``earlier`` placement of this run puts it) or non-empty cells
    outside its table's current range."""
    where = f"{place.name} needs {quote_sheet(place.sheet_name)}!{place.region}"
    try:
        place.region.check_bounds(where)
    except XlpmoError as exc:
        return [str(exc)]
    problems = []
    if place.sheet is not None:
        for other in place.sheet.tables:
            if place.table is not None and other.name.lower() == place.table.name.lower():
                continue
            rng = _range_of(other.range)
            if rng.intersects(place.region):
                problems.append(f"the table {other.name} ({rng})")
        taken = [cell for area in _new_ground(place.region, place.old)
                 for cell in _occupied(place.sheet, area)]
        if taken:
            problems.append(occupied_cells_problem(quote_sheet(place.sheet_name), taken))
    for other in earlier:
        if (other.name.lower() != place.name.lower()
                and other.sheet_name.lower() == place.sheet_name.lower()
                and other.region.intersects(place.region)):
            problems.append(f"the table {other.name} ({other.region}, after this run)")
    if not problems:
        return []
    return [overwrite_refusal(where, problems, "run the command again")]


def _new_ground(region: CellRange, old: CellRange | None) -> list[CellRange]:
    """The parts of ``region`` outside ``old`` (a table's current range, same top-left)."""
    if old is None:
        return [region]
    areas = []
    if region.r2 > old.r2:
        areas.append(CellRange(old.r2 + 1, region.c1, region.r2, region.c2))
    if region.c2 > old.c2:
        areas.append(CellRange(region.r1, old.c2 + 1, min(region.r2, old.r2), region.c2))
    return areas


def _filled(sheet: Any, area: CellRange) -> np.ndarray:
    """Which cells of ``area`` on ``sheet`` hold something (a boolean grid)."""
    if is_json(sheet):  # the sheet's JSON values as they are: "" is blank
        grid = block(sheet, area.r1, area.c1, area.r2, area.c2)
    else:
        grid = range_grid(sheet.range((area.r1, area.c1), (area.r2, area.c2)))
    return np.not_equal(grid, None) & np.not_equal(grid, "")


def _non_empty(sheet: Any, area: CellRange) -> bool:
    return bool(_filled(sheet, area).any())


def _occupied(sheet: Any, area: CellRange) -> list[CellRange]:
    """The non-empty cells of ``area`` on ``sheet``, as one-cell ranges."""
    rows, cols = np.nonzero(_filled(sheet, area))
    return [CellRange(area.r1 + i, area.c1 + j, area.r1 + i, area.c1 + j)
            for i, j in zip(rows.tolist(), cols.tolist(), strict=True)]


def plan_edit(book: Any, table: Any, edit: TableEdit) -> Placement:
    """Where a :class:`~xlpmo.io.changes.TableEdit` of the Excel Table ``table`` goes: the
    table grown by the edit's rows (down) and new columns (right), and the cells to write
    (only those of the edit: other cells, a user's columns and Excel's calculated columns
    are left to Excel)."""
    header = table_header(table)
    top = table.range
    r1, c1 = top.row, top.column
    n_old = top.shape[0] - 1
    raw = json_book(book)
    value_of = json_value if raw else cell_value
    col: dict[str, int] = {}
    new_headers: list[str] = []
    for name in edit.referenced():
        j = column_position(header, name)
        if j is None:
            if name not in edit.columns:
                raise InputError(f"the table {table.name} has no column {name!r}")
            j = len(header) + len(new_headers)
            new_headers.append(name)
        col[name] = c1 + j
    region = CellRange(r1, c1, r1 + n_old + len(edit.rows),
                       c1 + len(header) + len(new_headers) - 1)
    blocks: list[tuple[int, int, list[list[Any]]]] = []
    if new_headers:
        blocks.append((r1, c1 + len(header), [new_headers]))
    for (i, name), value in edit.cells.items():
        if not 0 <= i < n_old:
            raise InputError(f"{table.name} has no data row {i + 1}")
        blocks.append((r1 + 1 + i, col[name], [[value_of(value)]]))
    if edit.rows:
        for name, c in dict.fromkeys(col.items()):
            given = [row.get(name) for row in edit.rows]
            if any(cell_value(v) is not None for v in given):
                blocks.append((r1 + 1 + n_old, c, [[value_of(v)] for v in given]))
    sheet = table.parent
    return Placement(table.name, [], sheet.name, sheet, table, region, blocks, raw=raw)


def write_changes(book: Any, jobs: Sequence[Job] = (), edits: Sequence[TableEdit] = ()
                  ) -> list[Any]:
    """Write several tables and edits as one step: ``(name, cells with header, sheet)``
    each, into the Excel Table ``name`` (resized) or a new one (see :func:`plan_table`);
    then the edits (:func:`plan_edit`; a missing table is created with the edit's rows).
    Values only.

    Every placement is checked before the first cell is written: when one would overwrite
    another table or cells outside its own table, nothing is written and
    :class:`XlpmoError` names the cells (as the file writer refuses it).
    """
    planned: list[Placement] = []
    for name, cells, sheet_name in jobs:
        planned.append(plan_table(book, name, cells, sheet_name, planned))
    for edit in edits:
        table = find_table(book, edit.name)
        if table is None:
            header = list(edit.header or edit.referenced())
            cells = [header, *([row.get(h) for h in header] for row in edit.rows)]
            planned.append(plan_table(book, edit.name, cells, None, planned))
        elif edit:
            planned.append(plan_edit(book, table, edit))
    problems = [p for i, place in enumerate(planned)
                for p in placement_problems(place, planned[:i])]
    if problems:
        raise WriteConflict("nothing was written: " + " ".join(problems))
    return [_apply(book, place) for place in planned]


def set_cells(target: Any, rows: list[list[Any]], raw: bool) -> None:
    """Write ``rows`` into ``target`` (exactly their shape): final JSON values as they are
    (``raw``), in blocks of rows within the engine's cell budget per write as xlwings'
    value setter splits them (``max_cells_per_write``); else through that setter."""
    if not raw:
        target.value = rows
        return
    budget = getattr(target.impl, "max_cells_per_write", None)
    height, width = len(rows), len(rows[0])
    if budget is None or height * width <= budget:
        target.raw_value = rows
        return
    step = max(1, budget // width)
    for start in range(0, height, step):
        target[start:start + step, :].raw_value = rows[start:start + step]


def _apply(book: Any, place: Placement) -> Any:
    region = place.region
    if place.blocks is not None:
        sheet, table = place.sheet, place.table
        if region != place.old:
            table.resize(sheet.range((region.r1, region.c1), (region.r2, region.c2)))
        for r, c, rows in place.blocks:
            set_cells(sheet.range((r, c), (r + len(rows) - 1, c + len(rows[0]) - 1)), rows,
                 place.raw)
    elif place.table is not None:
        sheet, table, old = place.sheet, place.table, place.old
        body = table.data_body_range
        if body is not None:
            body.clear_contents()
        target = sheet.range((region.r1, region.c1), (region.r2, region.c2))
        table.resize(target)
        if old.c2 > region.c2:  # columns beyond the contract's: cleared, not kept stale
            sheet.range((old.r1, region.c2 + 1), (old.r2, old.c2)).clear_contents()
        set_cells(target, place.rows, place.raw)
    else:
        sheet = sheet_named(book, place.sheet_name)
        target = sheet.range((region.r1, region.c1), (region.r2, region.c2))
        set_cells(target, place.rows, place.raw)
        table = sheet.tables.add(source=target, name=place.name, has_headers=True)
    memo = _written_bottoms(book)
    key = place.sheet_name.lower()
    memo[key] = max(memo.get(key, 0), region.r2)
    return table


def write_table(book: Any, name: str, cells: Cells, sheet_name: str | None = None
                ) -> Any:
    """:func:`write_changes` for one whole table."""
    return write_changes(book, [(name, cells, sheet_name)])[0]


def output_job(frame: pd.DataFrame, spec: tables.TableSpec) -> Job:
    """The :func:`write_changes` job of one whole table."""
    return spec.name, frame[spec.column_names], spec.sheet


def job_header(cells: Cells) -> list[str]:
    """The header texts of a job's cells."""
    return [str(h) for h in (cells.columns if isinstance(cells, pd.DataFrame) else cells[0])]


def notify(book: Any, message: str) -> None:
    """Tell the user: a message box where the runtime has one, else the output pane."""
    print(message)
    # not every runtime/version can show a box; the print is enough then
    with contextlib.suppress(Exception):
        book.app.alert(message, title="xlpmo")


def selected_row(book: Any, name: str) -> int | None:
    """The data row index of the Excel Table ``name`` that holds the selection, or None."""
    table = find_table(book, name)
    try:
        sel = book.selection
    except Exception:  # no selection in this runtime
        return None
    if table is None or sel is None or sel.sheet.name != table.parent.name:
        return None
    i = sel.row - table.range.row - 1
    return i if 0 <= i < table.range.shape[0] - 1 else None


class BookSession:
    """An xlwings Book as a :class:`xlpmo.app.session.Session`."""

    def __init__(self, book: Any) -> None:
        self.book = book

    @property
    def name(self) -> str:
        return str(getattr(self.book, "name", "the workbook"))

    def read(self, extra: Sequence[str] = ()) -> tuple[dict[str, RawTable], list[Finding]]:
        """The input tables of the book, and the contract tables named in ``extra``; the
        notes: data typed next to an input table, outside it (:func:`outside_tables`).
        """
        return read_tables(self.book, [*tables.INPUTS, *extra]), outside_tables(self.book)

    def write(self, tables_: Mapping[str, pd.DataFrame], edits: Sequence[TableEdit]
              ) -> list[Finding]:
        """Whole tables as values, then the edits (:func:`write_changes`); adds nothing to
        tblChecks (the Excel commands use :class:`xlpmo_udfs.keep.KeepingSession`, which
        keeps what people added to the output tables)."""
        jobs = [output_job(frame, tables.spec(name)) for name, frame in tables_.items()]
        write_changes(self.book, jobs, edits)
        return []

    def step(self, label: str) -> None:
        """No progress lines in Excel (the commands take seconds)."""

    def notify(self, message: str) -> None:
        notify(self.book, message)
