"""Raw cells: what the reader (a file) and the Excel layer (an open book) hand to coercion.

- :class:`RawTable`: the header texts and data rows of one contract table, with where they
  sit on their sheet (so every finding names its cell) and, from a file, which cells are
  percent-formatted;
- :class:`RawWorkbook`: the contract tables of one file, with its :class:`Fingerprint`;
- :func:`clean_values`, :func:`plain_value`, :func:`header_text`: cell values from
  calamine, a 2-D list or a DataFrame -> the raw value set;
- :class:`Fingerprint`: one saved state of a file (the reader takes it, the atomic writer
  :mod:`xlpmo.io.safesave` refuses a file whose fingerprint changed since).

Raw values are Python ``str``, ``float``, ``int``, ``bool``, ``datetime.datetime``,
``None`` (blank) or :class:`~xlpmo.errors.XLError`. Times of day and durations are read as
fractions of a day (Excel's serial value), as they are in the cell.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.errors import Finding, XLError
from xlpmo.io.a1 import address, col_letter, parse_ref, split_address
from xlpmo.io.headers import loose

__all__ = [
    "Fingerprint", "RawTable", "RawWorkbook", "as_2d", "clean_values", "fingerprint",
    "header_text", "is_blank", "plain_value",
]


def plain_value(value: Any) -> Any:
    """One cell value from calamine or a 2-D list -> the raw value set of this module."""
    if value is None or isinstance(value, (bool, XLError)):
        return value
    if isinstance(value, str):
        return None if value == "" else value
    if isinstance(value, dt.datetime):
        return None if value != value else value  # NaT is a datetime
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second
                + value.microsecond / 1e6) / 86400.0
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400.0
    if isinstance(value, np.generic):
        return plain_value(value.item())
    if isinstance(value, float) and value != value:  # NaN from a DataFrame = blank
        return None
    return value


_type_u = np.frompyfunc(type, 1, 1)
_PLAIN_TYPES = [str, float, int, bool, dt.datetime, XLError, type(None)]


def clean_values(values: np.ndarray) -> np.ndarray:
    """2-D object array of cell values -> the raw value set, in place.

    Blank text and NaN become None; only cells of other types (dates, times, numpy
    scalars ...) go through Python one by one.
    """
    if values.size == 0:
        return values
    values[(values == "") | (values != values)] = None  # x != x: NaN
    kinds = pd.Series(_type_u(values).ravel(), copy=False)
    odd = ~kinds.isin(_PLAIN_TYPES).to_numpy().reshape(values.shape)
    if odd.any():  # convert each distinct value once (dates repeat a lot)
        codes, uniques = pd.factorize(values[odd], use_na_sentinel=False)
        plain = np.empty(len(uniques), dtype=object)
        plain[:] = [plain_value(u) for u in uniques]
        values[odd] = plain[codes]
    return values


def header_text(value: Any) -> str:
    """A header cell -> its text (dates as ISO dates, whole numbers without ``.0``)."""
    value = plain_value(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def as_2d(values: Any, width: int | None = None) -> np.ndarray:
    """Rows (list of lists or a 2-D array) -> 2-D object array, rows padded to ``width``."""
    arr = None
    if isinstance(values, np.ndarray) and values.ndim == 2 and values.dtype == object:
        arr = values
    elif isinstance(values, list) and values and all(isinstance(r, list) for r in values[:1]):
        try:  # equal rows of plain values: one C loop
            arr = np.array(values, dtype=object)
        except ValueError:
            arr = None
        if arr is not None and arr.ndim != 2:
            arr = None
    if arr is None:
        rows = [list(r) for r in values]
        w = max((len(r) for r in rows), default=0)
        arr = np.empty((len(rows), w), dtype=object)
        for i, r in enumerate(rows):  # ragged rows: pad with blanks
            arr[i, : len(r)] = r
    if width is not None and arr.shape[1] != width:
        fixed = np.full((arr.shape[0], width), None, dtype=object)
        w = min(width, arr.shape[1])
        fixed[:, :w] = arr[:, :w]
        arr = fixed
    return arr


def is_blank(value: Any) -> bool:
    """A cell that holds nothing: None or text of white space only."""
    return value is None or (isinstance(value, str) and not value.strip())


class RawTable:
    """The raw cells of one table: its header texts and data rows, with their sheet location.

    ``first_row``/``first_col`` are the 1-based sheet coordinates of the header's first
    cell (for a ListObject without a header row, the row above its first data row), so
    data value ``rows[i][j]`` sits in sheet cell (``first_row + 1 + i``, ``first_col + j``):
    see :meth:`cell`. ``data`` holds the rows as a 2-D object array (what coercion uses);
    ``rows`` gives them as lists.

    ``percent``: the data cells (row indices, column indices into ``data``) whose number
    format shows a percentage, as the file's styles say; None where the formats are not
    known (ranges from the Excel layer): see :meth:`percent_mask`.
    """

    def __init__(
        self,
        name: str,
        sheet: str,
        header: Sequence[Any],
        rows: Any,
        first_row: int = 1,
        first_col: int = 1,
        is_listobject: bool = False,
        ref: str | None = None,
        date1904: bool = False,
        cleaned: bool = False,
        percent: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.name = name
        self.sheet = sheet
        self.header = [header_text(h) for h in header]
        data = as_2d(rows, len(self.header))
        self.data = data if cleaned else clean_values(data)
        self.first_row = first_row
        self.first_col = first_col
        self.is_listobject = is_listobject
        self.date1904 = date1904
        self.percent = percent
        last_row = first_row + max(len(self.data), 1)
        last_col = first_col + max(len(self.header), 1) - 1
        self.ref = ref or f"{col_letter(first_col)}{first_row}:{col_letter(last_col)}{last_row}"

    @classmethod
    def from_values(
        cls, values: Sequence[Sequence[Any]] | np.ndarray, origin: str, name: str = "",
        is_listobject: bool = False, percent: Iterable[tuple[int, int]] | None = None,
        cleaned: bool = False,
    ) -> RawTable:
        """A table from a 2-D list or object array (header row first) whose first cell is
        ``origin`` (``"Plan!A1"`` or ``"'My Sheet'!C5"``), as the Excel layer reads ranges.

        ``percent``: the (data row, column) indices of the percent-formatted cells when the
        formats are known; None (the Excel layer) when they are not. ``cleaned``: the values
        are already the raw value set (:func:`clean_values`); an object array is then used
        as it is, not copied."""
        sheet, ref = split_address(origin)
        row, col = parse_ref(ref.split(":")[0])
        arr = as_2d(values)
        cells = None
        if percent is not None:
            pairs = np.array(list(percent), dtype=np.int64).reshape(-1, 2)
            cells = (pairs[:, 0], pairs[:, 1])
        if arr.shape[0] == 0:
            return cls(name, sheet, [], [], row, col, is_listobject, percent=cells)
        return cls(name, sheet, list(arr[0]), arr[1:], row, col, is_listobject,
                   cleaned=cleaned, percent=cells)

    @classmethod
    def from_sheet(cls, values: Any, sheet: str, name: str) -> RawTable | None:
        """The table on a sheet named like it (``Plan`` for tblPlan), from the sheet's
        values starting at A1: the headers are the cells of row 1 from column A up to the
        first blank one, the rows run down to the last one with a value under them.
        None when row 1 lacks the table's first contract column (``ProjectID``)."""
        arr = clean_values(as_2d(values))
        if arr.size == 0:
            return None
        width = 0
        while width < arr.shape[1] and not is_blank(arr[0, width]):
            width += 1
        header = [header_text(v) for v in arr[0, :width]]
        if loose(tables.spec(name).columns[0].name) not in {loose(h) for h in header}:
            return None
        body = arr[1:, :width]
        used = np.flatnonzero(np.not_equal(body, None).any(axis=1)) if body.size else []
        body = body[: used[-1] + 1] if len(used) else body[:0]
        return cls(name, sheet, header, body, 1, 1, is_listobject=False, cleaned=True)

    @property
    def rows(self) -> list[list[Any]]:
        return self.data.tolist()

    def percent_mask(self, j: int, rows: np.ndarray) -> np.ndarray | None:
        """Which of the data rows ``rows`` of column ``j`` are percent-formatted; None when
        the number formats are not known."""
        if self.percent is None:
            return None
        prow, pcol = self.percent
        return np.isin(rows, prow[pcol == j])

    def cell(self, row_index: int, col_index: int) -> str:
        """The sheet cell of data value ``rows[row_index][col_index]`` (``"Plan!D14"``)."""
        return address(self.sheet, self.first_row + 1 + row_index, self.first_col + col_index)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return (f"RawTable({self.name!r}, {self.sheet!r}, {self.ref}, "
                f"{len(self.header)} columns, {len(self.data)} rows)")


@dataclass(frozen=True)
class Fingerprint:
    """What identifies one saved state of a file: size, modification time (ns) and SHA-256
    of its bytes. The writer refuses a file whose fingerprint changed since it was read
    (:mod:`xlpmo.io.safesave`)."""

    size: int
    mtime_ns: int
    sha256: str


def fingerprint(path: str | os.PathLike[str]) -> Fingerprint:
    """The current fingerprint of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return Fingerprint(st.st_size, st.st_mtime_ns, digest.hexdigest())


@dataclass
class RawWorkbook:
    """The contract tables found in one workbook file (keyed by their contract name)."""

    path: Path
    sheet_names: list[str]
    tables: dict[str, RawTable]
    fingerprint: Fingerprint
    date1904: bool = False
    findings: list[Finding] = field(default_factory=list)  # notes of the reader itself
