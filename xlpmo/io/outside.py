"""Data typed right next to an input table, outside it: read by nobody, so said.

Excel takes a row typed directly below a table, and a column typed directly right of it,
into the table (AutoExpand). LibreOffice, Google Sheets' xlsx export, openpyxl or pandas
scripts and Excel with AutoExpand off (or after Undo of the expansion) do not: the row or
column sits next to the table, looks like part of it, and its cost or progress is left out
of every figure without a word. The reader looks at what follows a contract input table
directly (no blank row or column between) and names it, as an **Error** naming the first
cell (the figures leave it out; exit 1 says so):

- :func:`rows_below`: a row with a value in the table's first column and at least one more
  value in the table's columns. A summary line (first cell ``Total``, ``Grand total``,
  ``Sum``, ``Average``, ``Max``...) or a row with one note in it is not data.
- :func:`columns_right`: a column whose header is a month (for the time-phased tables:
  next month's column added to a wide tblPlan) or a contract column the table lacks, with a
  value in one of the table's rows. Other columns (comments, a row total) are the user's own.

What comes after the first blank row or column is the user's own business (notes, another
block), as in Excel, where a blank row or column ends what AutoExpand takes in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from xlpmo.contract.tables import TableSpec
from xlpmo.errors import Finding
from xlpmo.io.a1 import address
from xlpmo.io.headers import is_month_header, loose
from xlpmo.io.raw import header_text

__all__ = ["MAX_LOOKED_AT", "columns_right", "rows_below", "search_limits"]

#: rows (columns) looked at below (right of) a table
MAX_LOOKED_AT = 100_000

_TOTAL = re.compile(r"^\s*(grand[\s-]+)?(sub[\s-]*)?(total|totals|sum|average|avg|mean|count|"
                    r"min|max)\b", re.IGNORECASE)


def _blank(values: np.ndarray) -> np.ndarray:
    """Per cell: None, or text of white space only."""
    text = np.frompyfunc(lambda v: isinstance(v, str) and not v.strip(), 1, 1)(values)
    return np.equal(values, None) | text.astype(bool)


def _grid(values: Any) -> np.ndarray | None:
    grid = np.asarray(values, dtype=object)
    return grid if grid.ndim == 2 and grid.size else None


def _finding(table: str, cell: str, n: int, unit: str, where: str, names: str = "") -> Finding:
    one = n == 1
    what = f"1 {unit}" if one else f"{n:,} {unit}s"
    return Finding(
        "Error", table, cell,
        f"{what}{names} {where} {table} {'is' if one else 'are'} outside the table, so "
        f"{'its' if one else 'their'} values are left out of every figure. Excel takes a "
        f"{unit} typed {where} a table into it; LibreOffice and scripts do not. Resize "
        f"{table} to take {'it' if one else 'them'} in (Table Design > Resize Table), or "
        f"leave a blank {unit} between if it is not data",
    )


def search_limits(table: tuple[int, int, int, int], others: Sequence[tuple[int, int, int, int]],
                  last_row: int, last_col: int) -> tuple[int, int]:
    """How far below and right of ``table`` (r1, c1, r2, c2) to look: to the sheet's last
    used row and column, at most :data:`MAX_LOOKED_AT` beyond the table, and short of any
    other table there (``others``): a table stacked right under another is no data typed
    outside it."""
    r1, c1, r2, c2 = table
    bottom, right = min(last_row, r2 + MAX_LOOKED_AT), min(last_col, c2 + MAX_LOOKED_AT)
    for o1, p1, o2, p2 in others:
        if o1 > r2 and p1 <= c2 and p2 >= c1:  # below, sharing columns
            bottom = min(bottom, o1 - 1)
        if p1 > c2 and o1 <= r2 and o2 >= r1:  # right, sharing rows
            right = min(right, p1 - 1)
    return bottom, right


def rows_below(table: str, sheet: str, first_row: int, left: int, values: Any
               ) -> Finding | None:
    """The Error for the rows right below ``table`` that hold data, or None.

    ``values``: the sheet's cells from the row after the table's last row (``first_row``)
    down, in the table's columns (``left`` is the first); any number of rows (the block
    ends at its first blank row).
    """
    grid = _grid(values)
    if grid is None:
        return None
    blank = _blank(grid[:MAX_LOOKED_AT])
    empty = np.flatnonzero(blank.all(axis=1))
    filled = ~blank[: empty[0]] if len(empty) else ~blank
    totals = np.array([isinstance(v, str) and bool(_TOTAL.match(v))
                       for v in grid[: len(filled), 0]], dtype=bool)
    rows = np.flatnonzero(filled[:, 0] & (filled.sum(axis=1) >= 2) & ~totals)
    if not len(rows):
        return None
    return _finding(table, address(sheet, first_row + int(rows[0]), left), len(rows), "row",
                    "right below")


def columns_right(spec: TableSpec, sheet: str, header_row: int, first_col: int,
                  values: Any, inside: Sequence[str], date1904: bool = False
                  ) -> Finding | None:
    """The Error for the columns right of the table that hold data it would read, or None.

    ``values``: the sheet's cells of the table's header row and data rows (``header_row``
    is the first) from the column after the table's last (``first_col``) rightwards;
    ``inside``: the table's own headers (a contract column it has already is not missed).
    """
    grid = _grid(values)
    if grid is None or grid.shape[0] < 2:
        return None
    names = [header_text(v) for v in grid[0, :MAX_LOOKED_AT]]
    stop = next((j for j, name in enumerate(names) if not name.strip()), len(names))
    has = {loose(h) for h in inside}
    wanted = {loose(c.name) for c in spec.columns} - has
    filled = ~_blank(grid[1:, :stop]).all(axis=0)
    cols = [j for j in range(stop) if filled[j] and (
        loose(names[j]) in wanted
        or (spec.amount is not None and is_month_header(names[j], date1904)))]
    if not cols:
        return None
    shown = ", ".join(repr(names[j].strip()) for j in cols[:3]) + (", ..." if len(cols) > 3
                                                                    else "")
    return _finding(spec.name, address(sheet, header_row, first_col + cols[0]), len(cols),
                    "column", "right of", f" ({shown})")
