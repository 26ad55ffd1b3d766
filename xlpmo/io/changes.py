"""Edits of an input table that leave the rest of it alone.

A command that adds to an input table (Import actuals, Close period, New project, the
tblConfig settings) does not rewrite the table: it sets some cells, adds rows at the end
and, for a wide table, month columns at the right. :class:`TableEdit` says which; the
file writer (:func:`xlpmo.io.writer.write_tables`) and the Excel layer
(:mod:`xlpmo_udfs.book`) both apply it, touching nothing else: other cells keep their
values, formulas and formats, columns a user added keep their content, and new rows get the
table's formats (and its calculated-column formulas in the file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xlpmo.contract.periods import parse_period
from xlpmo.contract.settings import upsert_settings
from xlpmo.errors import InputError


@dataclass
class TableEdit:
    """Changes to the table ``name``.

    ``cells``: (data row index, column header) -> new value, for rows the table has (row 0
    is the first data row). ``rows``: rows added at the end, as column header -> value
    (columns not given are blank). ``columns``: headers of new columns added at the right.
    ``header``: the columns of the table when it does not exist yet (it is then created on
    its contract sheet with ``rows``). Headers are matched as the writer matches them
    (:func:`column_position`).
    """

    name: str
    cells: dict[tuple[int, str], Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    header: list[str] | None = None

    def __bool__(self) -> bool:
        return bool(self.cells or self.rows or self.columns)

    def referenced(self) -> list[str]:
        """Every column header the edit writes, in first-use order."""
        seen: dict[str, None] = {}
        for _row, column in self.cells:
            seen.setdefault(column, None)
        for row in self.rows:
            for column in row:
                seen.setdefault(column, None)
        for column in self.columns:
            seen.setdefault(column, None)
        return list(seen)


def column_position(headers: Sequence[Any], name: str) -> int | None:
    """Index of the column ``name`` among a table's ``headers``: by name, case and
    surrounding spaces ignored, else for a month by its month (``2026-01`` finds
    ``Jan 2026``, as Excel users write month headers either way). None when absent."""
    texts = [str(h if h is not None else "").strip().lower() for h in headers]
    wanted = str(name).strip().lower()
    if wanted in texts:
        return texts.index(wanted)
    month = parse_period(name)
    if month is None:
        return None
    for i, h in enumerate(headers):
        if parse_period(h) == month:
            return i
    return None


def settings_edit(name: str, headers: Sequence[Any], rows: Sequence[Sequence[Any]],
                  updates: dict[str, Any]) -> TableEdit:
    """The edit that writes ``updates`` into tblConfig (``headers`` and data ``rows`` as
    read), by the one upsert rule :func:`xlpmo.contract.settings.upsert_settings`."""
    s_col = column_position(headers, "Setting")
    v_col = column_position(headers, "Value")
    if s_col is None or v_col is None:
        raise InputError(f"{name} needs the columns Setting and Value to take settings")
    setting, value = str(headers[s_col]), str(headers[v_col])
    plan = upsert_settings([r[s_col] for r in rows], [r[v_col] for r in rows], updates)
    edit = TableEdit(name)
    for i, v in plan.values.items():
        edit.cells[(i, value)] = v
    for i, n in plan.names.items():
        edit.cells[(i, setting)] = n
    edit.rows = [{setting: n, value: v} for n, v in plan.appended]
    return edit


def append_edit(name: str, headers: Sequence[Any] | None, rows: Sequence[Sequence[Any]],
                new_rows: list[dict[str, Any]], header: list[str]) -> TableEdit:
    """The edit that adds ``new_rows`` to a table (``headers``/``rows`` as read; None when
    the table does not exist: it is then created with the columns ``header``). The table's
    trailing blank rows are filled first (an Excel Table keeps one data row even when it
    is empty), then rows are added at the end."""
    if headers is None:
        return TableEdit(name, rows=list(new_rows), header=list(header))
    blank = 0
    for row in reversed(rows):
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row):
            break
        blank += 1
    first_free = len(rows) - blank
    edit = TableEdit(name)
    for k, new in enumerate(new_rows):
        if k < blank:
            for column, v in new.items():
                edit.cells[(first_free + k, column)] = v
        else:
            edit.rows.append(new)
    return edit
