"""What people add to an output table stays with its row's key.

A user column (Comment, Owner, Action, a formula: any column of an output table that the
refresh does not write) belongs to the rows, not to the sheet's row numbers. When a
refresh adds, removes or reorders rows, each user cell follows its row's key
(:data:`xlpmo.contract.tables.ROW_KEYS`: tblEVM ProjectID, tblVariance ProjectID + Period,
...); a new row gets the column's formula when the column is a calculated column (one
formula for the column, as Excel fills it) and stays blank otherwise; a cell whose key is
gone is listed in tblChecks as an Info with its whole text, so nothing typed is lost.

Both writers use this module: the file writer (:mod:`xlpmo.io.rowplan`, cells of the
package) and the in-Excel Refresh (``xlpmo_udfs.keep``, values of the open book). It works
on plain Python values and opaque cells; it never touches a file or a book.

Matching rule: the k-th old row with a key goes to the k-th new row with the same key, so
duplicated keys (two findings that say the same) keep their order. Keys compare as values:
text exactly, numbers as floats, dates and months as timestamps (a month read back from a
cell as a date equals the month the core computed), blanks and NaN as one blank.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.errors import XLError

__all__ = [
    "CELL_TEXT_LIMIT", "Carry", "Formula", "KeptGrid", "OrphanNote", "carry", "column_formula",
    "keep_user_columns", "key_of", "key_text", "key_value", "match_rows", "note_text",
    "orphan_check_rows", "orphan_notes",
]

CELL_TEXT_LIMIT = 32_767  # characters an Excel cell holds


_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def key_value(value: Any, date: bool = False) -> Hashable:
    """One key cell as a comparable value: text as is, numbers as float, dates and months
    as naive :class:`pandas.Timestamp` (to the second), errors as their text, blanks as
    None. ``date``: the key column holds dates, so a number is an Excel serial date (a cell
    that lost its date format) and ISO text a date."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if date and isinstance(value, int | float | np.integer | np.floating) \
            and not isinstance(value, bool | np.bool_) and not math.isnan(value):
        value = _EXCEL_EPOCH + pd.Timedelta(days=float(value))
    elif date and isinstance(value, str) and value[:4].isdigit():
        with contextlib.suppress(ValueError):
            value = pd.Timestamp(value.rstrip("Z"))
    if isinstance(value, XLError):
        return value.value
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, pd.Period):
        value = value.start_time
    if isinstance(value, dt.datetime | dt.date | np.datetime64 | pd.Timestamp):
        ts = pd.Timestamp(value)
        if ts is pd.NaT:
            return None
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        return ts.round("s")
    if isinstance(value, int | float | np.integer | np.floating):
        x = float(value)
        return None if math.isnan(x) else x
    return str(value)


def key_of(values: Sequence[Any], dates: Sequence[bool] = ()) -> tuple[Hashable, ...]:
    """A row's key: :func:`key_value` of each key cell (``dates[i]``: key i is a date)."""
    return tuple(key_value(v, i < len(dates) and dates[i]) for i, v in enumerate(values))


def match_rows(old_keys: Sequence[tuple], new_keys: Sequence[tuple]) -> list[int | None]:
    """For each new row, the index of the old row with the same key, or None (a new key).

    The k-th old row of a key goes to the k-th new row of that key.
    """
    queues: dict[tuple, list[int]] = defaultdict(list)
    for i, key in enumerate(old_keys):
        queues[key].append(i)
    taken: dict[tuple, int] = defaultdict(int)
    out: list[int | None] = []
    for key in new_keys:
        rows = queues.get(key)
        k = taken[key]
        if rows is not None and k < len(rows):
            out.append(rows[k])
            taken[key] = k + 1
        else:
            out.append(None)
    return out


@dataclass(frozen=True)
class Carry:
    """How the old rows' user cells map onto the new rows."""

    source: list[int | None]  # per new row: the old row whose user cells it takes, or None
    gone: list[int]  # old rows whose key is no longer in the table, in old order

    @property
    def moved(self) -> bool:
        """Some user cell changes row (a row was added, removed or reordered above it)."""
        return any(j != i for i, j in enumerate(self.source)) or bool(self.gone)


