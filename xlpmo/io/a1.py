"""A1 references: column letters, cell and range addresses, sheet names in references.

The one place for them: the reader, the package writer (:mod:`xlpmo.io.ooxml`), the
in-Excel commands and their messages all address cells with these helpers. Rows and
columns are 1-based, as in Excel (``A1`` is row 1, column 1); Excel's grid is
:data:`MAX_ROWS` x :data:`MAX_COLS` (A1:XFD1048576).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xlpmo.errors import LimitExceeded

__all__ = [
    "MAX_COLS", "MAX_ROWS", "CellRange", "address", "cell_ref", "col_index", "col_letter",
    "letters_any", "parse_ref", "quote_sheet", "ref_col", "split_address",
]

MAX_ROWS = 1_048_576
MAX_COLS = 16_384

_LETTERS_CACHE: dict[str, int] = {}
_COL_CACHE: dict[int, str] = {}
_REF_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_RE_PLAIN_SHEET = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_RE_LOOKS_LIKE_REF = re.compile(r"^([A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*)$")


def col_letter(col: int) -> str:
    """1 -> ``A``, 27 -> ``AA``; ValueError outside the sheet's columns (1..16,384)."""
    cached = _COL_CACHE.get(col)
    if cached is not None:
        return cached
    if not 1 <= col <= MAX_COLS:
        raise ValueError(f"column {col} is outside 1..{MAX_COLS}")
    out = letters_any(col)
    _COL_CACHE[col] = out
    return out


def letters_any(col: int) -> str:
    """Column letters of any column number, even past the sheet (16,385 -> ``XFE``)."""
    n, out = col, ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    """``A`` -> 1, ``AA`` -> 27 (case-insensitive, any number of letters)."""
    cached = _LETTERS_CACHE.get(letters)
    if cached is not None:
        return cached
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"not a column: {letters!r}")
        n = n * 26 + ord(ch) - 64
    if len(_LETTERS_CACHE) < 65_536:
        _LETTERS_CACHE[letters] = n
    return n


def ref_col(ref: str) -> int:
    """Column of an A1 reference, fast (``"AB12"`` -> 28)."""
    return col_index(ref.rstrip("0123456789"))


def parse_ref(ref: str) -> tuple[int, int]:
    """``"B3"`` -> ``(3, 2)`` as (row, column); ``$`` anchors are ignored."""
    m = _REF_RE.match(ref.strip())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_index(m.group(1))


def cell_ref(row: int, col: int) -> str:
    """(3, 2) -> ``"B3"``."""
    return f"{col_letter(col)}{row}"


def quote_sheet(sheet: str) -> str:
    """A sheet name as Excel writes it in a reference (``'My Sheet'``, ``Plan``): quoted
    when it holds anything but letters, digits, ``_`` and ``.``, starts with a digit or
    looks like a cell reference; an apostrophe is doubled."""
    if _RE_PLAIN_SHEET.match(sheet) and not _RE_LOOKS_LIKE_REF.match(sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def address(sheet: str, row: int, col: int) -> str:
    """``address("Plan", 14, 4)`` -> ``"Plan!D14"``."""
    return f"{quote_sheet(sheet)}!{col_letter(col)}{row}"


def split_address(text: str) -> tuple[str, str]:
    """``"'My Sheet'!C5"`` -> (``My Sheet``, ``C5``); no sheet -> ("", "C5")."""
    sheet, bang, ref = text.rpartition("!")
    if not bang:
        return "", text
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, ref


@dataclass(frozen=True)
class CellRange:
    """A rectangle of cells, inclusive: rows ``r1..r2``, columns ``c1..c2``."""

    r1: int
    c1: int
    r2: int
    c2: int

    @classmethod
    def parse(cls, text: str) -> CellRange:
        """``"A1:C10"`` or ``"B2"`` (a sheet prefix ``Sheet1!`` is dropped); corners in
        either order (``"F8:C5"`` is C5:F8)."""
        text = text.split("!")[-1].strip()
        first, _, last = text.partition(":")
        r1, c1 = parse_ref(first)
        r2, c2 = parse_ref(last) if last else (r1, c1)
        return cls(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))

    @classmethod
    def parse_sqref(cls, text: str) -> list[CellRange]:
        """Space-separated ranges (``sqref``/``mergeCell ref``); whole rows/columns skipped."""
        out = []
        for part in text.split():
            try:
                out.append(cls.parse(part))
            except ValueError:
                continue
        return out

    def __str__(self) -> str:
        a = f"{letters_any(self.c1)}{self.r1}"
        if (self.r1, self.c1) == (self.r2, self.c2):
            return a
        return f"{a}:{letters_any(self.c2)}{self.r2}"

    @property
    def rows(self) -> int:
        return self.r2 - self.r1 + 1

    @property
    def cols(self) -> int:
        return self.c2 - self.c1 + 1

    def contains(self, row: int, col: int) -> bool:
        return self.r1 <= row <= self.r2 and self.c1 <= col <= self.c2

    def contains_range(self, other: CellRange) -> bool:
        return (
            self.r1 <= other.r1 and other.r2 <= self.r2
            and self.c1 <= other.c1 and other.c2 <= self.c2
        )

    def intersects(self, other: CellRange) -> bool:
        return not (
            other.r2 < self.r1 or other.r1 > self.r2 or other.c2 < self.c1 or other.c1 > self.c2
        )

    def union(self, other: CellRange) -> CellRange:
        return CellRange(
            min(self.r1, other.r1), min(self.c1, other.c1),
            max(self.r2, other.r2), max(self.c2, other.c2),
        )

    def beyond_sheet(self) -> str | None:
        """Why the range does not fit on an Excel sheet (``row 1,200,001, past the sheet's
        last row 1,048,576``), or None when it fits."""
        over = []
        if self.r2 > MAX_ROWS:
            over.append(f"row {self.r2:,}, past the sheet's last row {MAX_ROWS:,}")
        if self.c2 > MAX_COLS:
            over.append(f"column {letters_any(self.c2)} ({self.c2:,}), past the sheet's last "
                        f"column {col_letter(MAX_COLS)} ({MAX_COLS:,})")
        return " and ".join(over) or None

    def check_bounds(self, what: str) -> None:
        """Raise :class:`~xlpmo.errors.LimitExceeded` when the range does not fit; ``what``
        says who needs it (``tblForecastOut needs ForecastOut!A1:G1200001``)."""
        why = self.beyond_sheet()
        if why is not None:
            raise LimitExceeded(f"{what}: that reaches {why}")
