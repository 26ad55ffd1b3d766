"""The rules of the commands that change inputs (Import actuals, Close period, New project):
pure pandas, the same for Excel and the file (:mod:`xlpmo.app.commands` applies them).

- Close period (functions.md): :func:`next_month_end` and :func:`history_rows`.
- New project: :func:`next_id` and :func:`plan_months`.
- Import actuals, exactly once: :func:`row_key` / :func:`pick_new` decide which export
  rows were imported before (tblImportLog); :func:`add_to_wide` adds amounts to the cells
  of a wide table (one column per month): a late invoice of 2,000 on a month holding 59,000
  makes 61,000.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import periods, tables

# -- Close period -------------------------------------------------------------------------------


def next_month_end(date: Any) -> pd.Timestamp:
    """The last day of the month after ``date``'s month: the next status date
    (2026-02-28 -> 2026-03-31; 2026-01-15 -> 2026-02-28; 2028-01-31 -> 2028-02-29)."""
    return periods.month_start_scalar(date) + pd.DateOffset(months=2) - pd.Timedelta(days=1)


def history_rows(evm: pd.DataFrame, closed_on: Any) -> pd.DataFrame:
    """tblEVM rows as tblHistory rows: ``ClosedOn`` (when the period was closed) first,
    then the tblEVM columns as they are."""
    rows = evm[tables.EVM.column_names].copy()
    rows.insert(0, "ClosedOn", pd.Timestamp(closed_on))
    return rows[tables.HISTORY.column_names]


# -- New project -------------------------------------------------------------------------------


def next_id(existing: Sequence[str]) -> str:
    """The ID after the highest ``<prefix><number>`` of ``existing``, its zero padding kept
    (``P-009`` -> ``P-010``, ``0042`` -> ``0043``); ``P-001`` when none ends in a number.
    When that ID is taken by an ID with another prefix, ``-new`` is appended."""
    best: tuple[int, str, int] | None = None
    for text in existing:
        m = re.match(r"^(.*?)(\d+)$", text.strip())
        if m and (best is None or int(m[2]) > best[0]):
            best = (int(m[2]), m[1], len(m[2]))
    if best is None:
        return "P-001"
    number, prefix, width = best
    candidate = f"{prefix}{number + 1:0{width}d}"
    return candidate if candidate not in existing else f"{candidate}-new"


def plan_months(start: Any, finish: Any) -> list[pd.Timestamp]:
    """The months of a new project's plan in the long layout: each month from its start to
    its finish, both included; none when either date is missing or finish < start."""
    if start is None or finish is None or pd.Timestamp(finish) < pd.Timestamp(start):
        return []
    return list(periods.period_range(start, finish))


_MONTH_FORMATS = ("%b %Y", "%Y-%m", "%b-%Y", "%b %y", "%b-%y", "%B %Y", "%m/%Y", "%Y/%m")


def month_header(existing: Sequence[str], month: pd.Timestamp) -> str:
    """The header of a new month column written like the table's month headers
    (``Nov 2026`` beside ``Oct 2026``, ``2026-11`` beside ``2026-10``); ``Nov 2026``
    (the template's way) when no format fits them all."""
    for fmt in _MONTH_FORMATS:
        if existing and all(periods.parse_period(h) is not None
                            and periods.parse_period(h).strftime(fmt) == str(h).strip()
                            for h in existing):
            return month.strftime(fmt)
    return month.strftime(_MONTH_FORMATS[0])


# -- Import actuals: exactly once --------------------------------------------------------------


def _key_part(value: Any, kind: str) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if kind in ("period", "date", "timestamp"):
        ts = pd.Timestamp(value)
        return ts.strftime("%Y-%m" if kind == "period" else "%Y-%m-%d")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return format(float(value), ".15g")
    return str(value)


def row_key(values: Sequence[Any], kinds: Sequence[str]) -> str:
    """A whole imported row as readable text, the row's identity in tblImportLog when the
    export has no reference column: ``P-101 | 2026-11 | Labour | 12500`` (periods as
    ``YYYY-MM``, dates ``YYYY-MM-DD``, numbers to 15 significant digits, blank as nothing;
    no space at either end, as a cell's text is read back trimmed: ``R9 | P1 | 2026-11-03 |
    1 |`` for a blank Billable)."""
    return " | ".join(_key_part(v, k) for v, k in zip(values, kinds, strict=True)).strip()


@dataclass
class Picked:
    """Which export rows to import (``new``, a boolean per row), which were imported before
    (``skipped``: row positions) and what tblImportLog gets (``log``: reference -> number
    of export rows it stands for in this import, in first-seen order)."""

    new: np.ndarray
    skipped: list[int] = field(default_factory=list)
    log: dict[str, int] = field(default_factory=dict)


def pick_new(keys: Sequence[str], by_reference: Sequence[bool],
             imported: dict[str, int]) -> Picked:
    """The rows of an export not imported before.

    ``keys``: each row's reference (the export's reference column) or, without one, its
    :func:`row_key`; ``by_reference``: which of the two each key is; ``imported``: key ->
    rows already imported into the same table (summed over tblImportLog). A reference seen
    before skips every row that carries it (an invoice is imported once, whatever its
    lines); whole rows count: a row imported n times before skips its first n copies, so
    two equal postings in one export are both imported, and importing the same export
    again imports nothing.
    """
    n = len(keys)
    new = np.ones(n, dtype=bool)
    seen: dict[str, int] = {}
    for i, (key, ref) in enumerate(zip(keys, by_reference, strict=True)):
        before = imported.get(key, 0)
        if ref:
            new[i] = before == 0
        else:
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            new[i] = occurrence >= before
    log: dict[str, int] = {}
    for key, is_new in zip(keys, new, strict=True):
        if is_new:
            log[key] = log.get(key, 0) + 1
    return Picked(new, [i for i in range(n) if not new[i]], log)


@dataclass
class WideAddition:
    """What adding long rows to a wide table changes: ``cells`` ((data row index, column
    header) -> new amount), ``rows`` (new rows: header -> value), ``columns`` (new month
    headers), and ``problems`` ((data row index, column header, value): cells that hold
    something other than an amount, so nothing can be added to them)."""

    cells: dict[tuple[int, str], float] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    problems: list[tuple[int, str, Any]] = field(default_factory=list)


def _amount(value: Any) -> float | None:
    """A cell's amount: a number, or 0 for a blank cell; None for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0.0
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return None if math.isnan(value) else float(value)
    return None


def add_to_wide(header: Sequence[str], rows: Sequence[Sequence[Any]],
                row_keys: Sequence[tuple[str | None, str | None]], incoming: pd.DataFrame,
                amount: str, has_cost_type: bool) -> WideAddition:
    """Add long rows (ProjectID, CostType, Period, ``amount``) to a wide table.

    ``header``/``rows``: the table as read; ``row_keys``: each row's (ProjectID, CostType)
    as text (CostType None when the table has no CostType column, ``has_cost_type``
    False: amounts then go to the project's row whatever their cost type). The export's
    amounts are summed per (ProjectID, CostType, month) and each sum is ADDED to its
    cell: new amount = cell + sum (blank = 0), money summed before anything else. A key
    without a row gets a new row, a month without a column a new column at the right
    (:func:`month_header`). Where a key has two rows, the first takes the amount.
    """
    header = [str(h) for h in header]
    month_col: dict[pd.Timestamp, str] = {}
    for h in header:
        m = periods.parse_period(h)
        if m is not None and h.strip().lower() not in ("projectid", "costtype"):
            month_col.setdefault(m, h)
    position = {h: j for j, h in enumerate(header)}
    row_of: dict[tuple[str | None, str | None], int] = {}
    for i, key in enumerate(row_keys):
        row_of.setdefault(key, i)
    out = WideAddition()
    if incoming.empty:
        return out
    frame = incoming[["ProjectID", "CostType", "Period", amount]].copy()
    if not has_cost_type:
        frame["CostType"] = None
    frame["CostType"] = frame["CostType"].astype(object).where(frame["CostType"].notna(), None)
    totals = frame.groupby(["ProjectID", "CostType", "Period"], dropna=False, sort=False)[
        amount].sum()
    existing_months = [h for h in month_col.values()]
    new_row_of: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    for (pid, ct, month), total in totals.items():
        ct = None if ct is None or (isinstance(ct, float) and math.isnan(ct)) else ct
        month = pd.Timestamp(month)
        if month not in month_col:
            month_col[month] = month_header(existing_months, month)
            out.columns.append(month_col[month])
        column = month_col[month]
        key = (pid, ct)
        if key in row_of:
            i = row_of[key]
            j = position.get(column)
            current = _amount(rows[i][j]) if j is not None else 0.0
            if current is None:
                out.problems.append((i, column, rows[i][j]))
                continue
            before = out.cells.get((i, column), current)
            out.cells[(i, column)] = before + float(total)
        else:
            row = new_row_of.get(key)
            if row is None:
                row = {"ProjectID": pid}
                if has_cost_type:
                    row["CostType"] = ct
                new_row_of[key] = row
                out.rows.append(row)
            row[column] = row.get(column, 0.0) + float(total)
    return out
