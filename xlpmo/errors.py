"""Excel error values, user-facing errors and input findings.

Excel error values travel through the core as :class:`XLError` members (a ``str``
enum, so ``XLError.DIV0 == "#DIV/0!"``). The writer turns them into real error
cells; :mod:`xlpmo.functions` returns their text; the xlwings layer converts them
to the runtime's error objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


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


def is_error(value: Any) -> bool:
    """True when ``value`` is an Excel error value (member or its text)."""
    return XLError.parse(value) is not None


class XlpmoError(Exception):
    """An error with a message meant for the user (no traceback is shown)."""


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