def carry(old_keys: Sequence[tuple], new_keys: Sequence[tuple]) -> Carry:
    """:func:`match_rows`, plus the old rows nobody took."""
    source = match_rows(old_keys, new_keys)
    used = {j for j in source if j is not None}
    return Carry(source, [j for j in range(len(old_keys)) if j not in used])


def note_text(value: Any) -> str | None:
    """A user cell's content as text for tblChecks, or None when it is empty.

    Text as typed, numbers as Python writes them (``1250.5``), dates as ``2026-03-31``
    (with the time when it has one), booleans ``TRUE``/``FALSE``, errors as their text.
    """
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, XLError):
        return value.value
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp | np.datetime64):
        ts = pd.Timestamp(value)
        if ts is pd.NaT:
            return None
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat(sep=" ")
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        return repr(int(value)) if float(value).is_integer() and abs(value) < 1e15 \
            else repr(float(value))
    return str(value)


def key_text(names: Sequence[str], key: Sequence[Any]) -> str:
    """``ProjectID P3, Period 2026-03`` (months without their day)."""
    parts = []
    for name, value in zip(names, key, strict=True):
        if isinstance(value, pd.Timestamp) and value == value.normalize() and value.day == 1 \
                and name.lower() == "period":
            shown = value.strftime("%Y-%m")
        else:
            shown = note_text(value) or "(blank)"
        parts.append(f"{name} {shown}")
    return ", ".join(parts)


def column_formula(cells: Sequence[Any]) -> str | None:
    """The column's one formula when every cell holds the same formula text (``=...``),
    as Excel's calculated column: new rows get it. None otherwise (or for no cells)."""
    texts = {c for c in cells if isinstance(c, str) and c.startswith("=")}
    if len(texts) != 1 or any(not (isinstance(c, str) and c.startswith("=")) for c in cells):
        return None
    return texts.pop()


@dataclass(frozen=True)
class OrphanNote:
    """A user cell whose row's key is no longer in the table."""

    table: str
    column: str
    where: str  # the cell it was in, with its sheet (``Dashboard!Z7``)
    key: str  # :func:`key_text`
    text: str

    def message(self) -> str:
        return (f"{self.column} of {self.key} (no longer in {self.table}; the cell's content "
                f"is kept here): {self.text}")


def orphan_notes(table: str, key_names: Sequence[str], old_keys: Sequence[tuple],
                 gone: Sequence[int], columns: Sequence[str],
                 cell: Callable[[int, int], tuple[str, str | None]]) -> list[OrphanNote]:
    """The notes of the rows in ``gone``: ``cell(old_row, user_column_index)`` gives the
    cell's address and its text (None when empty); ``columns`` names the user columns."""
    out = []
    for j in gone:
        for k, column in enumerate(columns):
            where, text = cell(j, k)
            if text is not None:
                out.append(OrphanNote(table, column, where, key_text(key_names, old_keys[j]),
                                      text))
    return out


def orphan_check_rows(notes: Sequence[OrphanNote]) -> list[dict[str, str]]:
    """tblChecks rows (Severity, Table, Cell, Message) for orphaned notes, text whole.

    A message longer than a cell holds is split over several rows (``(part 1 of 2)``), so
    even a 32,767-character note survives.
    """
    rows = []
    for note in notes:
        message = note.message()
        if len(message) <= CELL_TEXT_LIMIT:
            rows.append({"Severity": "Info", "Table": note.table, "Cell": note.where,
                         "Message": message})
            continue
        head = message[: len(message) - len(note.text)]
        room = CELL_TEXT_LIMIT - len(head) - 20
        chunks = [note.text[i:i + room] for i in range(0, len(note.text), room)]
        for i, chunk in enumerate(chunks, 1):
            rows.append({"Severity": "Info", "Table": note.table, "Cell": note.where,
                         "Message": f"{head}(part {i} of {len(chunks)}) {chunk}"})
    return rows


