"""Excel error values, user-facing errors and input findings.

Excel error values travel through the core as :class:`XLError` members (a ``str``
enum, so ``XLError.DIV0 == "#DIV/0!"``). The writer turns them into real error
cells; :mod:`xlpmo.functions` returns their text; the xlwings layer converts them
to the runtime's error objects.

Errors meant for the user derive from :class:`XlpmoError` (the CLI and the commands show
their message without a traceback). Its subclasses tell a caller *why* something was refused
without reading the message:

- :class:`InputError`: the workbook's inputs (or a caller's arguments) are wrong or missing;
- :class:`FileRefused`: a file cannot be read or written as it is (missing, not a workbook,
  damaged, encrypted, crafted, unreadable or unwritable);
- :class:`FileChanged`: the file changed since xlpmo read it (or while it read it);
- :class:`WriteConflict`: the write would overwrite what is not xlpmo's to overwrite (a
  file open in Excel or held by another refresh, cells that are not the output's own, an
  existing file);
- :class:`LimitExceeded`: an input is beyond a size limit (:mod:`xlpmo.io.limits`, Excel's
  grid).

A problem in a cell's value is not an exception: it is a :class:`Finding` (tblChecks) or an
:class:`XLError` in the cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = [
    "MAX_MESSAGE", "SEVERITIES", "FileChanged", "FileRefused", "Finding", "InputError",
    "LimitExceeded", "WriteConflict", "XLError", "XlpmoError", "occupied_cells_problem",
    "overwrite_refusal", "shorten",
]


class XLError(str, Enum):
    """An Excel error value."""

    DIV0 = "#DIV/0!"
    NA = "#N/A"
    VALUE = "#VALUE!"
    NUM = "#NUM!"
    NAME = "#NAME?"
    REF = "#REF!"
    NULL = "#NULL!"

    def __str__(self) -> str:  # so f-strings and CSV show "#DIV/0!"
        return self.value

    @classmethod
    def parse(cls, value: Any) -> XLError | None:
        """Return the error a value stands for (``"#N/A"`` -> ``XLError.NA``), else None."""
        if isinstance(value, XLError):
            return value
        if isinstance(value, str):
            text = value.strip().upper()
            for member in cls:
                if member.value == text:
                    return member
        return None

    @classmethod
    def first(cls, values: Iterable[Any]) -> XLError | None:
        """The first :class:`XLError` member of ``values`` in their order, else None.

        Excel's rule for a function of several inputs: the leftmost error is the result
        (``=#N/A+#DIV/0!`` is ``#N/A``). Only members count, not their text (the reader
        has already turned error cells into members).
        """
        return next((v for v in values if isinstance(v, XLError)), None)


class XlpmoError(Exception):
    """An error with a message meant for the user (no traceback is shown).

    Raise the subclass below that says why; catch ``XlpmoError`` to handle them all.
    """


class InputError(XlpmoError):
    """The inputs are wrong or missing: a required table, a repeated ProjectID, an export
    without the needed columns, tables a caller named that the contract does not have.

    The message names the table, row and cell where there is one. Nothing was written.
    """


class FileRefused(XlpmoError):
    """A file cannot be read or written as it is: missing, a folder, not an Excel workbook
    (``.xls``, ``.xlsb``, ``.ods``, a web page), damaged or truncated, encrypted, crafted
    (a DTD, duplicate zip entries), or the disk refuses the write (permission, no space).
    Nothing was written."""


class FileChanged(XlpmoError):
    """The file changed since xlpmo read it (someone saved it, moved or deleted it) or
    while xlpmo was reading it. Nothing was written; read it again and retry."""


class WriteConflict(XlpmoError):
    """Writing would overwrite what is not xlpmo's to overwrite: the workbook is open in
    Excel or locked by another refresh, an output would land on cells that are not its own
    (other tables, non-empty cells, formulas used outside the table, a table an external
    query fills, a chart sheet), or a new file would replace an existing one. Nothing was
    written."""


class LimitExceeded(XlpmoError):
    """An input is beyond a size limit: a file, zip part or sheet larger than the caps of
    :mod:`xlpmo.io.limits` (zip bombs included), or an output beyond Excel's last row or
    column. Nothing was written."""


def occupied_cells_problem(sheet_label: str, cells: Sequence[object], shown: int = 8) -> str:
    """``non-empty cells Plan!D14, Plan!D15 and 3 more``: the first ``shown`` of ``cells``
    (one-cell references on the sheet ``sheet_label``, quoted as in a formula)."""
    more = f" and {len(cells) - shown} more" if len(cells) > shown else ""
    return ("non-empty cells " + ", ".join(f"{sheet_label}!{c}" for c in cells[:shown])
            + more)


def overwrite_refusal(where: str, problems: list[str], again: str = "refresh again") -> str:
    """The message refusing output that would land on cells that are not its own.

    ``where`` says what needs which cells (``"tblEVM needs Dashboard!M25:AK40"``),
    ``problems`` what is in the way (``"the table tblNotes (M30:N32)"``).
    """
    return (f"{where}, which would overwrite " + "; ".join(problems)
            + f". Clear or move them (or move the table), then {again}.")


SEVERITIES = ("Error", "Warning", "Info")
MAX_MESSAGE = 1000  # characters of a finding's message; a cell holds 32,767


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut in the middle to at most ``limit`` characters (head and tail kept)."""
    if len(text) <= limit:
        return text
    marker = " … "
    head = (limit - len(marker)) * 2 // 3
    tail = limit - len(marker) - head
    return text[:head] + marker + text[len(text) - tail:]


@dataclass(frozen=True)
class Finding:
    """One problem found in the inputs, as shown in tblChecks.

    ``cell`` is an A1 address with its sheet (``Plan!D14``), or the table name
    when the problem is not one cell (a missing column, a missing table). A message that
    quotes a huge cell (32,767 characters) is shortened in the middle (:func:`shorten`), so
    it fits tblChecks and a terminal.

    ``changed_number``: the finding reports a value read otherwise than it is typed or left
    out (a column read on the 0–100 scale, an ambiguous date read day-first, a column not
    read): ``xlpmo validate`` exits 1 for it even when it is only a Warning.
    """

    severity: str
    table: str
    cell: str
    message: str
    changed_number: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        if len(self.message) > MAX_MESSAGE:
            object.__setattr__(self, "message", shorten(self.message))

    def __str__(self) -> str:
        return f"{self.severity}: {self.cell}: {self.message}"