# -- whole grids (the in-Excel Refresh) -------------------------------------------------------


class Formula(str):
    """A cell's formula text (``=[@CPI]*2``) read from the book, to be entered as a formula
    again, not as text."""


@dataclass
class KeptGrid:
    """A table's new content with what people added kept (:func:`keep_user_columns`)."""

    header: list[str]
    rows: list[list[Any]]
    user_columns: list[int]  # positions in ``header`` of the columns the refresh does not own
    notes: list[OrphanNote]


def keep_user_columns(table: str, old: Sequence[Sequence[Any]], new: Sequence[Sequence[Any]],
                      key_names: Sequence[str], where: Callable[[int, int], str],
                      dates: Sequence[str] = ()) -> KeptGrid:
    """The new content of a table (``new``: header, then rows) laid over its current one
    (``old``: header, then rows, as read from the book), keeping the user columns.

    Columns are matched by name (case-insensitively); the table keeps its column order,
    new columns go at its right. A user column (in ``old`` only) keeps each cell with its
    row's key (``key_names``, which must be in both headers; else rows are matched by
    position); a new row gets the column's formula when every old cell holds the same one
    (:func:`column_formula`, a calculated column) and stays blank otherwise. ``where(row,
    column)`` gives the address of an old cell (0-based in ``old``'s data rows and header)
    for the notes whose key is gone; ``dates`` names the key columns that hold dates.
    """
    old_header = [str(h) if h is not None else "" for h in (old[0] if old else [])]
    new_header = [str(h) for h in new[0]]
    kept = [(i, list(r)) for i, r in enumerate(old[1:])
            if any(v is not None and v != "" for v in r)]  # an empty table's blank row: none
    old_at = [i for i, _ in kept]
    old_rows = [r for _, r in kept]
    lower_old = [h.strip().lower() for h in old_header]
    lower_new = [h.strip().lower() for h in new_header]
    header = list(old_header) + [h for h, k in zip(new_header, lower_new, strict=True)
                                 if k not in lower_old]
    owned = {k: lower_new.index(k) for k in lower_new}
    position = {h.strip().lower(): i for i, h in enumerate(header)}
    users = [i for i, k in enumerate(lower_old) if k not in owned]
    key_lower = [k.lower() for k in key_names]
    keyed = bool(key_lower) and all(k in owned and k in lower_old for k in key_lower)
    n_new = len(new) - 1
    if keyed and users:
        date_keys = [k in {d.lower() for d in dates} for k in key_lower]
        old_keys = [key_of([r[lower_old.index(k)] for k in key_lower], date_keys)
                    for r in old_rows]
        new_keys = [key_of([r[owned[k]] for k in key_lower], date_keys) for r in new[1:]]
        moved = carry(old_keys, new_keys)
        source, gone = moved.source, moved.gone
    else:
        old_keys = [() for _ in old_rows]
        source = [i if i < len(old_rows) else None for i in range(n_new)]
        gone = list(range(n_new, len(old_rows))) if users else []
    formulas = {j: column_formula([r[j] for r in old_rows]) for j in users}
    rows = []
    for i, r in enumerate(new[1:]):
        row: list[Any] = [None] * len(header)
        for k, j in owned.items():
            row[position[k]] = r[j]
        src = source[i]
        for j in users:
            row[j] = old_rows[src][j] if src is not None else formulas[j]
        rows.append(row)

    def text(j: int, k: int) -> tuple[str, str | None]:
        col = users[k]
        value = old_rows[j][col]
        if isinstance(value, str) and value.startswith("=") and formulas[col] is not None:
            return where(old_at[j], col), None  # the column's own formula: nothing typed
        return where(old_at[j], col), note_text(value)

    names = [old_header[lower_old.index(k)] for k in key_lower] if keyed else []
    notes = orphan_notes(table, names or ["row"], old_keys if keyed else
                         [(j + 1,) for j in range(len(old_rows))], gone,
                         [old_header[j] for j in users], text) if users else []
    return KeptGrid(header, rows, users, notes)
